/**
 * What a filter needs to know about each link type tcpscope reads: where the network-layer
 * payload starts, where the protocol type field is, and how libpcap tests "is this IPv4/IPv6/
 * ARP..." on it (gencode.c's gen_linktype), including its gaps: ARP never matches on a loopback
 * or raw-IP capture, and the BSD loopback header is tested for BSD's AF_INET6 values only.
 */
import { type Bool, FALSE, FAMILY, TRUE, alu, and, at, cmp, k, not, or } from './ir.js';

export type LinkKind = 'ether' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6';

export interface LinkModel {
  linktype: number;
  kind: LinkKind;
  /** libpcap's description, used in its messages (`no VLAN support for Linux cooked v1`) */
  name: string;
  /** offset of the protocol-type field (before any `vlan`) */
  offLinktype: number;
  /** offset of the network-layer header (before any `vlan`) */
  offLinkpl: number;
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
    case 'ipv4':
      return v === ETHERTYPE_IP ? TRUE : FALSE;
    case 'ipv6':
      return v === ETHERTYPE_IPV6 ? TRUE : FALSE;
  }
}
