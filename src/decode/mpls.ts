/**
 * MPLS label stack (RFC 3032): 4-byte entries until the one with the bottom-of-stack bit. The
 * stack does not say what follows it: labels 0 and 2 are the IPv4 and IPv6 explicit nulls
 * (RFC 3032 §2.1); otherwise the first nibble tells IPv4 from IPv6, as tcpdump's print-mpls.c
 * guesses. Anything else (a pseudowire control word, OSI) is left undecoded.
 *
 *   | label (20 bits)                        | TC  |S| TTL (8 bits)  |
 */
import { type Packet, ENCAP_MPLS } from './packet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';

const LABEL_IPV4_EXPLICIT_NULL = 0;
const LABEL_IPV6_EXPLICIT_NULL = 2;

/**
 * Decode the label stack at pkt.l3Offset: on success the labelled packet's EtherType is in
 * pkt.etherType and it starts at pkt.l3Offset. Returns false when there is nothing to follow.
 */
export function decodeMpls(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const end = f.offset + f.caplen;
  let off = pkt.l3Offset;
  let label: number;
  for (;;) {
    if (off + 4 > end) { pkt.truncatedIn = 'mpls'; return false; }
    label = (d[off] << 12) | (d[off + 1] << 4) | (d[off + 2] >> 4);
    const bottom = (d[off + 2] & 0x01) !== 0;
    off += 4;
    if (bottom) break;
  }
  if (off >= end) { pkt.truncatedIn = 'mpls'; return false; }
  const version = d[off] >> 4;
  if (label === LABEL_IPV4_EXPLICIT_NULL || (label !== LABEL_IPV6_EXPLICIT_NULL && version === 4)) pkt.etherType = ETHERTYPE_IPV4;
  else if (label === LABEL_IPV6_EXPLICIT_NULL || version === 6) pkt.etherType = ETHERTYPE_IPV6;
  else return false;
  pkt.l3Offset = off;
  pkt.encapsulation |= ENCAP_MPLS;
  return true;
}
