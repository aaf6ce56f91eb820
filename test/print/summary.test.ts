/**
 * The end-of-run table on a terminal narrower than it: columns left out one by one until it
 * fits, a line saying which; in a pipe or a file (no width) the whole table.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { makeChalk } from '../../src/print/color.js';
import { Output } from '../../src/print/output.js';
import { SummaryTable } from '../../src/print/summary.js';
import { Tracker } from '../../src/track/tracker.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scen = (name: string): string => join(__dirname, '..', '..', 'fixtures', 'scenarios', name);

/** The summary of `capture` as printed for a terminal of `columns` (undefined: a pipe). */
async function summary(capture: string, columns: number | undefined, level = 0): Promise<string> {
  const table = new SummaryTable(makeChalk(level));
  const tracker = new Tracker({ onFlowEnd: (f) => table.add(f) });
  const pkt = new Packet();
  await readCapture(capture, (frame) => { tracker.track(decodePacket(frame, pkt)); });
  tracker.finish();
  const file = join(tmp, `s-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(file, 'w');
  const out = new Output(fd);
  table.print(out, tracker, columns);
  out.flush();
  closeSync(fd);
  return readFileSync(file, 'utf8');
}

const width = (text: string): number => Math.max(...text.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length));

describe('summary table width', () => {
  test('no terminal_every column, no note', async () => {
    const s = await summary(scen('half-open-peer-reboot.pcap'), undefined);
    for (const h of ['states c/s', 'zeek', 'pkts c/s', 'bytes c/s', 'duration', 'rtt', 'anomalies']) expect(s).toContain(h);
    expect(s).not.toContain("hidden for");
    expect(width(s)).toBeGreaterThan(120);
  });

  test('a terminal wide enough_the same table as without one', async () => {
    expect(await summary(scen('half-open-peer-reboot.pcap'), 200)).toBe(await summary(scen('half-open-peer-reboot.pcap'), undefined));
  });

  test('a terminal that reports 0 columns (width unknown)_the same table as without one', async () => {
    expect(await summary(scen('half-open-peer-reboot.pcap'), 0)).toBe(await summary(scen('half-open-peer-reboot.pcap'), undefined));
  });

  const ORDER = ['bytes c/s', 'pkts c/s', 'duration', 'rtt', 'zeek', 'handshake'];
  for (const [cols, least, most] of [[110, 2, 3], [80, 6, 6]] as const) {
    for (const level of [0, 3]) {
      test(`${cols} columns${level > 0 ? ', coloured' : ''}_least telling columns left out first, named, the rest fits`, async () => {
        const s = await summary(scen('half-open-peer-reboot.pcap'), cols, level);
        expect(width(s)).toBeLessThanOrEqual(cols);
        const note = new RegExp(`^\\(hidden for ${cols} columns: (.*)\\)$`, 'm').exec(s);
        expect(note).not.toBeNull();
        const gone = note![1].split(', ');
        expect(gone.length).toBeGreaterThanOrEqual(least);
        expect(gone.length).toBeLessThanOrEqual(most);
        // in the documented order, and really gone from the header; the others still there
        expect(gone).toEqual(ORDER.slice(0, gone.length));
        const header = s.split('\n').find((l) => l.includes('client → server'))!;
        for (const h of ORDER) expect(header.includes(h), h).toBe(!gone.includes(h));
        for (const h of ['close', 'states c/s', 'anomalies']) expect(header).toContain(h);
        expect(s).toMatch(/^1 connection \(1 RSTR\); anomalies: reset 1, half-open 1$/m);
      });
    }
  }
});
