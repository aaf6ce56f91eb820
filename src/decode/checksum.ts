/**
 * Internet checksums (RFC 1071) over frame bytes: the IPv4 header checksum and the TCP/UDP/ICMP
 * checksums with their IPv4/IPv6 pseudo-headers. Shared by the tracker (bad-checksum events) and
 * the tcpdump printer (`cksum 0x1234 (correct)` with -v). No allocation.
 */

import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * One's-complement sum of `len` bytes from `o` as big-endian 16-bit words (odd last byte padded),
 * added to `sum`; unfolded (fold with foldSum). The tracker checks segments with it and the
 * printer's -v checksums too, so it is the one implementation of the sum.
 *
 * Short ranges (headers) go byte pair by byte pair. Long ones (payloads) are summed as 32-bit
 * little-endian words through one Uint32Array over the chunk's whole buffer (absolute 4-byte
 * alignment): the one's-complement sum does not care where the 16-bit words start or in which
 * byte order they are read, up to a final byte swap, so this gives the same sum at ~8 GB/s
 * against ~2 GB/s.
 */
export function onesSum(d: Uint8Array, o: number, len: number, sum = 0): number {
  if (len >= 128 && LITTLE_ENDIAN) return sum + wideSum(d, o, o + len);
  const end = o + (len & ~1);
  while (o < end) {
    sum += (d[o] << 8) | d[o + 1];
    o += 2;
    // keep the sum exact in a double: fold now and then
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  }
  if (len & 1) sum += d[o] << 8;
  return sum;
}

let viewBuffer: ArrayBufferLike | null = null;
let view32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/** The folded sum of d[start, end) (at least 16 bytes) through 32-bit words of the underlying buffer. */
function wideSum(d: Uint8Array, start: number, end: number): number {
  let lo = 0; // bytes at even absolute addresses (the low byte of a little-endian 16-bit word)
  let hi = 0; // bytes at odd absolute addresses
  const base = d.byteOffset;
  let i = start;
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
  // a little-endian 32-bit word adds its two little-endian 16-bit halves; fold the wide sum
  // (up to 2^53) into the byte sums: 2^16 ≡ 1 (mod 2^16 − 1)
  let acc = a + b;
  while (acc > 0xffff) acc = (acc % 65536) + Math.floor(acc / 65536);
  lo += acc & 0xff;
  hi += acc >>> 8;
  for (; i < end; i++) {
    if (((base + i) & 1) === 0) lo += d[i]; else hi += d[i];
  }
  // little-endian word sum = lo + hi·256; big-endian (as the protocol reads it) is its byte swap,
  // unless the words start at an odd address, where the roles of the bytes swap again
  let sum = (start + base) % 2 === 0 ? hi + lo * 256 : lo + hi * 256;
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return sum;
}

/** Fold a sum to 16 bits (end-around carry). */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** The checksum of a range that includes its checksum field: 0 when correct. */
export function inCksum(d: Uint8Array, o: number, len: number, initial = 0): number {
  return ~foldSum(onesSum(d, o, len, initial)) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (source, destination, protocol, upper-layer length). */
export function pseudoSum4(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (len & 0xffff);
}

/** Sum of the IPv6 pseudo-header: the 16-byte addresses at `srcOff`/`dstOff` in `d`. */
export function pseudoSum6(d: Uint8Array, srcOff: number, dstOff: number, proto: number, len: number): number {
  let sum = onesSum(d, srcOff, 16);
  sum = onesSum(d, dstOff, 16, sum);
  return sum + (len >>> 16) + (len & 0xffff) + proto;
}

/**
 * What the checksum field should have held (tcpdump's in_cksum_shouldbe): `field` is the value
 * in the packet, `computed` the checksum computed over the data including that field.
 */
export function cksumShouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}
