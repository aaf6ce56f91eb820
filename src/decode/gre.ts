/**
 * GRE (RFC 2784, with RFC 2890's key and sequence number): the header between an IP header and
 * the packet it carries. Version 0 only: version 1 is PPTP's enhanced GRE (RFC 2637), which
 * carries PPP, and a set routing bit is RFC 1701's source routing, which RFC 2784 tells a
 * receiver to discard; both are left undecoded (the packet stays an untracked GRE packet).
 *
 *    0                   1                   2                   3
 *   |C|R|K|S| reserved0       | ver |         protocol type         |
 *   |   checksum (optional, C)      |       reserved1 (optional)    |
 *   |                     key (optional, K)                         |
 *   |               sequence number (optional, S)                   |
 */
import { type Packet, ENCAP_GRE } from './packet.js';

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_VERSION = 0x0007;

/**
 * Decode the GRE header at pkt.l4Offset: on success the carried packet's EtherType is in
 * pkt.etherType and it starts at pkt.l3Offset. Returns false when there is nothing to follow
 * (cut: pkt.truncatedIn; a version or flag it does not decode: untouched).
 */
export function decodeGre(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l4Offset;
  const end = f.offset + f.caplen;
  if (off + 4 > end) { pkt.truncatedIn = 'gre'; return false; }
  const flags = (d[off] << 8) | d[off + 1];
  if ((flags & (GRE_VERSION | GRE_ROUTING)) !== 0) return false;
  // each optional field present adds 4 bytes, in this order
  const len = 4 + ((flags & GRE_CHECKSUM) !== 0 ? 4 : 0) + ((flags & GRE_KEY) !== 0 ? 4 : 0) + ((flags & GRE_SEQUENCE) !== 0 ? 4 : 0);
  if (off + len > end) { pkt.truncatedIn = 'gre'; return false; }
  pkt.etherType = (d[off + 2] << 8) | d[off + 3];
  pkt.l3Offset = off + len;
  pkt.encapsulation |= ENCAP_GRE;
  return true;
}
