/**
 * decodePacket: link → IPv4/IPv6 (or ARP) → TCP/UDP/ICMP/ICMPv6, filling one reusable Packet.
 * Dispatch is by table (EtherType → network decoder, IP protocol → transport decoder).
 */
import type { Frame } from '../capture/frame.js';
import { decodeArp } from './arp.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeGre } from './gre.js';
import { decodeIpip, IPPROTO_IPIP, IPPROTO_IPV6 } from './ipip.js';
import { decodeInnerEthernet, decodeLink, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST,
  ETHERTYPE_PPPOE_SESSION, ETHERTYPE_TEB } from './link.js';
import { decodeMpls } from './mpls.js';
import { MAX_ENCAP_DEPTH, Packet } from './packet.js';
import { decodePppoe } from './pppoe.js';
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
export { decodeGre } from './gre.js';
export { decodeIpip } from './ipip.js';
export { decodeMpls } from './mpls.js';
export { decodePppoe } from './pppoe.js';
export { cksumShouldBe, foldSum, inCksum, onesSum, pseudoSum4, pseudoSum6 } from './checksum.js';

const ETHERTYPE_RARP = 0x8035;
const IPPROTO_GRE = 47;

/** Decode `frame` into `pkt` (overwriting it). Returns pkt for chaining. */
export function decodePacket(frame: Frame, pkt: Packet): Packet {
  pkt.reset(frame);
  if (!decodeLink(pkt)) return pkt;
  // Each turn decodes one network layer; an encapsulation found where the dispatch already
  // branches (EtherType, IP protocol) points pkt at the packet it carries and turns again, so a
  // plain packet pays nothing for them. The fields the tracker reads end as the innermost packet's.
  for (;;) {
    let ok: boolean;
    const et = pkt.etherType;
    if (et === ETHERTYPE_IPV4) ok = decodeIpv4(pkt);
    else if (et === ETHERTYPE_IPV6) ok = decodeIpv6(pkt);
    else {
      if (et === ETHERTYPE_ARP || et === ETHERTYPE_RARP) decodeArp(pkt);
      else if (et === ETHERTYPE_MPLS || et === ETHERTYPE_MPLS_MULTICAST) { if (mayEnter(pkt) && decodeMpls(pkt) && entered(pkt)) continue; }
      else if (et === ETHERTYPE_PPPOE_SESSION) { if (mayEnter(pkt) && decodePppoe(pkt) && entered(pkt)) continue; }
      else if (et === ETHERTYPE_TEB && pkt.encapsulation !== 0) { if (mayEnter(pkt) && decodeInnerEthernet(pkt) && entered(pkt)) continue; }
      return pkt;
    }
    // a later fragment has no transport header
    if (!ok || pkt.fragmentOffset !== 0) return pkt;
    switch (pkt.ipProto) {
      case 6: decodeTcp(pkt); return pkt;
      case 17: decodeUdp(pkt); return pkt;
      case 1: if (pkt.ipVersion === 4) decodeIcmp(pkt, false); return pkt;
      case 58: if (pkt.ipVersion === 6) decodeIcmp(pkt, true); return pkt;
      // a tunnel in the first fragment of a carrier is cut: left as the carrier
      case IPPROTO_IPIP:
      case IPPROTO_IPV6: if (!pkt.moreFragments && mayEnter(pkt) && decodeIpip(pkt) && entered(pkt)) continue; return pkt;
      case IPPROTO_GRE: if (!pkt.moreFragments && mayEnter(pkt) && decodeGre(pkt) && entered(pkt)) continue; return pkt;
      default: return pkt;
    }
  }
}

/**
 * Whether one more encapsulation may be passed: false (and the packet malformed) beyond
 * MAX_ENCAP_DEPTH, so that a hostile frame of nested tunnels costs a bounded amount of work.
 */
function mayEnter(pkt: Packet): boolean {
  if (pkt.encapDepth < MAX_ENCAP_DEPTH) return true;
  pkt.malformed = `encapsulations nested deeper than ${MAX_ENCAP_DEPTH}`;
  return false;
}

/** An encapsulation was passed (its decoder set its ENCAP_* bit): count it. Returns true. */
function entered(pkt: Packet): boolean {
  // the encapsulation fields are among those reset() clears only when set
  pkt.extrasSet = true;
  pkt.encapDepth++;
  return true;
}
