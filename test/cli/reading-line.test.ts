/**
 * tcpdump's "reading from file F, link-type NAME (DESCRIPTION), snapshot length N" line on
 * standard error. Every expected line below was printed by tcpdump 4.99.3 (libpcap 1.10.3) for
 * the same bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { pcapHeader } from '../capture/build.js';
import { REAL, SCEN, tcpscope } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-reading-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}
function pcapngSection(interfaces: [linktype: number, snaplen: number][]): Buffer {
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeBigInt64LE(-1n, 16); shb.writeUInt32LE(28, 24);
  return Buffer.concat([shb, ...interfaces.map(([linktype, snaplen]) => {
    const idb = Buffer.alloc(20);
    idb.writeUInt32LE(1, 0); idb.writeUInt32LE(20, 4); idb.writeUInt16LE(linktype, 8);
    idb.writeUInt32LE(snaplen, 12); idb.writeUInt32LE(20, 16);
    return idb;
  })]);
}

const close4 = join(SCEN, 'close-4way.pcap');
const line = (path: string, type = 'EN10MB (Ethernet)', snaplen = 262144): string => `reading from file ${path}, link-type ${type}, snapshot length ${snaplen}\n`;

describe('reading from file line', () => {
  for (const mode of [['--plain'], [], ['-w', join(tmp, 'out.pcap')], ['--count']]) {
    test(`ethernet_${mode[0] ?? 'annotated'}_line first on stderr`, () => {
      const r = tcpscope([...mode, '-n', '-r', close4]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(line(close4));
    });
  }

  for (const mode of [['--json', '-n', '-r'], ['check'], ['check', '--json']]) {
    test(`ethernet_${mode.join(' ')}_stderr stays quiet`, () => {
      const r = tcpscope([...mode, close4]);
      expect(r.stderr).toBe('');
    });
  }

  test('standard input_plain_named -', () => {
    const r = tcpscope(['--plain', '-n', '-r', '-'], { input: readFileSync(close4) });
    expect(r.stderr).toBe(line('-'));
  });

  test('linux cooked v2_plain_line and the interface-name warning', () => {
    const p = join(REAL, 'real-any-interface-sll2.pcap');
    const r = tcpscope(['--plain', '-n', '-r', p]);
    expect(r.stderr).toBe(line(p, 'LINUX_SLL2 (Linux cooked v2)') + 'Warning: interface names might be incorrect\n');
  });

  test('pcapng_plain_first interface link type and snap length', () => {
    const p = file('two.pcapng', pcapngSection([[113, 1500], [1, 65535]]));
    expect(tcpscope(['--plain', '-n', '-r', p]).stderr).toBe(line(p, 'LINUX_SLL (Linux cooked v1)', 1500));
  });

  test('pcap linktype 101 snaplen 0_plain_libpcap name RAW and adjusted snap length', () => {
    const p = file('raw.pcap', pcapHeader({ snaplen: 0, linktype: 101 }).bytes());
    expect(tcpscope(['--plain', '-n', '-r', p]).stderr).toBe(line(p, 'RAW (Raw IP)'));
  });

  test('link type libpcap cannot name_plain_its number', () => {
    const p = file('lt999.pcap', pcapHeader({ snaplen: 65535, linktype: 999 }).bytes());
    expect(tcpscope(['--plain', '-n', '-r', p]).stderr.split('\n')[0]).toBe(line(p, '999', 65535).trimEnd());
  });

  test('no packets_annotated_line still printed', () => {
    const p = file('empty.pcap', pcapHeader({ snaplen: 65535, linktype: 1 }).bytes());
    const r = tcpscope(['-n', '-r', p]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(line(p, 'EN10MB (Ethernet)', 65535));
  });

  test('damaged header_plain_only the error', () => {
    const p = file('badver.pcap', pcapHeader({ version: [9, 4], snaplen: 65535, linktype: 1 }).bytes());
    const r = tcpscope(['--plain', '-n', '-r', p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tcpscope: [^\n]*badver\.pcap: [^\n]*\n$/);
  });

  test('first record cut short_plain_line then the error', () => {
    const p = file('cut.pcap', readFileSync(close4).subarray(0, 100));
    const r = tcpscope(['--plain', '-n', '-r', p]);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0] + '\n').toBe(line(p));
    expect(lines[1]).toMatch(/^tcpscope: [^\n]*cut\.pcap: /);
  });

  test('refused filter_plain_line then the filter error', () => {
    const r = tcpscope(['--plain', '-n', '-r', close4, 'tcpx']);
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0] + '\n').toBe(line(close4));
    expect(lines[1]).toMatch(/^tcpscope: syntax error in filter expression/);
  });

  test('refused filter on a damaged file_plain_the file error alone', () => {
    const p = file('badver2.pcap', pcapHeader({ version: [9, 4], snaplen: 65535, linktype: 1 }).bytes());
    const r = tcpscope(['--plain', '-n', '-r', p, 'tcpx']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tcpscope: [^\n]*badver2\.pcap: [^\n]*\n$/);
  });

  test('two files_plain_one line per file', () => {
    const a = join(SCEN, 'close-3way.pcap');
    const r = tcpscope(['--plain', '-n', '-r', a, '-r', close4]);
    expect(r.stderr.split('\n').filter((l) => l !== '').sort()).toEqual([line(a).trimEnd(), line(close4).trimEnd()].sort());
  });
});
