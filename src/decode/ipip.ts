/**
 * IP in IP: an IPv4 or IPv6 packet as the payload of an IPv4 or IPv6 one (protocol 4, RFC 2003;
 * protocol 41, RFC 4213 for IPv6 in IPv4 and RFC 2473 for IPv6 in IPv6). There is no header of
 * its own: the carried packet starts where the carrier's transport header would.
 */
import { type Packet, ENCAP_IPIP } from './packet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';

export const IPPROTO_IPIP = 4;
export const IPPROTO_IPV6 = 41;

/**
 * Point pkt at the packet carried in the IP payload (pkt.ipProto 4 or 41): its EtherType in
 * pkt.etherType, its start in pkt.l3Offset. Returns false when nothing of it was captured.
 */
export function decodeIpip(pkt: Packet): boolean {
  const off = pkt.l4Offset;
  if (off >= pkt.frame.offset + pkt.frame.caplen) { pkt.truncatedIn = pkt.ipProto === IPPROTO_IPIP ? 'ip' : 'ip6'; return false; }
  pkt.etherType = pkt.ipProto === IPPROTO_IPIP ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
  pkt.l3Offset = off;
  pkt.encapsulation |= ENCAP_IPIP;
  return true;
}
