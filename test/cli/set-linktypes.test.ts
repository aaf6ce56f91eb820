/**
 * `-V` (or repeated `-r`) over files of different link types. Printing, tcpdump 4.99.3 reads them
 * all (exit 0); with `-w` it writes the first file's packets under the first file's header and
 * stops at the second file with `FILE: new dlt does not match original`, exit 1. tcpscope reads
 * the files as one capture in time order: printing, all of them; with -w it stops when a file
 * of another link type joins, naming that file, exit 1, the packets before it written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-linktypes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ether = join(SCEN, 'close-4way.pcap');
const sll = join(SCEN, 'linux-sll.pcap');
const list = join(tmp, 'list.txt');
writeFileSync(list, `${ether}\n${sll}\n`);

/** [seconds, microseconds] of each record of a little-endian classic pcap */
function stamps(b: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) out.push([b.readUInt32LE(off), b.readUInt32LE(off + 4)]);
  return out;
}
const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

describe('files of different link types in one list', () => {
  it('printing_readsEveryFile_exit0', () => {
    const r = tcpscope(['--plain', '-n', '-V', list]);
    expect(r.status).toBe(0);
    const one = (f: string) => tcpscope(['--plain', '-n', '-r', f]).stdout.split('\n').filter(Boolean);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([...one(ether), ...one(sll)].sort());
  });

  it('write_secondLinkTypeJoins_refusedNamingThatFile_exit1_packetsBeforeItWritten', () => {
    const out = join(tmp, 'out.pcap');
    const r = tcpscope(['-V', list, '-w', out]);
    expect(r.status).toBe(1);
    const msg = `tcpscope: ${sll}: link-type LINUX_SLL (Linux cooked v1) is not the first file's link-type EN10MB (Ethernet), which the -w file holds (a pcap file has one link type)\n`;
    expect(r.stderr.endsWith(msg)).toBe(true);
    const written = readFileSync(out);
    expect(written.readUInt32LE(20)).toBe(1); // the first file's link type
    // exactly the Ethernet packets that come before the Linux cooked file's first one
    const sllFirst = stamps(readFileSync(sll))[0];
    const want = stamps(readFileSync(ether)).filter((t) => !before(sllFirst, t)); // ties: file order
    expect(stamps(written)).toEqual(want);
  });
});
