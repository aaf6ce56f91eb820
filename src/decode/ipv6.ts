/** IPv6 header and the extension headers that sit between it and the transport layer. */
import { type Packet, Layer } from './packet.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const DEST_OPTS = 60;
const MOBILITY = 135;
const RT_TYPE_0 = 0;
const RT_TYPE_2 = 2;
const RT_TYPE_SRH = 4;

/** The Jumbo Payload option's length among the options in d[from, to), 0 when absent. */
function jumboLength(d: Uint8Array, from: number, to: number): number {
  let o = from;
  while (o < to) {
    const type = d[o];
    if (type === 0) { o++; continue; }
    if (o + 1 >= to) break;
    const len = d[o + 1];
    if (type === 0xc2 && len === 4 && o + 6 <= to) {
      const v = ((d[o + 2] << 24) | (d[o + 3] << 16) | (d[o + 4] << 8) | d[o + 5]) >>> 0;
      return v >= 65536 ? v : 0;
    }
    o += 2 + len;
  }
  return 0;
}

/**
 * Point pkt.dst6Offset at the final destination a routing header with segments left names
 * (RFC 8200 §8.1: the destination of the upper-layer checksum's pseudo-header, and the end the
 * connection is with): the last address of a type 0 header (RFC 8200 §4.4, deprecated by RFC
 * 5095 but still captured) or of a type 2 one (Mobile IPv6's home address, RFC 6275 §6.4), and
 * Segment List[0] of a type 4 segment routing header (RFC 8754 §2: the list is in reverse
 * order). Other types, or an address list the header's length or the capture cuts, leave it.
 */
function finalDestination(pkt: Packet, off: number, len: number, end: number): void {
  const d = pkt.frame.data;
  const type = d[off + 2];
  const listEnd = off + len;
  if (listEnd > end || len < 24) return;
  if (type === RT_TYPE_0 || type === RT_TYPE_2) {
    // 8 bytes of header, then 16-byte addresses to the header's end
    pkt.dst6Offset = off + 8 + (((len - 8) >> 4) - 1) * 16;
  } else if (type === RT_TYPE_SRH) {
    pkt.dst6Offset = off + 8;
  }
}

/** Decode the IPv6 header at pkt.l3Offset and walk its extension headers. */
export function decodeIpv6(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const base = pkt.l3Offset;
  const end = f.offset + f.caplen;
  if (base + 40 > end) { pkt.truncatedIn = 'ip6'; return false; }
  if (d[base] >> 4 !== 6) { pkt.malformed = `IP6 version ${d[base] >> 4}`; return false; }
  pkt.ipVersion = 6;
  let payload = (d[base + 4] << 8) | d[base + 5];
  let next = d[base + 6];
  pkt.ttl = d[base + 7];
  pkt.src6Offset = base + 8;
  pkt.dst6Offset = base + 24;
  let off = base + 40;
  for (;;) {
    if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTS || next === MOBILITY || next === AH) {
      if (off + 2 > end) { pkt.truncatedIn = 'ip6'; pkt.ipProto = next; return false; }
      const len = next === AH ? (d[off + 1] + 2) * 4 : (d[off + 1] + 1) * 8;
      // segments left: the packet is on its way to another address than the header's
      if (next === ROUTING && off + 4 <= end && d[off + 3] !== 0) finalDestination(pkt, off, len, end);
      // a jumbogram (RFC 2675): payload length 0 and the real one in a hop-by-hop option
      if (next === HOP_BY_HOP && payload === 0 && off + len <= end) payload = jumboLength(d, off + 2, off + len);
      next = d[off];
      off += len;
      payload -= len;
    } else if (next === FRAGMENT) {
      if (off + 8 > end) { pkt.truncatedIn = 'ip6'; pkt.ipProto = next; return false; }
      const fo = (d[off + 2] << 8) | d[off + 3];
      pkt.fragmentOffset = fo & 0xfff8;
      pkt.moreFragments = (fo & 1) !== 0;
      pkt.ipId = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
      next = d[off];
      off += 8;
      payload -= 8;
    } else break;
  }
  pkt.ipProto = next;
  pkt.ipHeaderLength = off - base;
  pkt.ipPayloadLength = payload < 0 ? 0 : payload;
  if (off > end) { pkt.truncatedIn = 'ip6'; return false; }
  pkt.l4Offset = off;
  pkt.layer = Layer.Network;
  return true;
}
