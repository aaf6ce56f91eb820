/**
 * PPPoE session stage (RFC 2516 §6, EtherType 0x8864): the 6-byte PPPoE header, then PPP's
 * 2-byte protocol field (RFC 1661); IPv4 is PPP protocol 0x0021 (RFC 1332), IPv6 0x0057
 * (RFC 5072). Other PPP protocols (LCP, IPCP, ...) carry no connection and are left undecoded.
 *
 *   | ver (1) | type (1) |  code (0)  |          session id           |
 *   |            length             |   PPP protocol                |
 */
import { type Packet, ENCAP_PPPOE } from './packet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';

const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * Decode the PPPoE session header at pkt.l3Offset: on success the PPP payload's EtherType is in
 * pkt.etherType and it starts at pkt.l3Offset. Returns false when there is nothing to follow.
 */
export function decodePppoe(pkt: Packet): boolean {
  const f = pkt.frame;
  const d = f.data;
  const off = pkt.l3Offset;
  const end = f.offset + f.caplen;
  if (off + 8 > end) { pkt.truncatedIn = 'pppoe'; return false; }
  // version 1, type 1 (RFC 2516 §4), code 0 for session data (§6)
  if (d[off] !== 0x11) { pkt.malformed = `PPPoE version/type 0x${d[off].toString(16)}`; return false; }
  if (d[off + 1] !== 0) { pkt.malformed = `PPPoE session code 0x${d[off + 1].toString(16)}`; return false; }
  const length = (d[off + 4] << 8) | d[off + 5];
  if (length < 2) { pkt.malformed = `bad PPPoE length ${length}`; return false; }
  const proto = (d[off + 6] << 8) | d[off + 7];
  if (proto === PPP_IPV4) pkt.etherType = ETHERTYPE_IPV4;
  else if (proto === PPP_IPV6) pkt.etherType = ETHERTYPE_IPV6;
  else return false;
  pkt.l3Offset = off + 8;
  pkt.encapsulation |= ENCAP_PPPOE;
  return true;
}
