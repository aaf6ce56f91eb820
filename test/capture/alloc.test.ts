/**
 * The hot path allocates nothing per frame (as gopacket's TestDNSDoesNotMalloc proves for its
 * decoders): reading a million frames must not keep the young-generation collector busy. One
 * small object per frame would be 30+ MB of garbage and several scavenges.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { afterAll, expect, it } from 'vitest';
import { CaptureParser, readCapture } from '../../src/capture/index.js';
import { Pcapng } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-alloc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FRAMES = 1_000_000;

function tinyPcap(): Buffer {
  const rec = 16 + 14;
  const b = Buffer.alloc(24 + FRAMES * rec);
  b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6); b.writeUInt32LE(65535, 16); b.writeUInt32LE(1, 20);
  for (let i = 0, o = 24; i < FRAMES; i++, o += rec) {
    b.writeUInt32LE(1700000000 + (i >>> 10), o); b.writeUInt32LE(i % 1000000, o + 4); b.writeUInt32LE(14, o + 8); b.writeUInt32LE(60, o + 12);
  }
  return b;
}

async function minorGcsDuring(work: () => Promise<void> | void): Promise<number> {
  let count = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) count++;
  });
  obs.observe({ entryTypes: ['gc'] });
  await work();
  await new Promise((r) => setTimeout(r, 50)); // let the observer hear about the last ones
  obs.disconnect();
  return count;
}

it('pcap from a file: a million frames, next to no garbage', async () => {
  const path = join(dir, 'tiny.pcap');
  writeFileSync(path, tinyPcap());
  let n = 0;
  let sum = 0;
  await readCapture(path, (f) => { n++; sum += f.caplen; }); // warm up the JIT first
  const gcs = await minorGcsDuring(async () => {
    n = 0;
    await readCapture(path, (f) => { n++; sum += f.caplen; });
  });
  expect(n).toBe(FRAMES);
  expect(sum).toBe(2 * FRAMES * 14);
  expect(gcs).toBeLessThanOrEqual(2);
});

it('pcapng through the push parser: no garbage per frame either', async () => {
  const ng = new Pcapng().shb().idb({ tsresol: 9 });
  const pkt = new Uint8Array(14);
  for (let i = 0; i < 20000; i++) ng.epb({ ts: 1700000000000000000n + BigInt(i) * 1000n, data: pkt });
  const bytes = ng.bytes();
  let n = 0;
  const run = (): void => {
    const p = new CaptureParser(() => { n++; });
    for (let k = 0; k < 50; k++) {
      // the same section again and again: a million frames in 64 KiB chunks
      for (let o = 0; o < bytes.length; o += 65536) p.push(bytes.subarray(o, o + 65536));
    }
    p.end();
  };
  run();
  n = 0;
  const gcs = await minorGcsDuring(run);
  expect(n).toBe(1_000_000);
  expect(gcs).toBeLessThanOrEqual(2);
});
