/** decodePacket: link → IPv4/IPv6 → TCP/UDP, filling one reusable Packet. */
import type { Frame } from '../capture/frame.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLink, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';
import { Packet } from './packet.js';
import { decodeTcp } from './tcp.js';

export * from './packet.js';
export { decodeLink, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_ARP, ETHERTYPE_VLAN } from './link.js';
export { decodeIpv4 } from './ipv4.js';
export { decodeIpv6 } from './ipv6.js';
export { decodeTcp } from './tcp.js';

/** Decode `frame` into `pkt` (overwriting it). Returns pkt for chaining. */
export function decodePacket(frame: Frame, pkt: Packet): Packet {
  pkt.reset(frame);
  if (!decodeLink(pkt)) return pkt;
  let ok: boolean;
  if (pkt.etherType === ETHERTYPE_IPV4) ok = decodeIpv4(pkt);
  else if (pkt.etherType === ETHERTYPE_IPV6) ok = decodeIpv6(pkt);
  else return pkt;
  if (!ok || pkt.fragmentOffset !== 0) return pkt;
  if (pkt.ipProto === 6) decodeTcp(pkt);
  return pkt;
}
