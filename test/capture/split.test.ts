/**
 * The readers are resumable: whatever chunks the input arrives in, down to one byte, the frames
 * (every field and every byte) and any error (message and offset) are the same as for the
 * whole input at once. Checked for the push parser at every chunk size and every split point,
 * and for the pull reader over a file with buffers smaller than a record.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe as group, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { Pcapng, buildPcap, describe, fixture, frameLine, parseChunks, payload, stringOption, type ParseResult } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pcapng(): Uint8Array {
  return new Pcapng()
    .shb({ le: false, options: [stringOption(1, 'big-endian section')] })
    .idb({ linktype: 1, name: 'eth0', tsresol: 9 })
    .epb({ ts: 1700000000123456789n, data: payload(61, 1) })
    .block(4, new Uint8Array(20))
    .spb({ data: payload(17, 2), wirelen: 17 })
    .shb({ le: true })
    .idb({ linktype: 113, snaplen: 40 })
    .idb({ linktype: 101, tsresol: 0x80 | 10 })
    .pb({ ifId: 1, ts: 5n << 10n, data: payload(33, 3) })
    .epb({ ifId: 0, ts: 7n, data: payload(3, 4), options: [stringOption(1, 'c')] })
    .block(0x80000001, new Uint8Array(7 * 4))
    .bytes();
}

const inputs: Array<[string, Uint8Array]> = [
  ['pcap little-endian µs', buildPcap({}, [0, 1, 2, 3].map((i) => ({ sec: 1000 + i, frac: i * 7, data: payload(i * 19, i) })))],
  ['pcap big-endian ns', buildPcap({ le: false, magic: 'nano' }, [0, 1, 2].map((i) => ({ sec: 2000 + i, frac: i * 999, data: payload(40 + i, i) })))],
  ['pcap modified', buildPcap({ magic: 'modified', snaplen: 50 }, [0, 1].map((i) => ({ sec: i, frac: i, data: payload(70 - i * 40, i) })))],
  ['pcapng, two sections, every block', pcapng()],
  ['pcapng, mixed link types (scenario)', fixture('scenarios/pcapng-mixed-linktypes.pcapng')],
  ['pcap, real capture', fixture('scenarios/rst-refused.pcap')],
];

// broken inputs: the error, and every frame before it, must not depend on chunking either
const pcapTruncated = buildPcap({}, [1, 2, 3].map((i) => ({ sec: i, frac: 0, data: payload(30, i) })));
const broken: Array<[string, Uint8Array]> = [
  ['pcap cut inside a record', pcapTruncated.subarray(0, pcapTruncated.length - 7)],
  ['pcap cut inside a record header', pcapTruncated.subarray(0, 24 + 46 + 9)],
  ['pcap with a huge record', buildPcap({}, [{ sec: 1, frac: 0, data: payload(10, 1) }, { sec: 2, frac: 0, data: payload(10, 2), caplenField: 0x7fffffff }])],
  ['pcapng with a bad trailer', new Pcapng().shb().idb().epb({ ts: 1n, data: payload(9, 1) }).block(6, new Uint8Array(24), { trailerLength: 99 }).bytes()],
  ['pcapng cut inside a block', pcapng().subarray(0, 200)],
  ['text', new TextEncoder().encode('12:00:00.000000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request\n')],
];

function whole(bytes: Uint8Array): ParseResult {
  return parseChunks(bytes, bytes.length || 1);
}

group('push parser: any chunking gives the same frames and errors', () => {
  for (const [name, bytes] of [...inputs, ...broken]) {
    it(`${name}: every chunk size from 1 byte up`, () => {
      const ref = whole(bytes);
      if (inputs.some(([n]) => n === name)) expect(ref.error).toBeNull();
      else expect(ref.error).not.toBeNull();
      expect(ref.frames.length + (ref.error ? 1 : 0)).toBeGreaterThan(0);
      for (let k = 1; k <= bytes.length; k++) {
        const r = parseChunks(bytes, k);
        if (JSON.stringify(r) !== JSON.stringify(ref)) expect(r, `chunk size ${k}`).toEqual(ref);
      }
    });

    it(`${name}: every split point, and every pair of split points in the first 300 bytes`, () => {
      const ref = whole(bytes);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const r = parseChunks(bytes, [cut]);
        if (JSON.stringify(r) !== JSON.stringify(ref)) expect(r, `split at ${cut}`).toEqual(ref);
      }
      const lim = Math.min(bytes.length, 300);
      for (let a = 1; a < lim; a++) {
        for (let b = a + 1; b < lim; b += 3) {
          const r = parseChunks(bytes, [a, b]);
          if (JSON.stringify(r) !== JSON.stringify(ref)) expect(r, `splits at ${a}, ${b}`).toEqual(ref);
        }
      }
    });
  }

  it('real capture, 600 KiB: random chunkings', () => {
    const bytes = fixture('real/real-zero-window.pcap').subarray(0, 600 * 1024);
    const ref = whole(bytes);
    let seed = 12345;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let t = 0; t < 20; t++) {
      const cuts: number[] = [];
      for (let o = rnd(3000); o < bytes.length; o += 1 + rnd(t % 2 ? 40 : 5000)) cuts.push(o);
      expect(parseChunks(bytes, cuts)).toEqual(ref);
    }
  });
});

group('pull reader over a file: buffers smaller than a record', () => {
  for (const [name, bytes] of [...inputs, ...broken]) {
    it(`${name}: same frames and error at every buffer size from 1 to 200 bytes, and bigger`, async () => {
      const ref = whole(bytes);
      const path = join(dir, name.replace(/\W+/g, '_'));
      writeFileSync(path, bytes);
      const sizes = [...Array.from({ length: 200 }, (_, i) => i + 1), 257, 1024, 65536];
      for (const chunkSize of sizes) {
        const frames: string[] = [];
        let error: string | null = null;
        let code: string | null = null;
        try {
          await readCapture(path, (f) => { frames.push(frameLine(f)); }, { chunkSize, displayName: 'test.pcap' });
        } catch (e) {
          error = describe(e);
          code = (e as { code: string }).code;
        }
        expect({ frames, error, code }, `chunk ${chunkSize}`).toEqual(ref);
      }
    });
  }
});
