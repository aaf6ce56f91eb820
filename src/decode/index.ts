/**
 * decodePacket: link → IPv4/IPv6 (or ARP) → TCP/UDP/ICMP/ICMPv6, filling one reusable Packet.
 * Dispatch is by table (EtherType → network decoder, IP protocol → transport decoder).
 */
import type { Frame } from '../capture/frame.js';
import { decodeArp } from './arp.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLink, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link.js';
import { Packet } from './packet.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

export * from './packet.js';
export { decodeLink, followsLinkType, LinkTypeGuard, unfollowedLinkType, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_ARP, ETHERTYPE_VLAN } from './link.js';
export { decodeIpv4 } from './ipv4.js';
export { decodeIpv6 } from './ipv6.js';
export { decodeTcp } from './tcp.js';
export { decodeUdp } from './udp.js';
export { decodeIcmp } from './icmp.js';
export { decodeArp } from './arp.js';
export { cksumShouldBe, foldSum, inCksum, onesSum, pseudoSum4, pseudoSum6 } from './checksum.js';

const ETHERTYPE_RARP = 0x8035;

/** Decode `frame` into `pkt` (overwriting it). Returns pkt for chaining. */
export function decodePacket(frame: Frame, pkt: Packet): Packet {
  pkt.reset(frame);
  if (!decodeLink(pkt)) return pkt;
  let ok: boolean;
  const et = pkt.etherType;
  if (et === ETHERTYPE_IPV4) ok = decodeIpv4(pkt);
  else if (et === ETHERTYPE_IPV6) ok = decodeIpv6(pkt);
  else {
    if (et === ETHERTYPE_ARP || et === ETHERTYPE_RARP) decodeArp(pkt);
    return pkt;
  }
  // a later fragment has no transport header
  if (!ok || pkt.fragmentOffset !== 0) return pkt;
  switch (pkt.ipProto) {
    case 6: decodeTcp(pkt); break;
    case 17: decodeUdp(pkt); break;
    case 1: if (pkt.ipVersion === 4) decodeIcmp(pkt, false); break;
    case 58: if (pkt.ipVersion === 6) decodeIcmp(pkt, true); break;
  }
  return pkt;
}
