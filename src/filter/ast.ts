/**
 * The parsed form of a filter expression, before it meets a link type.
 *
 * The parser resolves tcpdump's qualifier carry-over (`host a or b` → `host a or host b`) while it
 * parses, so every primitive here carries its full qualifier triple. Everything that depends on
 * the link type (offsets, the VLAN shift, which primitives exist) is left to `lower.ts`.
 */

/** A slice of the expression text, for carets under the offending part. */
export interface Span {
  start: number;
  end: number;
}

/** Protocol qualifiers (libpcap's Q_* proto values) that tcpscope implements. */
export type ProtoQual =
  | 'default'
  | 'link'
  | 'ip'
  | 'arp'
  | 'rarp'
  | 'sctp'
  | 'tcp'
  | 'udp'
  | 'icmp'
  | 'igmp'
  | 'igrp'
  | 'pim'
  | 'vrrp'
  | 'carp'
  | 'ip6'
  | 'icmp6'
  | 'ah'
  | 'esp';

/** Direction qualifiers; `or`/`and` are `src or dst` / `src and dst`. */
export type DirQual = 'default' | 'src' | 'dst' | 'or' | 'and' | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta';

/** Address-type qualifiers. */
export type AddrQual = 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'protochain' | 'gateway';

/** A qualifier triple; `undef` marks libpcap's `qerr` (no qualifiers to carry over). */
export interface Qual {
  proto: ProtoQual | 'undef';
  dir: DirQual | 'undef';
  addr: AddrQual | 'undef';
}

export const QERR: Qual = { proto: 'undef', dir: 'undef', addr: 'undef' };

/** The value part of a primitive (libpcap's `id`), as the scanner classified it. */
export type IdArg =
  | { t: 'num'; v: number } // NUM: 80, 0x50, 010
  | { t: 'name'; s: string } // ID: http, localhost, 80-90
  | { t: 'hid'; s: string } // 10.1 / 10.0.0.1
  | { t: 'hidlen'; s: string; len: number } // 10.0.0.0/8
  | { t: 'hidmask'; s: string; mask: string } // 10.0.0.0 mask 255.0.0.0
  | { t: 'hid6'; s: string; len: number; explicitLen: boolean } // fe80::1, fe80::/10
  | { t: 'eid'; s: string }; // MAC address

export type Arith =
  | { k: 'num'; v: number; span: Span }
  | { k: 'len'; span: Span }
  | { k: 'load'; proto: ProtoQual; index: Arith; size: number; span: Span }
  | { k: 'bin'; op: ArithOp; a: Arith; b: Arith; span: Span }
  | { k: 'neg'; a: Arith; span: Span };

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Node =
  | { k: 'and' | 'or'; l: Node; r: Node }
  | { k: 'not'; e: Node }
  /** a qualified value: `tcp dst port 80`, or a bare `b` carried over from `host a or b` */
  | { k: 'id'; q: Qual; arg: IdArg; span: Span }
  /** a protocol name on its own: `tcp`, `ip6`, `arp` */
  | { k: 'proto'; proto: ProtoQual; span: Span }
  /** `arth relop arth`; `neg` for the inverted operators (`!=`, `<`, `<=`) */
  | { k: 'rel'; op: 'eq' | 'gt' | 'ge'; neg: boolean; a: Arith; b: Arith; span: Span }
  | { k: 'less' | 'greater'; n: number; span: Span }
  | { k: 'vlan'; id: number | null; span: Span }
  | { k: 'broadcast' | 'multicast'; proto: ProtoQual; span: Span }
  | { k: 'inbound' | 'outbound'; span: Span }
  | { k: 'ifindex'; n: number; span: Span }
  /** the empty expression: every packet */
  | { k: 'all' };
