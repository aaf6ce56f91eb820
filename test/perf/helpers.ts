/**
 * Captures for the performance-related tests, built in the test: the benchmark's own generator
 * (bench/gen-flows.mjs, many interleaved flows of every kind) and simple pcap surgery (moving
 * time stamps, splitting into rotated parts, cutting short).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain JavaScript module (the benchmark's generator)
import { generate } from '../../bench/gen-flows.mjs';

export function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'tcpscope-perf-'));
}

export interface GenOptions {
  flows: number;
  seed?: number;
  payload?: number;
  only?: string;
  rate?: number;
}

/** A generated capture (classic little-endian pcap, Ethernet); returns its path and packet count. */
export function generated(dir: string, name: string, o: GenOptions): { path: string; packets: number } {
  const path = join(dir, name);
  const r = generate(path, o) as { packets: number };
  return { path, packets: r.packets };
}

/** The records of a classic little-endian pcap: header bytes and each record's [start, end). */
export function records(bytes: Buffer): { header: Buffer; recs: Buffer[] } {
  const header = bytes.subarray(0, 24);
  const recs: Buffer[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const len = bytes.readUInt32LE(at + 8);
    recs.push(bytes.subarray(at, at + 16 + len));
    at += 16 + len;
  }
  return { header, recs };
}

/** Rewrite a capture, changing each record's time stamp with `move(i, sec, usec) → [sec, usec]`. */
export function retime(src: string, dst: string, move: (i: number, sec: number, usec: number) => [number, number]): void {
  const { header, recs } = records(readFileSync(src));
  const out = recs.map((r, i) => {
    const c = Buffer.from(r);
    const [sec, usec] = move(i, c.readUInt32LE(0), c.readUInt32LE(4));
    c.writeUInt32LE(sec, 0);
    c.writeUInt32LE(usec, 4);
    return c;
  });
  writeFileSync(dst, Buffer.concat([header, ...out]));
}

/** The capture followed by itself again, `shift` seconds later: every 4-tuple comes back (port reuse). */
export function repeated(src: string, dst: string, shift: number): void {
  const { header, recs } = records(readFileSync(src));
  const again = recs.map((r) => {
    const c = Buffer.from(r);
    c.writeUInt32LE(c.readUInt32LE(0) + shift, 0);
    return c;
  });
  writeFileSync(dst, Buffer.concat([header, ...recs, ...again]));
}

/** Split a capture into `parts` files of consecutive records (as -C rotation does); returns their paths. */
export function split(src: string, dir: string, parts: number): string[] {
  const { header, recs } = records(readFileSync(src));
  const per = Math.ceil(recs.length / parts);
  const paths: string[] = [];
  for (let p = 0; p < parts; p++) {
    const path = join(dir, `part${p}.pcap`);
    writeFileSync(path, Buffer.concat([header, ...recs.slice(p * per, (p + 1) * per)]));
    paths.push(path);
  }
  return paths;
}
