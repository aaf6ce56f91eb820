/**
 * Internet checksums (RFC 1071) of IPv4 headers and TCP segments, straight from the frame bytes,
 * with the one sum implementation of src/decode/checksum.ts (32-bit words for payloads).
 */
import { foldSum, onesSum as sumWords } from '../decode/checksum.js';
import type { Packet } from '../decode/packet.js';

/** One's-complement sum of d[start, end) as big-endian 16-bit words, folded to 16 bits. */
export function onesSum(d: Uint8Array, start: number, end: number): number {
  return foldSum(sumWords(d, start, end - start));
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
  let sum = pseudo;
  if (segLen < 128) {
    // a header without payload or with a few bytes (the ACKs and control segments checked on
    // every connection): summed straight, 30 words at most stay far below 2^31
    const end = start + (segLen & ~1);
    let i = start;
    // the fixed header's words were summed as decodeTcp read them
    if (segLen >= 20 && pkt.tcpHeaderLength >= 20) {
      sum += pkt.tcpHeaderSum;
      i = start + 20;
    }
    // two words a turn: half the loop's compare-and-branch for the 20–60-byte headers
    for (; i + 4 <= end; i += 4) sum += ((d[i] << 8) | d[i + 1]) + ((d[i + 2] << 8) | d[i + 3]);
    if (i < end) sum += (d[i] << 8) | d[i + 1];
    if ((segLen & 1) !== 0) sum += d[end] << 8;
  } else {
    sum += onesSum(d, start, start + segLen);
  }
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
