/**
 * What a filter needs to know about each link type tcpscope reads: where the network-layer
 * payload starts, where the protocol type field is, and how libpcap tests "is this IPv4/IPv6/
 * ARP..." on it (gencode.c's gen_linktype), including its gaps: ARP never matches on a loopback
 * or raw-IP capture, and the BSD loopback header is tested for BSD's AF_INET6 values only.
 */
import { type Bool, FALSE, FAMILY, TRUE, alu, and, at, cmp, k, not, or } from './ir.js';

export type LinkKind =
  | 'ether' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6'
  | 'ppp' | 'chdlc' | 'frelay' | 'arcnet' | 'atm' | 'juniper'
  /** libpcap compiles no link-layer protocol test for it (`ip`, `tcp`, `host` are refused) */
  | 'unfiltered';

export interface LinkModel {
  linktype: number;
  kind: LinkKind;
  /** libpcap's description, used in its messages (`no VLAN support for Linux cooked v1`) */
  name: string;
  /** offset of the protocol-type field (before any `vlan`) */
  offLinktype: number;
  /** offset of the network-layer header (before any `vlan`) */
  offLinkpl: number;
  /** for kind 'unfiltered': libpcap's refusal of any protocol test on it */
  refusal?: string;
}

const MODELS: Record<number, Omit<LinkModel, 'linktype'>> = {
  0: { kind: 'null', name: 'BSD loopback', offLinktype: 0, offLinkpl: 4 },
  1: { kind: 'ether', name: 'Ethernet', offLinktype: 12, offLinkpl: 14 },
  12: { kind: 'raw', name: 'Raw IP', offLinktype: -1, offLinkpl: 0 },
  // OpenBSD's DLT_RAW number; libpcap on Linux does not know it, tcpscope reads it as raw IP
  14: { kind: 'raw', name: 'Raw IP', offLinktype: -1, offLinkpl: 0 },
  101: { kind: 'raw', name: 'Raw IP', offLinktype: -1, offLinkpl: 0 },
  108: { kind: 'loop', name: 'OpenBSD loopback', offLinktype: 0, offLinkpl: 4 },
  113: { kind: 'sll', name: 'Linux cooked v1', offLinktype: 14, offLinkpl: 16 },
  228: { kind: 'ipv4', name: 'Raw IPv4', offLinktype: -1, offLinkpl: 0 },
  229: { kind: 'ipv6', name: 'Raw IPv6', offLinktype: -1, offLinkpl: 0 },
  276: { kind: 'sll2', name: 'Linux cooked v2', offLinktype: 0, offLinkpl: 20 },
  // The offsets below are libpcap 1.10's (gencode.c init_linktype), checked against the
  // programs tcpdump 4.99.3 -d compiles for each link type.
  // PPP: address, control, then the 2-byte PPP protocol
  9: { kind: 'ppp', name: 'PPP', offLinktype: 2, offLinkpl: 4 },
  50: { kind: 'ppp', name: 'PPP over serial', offLinktype: 2, offLinkpl: 4 },
  // PPPoE session header (6 bytes), then the PPP protocol
  51: { kind: 'ppp', name: 'PPPoE', offLinktype: 6, offLinkpl: 8 },
  // Cisco HDLC: address, control, then an EtherType
  104: { kind: 'chdlc', name: 'Cisco HDLC', offLinktype: 2, offLinkpl: 4 },
  // Frame Relay: libpcap tests the 2 bytes after the 2-byte DLCI (control + NLPID) but loads
  // the network layer from offset 0 (its off_nl for Frame Relay), so `tcp`/`host` read the
  // Q.922 header as if it were IP; tcpscope does the same to match the same packets
  107: { kind: 'frelay', name: 'Frame Relay', offLinktype: -1, offLinkpl: 0 },
  // ARCNET: a 1-byte protocol ID after the addresses (and the Linux header's offset field)
  7: { kind: 'arcnet', name: 'BSD ARCNET', offLinktype: 2, offLinkpl: 6 },
  129: { kind: 'arcnet', name: 'Linux ARCNET', offLinktype: 4, offLinkpl: 8 },
  // RFC 1483 LLC/SNAP: the EtherType at the end of the 8-byte SNAP header
  100: { kind: 'atm', name: 'RFC 1483 LLC-encapsulated ATM', offLinktype: 6, offLinkpl: 8 },
  // Juniper: every protocol test is the 'MGC' magic; the payload at a fixed 32 bytes
  178: { kind: 'juniper', name: 'Juniper Ethernet', offLinktype: -1, offLinkpl: 32 },
  182: { kind: 'unfiltered', name: 'FRF.16 Frame Relay', offLinktype: -1, offLinkpl: 0, refusal: 'Multi-link Frame Relay link-layer type filtering not implemented' },
  242: { kind: 'unfiltered', name: 'RFC 4391 IP-over-Infiniband', offLinktype: -1, offLinkpl: 0, refusal: 'RFC 4391 IP-over-Infiniband link-layer type filtering not implemented' },
};

export function linkModel(linktype: number): LinkModel | null {
  const m = MODELS[linktype];
  return m === undefined ? null : { linktype, ...m };
}

export const ETHERTYPE_IP = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_REVARP = 0x8035;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERMTU = 1500;
/** Linux cooked captures give 802.2 LLC frames this protocol value */
const LINUX_SLL_P_802_2 = 4;
/** SAPs libpcap matches on DSAP and SSAP together */
const LLC_BOTH_SAPS = new Set([0xfe, 0x06, 0xf0]);
/** BSD loopback AF_INET6 values: NetBSD/OpenBSD, FreeBSD, macOS (libpcap tests these three) */
const BSD_AF_INET6 = [24, 28, 30];
const AF_INET = 2;

/** libpcap's ethertype_to_ppptype: the PPP protocol numbers it substitutes (others unchanged). */
const PPP_PROTO_FOR = new Map<number, number>([
  [ETHERTYPE_IP, 0x21], [ETHERTYPE_IPV6, 0x57], [0x6003, 0x27] /* DECnet */, [0x809b, 0x29] /* AppleTalk */,
  [0x0600, 0x25] /* XNS */, [0xfe, 0x23] /* OSI */, [0x42, 0x31] /* 802.1D bridging */, [0xe0, 0x2b] /* IPX */,
]);
/** ARCNET protocol IDs libpcap accepts for each EtherType (the RFC 1201 one, then the RFC 1051 one) */
const ARCNET_TYPES = new Map<number, number[]>([
  [ETHERTYPE_IP, [0xd4, 0xf0]], [ETHERTYPE_IPV6, [0xc4]], [ETHERTYPE_ARP, [0xd5, 0xf1]],
  [ETHERTYPE_REVARP, [0xd6]], [0x809b, [0xdd]],
]);
/** Juniper's capture header starts with 'MGC' */
const JUNIPER_MAGIC = 0x4d474300;
/** Frame Relay NLPIDs libpcap tests for OSI (CLNP, ES-IS, IS-IS), after the 0x03 control byte */
const FR_OSI = [0x0381, 0x0382, 0x0383];

/** Protocol values whose libpcap test tcpscope does not reproduce (AppleTalk's SNAP forms, IPX). */
export function unsupportedLinkProto(v: number): string | null {
  if (v === 0x809b) return 'AppleTalk (ether proto 0x809b)';
  if (v === 0x80f3) return 'AppleTalk ARP (ether proto 0x80f3)';
  if (v === 0xe0) return 'IPX (ether proto 0xe0)';
  return null;
}

/** The loopback header says `family`. */
function loopbackFamily(kind: 'null' | 'loop', family: number): Bool {
  // DLT_LOOP: network byte order. DLT_NULL: the capturing host's byte order, which libpcap
  // takes to be the file's; a Frame does not say which that was, so the family is read in
  // whichever order makes it a small number (the same test when the two orders agree)
  return cmp('eq', kind === 'loop' ? at(0, 4) : FAMILY, k(family));
}

/**
 * "The link-layer protocol is `v`" (an EtherType, or an LLC SAP when ≤ 1500), with the type
 * field at `offLinktype` and the payload at `offLinkpl` (both moved by `vlan`).
 */
export function linktypeTest(m: LinkModel, v: number, offLinktype: number, offLinkpl: number): Bool {
  switch (m.kind) {
    case 'ether':
      if (v <= ETHERMTU) {
        // an 802.3 frame (length, not type, in the type field) whose LLC header has this SAP
        const isLlc = not(cmp('gt', at(offLinktype, 2), k(ETHERMTU)));
        if (LLC_BOTH_SAPS.has(v)) return and(isLlc, cmp('eq', at(offLinkpl, 2), k((v << 8) | v)));
        return and(isLlc, cmp('eq', at(offLinktype + 2, 1), k(v)));
      }
      return cmp('eq', at(offLinktype, 2), k(v));
    case 'sll':
    case 'sll2':
      if (v <= ETHERMTU) {
        const isLlc = cmp('eq', at(offLinktype, 2), k(LINUX_SLL_P_802_2));
        if (LLC_BOTH_SAPS.has(v)) return and(isLlc, cmp('eq', at(offLinkpl, 2), k((v << 8) | v)));
        return and(isLlc, cmp('eq', at(offLinktype + 2, 1), k(v)));
      }
      return cmp('eq', at(offLinktype, 2), k(v));
    case 'null':
    case 'loop':
      if (v === ETHERTYPE_IP) return loopbackFamily(m.kind, AF_INET);
      if (v === ETHERTYPE_IPV6) {
        // in libpcap's order: macOS, then NetBSD/OpenBSD, then FreeBSD
        return or(loopbackFamily(m.kind, BSD_AF_INET6[2]), or(loopbackFamily(m.kind, BSD_AF_INET6[0]), loopbackFamily(m.kind, BSD_AF_INET6[1])));
      }
      return FALSE;
    case 'raw': {
      // no type field: the IP version nibble says it
      const version = alu('&', at(0, 1), k(0xf0));
      if (v === ETHERTYPE_IP) return cmp('eq', version, k(0x40));
      if (v === ETHERTYPE_IPV6) return cmp('eq', version, k(0x60));
      return FALSE;
    }
    case 'ppp':
      return cmp('eq', at(offLinktype, 2), k(PPP_PROTO_FOR.get(v) ?? v));
    case 'chdlc':
      // the OSI SAP is written twice, as in an LLC header
      return cmp('eq', at(offLinktype, 2), k(v === 0xfe ? 0xfefe : v));
    case 'frelay': {
      const nlpid = at(2, 2);
      if (v === ETHERTYPE_IP) return cmp('eq', nlpid, k(0x03cc));
      if (v === ETHERTYPE_IPV6) return cmp('eq', nlpid, k(0x038e));
      if (v === 0xfe) return or(cmp('eq', nlpid, k(FR_OSI[0])), or(cmp('eq', nlpid, k(FR_OSI[1])), cmp('eq', nlpid, k(FR_OSI[2]))));
      return FALSE;
    }
    case 'arcnet': {
      const ids = ARCNET_TYPES.get(v);
      if (ids === undefined) return FALSE;
      const id = at(offLinktype, 1);
      return ids.length === 1 ? cmp('eq', id, k(ids[0])) : or(cmp('eq', id, k(ids[0])), cmp('eq', id, k(ids[1])));
    }
    case 'atm':
      // LLC-encapsulated: an LLC SAP is tested on the LLC header itself, an EtherType on SNAP's
      if (v <= ETHERMTU) {
        if (LLC_BOTH_SAPS.has(v)) return cmp('eq', at(offLinktype - 6, 2), k((v << 8) | v));
        return cmp('eq', at(offLinktype - 6, 1), k(v));
      }
      // AppleTalk is known by its whole SNAP header (OUI 08:00:07), the rest by the type alone
      if (v === 0x809b) return and(cmp('eq', at(offLinktype - 2, 4), k(0x0007809b)), cmp('eq', at(offLinktype - 6, 4), k(0xaaaa0308)));
      return cmp('eq', at(offLinktype, 2), k(v));
    case 'juniper':
      // libpcap does not look into Juniper's encapsulations: any protocol is "the magic is there"
      return cmp('eq', alu('&', at(0, 4), k(0xffffff00)), k(JUNIPER_MAGIC));
    case 'unfiltered':
      return FALSE; // refused before this (Lowering.linktype)
    case 'ipv4':
      return v === ETHERTYPE_IP ? TRUE : FALSE;
    case 'ipv6':
      return v === ETHERTYPE_IPV6 ? TRUE : FALSE;
  }
}
