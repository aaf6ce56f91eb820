/**
 * "expression rejects all packets": tcpscope refuses exactly where tcpdump 4.99.3 (libpcap
 * 1.10.3) refuses with those words — every expression of expressions.mjs and
 * rejects-all-expressions.mjs, on every link type tcpscope filters, as recorded by
 * rejects-all-table.mjs in fixtures/filter/rejects-all.json — and accepts where tcpdump accepts.
 * Cells where tcpdump refuses for another reason (an error the differential tests check) are
 * left out. Then, on real bytes, the command line: tcpdump's message, status 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTcpscopeError } from '../../src/errors.js';
import { buildPcap } from '../capture/build.js';
import { type Filter, compileFilter, parseProtocols, parseServices } from '../../src/filter/index.js';
import type { NameDatabase } from '../../src/filter/names.js';

const root = join(__dirname, '..', '..');

/** the name databases tcpdump answered with (copied by regenerate.mjs) */
const fixtureNames: NameDatabase = (() => {
  const services = parseServices(readFileSync(join(root, 'fixtures', 'filter', 'etc-services'), 'utf8'));
  const protocols = parseProtocols(readFileSync(join(root, 'fixtures', 'filter', 'etc-protocols'), 'utf8'));
  return { services: () => services, protocols: () => protocols, hosts: () => new Map() };
})();

interface Table {
  tcpdump: string;
  linktypes: number[];
  answers: Record<string, { rejects?: number[]; refused?: Record<string, string> }>;
}
const table = JSON.parse(readFileSync(join(root, 'fixtures', 'filter', 'rejects-all.json'), 'utf8')) as Table;

/**
 * Cells where tcpscope's answer differs from tcpdump's, each with the reason (README "Known
 * differences"). The test fails if this list is not exactly the disagreement, either way.
 */
const KNOWN: Record<string, number[]> = {
  // On ARCNET (7, 129) `ip` is one of two protocol IDs, so the second port test is reached
  // through a join; libpcap's optimizer leaves it in the program (and so accepts the filter),
  // tcpscope's jump threading decides it from the first and refuses. Same packets either way.
  'src port 53 and src port 54': [7, 129],
  'dst port 1 and dst port 2': [7, 129],
};

type Answer = 'rejects' | 'accepts' | 'refused';

function ours(filter: Filter | null, lt: number): Answer {
  if (filter === null) return 'refused';
  try {
    filter.predicate(lt);
    return 'accepts';
  } catch (e) {
    if (!isTcpscopeError(e)) throw e;
    return e.code === 'FILTER_REJECTS_ALL' ? 'rejects' : 'refused';
  }
}

describe(`expression rejects all packets, as ${table.tcpdump.split(' / ')[1] ?? table.tcpdump} decides it`, () => {
  it('the table covers at least 150 expressions that libpcap refuses somewhere and their near misses', () => {
    const rows = Object.values(table.answers);
    expect(rows.length).toBeGreaterThanOrEqual(500);
    expect(rows.filter((r) => r.rejects !== undefined).length).toBeGreaterThanOrEqual(60);
    expect(table.linktypes.length).toBeGreaterThanOrEqual(20);
  });

  it('tcpscope refuses exactly the cells tcpdump refuses', () => {
    const disagree: Record<string, number[]> = {};
    const lines: string[] = [];
    for (const [expr, row] of Object.entries(table.answers)) {
      let filter: Filter | null = null;
      try {
        filter = compileFilter(expr, { names: fixtureNames });
      } catch (e) {
        if (!isTcpscopeError(e)) throw e;
      }
      for (const lt of table.linktypes) {
        if (row.refused?.[String(lt)] !== undefined) continue;
        const theirs: Answer = row.rejects?.includes(lt) === true ? 'rejects' : 'accepts';
        const mine = ours(filter, lt);
        if (mine === 'refused') continue; // an error of tcpscope's own: the differential tests' business
        if (mine !== theirs) {
          (disagree[expr] ??= []).push(lt);
          lines.push(`${JSON.stringify(expr)} on ${lt}: tcpdump ${theirs}, tcpscope ${mine}`);
        }
      }
    }
    expect(disagree, lines.join('\n')).toEqual(KNOWN);
  });
});

function pcap(linktype: number, frames: Uint8Array[]): Buffer {
  return Buffer.from(buildPcap({ linktype }, frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: 0, data }))));
}

describe('the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-rejects-'));
  const bin = join(root, 'bin', 'tcpscope.js');
  // an IPv4 UDP datagram, alone (raw IP) and behind an Ethernet header
  const ip = Uint8Array.from([0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 53, 0, 53, 0, 8, 0, 0]);
  const ether = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0]), ip]);
  const raw = join(dir, 'raw.pcap');
  const eth = join(dir, 'eth.pcap');
  writeFileSync(raw, pcap(101, [ip]));
  writeFileSync(eth, pcap(1, [ether]));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('rawIp_arp_refusedWithTcpdumpsMessageAndStatus1', () => {
    for (const mode of [['--plain'], [], ['--json']]) {
      const r = run(...mode, '-n', '-r', raw, 'arp');
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^(reading from file .*\n)?tcpscope: expression rejects all packets \(link type Raw IP\)\n$/);
    }
  });

  it('headerOnlyCapture_arpOnRawIp_refusedBeforeAnyPacket', () => {
    // tcpdump compiles the filter when it opens the capture, packets or not
    const empty = join(dir, 'raw-empty.pcap');
    writeFileSync(empty, pcap(101, []));
    const r = run('-n', '-r', empty, 'arp');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tcpscope: expression rejects all packets \(link type Raw IP\)\n$/);
    expect(run('-n', '-r', empty, 'ip').status).toBe(0);
  });

  it('existingWriteFile_refusedFilter_fileLeftAsItWas', () => {
    // the -w file is created only once the filter is known to apply, as tcpdump does
    const out = join(dir, 'keep.pcap');
    const before = pcap(1, [ether, ether]);
    writeFileSync(out, before);
    const r = run('-n', '-r', eth, '-w', out, 'tcp and udp');
    expect(r.status).toBe(1);
    expect(readFileSync(out)).toEqual(before);
    const missing = join(dir, 'never.pcap');
    expect(run('-n', '-r', raw, '-w', missing, 'arp').status).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it('ethernet_tcpAndUdp_refused_butEachAloneRuns', () => {
    const r = run('--plain', '-n', '-r', eth, 'tcp and udp');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('tcpscope: expression rejects all packets');
    const ok = run('--plain', '-n', '-r', eth, 'udp');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('10.0.0.1.53 > 10.0.0.2.53');
  });

  it('ethernet_decidedTestBehindAnotherTest_notRefused', () => {
    // libpcap keeps a decided comparison that is not at the program's root
    const r = run('--plain', '-n', '-r', eth, 'udp and ether[0] & 0 = 1');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});
