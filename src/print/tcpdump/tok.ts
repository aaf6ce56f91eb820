/**
 * tcpdump's value-to-text helpers (tok2str, bittok2str) and the shared name tables
 * (ethertype_values, ipproto_values), as tables the printers index.
 */

/** tok2str: the name of `v`, else `fallback` with `%u`/`%x`/`%04x`/`%02x` replaced by `v`. */
export function tok2str(table: ReadonlyMap<number, string>, fallback: string, v: number): string {
  const s = table.get(v);
  return s !== undefined ? s : fmtUnknown(fallback, v);
}

function fmtUnknown(fmt: string, v: number): string {
  return fmt.replace(/%(0?\d*)([ux])/, (_m, width: string, conv: string) => {
    let s = conv === 'x' ? v.toString(16) : String(v);
    if (width !== '') {
      const w = Number(width);
      if (s.length < w) s = (width.startsWith('0') ? '0' : ' ').repeat(w - s.length) + s;
    }
    return s;
  });
}

/** bittok2str: the names of the bits set in `v`, joined by ", " (or "" for the _nosep form). */
export function bittok2str(bits: ReadonlyArray<readonly [number, string]>, none: string, v: number, sep = ', '): string {
  let s = '';
  let first = true;
  for (const [mask, name] of bits) {
    if ((v & mask) === mask && mask !== 0) {
      if (!first) s += sep;
      s += name;
      first = false;
    }
  }
  return first ? none : s;
}

export function toMap(list: ReadonlyArray<readonly [number, string]>): ReadonlyMap<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of list) if (!m.has(k)) m.set(k, v);
  return m;
}

/** ethertype_values (print-ether.c), first name wins on duplicates */
export const ETHERTYPE_NAMES = toMap([
  [0x0800, 'IPv4'],
  [0x8847, 'MPLS unicast'],
  [0x8848, 'MPLS multicast'],
  [0x86dd, 'IPv6'],
  [0x8100, '802.1Q'],
  [0x9100, '802.1Q-9100'],
  [0x88a8, '802.1Q-QinQ'],
  [0x9200, '802.1Q-9200'],
  [0x88e5, '802.1AE MACsec'],
  [0x0200, 'PUP'],
  [0x0806, 'ARP'],
  [0x8035, 'Reverse ARP'],
  [0x0600, 'NS'],
  [0x0500, 'Sprite'],
  [0x1000, 'Trail'],
  [0x6001, 'MOP DL'],
  [0x6002, 'MOP RC'],
  [0x6003, 'DN'],
  [0x6004, 'LAT'],
  [0x6007, 'SCA'],
  [0x6558, 'TEB'],
  [0x8038, 'Lanbridge'],
  [0x803c, 'DEC DNS'],
  [0x803e, 'DEC DTS'],
  [0x805b, 'VEXP'],
  [0x805c, 'VPROD'],
  [0x809b, 'Appletalk'],
  [0x80f3, 'Appletalk ARP'],
  [0x8137, 'IPX'],
  [0x880b, 'PPP'],
  [0x8808, 'MPCP'],
  [0x8809, 'Slow Protocols'],
  [0x8863, 'PPPoE D'],
  [0x8864, 'PPPoE S'],
  [0x888e, 'EAPOL'],
  [0x8899, 'Realtek protocols'],
  [0x886f, 'MS NLB heartbeat'],
  [0x8870, 'Jumbo'],
  [0x894f, 'NSH'],
  [0x9000, 'Loopback'],
  [0xfefe, 'OSI'],
  [0x00fe, 'GRE-OSI'],
  [0xabcd, 'CFM (old)'],
  [0x8902, 'CFM'],
  [0x893a, 'IEEE1905.1'],
  [0x88cc, 'LLDP'],
  [0x88ca, 'TIPC'],
  [0x0707, 'GeoNet (old)'],
  [0x8947, 'GeoNet'],
  [0x1111, 'CALM FAST'],
  [0x88a2, 'AoE'],
  [0x88f7, 'PTP'],
  [0xd28b, 'Arista Vendor Specific Protocol'],
]);

/** ipproto_values (ipproto.c) */
export const IPPROTO_NAMES = toMap([
  [0, 'Options'],
  [1, 'ICMP'],
  [2, 'IGMP'],
  [4, 'IPIP'],
  [6, 'TCP'],
  [8, 'EGP'],
  [9, 'IGRP'],
  [17, 'UDP'],
  [33, 'DCCP'],
  [41, 'IPv6'],
  [43, 'Routing'],
  [44, 'Fragment'],
  [46, 'RSVP'],
  [47, 'GRE'],
  [50, 'ESP'],
  [51, 'AH'],
  [55, 'Mobile IP'],
  [58, 'ICMPv6'],
  [62, 'Mobile IP (old)'],
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [108, 'Compressed IP'],
  [112, 'VRRP'],
  [113, 'PGM'],
  [132, 'SCTP'],
  [135, 'Mobility'],
  [143, 'Ethernet'],
]);

export const IPPROTO = {
  HOPOPTS: 0, ND: 77, ICMP: 1, IGMP: 2, IPV4: 4, TCP: 6, EGP: 8, PIGP: 9, UDP: 17, DCCP: 33, IPV6: 41,
  ROUTING: 43, FRAGMENT: 44, RSVP: 46, GRE: 47, ESP: 50, AH: 51, MOBILE: 55, ICMPV6: 58, NONE: 59,
  DSTOPTS: 60, MOBILITY_OLD: 62, EIGRP: 88, OSPF: 89, PIM: 103, IPCOMP: 108, VRRP: 112, PGM: 113,
  SCTP: 132, MOBILITY: 135, ETHERNET: 143,
} as const;
