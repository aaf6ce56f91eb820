/**
 * The file reader's tight loop over classic pcap records (PcapFormat.drain, run by
 * CaptureReader.run): the same frames as the record-by-record parser for every kind of classic
 * file and every read size, and a sink that stops or throws leaves the reader where it was.
 * Tests are named reader_situation_outcome.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureReader, openSource, readCapture } from '../../src/capture/index.js';
import { FRAME } from '../../src/capture/reader.js';
import { buildPcap, frameLine, parseChunks, payload, type PcapOptions, type PcapRecord } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-drain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function records(n: number, snaplen: number): PcapRecord[] {
  const out: PcapRecord[] = [];
  for (let i = 0; i < n; i++) {
    // sizes from 0 to past the snap length (cut to it), some odd
    const size = (i * 37) % (snaplen + 40);
    out.push({ sec: 1700000000 + i, frac: (i * 7919) % 1000000, data: payload(size, i), wirelen: size + (i % 3) });
  }
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(path: string, chunkSize: number): Promise<string[]> {
  const frames: string[] = [];
  await readCapture(path, (f) => { frames.push(frameLine(f)); }, { chunkSize });
  return frames;
}

describe('pcap drain', () => {
  const kinds: Array<[string, PcapOptions]> = [
    ['little-endian micro', { le: true, snaplen: 200 }],
    ['little-endian nano', { le: true, magic: 'nano', snaplen: 200 }],
    ['big-endian', { le: false, snaplen: 200 }],
    ['modified', { le: true, magic: 'modified', snaplen: 200 }],
    ['version 2.2 (swapped lengths)', { le: true, version: [2, 2], snaplen: 200 }],
  ];
  for (const [kind, opts] of kinds) {
    it(`reader_${kind.replace(/\W+/g, '_')}_file_gives_the_parsers_frames_at_every_read_size`, async () => {
      const recs = records(120, 200).map((r) => (opts.version?.[1] === 2 ? { ...r, swapLengths: true } : r));
      const bytes = buildPcap(opts, recs);
      const expected = parseChunks(bytes, 1 << 20);
      expect(expected.error).toBeNull();
      expect(expected.frames.length).toBe(120);
      const path = write(`${kind.replace(/\W+/g, '_')}.pcap`, bytes);
      for (const chunk of [24, 40, 97, 256, 1000, 4096, 1 << 20]) {
        expect(await readAll(path, chunk), `chunk ${chunk}`).toEqual(expected.frames);
      }
    });
  }

  it('reader_sink_returning_false_mid_window_stops_after_that_frame', async () => {
    const recs = records(50, 200);
    const bytes = buildPcap({ snaplen: 200 }, recs);
    const path = write('stop.pcap', bytes);
    for (const stopAt of [1, 2, 17, 50]) {
      let seen = 0;
      const r = await readCapture(path, () => ++seen < stopAt, { chunkSize: 1 << 20 });
      expect(r.stopped).toBe(stopAt < 50 || seen === 50);
      expect(seen).toBe(stopAt);
      expect(r.frames).toBe(stopAt);
      // the reader stands after the last record delivered
      let end = 24;
      for (let i = 0; i < stopAt; i++) end += 16 + recs[i].data.length; // (the whole record, also past the snap length)
      expect(r.bytes).toBe(end);
    }
  });

  it('reader_sink_throwing_mid_window_leaves_the_reader_after_that_frame', async () => {
    const recs = records(30, 200);
    const path = write('throw.pcap', buildPcap({ snaplen: 200 }, recs));
    const reader = new CaptureReader(openSource(path, path), path, { chunkSize: 1 << 20 });
    expect(reader.next()).toBe(FRAME);
    let seen = 1;
    await expect(reader.run(() => { if (++seen === 10) throw new Error('stop here'); })).rejects.toThrow('stop here');
    let end = 24;
    for (let i = 0; i < 10; i++) end += 16 + recs[i].data.length; // (the whole record, also past the snap length)
    expect(reader.frames).toBe(10);
    expect(reader.bytes).toBe(end);
    reader.close();
  });
});
