/**
 * Internet checksums (RFC 1071) of IPv4 headers and TCP segments, straight from the frame bytes.
 *
 * The one's-complement sum does not care about byte order or about where the 16-bit words
 * start, up to a final byte swap, so the bulk of a segment is summed as little-endian 32-bit
 * words read through one Uint32Array view per chunk buffer (absolute 4-byte alignment), with
 * the ragged ends added byte by byte. ~8 GB/s here, against ~2 GB/s for a byte loop.
 */
import { endianness } from 'node:os';
import type { Packet } from '../decode/packet.js';

const LITTLE_ENDIAN = endianness() === 'LE';

let viewBuffer: ArrayBufferLike | null = null;
let view32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * One's-complement sum of d[start, end) as big-endian 16-bit words (words start at `start`),
 * folded to 16 bits.
 */
export function onesSum(d: Uint8Array, start: number, end: number): number {
  if (end - start < 128) {
    // headers and small segments: a plain loop beats reaching for the buffer's alignment
    let sum = 0;
    let i = start;
    for (; i + 1 < end; i += 2) sum += (d[i] << 8) | d[i + 1];
    if (i < end) sum += d[i] << 8;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return sum;
  }
  let lo = 0; // bytes at even absolute addresses (low byte of a little-endian 16-bit word)
  let hi = 0; // bytes at odd absolute addresses
  const base = d.byteOffset;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= 16) {
    if (d.buffer !== viewBuffer) {
      viewBuffer = d.buffer;
      view32 = new Uint32Array(d.buffer, 0, d.buffer.byteLength >>> 2);
    }
    // bytes up to the first 4-byte-aligned absolute address
    while (((base + i) & 3) !== 0) {
      if (((base + i) & 1) === 0) lo += d[i]; else hi += d[i];
      i++;
    }
    let w = (base + i) >>> 2;
    const wEnd = (base + end) >>> 2;
    let a = 0, b = 0;
    for (; w + 4 <= wEnd; w += 4) {
      a += view32[w] + view32[w + 1];
      b += view32[w + 2] + view32[w + 3];
    }
    for (; w < wEnd; w++) a += view32[w];
    i = (w << 2) - base;
    // a little-endian 32-bit word adds its two little-endian 16-bit halves
    let acc = a + b;
    // fold the wide sum (up to 2^53) into lo/hi byte sums: 2^16 ≡ 1 (mod 2^16 − 1)
    while (acc > 0xffff) acc = (acc % 65536) + Math.floor(acc / 65536);
    lo += acc & 0xff;
    hi += acc >>> 8;
  }
  for (; i < end; i++) {
    if (((base + i) & 1) === 0) lo += d[i]; else hi += d[i];
  }
  // little-endian word sum = lo + hi·256; big-endian (as the protocol reads) is its byte swap,
  // unless the words start at an odd address, where the roles of the bytes swap again
  let sum = (start + base) % 2 === 0 ? hi + lo * 256 : lo + hi * 256;
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return sum;
}

/** Is the IPv4 header checksum right? (false only when provably wrong) */
export function ipv4HeaderChecksumOk(pkt: Packet): boolean {
  if (pkt.ipVersion !== 4) return true;
  const f = pkt.frame;
  const o = pkt.l3Offset;
  const end = o + pkt.ipHeaderLength;
  if (end > f.offset + f.caplen) return true;
  const d = f.data;
  if (pkt.ipHeaderLength !== 20) return onesSum(d, o, end) === 0xffff;
  // the usual option-less header, summed straight (it is checked on every segment)
  let sum = ((d[o] << 8) | d[o + 1]) + ((d[o + 2] << 8) | d[o + 3]) + ((d[o + 4] << 8) | d[o + 5]) +
    ((d[o + 6] << 8) | d[o + 7]) + ((d[o + 8] << 8) | d[o + 9]) + ((d[o + 10] << 8) | d[o + 11]) +
    ((d[o + 12] << 8) | d[o + 13]) + ((d[o + 14] << 8) | d[o + 15]) + ((d[o + 16] << 8) | d[o + 17]) +
    ((d[o + 18] << 8) | d[o + 19]);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/**
 * Is the TCP checksum right? Unknowable (treated as right) when the segment was not captured
 * whole or is a fragment, or when it was captured before checksum offload filled it in.
 */
export function tcpChecksumOk(pkt: Packet): boolean {
  const f = pkt.frame;
  const segLen = pkt.ipPayloadLength;
  const start = pkt.l4Offset;
  if (pkt.moreFragments || pkt.fragmentOffset !== 0 || start < 0) return true;
  if (start + segLen > f.offset + f.caplen) return true;
  const d = f.data;
  let pseudo: number;
  if (pkt.ipVersion === 4) {
    pseudo = (pkt.src4 >>> 16) + (pkt.src4 & 0xffff) + (pkt.dst4 >>> 16) + (pkt.dst4 & 0xffff) + 6 + segLen;
  } else if (pkt.ipVersion === 6) {
    pseudo = 6 + (segLen >>> 16) + (segLen & 0xffff);
    for (let k = 0; k < 16; k += 2) {
      pseudo += (d[pkt.src6Offset + k] << 8) | d[pkt.src6Offset + k + 1];
      pseudo += (d[pkt.dst6Offset + k] << 8) | d[pkt.dst6Offset + k + 1];
    }
  } else {
    return true;
  }
  let sum = pseudo + onesSum(d, start, start + segLen);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  if (sum === 0xffff) return true;
  // Checksum offload: a segment captured on its sending host before the NIC (or loopback) fills
  // the checksum in holds only the pseudo-header sum that Linux leaves there for the hardware
  // (CHECKSUM_PARTIAL). That is "not computed yet", not corruption.
  let p = pseudo;
  while (p > 0xffff) p = (p & 0xffff) + (p >>> 16);
  const field = pkt.tcpChecksum;
  return field === p || field === (~p & 0xffff);
}
