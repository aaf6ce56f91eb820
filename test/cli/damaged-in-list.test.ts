/**
 * A damaged file among several (`-V LIST`, repeated `-r`, `-r DIR`): tcpdump 4.99.3 reports
 * `pcap_loop: truncated dump file; …` for it, gives that file up and reads the next one; its exit
 * status is its last file's (0 when a file before the last was damaged, 1 when the last was).
 * tcpscope does the same in its one-line form (`tcpscope: FILE: … (at byte offset N)`, naming
 * the file, which tcpdump's line does not), for the printed modes; `--json` exits 1 whenever a
 * file was damaged. The output must be exactly that of the set with the damaged file cut at its
 * last whole record (the frames after the damage are lost, none before it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-damaged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const first = join(SCEN, 'close-4way.pcap');
const last = join(SCEN, 'handshake-only.pcap');
// close-3way.pcap cut in the middle of a record (a classic pcap, little-endian)
const whole = readFileSync(join(SCEN, 'close-3way.pcap'));
function lastWholeRecordEnd(b: Buffer, limit: number): number {
  let off = 24;
  while (off + 16 <= limit && off + 16 + b.readUInt32LE(off + 8) <= limit) off += 16 + b.readUInt32LE(off + 8);
  return off;
}
const cutAt = 500;
const damaged = join(tmp, 'damaged.pcap');
writeFileSync(damaged, whole.subarray(0, cutAt));
const goodEnd = lastWholeRecordEnd(whole, cutAt);
const prefix = join(tmp, 'prefix.pcap');
writeFileSync(prefix, whole.subarray(0, goodEnd));
const list = (name: string, files: string[]): string => {
  const p = join(tmp, name);
  writeFileSync(p, files.join('\n') + '\n');
  return p;
};
const damagedMiddle = list('middle.txt', [first, damaged, last]);
const prefixMiddle = list('middle-prefix.txt', [first, prefix, last]);
const damagedLast = list('last.txt', [first, last, damaged]);
const prefixLast = list('last-prefix.txt', [first, last, prefix]);
const errorLine = new RegExp(`^tcpscope: ${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: packet \\d+ is cut short: .* \\(at byte offset ${goodEnd}\\)$`, 'm');

describe('a damaged file in a list of captures', () => {
  it('unreadableHeaderInTheList_filesBeforeItPrintedThenItsError_exits1AsTcpdump', () => {
    // tcpdump -V prints the files listed before one it cannot open ("unknown file format"),
    // then stops with status 1: the files after it are not read
    const text = join(tmp, 'text.pcap');
    writeFileSync(text, 'garbage, not a capture\n');
    const r = tcpscope(['--plain', '-n', '-V', list('unreadable.txt', [first, text, last])]);
    expect(r.stdout).toBe(tcpscope(['--plain', '-n', '-r', first]).stdout);
    expect(r.stderr).toMatch(/tcpscope: .*text\.pcap: not a capture file: .*\(at byte offset 0\)\n$/);
    expect(r.status).toBe(1);
  });

  for (const mode of [['--plain'], []]) {
    it(`damagedFileBeforeTheLast_${mode.join('') || 'annotated'}_reportsItReadsTheRestExits0`, () => {
      const r = tcpscope([...mode, '-n', '-V', damagedMiddle]);
      const want = tcpscope([...mode, '-n', '-V', prefixMiddle]);
      expect(want.status).toBe(0);
      expect(r.stdout).toBe(want.stdout);
      expect(r.stderr).toMatch(errorLine);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('tcpscope: '))).toHaveLength(1);
      expect(r.status).toBe(0);
    });
  }

  it('damagedLastFile_plain_exits1AsTcpdump', () => {
    const r = tcpscope(['--plain', '-n', '-V', damagedLast]);
    expect(r.stdout).toBe(tcpscope(['--plain', '-n', '-V', prefixLast]).stdout);
    expect(r.stderr).toMatch(errorLine);
    expect(r.status).toBe(1);
  });

  it('repeatedR_damagedFileFirst_readsTheOthers', () => {
    const r = tcpscope(['--plain', '-n', '-r', damaged, '-r', first]);
    expect(r.stdout).toBe(tcpscope(['--plain', '-n', '-r', prefix, '-r', first]).stdout);
    expect(r.stderr).toMatch(errorLine);
    expect(r.status).toBe(0);
  });

  it('json_damagedFileBeforeTheLast_recordsOfTheRest_exits1', () => {
    const r = tcpscope(['--json', '-n', '-V', damagedMiddle]);
    const want = tcpscope(['--json', '-n', '-V', prefixMiddle]);
    expect(r.stdout).toBe(want.stdout);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(errorLine);
    expect(r.status).toBe(1);
  });

  it('write_damagedFileBeforeTheLast_writesTheOtherPackets_exits0', () => {
    const out = join(tmp, 'out.pcap');
    const outPrefix = join(tmp, 'out-prefix.pcap');
    const r = tcpscope(['-V', damagedMiddle, '-w', out]);
    expect(r.status).toBe(0);
    expect(tcpscope(['-V', prefixMiddle, '-w', outPrefix]).status).toBe(0);
    expect(readFileSync(out).equals(readFileSync(outPrefix))).toBe(true);
  });

  it('check_damagedFile_isNeverAPass', () => {
    const r = tcpscope(['check', first, damaged, last]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(errorLine);
  });
});
