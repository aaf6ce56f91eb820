/**
 * Time stamps in every -t mode on times tcpdump treats specially: a 30-hour gap (-ttt/-ttttt
 * deltas go through gmtime(), so the hours wrap at 24), a capture whose time steps back (a `-`
 * delta), and seconds 0xFFFFFFFF (top bit set: `[Error converting time]`; libpcap reads the
 * field signed in a host-order file, so the -ttt deltas around it differ from a swapped file's).
 * The expected texts are what tcpdump 4.99.3 prints for these same bytes (TZ=UTC); each mode is
 * run through the fast path (plain flags) and the full printer (-v) alike.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildPcap } from '../capture/build.js';
import { SCEN, tcpscope } from '../cli/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-ts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** the first frame of close-4way.pcap (a SYN), repeated at each time below */
function firstFrame(): Uint8Array {
  const b = readFileSync(join(SCEN, 'close-4way.pcap'));
  const caplen = b.readUInt32LE(24 + 8);
  return new Uint8Array(b.subarray(40, 40 + caplen));
}

const T = 1_700_000_000; // 2023-11-14 22:13:20 UTC
const TIMES: [number, number][] = [[T, 0], [T + 30 * 3600, 1000], [T + 30 * 3600 - 5, 500], [0xffffffff, 2600], [T, 700]];

function capture(le: boolean): string {
  const data = firstFrame();
  const path = join(tmp, le ? 'le.pcap' : 'be.pcap');
  writeFileSync(path, buildPcap({ le }, TIMES.map(([sec, frac]) => ({ sec, frac, data }))));
  return path;
}

/** the time stamp of each packet line (what comes before ` IP `); `opened` is the file read (a directory's file) */
function stamps(file: string, flags: string[], opened = file): string[] {
  const r = tcpscope(['--plain', '-n', ...flags, '-r', file], { env: { TZ: 'UTC' } });
  // tcpdump's reading line and nothing else (no warning about the time stamps)
  expect(r.stderr).toBe(`reading from file ${opened}, link-type EN10MB (Ethernet), snapshot length 262144\n`);
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((l) => l.includes(' IP ')).map((l) => l.slice(0, l.indexOf(' IP ')));
}

const ERR = '[Error converting time]';
const SAME_EITHER_ORDER: Record<string, string[]> = {
  '': ['22:13:20.000000', '04:13:20.001000', '04:13:15.000500', ERR, '22:13:20.000700'],
  '-tt': ['1700000000.000000', '1700108000.001000', '1700107995.000500', ERR, '1700000000.000700'],
  '-tttt': ['2023-11-14 22:13:20.000000', '2023-11-16 04:13:20.001000', '2023-11-16 04:13:15.000500', ERR, '2023-11-14 22:13:20.000700'],
};
/** deltas: the seconds 0xFFFFFFFF are -1 in a host-order file, 4294967295 in a swapped one */
const SIGNED: Record<string, string[]> = {
  '-ttt': [' 00:00:00.000000', ' 06:00:00.001000', '-00:00:05.000500', '-04:13:15.997900', ' 22:13:20.998100'],
  '-ttttt': [' 00:00:00.000000', ' 06:00:00.001000', ' 05:59:55.000500', '-22:13:20.997400', ' 00:00:00.000700'],
};
const UNSIGNED: Record<string, string[]> = {
  '-ttt': [' 00:00:00.000000', ' 06:00:00.001000', '-00:00:05.000500', ` ${ERR}`, `-${ERR}`],
  '-ttttt': [' 00:00:00.000000', ' 06:00:00.001000', ' 05:59:55.000500', ` ${ERR}`, ' 00:00:00.000700'],
};

const hostLE = endianness() === 'LE';
for (const le of [true, false]) {
  const order = le === hostLE ? 'host-order' : 'swapped';
  describe(`${order} pcap`, () => {
    const file = capture(le);
    const expected = { ...SAME_EITHER_ORDER, ...(le === hostLE ? SIGNED : UNSIGNED) };
    for (const [mode, want] of Object.entries(expected)) {
      for (const path of [[], ['-v']]) {
        test(`${mode || 'default'}${path.length ? ' -v' : ''}_30h gap, step back, top-bit seconds_as tcpdump`, () => {
          expect(stamps(file, [...(mode ? [mode] : []), ...path])).toEqual(want);
        });
      }
    }
    // read as a set (a directory, merged by time) the file keeps its own reading of the seconds
    for (const mode of ['-ttt', '-ttttt']) {
      test(`${mode}_the file alone in a directory read with -r DIR_as -r FILE`, () => {
        const dir = join(tmp, `dir-${order}`);
        mkdirSync(dir, { recursive: true });
        copyFileSync(file, join(dir, 'only.pcap'));
        expect(stamps(dir, [mode], join(dir, 'only.pcap'))).toEqual(expected[mode]);
      });
    }
  });
}
