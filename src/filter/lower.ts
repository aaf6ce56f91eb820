/**
 * Lowering: a parsed expression plus a link type → the comparisons a packet must pass, with
 * libpcap's meaning (gencode.c) for each primitive. Read beside `tcpdump -d EXPR`.
 *
 * The walk is left to right in source order, because libpcap generates code while it parses and
 * `vlan` changes the offsets of everything parsed AFTER it (whatever the and/or/not structure):
 * in `vlan and tcp` the tcp test looks 4 bytes further in; in `tcp or vlan` it does not.
 */
import type { Arith, IdArg, Node, ProtoQual, Qual, Span } from './ast.js';
import { invalidError, unsupportedError } from './diagnostic.js';
import {
  type Bool, FALSE, TRUE, type Val, alu, and, andOpt, at, cmp, fixed, iphl, isConst, k, ld, LEN, mcmp, neg, not, or, refused,
} from './ir.js';
import {
  ETHERTYPE_ARP, ETHERTYPE_IP, ETHERTYPE_IPV6, ETHERTYPE_REVARP, type LinkModel, linktypeTest,
  unsupportedLinkProto,
} from './link.js';
import { parseIPv6 } from './lexer.js';
import { ETHER_PROTO_NAMES, LLC_SAP_NAMES, type NameDatabase } from './names.js';
import type { TcpscopeError } from '../errors.js';

/** A problem that exists only on some link types (`vlan` on Linux cooked, `ether host` on raw IP). */
export class LinkTypeError {
  constructor(readonly error: TcpscopeError) {}
}

const IPPROTO_ICMP = 1;
const IPPROTO_IGMP = 2;
const IPPROTO_TCP = 6;
const IPPROTO_IGRP = 9;
const IPPROTO_UDP = 17;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_PIM = 103;
const IPPROTO_VRRP = 112;
const IPPROTO_SCTP = 132;
/** "tcp, udp or sctp": what `port` means without a protocol */
const PROTO_UNDEF = -1;

/** Transport protocols whose header follows the IPv4 header for `proto[...]` (gen_load). */
const IPV4_TRANSPORTS = new Set<ProtoQual>(['tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'sctp']);

interface ArithValue {
  /** protocol checks that must hold for the value to exist (`tcp[13]` → IPv4 TCP, first fragment) */
  checks: Bool | null;
  val: Val;
  /** a divisor that folds to 0: libpcap's optimizer refuses it, if the division can be reached */
  divZero: string | null;
}

/**
 * The first instruction libpcap generates for an arithmetic operand is the literal at its far
 * left (`ip[0]` starts with the index 0). gen_arth inspects only that instruction for its
 * division-by-zero and shift-width checks, so `x / ip[0]` is "division by zero" in tcpdump.
 */
function leftmostLiteral(a: Arith): number | null {
  switch (a.k) {
    case 'num': return a.v;
    case 'len': return null;
    case 'load': return leftmostLiteral(a.index);
    case 'bin':
    case 'neg': return leftmostLiteral(a.a);
  }
}

export function lower(ast: Node, link: LinkModel, names: NameDatabase, expr: string): Bool {
  return new Lowering(link, names, expr).node(ast);
}

class Lowering {
  /** offsets as libpcap's compiler state holds them; `vlan` moves both by 4 */
  private offLinktype: number;
  private offLinkpl: number;

  constructor(private readonly link: LinkModel, private readonly names: NameDatabase, private readonly expr: string) {
    this.offLinktype = link.offLinktype;
    this.offLinkpl = link.offLinkpl;
  }

  // ---- errors ---------------------------------------------------------------------------

  private invalid(what: string, span: Span | null): never {
    throw invalidError(what, this.expr, span);
  }

  /** libpcap refuses this on this link type only (tcpscope compiles per link type). */
  private linkInvalid(what: string, span: Span | null): never {
    throw new LinkTypeError(invalidError(what, this.expr, span));
  }

  private unsupported(what: string, span: Span | null): never {
    throw unsupportedError(what, this.expr, span);
  }

  // ---- the tree -------------------------------------------------------------------------

  node(n: Node): Bool {
    switch (n.k) {
      case 'all': return TRUE;
      case 'and': {
        const l = this.node(n.l);
        return and(l, this.node(n.r));
      }
      case 'or': {
        const l = this.node(n.l);
        return or(l, this.node(n.r));
      }
      case 'not': return not(this.node(n.e));
      case 'proto': return this.protoAbbrev(n.proto, n.span);
      case 'id': return this.id(n.q, n.arg, n.span);
      case 'rel': return this.relation(n);
      case 'less': return not(cmp('gt', LEN, k(n.n)));
      case 'greater': return cmp('ge', LEN, k(n.n));
      case 'vlan': return this.vlan(n.id, n.span);
      case 'broadcast': return this.broadcast(n.proto, n.span);
      case 'multicast': return this.multicast(n.proto, n.span);
      case 'inbound':
      case 'outbound': return this.direction(n.k === 'outbound', n.span);
      case 'ifindex': return this.ifindex(n.n, n.span);
    }
  }

  // ---- link layer -----------------------------------------------------------------------

  private linktype(v: number, span: Span | null): Bool {
    if (this.link.kind === 'unfiltered') this.linkInvalid(this.link.refusal!, span);
    const why = unsupportedLinkProto(v);
    const kind = this.link.kind;
    // on ATM only AppleTalk ARP's SNAP test is missing (IPX there is a plain SAP test)
    if (why !== null && (kind === 'ether' || kind === 'sll' || kind === 'sll2' || (kind === 'atm' && v === 0x80f3))) {
      this.unsupported(`matching ${why}: libpcap's test for it is not reproduced`, span);
    }
    return linktypeTest(this.link, v, this.offLinktype, this.offLinkpl);
  }

  private isEthernet(): boolean {
    return this.link.kind === 'ether';
  }

  /** `vlan [id]`: a VLAN tag here, then everything after looks past it (gen_vlan). */
  private vlan(id: number | null, span: Span): Bool {
    if (!this.isEthernet()) this.linkInvalid(`no VLAN support for ${this.link.name}`, span);
    if (id !== null && id > 0x0fff) this.invalid(`VLAN tag ${id} greater than maximum 4095`, span);
    let b = or(or(this.linktype(0x8100, span), this.linktype(0x88a8, span)), this.linktype(0x9100, span));
    if (id !== null) b = and(b, mcmp(at(this.offLinktype + 2, 2), id, 0x0fff));
    this.offLinktype += 4;
    this.offLinkpl += 4;
    return b;
  }

  /** Ethernet address compare: the last four bytes first, then the first two (as libpcap emits). */
  private etherAddr(off: number, mac: Uint8Array): Bool {
    const low = ((mac[2] << 24) | (mac[3] << 16) | (mac[4] << 8) | mac[5]) >>> 0;
    return and(cmp('eq', at(off + 2, 4), k(low)), cmp('eq', at(off, 2), k((mac[0] << 8) | mac[1])));
  }

  private etherHost(mac: Uint8Array, dir: Qual['dir'], span: Span): Bool {
    if (!this.isEthernet()) {
      this.linkInvalid('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel', span);
    }
    return this.byDirection(dir, () => this.etherAddr(6, mac), () => this.etherAddr(0, mac), span, 'ether');
  }

  private broadcast(proto: ProtoQual, span: Span): Bool {
    switch (proto) {
      case 'default':
      case 'link':
        if (!this.isEthernet()) this.linkInvalid('not a broadcast link', span);
        return this.etherAddr(0, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
      case 'ip': {
        // reading a file, tcpdump knows no netmask (0): all-zeros and all-ones hosts
        const dst = at(this.offLinkpl + 16, 4);
        return and(this.linktype(ETHERTYPE_IP, span), or(cmp('eq', dst, k(0)), cmp('eq', dst, k(0xffffffff))));
      }
      default:
        return this.invalid('only link-layer/IP broadcast filters supported', span);
    }
  }

  private multicast(proto: ProtoQual, span: Span): Bool {
    switch (proto) {
      case 'default':
      case 'link':
        if (!this.isEthernet()) {
          this.linkInvalid('link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel', span);
        }
        return cmp('set', at(0, 1), k(1));
      case 'ip':
        return and(this.linktype(ETHERTYPE_IP, span), cmp('ge', at(this.offLinkpl + 16, 1), k(224)));
      case 'ip6':
        return and(this.linktype(ETHERTYPE_IPV6, span), cmp('eq', at(this.offLinkpl + 24, 1), k(255)));
      default:
        return this.invalid('link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel', span);
    }
  }

  /** inbound/outbound: the packet-type field of Linux cooked captures (PACKET_OUTGOING = 4). */
  private direction(outbound: boolean, span: Span): Bool {
    let isOutgoing: Bool;
    if (this.link.kind === 'sll') isOutgoing = cmp('eq', at(0, 2), k(4));
    else if (this.link.kind === 'sll2') isOutgoing = cmp('eq', at(10, 1), k(4));
    else return this.linkInvalid(`inbound/outbound not supported on ${this.link.name} when reading savefiles`, span);
    return outbound ? isOutgoing : not(isOutgoing);
  }

  private ifindex(n: number, span: Span): Bool {
    if (this.link.kind !== 'sll2') this.linkInvalid(`ifindex not supported on ${this.link.name} when reading savefiles`, span);
    return cmp('eq', at(4, 4), k(n));
  }

  // ---- protocols ------------------------------------------------------------------------

  /** A protocol name on its own (gen_proto_abbrev). */
  private protoAbbrev(p: ProtoQual, span: Span | null): Bool {
    switch (p) {
      case 'sctp': return this.proto(IPPROTO_SCTP, 'default', span);
      case 'tcp': return this.proto(IPPROTO_TCP, 'default', span);
      case 'udp': return this.proto(IPPROTO_UDP, 'default', span);
      case 'icmp': return this.proto(IPPROTO_ICMP, 'ip', span);
      case 'igmp': return this.proto(IPPROTO_IGMP, 'ip', span);
      case 'igrp': return this.proto(IPPROTO_IGRP, 'ip', span);
      case 'pim': return this.proto(IPPROTO_PIM, 'default', span);
      case 'vrrp':
      case 'carp': return this.proto(IPPROTO_VRRP, 'ip', span);
      case 'ip': return this.linktype(ETHERTYPE_IP, span);
      case 'arp': return this.linktype(ETHERTYPE_ARP, span);
      case 'rarp': return this.linktype(ETHERTYPE_REVARP, span);
      case 'ip6': return this.linktype(ETHERTYPE_IPV6, span);
      case 'icmp6': return this.proto(IPPROTO_ICMPV6, 'ip6', span);
      case 'ah': return this.proto(IPPROTO_AH, 'default', span);
      case 'esp': return this.proto(IPPROTO_ESP, 'default', span);
      case 'link': return this.invalid('link layer applied in wrong context', span);
      case 'default': return this.invalid('protocol qualifier expected', span);
    }
  }

  /**
   * `[p] proto v` (gen_proto). IPv4 looks at the protocol field only (so any fragment matches);
   * IPv6 looks at the next header, or behind one fragment header.
   */
  private proto(v: number, p: ProtoQual, span: Span | null): Bool {
    switch (p) {
      case 'default':
        return or(this.proto(v, 'ip', span), this.proto(v, 'ip6', span));
      case 'link':
        return this.linktype(v, span);
      case 'ip':
        return and(this.linktype(ETHERTYPE_IP, span), cmp('eq', at(this.offLinkpl + 9, 1), k(v)));
      case 'ip6': {
        const nh = at(this.offLinkpl + 6, 1);
        const direct = cmp('eq', nh, k(v));
        const behindFragment = and(cmp('eq', nh, k(IPPROTO_FRAGMENT)), cmp('eq', at(this.offLinkpl + 40, 1), k(v)));
        return and(this.linktype(ETHERTYPE_IPV6, span), or(direct, behindFragment));
      }
      case 'arp':
      case 'rarp':
        return this.invalid(`${p} does not encapsulate another protocol`, span);
      default:
        return this.invalid(`'${p} proto' is bogus`, span);
    }
  }

  // ---- hosts and networks ---------------------------------------------------------------

  /**
   * src/dst/either/both of two tests (gen_hostop's direction switch); `what` names the
   * primitive in the 802.11-only error for addr1..addr4/ra/ta.
   */
  private byDirection(dir: Qual['dir'], src: () => Bool, dst: () => Bool, span: Span, what: string): Bool {
    switch (dir) {
      case 'src': return src();
      case 'dst': return dst();
      case 'and': {
        const s = src();
        return and(s, dst());
      }
      case 'or':
      case 'default': {
        const s = src();
        return or(s, dst());
      }
      default:
        return this.invalid(`'${dir}' is only supported on 802.11 (${what})`, span);
    }
  }

  /** An IPv4 address or network (gen_host): on IPv4, ARP and RARP unless a protocol says which. */
  private host4(addr: number, mask: number, proto: Qual['proto'], dir: Qual['dir'], type: 'host' | 'net', span: Span): Bool {
    const op = (etherType: number, srcOff: number, dstOff: number): Bool => {
      const lt = this.linktype(etherType, span);
      return this.byDirection(
        dir,
        () => and(lt, mcmp(at(this.offLinkpl + srcOff, 4), addr, mask)),
        () => and(lt, mcmp(at(this.offLinkpl + dstOff, 4), addr, mask)),
        span,
        type,
      );
    };
    switch (proto) {
      case 'default': {
        const ip = op(ETHERTYPE_IP, 12, 16);
        const arp = op(ETHERTYPE_ARP, 14, 24);
        return or(or(ip, arp), op(ETHERTYPE_REVARP, 14, 24));
      }
      case 'ip': return op(ETHERTYPE_IP, 12, 16);
      case 'arp': return op(ETHERTYPE_ARP, 14, 24);
      case 'rarp': return op(ETHERTYPE_REVARP, 14, 24);
      case 'link': return this.invalid(`link-layer modifier applied to ${type}`, span);
      default: return this.invalid(`'${proto}' modifier applied to ${type}`, span);
    }
  }

  /** An IPv6 address or network (gen_host6): words compared first to last; zero mask words skipped. */
  private host6(addr: Uint8Array, mask: Uint8Array, proto: Qual['proto'], dir: Qual['dir'], type: 'host' | 'net', span: Span): Bool {
    if (proto !== 'default' && proto !== 'ip6') {
      if (proto === 'link') return this.invalid(`link-layer modifier applied to ip6 ${type}`, span);
      return this.invalid(`'${proto}' modifier applied to ip6 ${type}`, span);
    }
    const words = (off: number): Bool => {
      let b: Bool = TRUE;
      for (let w = 0; w < 4; w++) {
        const a = ((addr[w * 4] << 24) | (addr[w * 4 + 1] << 16) | (addr[w * 4 + 2] << 8) | addr[w * 4 + 3]) >>> 0;
        const m = ((mask[w * 4] << 24) | (mask[w * 4 + 1] << 16) | (mask[w * 4 + 2] << 8) | mask[w * 4 + 3]) >>> 0;
        if (m !== 0) b = and(b, mcmp(at(this.offLinkpl + off + w * 4, 4), a, m));
      }
      return b;
    };
    const lt = this.linktype(ETHERTYPE_IPV6, span);
    return this.byDirection(dir, () => and(lt, words(8)), () => and(lt, words(24)), span, type);
  }

  // ---- ports ----------------------------------------------------------------------------

  /** IPv4 `port`/`portrange` (gen_port/gen_portrange): first fragments only, header length from IHL. */
  private port4(lo: number, hi: number, ipProto: number, dir: Qual['dir'], span: Span): Bool {
    const atom = (off: number): Bool => {
      const v = ld(2, iphl(this.offLinkpl), this.offLinkpl + off);
      return lo === hi ? cmp('eq', v, k(lo)) : and(cmp('ge', v, k(lo)), not(cmp('gt', v, k(hi))));
    };
    const op = (proto: number): Bool => {
      const isProto = cmp('eq', at(this.offLinkpl + 9, 1), k(proto));
      const firstFragment = not(cmp('set', at(this.offLinkpl + 6, 2), k(0x1fff)));
      return and(and(isProto, firstFragment), this.byDirection(dir, () => atom(0), () => atom(2), span, 'port'));
    };
    const b = ipProto === PROTO_UNDEF ? this.anyTransport(op) : op(ipProto);
    return and(this.linktype(ETHERTYPE_IP, span), b);
  }

  /** IPv6 `port`/`portrange` (gen_port6): the next header must be the transport (no extension headers). */
  private port6(lo: number, hi: number, ipProto: number, dir: Qual['dir'], span: Span): Bool {
    const atom = (off: number): Bool => {
      const v = at(this.offLinkpl + 40 + off, 2);
      return lo === hi ? cmp('eq', v, k(lo)) : and(cmp('ge', v, k(lo)), not(cmp('gt', v, k(hi))));
    };
    const op = (proto: number): Bool =>
      and(cmp('eq', at(this.offLinkpl + 6, 1), k(proto)), this.byDirection(dir, () => atom(0), () => atom(2), span, 'port'));
    const b = ipProto === PROTO_UNDEF ? this.anyTransport(op) : op(ipProto);
    return and(this.linktype(ETHERTYPE_IPV6, span), b);
  }

  /** The order libpcap tests tcp, udp and sctp in (it decides which loads run first). */
  private anyTransport(op: (proto: number) => Bool): Bool {
    const tcpOrUdp = or(op(IPPROTO_TCP), op(IPPROTO_UDP));
    return or(op(IPPROTO_SCTP), tcpOrUdp);
  }

  private ports(lo: number, hi: number, ipProto: number, dir: Qual['dir'], span: Span): Bool {
    if (lo > hi) [lo, hi] = [hi, lo];
    // IPv4 is generated first but tested second: gencode ORs the IPv6 test in front of it
    const v4 = this.port4(lo, hi, ipProto, dir, span);
    return or(this.port6(lo, hi, ipProto, dir, span), v4);
  }

  private portProtocol(proto: Qual['proto'], what: 'port' | 'portrange', span: Span): number {
    switch (proto) {
      case 'default': return PROTO_UNDEF;
      case 'tcp': return IPPROTO_TCP;
      case 'udp': return IPPROTO_UDP;
      case 'sctp': return IPPROTO_SCTP;
      default: return this.invalid(`illegal qualifier of '${what}'`, span);
    }
  }

  /** pcap_nametoport: the tcp entry, and `PROTO_UNDEF` when udp has the same number. */
  private servicePort(name: string): { port: number; proto: number } | null {
    const e = this.names.services().get(name);
    if (e === undefined) return null;
    if (e.tcp !== undefined) return { port: e.tcp, proto: e.udp === e.tcp ? PROTO_UNDEF : IPPROTO_TCP };
    if (e.udp !== undefined) return { port: e.udp, proto: IPPROTO_UDP };
    return null;
  }

  /** `tcp port NAME` must name a tcp service (gen_scode's checks), and so on. */
  private narrowServiceProto(qproto: number, real: number, name: string, what: string, span: Span): number {
    if (qproto === PROTO_UNDEF) return real;
    const label = (p: number) => (p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : 'sctp');
    if (real !== PROTO_UNDEF && real !== qproto) this.invalid(`${what} '${name}' is ${label(real)}`, span);
    return qproto;
  }

  // ---- values with qualifiers -----------------------------------------------------------

  private id(q: Qual, arg: IdArg, span: Span): Bool {
    const { proto, dir, addr } = q;
    if (proto === 'undef' || dir === 'undef' || addr === 'undef') return this.invalid('a value needs a qualifier', span);
    switch (arg.t) {
      case 'num': return this.numeric(arg.v, null, q, span);
      case 'hid': {
        this.rejectAddressAs(addr, span, 'IP address');
        return this.numeric(0, arg.s, q, span);
      }
      case 'hidlen':
      case 'hidmask': {
        this.rejectAddressAs(addr, span, arg.t === 'hidlen' ? 'IP address and prefix length' : 'IP address and netmask');
        return this.maskedNet(arg, q, span);
      }
      case 'hid6': {
        this.rejectAddressAs(addr, span, arg.explicitLen ? 'IP address and prefix length' : 'IP address');
        return this.ipv6(arg.s, arg.len, q, span);
      }
      case 'eid': {
        if ((addr === 'host' || addr === 'default') && proto === 'link') return this.etherHost(parseMac(arg.s), dir, span);
        return this.invalid('ethernet address used in non-ether expression', span);
      }
      case 'name': return this.named(arg.s, q, span);
    }
  }

  /** The grammar refuses an address where a port or protocol is expected. */
  private rejectAddressAs(addr: Qual['addr'], span: Span, what: string): void {
    if (addr === 'port' || addr === 'portrange' || addr === 'proto' || addr === 'protochain') {
      this.invalid(`'${addr}' modifier applied to ${what}`, span);
    }
  }

  /** gen_ncode: a number (`port 80`, `proto 6`, `host 10`) or a short dotted address (`net 10.1`). */
  private numeric(num: number, dotted: string | null, q: Qual, span: Span): Bool {
    let v = num >>> 0;
    let vlen = 32;
    if (dotted !== null) {
      const r = atoin(dotted);
      if (r === null) this.invalid(`invalid IPv4 address '${dotted}'`, span);
      v = r.v;
      vlen = r.len;
    }
    const { proto, dir, addr } = q;
    switch (addr) {
      case 'default':
      case 'host':
      case 'net': {
        if (proto === 'link') this.invalid('illegal link layer address', span);
        let mask = 0xffffffff;
        if (dotted === null && addr === 'net') {
          // a bare number as a network: `net 10` is 10.0.0.0/8
          while (v !== 0 && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0;
            mask = (mask << 8) >>> 0;
          }
        } else {
          // a short dotted address is a network even after `host`: `host 10.1` is 10.1.0.0/16
          v = vlen === 32 ? v : (v << (32 - vlen)) >>> 0;
          mask = vlen === 32 ? mask : (mask << (32 - vlen)) >>> 0;
        }
        return this.host4(v, mask, proto as Qual['proto'], dir, addr === 'net' ? 'net' : 'host', span);
      }
      case 'port':
      case 'portrange': {
        const ipProto = this.portProtocol(proto, addr, span);
        if (v > 65535) this.invalid(`illegal port number ${v} > 65535`, span);
        return this.ports(v, v, ipProto, dir, span);
      }
      case 'gateway': return this.unsupported("'gateway'", span);
      case 'proto': return this.proto(v, proto as ProtoQual, span);
      case 'protochain': return this.unsupported("'protochain'", span);
      case 'undef': return this.invalid('a value needs a qualifier', span);
    }
  }

  /** gen_mcode: `net a.b.c.d/len` and `net a.b.c.d mask m.m.m.m`. */
  private maskedNet(arg: Extract<IdArg, { t: 'hidlen' | 'hidmask' }>, q: Qual, span: Span): Bool {
    const n = atoin(arg.s);
    if (n === null) return this.invalid(`invalid IPv4 address '${arg.s}'`, span);
    const net = n.len === 32 ? n.v : (n.v << (32 - n.len)) >>> 0;
    let mask: number;
    if (arg.t === 'hidmask') {
      const m = atoin(arg.mask);
      if (m === null) return this.invalid(`invalid IPv4 address '${arg.mask}'`, span);
      mask = m.len === 32 ? m.v : (m.v << (32 - m.len)) >>> 0;
      if ((net & ~mask) !== 0) this.invalid(`non-network bits set in "${arg.s} mask ${arg.mask}"`, span);
    } else {
      if (arg.len > 32) this.invalid('mask length must be <= 32', span);
      mask = arg.len === 0 ? 0 : (0xffffffff << (32 - arg.len)) >>> 0;
      if ((net & ~mask) !== 0) this.invalid(`non-network bits set in "${arg.s}/${arg.len}"`, span);
    }
    if (q.addr !== 'net') return this.invalid('Mask syntax for networks only', span);
    return this.host4(net, mask, q.proto as ProtoQual, q.dir, 'net', span);
  }

  /** gen_mcode6: an IPv6 address, `/len` allowed for networks. */
  private ipv6(text: string, len: number, q: Qual, span: Span): Bool {
    const a = parseIPv6(text);
    if (a === null) return this.invalid(`invalid ip6 address ${text}`, span);
    if (len > 128) this.invalid('mask length must be <= 128', span);
    const mask = new Uint8Array(16);
    mask.fill(0xff, 0, len >> 3);
    if (len % 8 !== 0) mask[len >> 3] = (0xff << (8 - (len % 8))) & 0xff;
    for (let i = 0; i < 16; i++) {
      if ((a[i] & ~mask[i]) !== 0) this.invalid(`non-network bits set in "${text}/${len}"`, span);
    }
    switch (q.addr) {
      case 'default':
      case 'host':
        if (len !== 128) this.invalid('Mask syntax for networks only', span);
        return this.host6(a, mask, q.proto as ProtoQual, q.dir, 'host', span);
      case 'net':
        return this.host6(a, mask, q.proto as ProtoQual, q.dir, 'net', span);
      default:
        return this.invalid('invalid qualifier against IPv6 address', span);
    }
  }

  /** gen_scode: a name (host name, service, protocol, `80-90` range). */
  private named(name: string, q: Qual, span: Span): Bool {
    const { proto, dir, addr } = q;
    switch (addr) {
      case 'net':
        return this.unsupported(`network names ('net ${name}'); write the network as a.b.c.d/len`, span);
      case 'default':
      case 'host': {
        if (proto === 'link') return this.unsupported(`Ethernet host names ('${name}'); write the MAC address`, span);
        const list = this.names.hosts().get(name);
        if (list === undefined || list.length === 0) this.invalid(`unknown host '${name}' (tcpscope looks names up in /etc/hosts only)`, span);
        // without a type field (raw IP, loopback) libpcap narrows a bare host name to ip/ip6
        const noTypeField = this.link.offLinktype < 0;
        const p4 = noTypeField && proto === 'default' ? 'ip' : proto;
        const p6 = noTypeField && proto === 'default' ? 'ip6' : proto;
        let b: Bool | null = null;
        for (const h of list) {
          let t: Bool;
          if (h.family === 4) {
            if (p4 === 'ip6') continue;
            t = this.host4(h.v4, 0xffffffff, p4, dir, 'host', span);
          } else {
            if (p6 === 'ip') continue;
            t = this.host6(h.v6!, new Uint8Array(16).fill(0xff), p6, dir, 'host', span);
          }
          b = b === null ? t : or(b, t);
        }
        if (b === null) return this.invalid(`unknown host '${name}'${proto === 'default' ? '' : ' for specified address family'}`, span);
        return b;
      }
      case 'port': {
        const qp = this.portProtocol(proto, 'port', span);
        const sp = this.servicePort(name);
        if (sp === null) return this.invalid(`unknown port '${name}'`, span);
        const real = this.narrowServiceProto(qp, sp.proto, name, 'port', span);
        return this.ports(sp.port, sp.port, real, dir, span);
      }
      case 'portrange': {
        const qp = this.portProtocol(proto, 'portrange', span);
        const r = this.portRange(name);
        if (r === null) return this.invalid(`unknown port in range '${name}'`, span);
        const real = this.narrowServiceProto(qp, r.proto, name, 'port in range', span);
        if (r.lo > 65535) this.invalid(`illegal port number ${r.lo} > 65535`, span);
        if (r.hi > 65535) this.invalid(`illegal port number ${r.hi} > 65535`, span);
        return this.ports(r.lo, r.hi, real, dir, span);
      }
      case 'proto': {
        const v = this.protoByName(name, proto as ProtoQual, span);
        return this.proto(v, proto as ProtoQual, span);
      }
      case 'gateway': return this.unsupported("'gateway'", span);
      case 'protochain': return this.unsupported("'protochain'", span);
      case 'undef': return this.invalid('a value needs a qualifier', span);
    }
  }

  /** pcap_nametoportrange: `80-90`, or two service names joined by `-`. */
  private portRange(name: string): { lo: number; hi: number; proto: number } | null {
    const m = /^\s*([+-]?\d+)-([+-]?\d+)/.exec(name);
    if (m !== null) return { lo: Number(m[1]) >>> 0, hi: Number(m[2]) >>> 0, proto: PROTO_UNDEF };
    const dash = name.indexOf('-');
    if (dash < 0) return null;
    const a = this.servicePort(name.slice(0, dash));
    const b = this.servicePort(name.slice(dash + 1));
    if (a === null || b === null) return null;
    return { lo: a.port, hi: b.port, proto: a.proto === b.proto ? a.proto : PROTO_UNDEF };
  }

  /** lookup_proto: IP protocol names for ip/ip6/default, Ethernet type or LLC names for ether. */
  private protoByName(name: string, proto: ProtoQual, span: Span): number {
    if (proto === 'default' || proto === 'ip' || proto === 'ip6') {
      const v = this.names.protocols().get(name);
      if (v === undefined) return this.invalid(`unknown ip proto '${name}'`, span);
      return v;
    }
    if (proto === 'link') {
      const v = ETHER_PROTO_NAMES.get(name) ?? LLC_SAP_NAMES.get(name);
      if (v === undefined) return this.invalid(`unknown ether proto '${name}'`, span);
      return v;
    }
    return this.invalid(`unknown protocol: ${name}`, span);
  }

  // ---- arithmetic -----------------------------------------------------------------------

  private relation(n: Extract<Node, { k: 'rel' }>): Bool {
    const a = this.arith(n.a);
    const b = this.arith(n.b);
    const checks = a.checks === null ? b.checks : b.checks === null ? a.checks : and(a.checks, b.checks);
    // the optimizer drops unreachable code before it folds constants
    if (checks !== null && checks.t === 'false') return FALSE;
    // libpcap's optimizer refuses the division when it folds the divisor, which it does only
    // if nothing before has made the comparison unreachable: decided after optimization
    const divZero = a.divZero ?? b.divZero;
    if (divZero !== null) return andOpt(checks, refused(new LinkTypeError(invalidError(divZero, this.expr, n.span))));
    let test = cmp(n.op, a.val, b.val);
    // libpcap computes a relation its own way (gen_relation: A - X, then a jump): its
    // optimizer decides a relation from another relation on the same values, never from a
    // protocol test of the same bytes (`ether[12:2] = 0x800 and arp` is not refused)
    if (test.t === 'cmp') test = { ...test, rel: true };
    if (n.neg) test = not(test);
    // a side computed by arithmetic that folds to a constant leaves a decided comparison in
    // libpcap's program, and the tests before it (with their loads) stay; two bare literals
    // (`1 = 2`) are folded away completely
    if ((test.t === 'true' || test.t === 'false') && (isArithmetic(n.a) || isArithmetic(n.b))) test = fixed(test.t === 'true');
    return andOpt(checks, test);
  }

  private arith(a: Arith): ArithValue {
    switch (a.k) {
      case 'num': return { checks: null, val: k(a.v), divZero: null };
      case 'len': return { checks: null, val: LEN, divZero: null };
      case 'neg': {
        const x = this.arith(a.a);
        return { checks: x.checks, val: neg(x.val), divZero: x.divZero };
      }
      case 'bin': {
        const l = this.arith(a.a);
        const r = this.arith(a.b);
        const first = leftmostLiteral(a.b);
        if (first !== null) {
          if (a.op === '/' && first === 0) this.invalid('division by zero', a.span);
          if (a.op === '%' && first === 0) this.invalid('modulus by zero', a.span);
          if ((a.op === '<<' || a.op === '>>') && first > 31) this.invalid('shift by more than 31 bits', a.span);
        }
        let divZero = l.divZero ?? r.divZero;
        if ((a.op === '/' || a.op === '%') && isConst(r.val) && r.val.v === 0) {
          divZero ??= a.op === '/' ? 'division by zero' : 'modulus by zero';
        }
        // libpcap's gen_arth keeps only the LEFT operand's protocol checks: in `ip[0] + tcp[0]`
        // nothing checks that the packet is TCP (tcpdump does the same)
        return { checks: l.checks, val: divZero === null ? alu(a.op, l.val, r.val) : l.val, divZero };
      }
      case 'load': return this.load(a);
    }
  }

  /** `proto[index:size]` (gen_load). */
  private load(a: Extract<Arith, { k: 'load' }>): ArithValue {
    if (a.size !== 1 && a.size !== 2 && a.size !== 4) this.invalid('data size must be 1, 2, or 4', a.span);
    const size = a.size as 1 | 2 | 4;
    const inst = this.arith(a.index);
    const p = a.proto;
    const divZero = inst.divZero;
    if (p === 'link') return { checks: inst.checks, val: ld(size, inst.val, 0), divZero };
    if (p === 'ip' || p === 'arp' || p === 'rarp' || p === 'ip6') {
      const val = ld(size, inst.val, this.offLinkpl);
      return { checks: andOpt(inst.checks, this.protoAbbrev(p, a.span)), val, divZero };
    }
    if (IPV4_TRANSPORTS.has(p)) {
      // relative to the transport header after the IPv4 header, first fragments only
      const x = iphl(this.offLinkpl);
      const val = isConst(inst.val)
        ? ld(size, x, (this.offLinkpl + inst.val.v) >>> 0)
        : ld(size, alu('+', inst.val, x), this.offLinkpl);
      const firstFragment = not(cmp('set', at(this.offLinkpl + 6, 2), k(0x1fff)));
      const inner = andOpt(inst.checks, and(this.protoAbbrev(p, a.span), firstFragment));
      return { checks: and(this.linktype(ETHERTYPE_IP, a.span), inner), val, divZero };
    }
    if (p === 'icmp6') {
      // right after the fixed IPv6 header; no extension headers
      const val = ld(size, inst.val, this.offLinkpl + 40);
      const checks = and(andOpt(inst.checks, this.linktype(ETHERTYPE_IPV6, a.span)), cmp('eq', at(this.offLinkpl + 6, 1), k(IPPROTO_ICMPV6)));
      return { checks, val, divZero };
    }
    return this.invalid(`unsupported index operation on '${p}'`, a.span);
  }
}

function isArithmetic(a: Arith): boolean {
  return a.k === 'bin' || a.k === 'neg';
}

// ---- address parsing (libpcap's own rules, not inet_aton's) -----------------------------

/** __pcap_atoin: 1 to 4 decimal parts; the length in bits says how many were given. */
export function atoin(s: string): { v: number; len: number } | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  let v = 0;
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    v = ((v << 8) | n) >>> 0;
  }
  return { v, len: 8 * parts.length };
}

/** pcap_ether_aton: hex digits in ones or twos, optionally separated by `:`, `.` or `-`. */
export function parseMac(s: string): Uint8Array {
  const out = new Uint8Array(6);
  let i = 0;
  let n = 0;
  const hex = (c: string | undefined) => c !== undefined && /[0-9A-Fa-f]/.test(c);
  while (i < s.length && n < 6) {
    if (s[i] === ':' || s[i] === '.' || s[i] === '-') i++;
    let d = parseInt(s[i++], 16);
    if (hex(s[i])) d = (d << 4) | parseInt(s[i++], 16);
    out[n++] = d;
  }
  return out;
}

