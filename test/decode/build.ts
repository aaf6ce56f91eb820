/**
 * A tiny packet builder for decoder and printer tests: real header bytes with correct lengths and
 * checksums, so tests can cut them, corrupt one field, and check what the code makes of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Frame, newFrame } from '../../src/capture/frame.js';
import { Packet, decodePacket } from '../../src/decode/index.js';

export function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
export function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function csum(bytes: number[]): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

export const A1 = [10, 0, 0, 1];
export const A2 = [10, 0, 0, 2];
export const B1 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
export const B2 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

export interface TcpSpec {
  sport?: number; dport?: number; seq?: number; ack?: number; flags?: number; win?: number;
  opts?: number[]; data?: number[]; urp?: number; off?: number;
}

export function tcp(t: TcpSpec, src = A1, dst = A2): number[] {
  const opts = t.opts ?? [];
  const data = t.data ?? [];
  const off = t.off ?? (20 + opts.length) / 4;
  const h = [...be16(t.sport ?? 40000), ...be16(t.dport ?? 7000), ...be32(t.seq ?? 1000), ...be32(t.ack ?? 0),
    off << 4, t.flags ?? 0x02, ...be16(t.win ?? 64240), 0, 0, ...be16(t.urp ?? 0), ...opts, ...data];
  const pseudo = src.length === 4 ? [...src, ...dst, 0, 6, ...be16(h.length)] : [...src, ...dst, ...be32(h.length), 0, 0, 0, 6];
  const c = csum([...pseudo, ...h]);
  h[16] = c >> 8;
  h[17] = c & 0xff;
  return h;
}

export function udp(sport: number, dport: number, data: number[], src = A1, dst = A2): number[] {
  const h = [...be16(sport), ...be16(dport), ...be16(8 + data.length), 0, 0, ...data];
  const pseudo = src.length === 4 ? [...src, ...dst, 0, 17, ...be16(h.length)] : [...src, ...dst, ...be32(h.length), 0, 0, 0, 17];
  const c = csum([...pseudo, ...h]) || 0xffff;
  h[6] = c >> 8;
  h[7] = c & 0xff;
  return h;
}

export function icmp(type: number, code: number, body: number[]): number[] {
  const h = [type, code, 0, 0, ...body];
  const c = csum(h);
  h[2] = c >> 8;
  h[3] = c & 0xff;
  return h;
}

export interface Ip4Spec { proto: number; src?: number[]; dst?: number[]; ttl?: number; id?: number; off?: number; opts?: number[]; totalLength?: number; ihl?: number }

export function ip4(s: Ip4Spec, payload: number[]): number[] {
  const opts = s.opts ?? [];
  const ihl = s.ihl ?? (20 + opts.length) / 4;
  const h = [0x40 | ihl, 0, ...be16(s.totalLength ?? 20 + opts.length + payload.length), ...be16(s.id ?? 1), ...be16(s.off ?? 0x4000),
    s.ttl ?? 64, s.proto, 0, 0, ...(s.src ?? A1), ...(s.dst ?? A2), ...opts];
  const c = csum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

export function ip6(nh: number, payload: number[], src = B1, dst = B2, plen?: number): number[] {
  return [0x60, 0, 0, 0, ...be16(plen ?? payload.length), nh, 64, ...src, ...dst, ...payload];
}

export function ether(type: number, payload: number[]): number[] {
  return [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...be16(type), ...payload];
}

/** A Frame over `bytes` (captured up to `caplen`, on the wire `wirelen`), placed at an offset in a bigger buffer. */
export function frame(bytes: number[], opts: { linktype?: number; caplen?: number; wirelen?: number; ts?: number } = {}): Frame {
  const f = newFrame();
  const pad = 7; // frames are views into a chunk: never at offset 0 in real reads
  const buf = new Uint8Array(pad + bytes.length + 16);
  buf.fill(0xee);
  buf.set(bytes, pad);
  f.data = buf;
  f.offset = pad;
  f.caplen = opts.caplen ?? bytes.length;
  f.wirelen = opts.wirelen ?? bytes.length;
  f.linktype = opts.linktype ?? 1;
  f.tsSec = opts.ts ?? 1700000000;
  f.tsNsec = 0;
  f.number = 1;
  return f;
}

/** The bytes of the n-th (0-based) record of a classic pcap file in `dir`. */
export function pcapRecord(dir: string, file: string, n = 0): number[] {
  const b = readFileSync(join(dir, file));
  let off = 24;
  for (let i = 0; i < n; i++) off += 16 + b.readUInt32LE(off + 8);
  return [...b.subarray(off + 16, off + 16 + b.readUInt32LE(off + 8))];
}

/** `bytes` decoded as one Ethernet frame (cut to `caplen` when given) into a fresh Packet. */
export function decodeBytes(bytes: number[], caplen?: number): Packet {
  return decodePacket(frame(bytes, { caplen, wirelen: bytes.length }), new Packet());
}
