/**
 * IPv4 (print-ip.c): `IP ` (unless -e already named the type), with -v the header in parentheses
 * `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60[, options (...)][, bad
 * cksum ...])` and a newline + four spaces; then the transport printer for the first fragment, or
 * `SRC > DST: ip-proto-N` for later fragments. The snap end is cut to the IP total length so
 * Ethernet padding is never read as payload.
 */
import { foldSum, onesSum } from '../../decode/checksum.js';
import { type PrintContext, TRUNCATED } from './context.js';
import { registerEtherType, registerIpProto } from './dispatch.js';
import { ipDemuxPrint } from './ip-demux.js';
import { IPPROTO, IPPROTO_NAMES, bittok2str, toMap, tok2str } from './tok.js';

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_RR = 7;
const IPOPT_TS = 68;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;
const IPOPT_RA = 148;

const IP_OPTION_NAMES = toMap([
  [IPOPT_EOL, 'EOL'], [IPOPT_NOP, 'NOP'], [IPOPT_TS, 'timestamp'], [130, 'security'], [IPOPT_RR, 'RR'],
  [IPOPT_SSRR, 'SSRR'], [IPOPT_LSRR, 'LSRR'], [IPOPT_RA, 'RA'], [82, 'traceroute'],
]);
const IP_FRAG_BITS: ReadonlyArray<readonly [number, string]> = [[0x2000, '+'], [0x4000, 'DF'], [0x8000, 'rsvd']];

/** ip_print: an IPv4 datagram at `p`, `length` bytes long as far as the layer below knows. */
export function ipPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ip';
  const vhl = ctx.u8(p);
  if (vhl >> 4 !== 4) {
    ctx.s += vhl >> 4 === 6 ? 'IP6, wrong link-layer encapsulation' : 'IP' + (vhl >> 4);
    ctx.invalid();
    return;
  }
  if (!ctx.eflag) ctx.s += 'IP ';
  if (!ctx.ttest(p, 20)) { ctx.trunc(); return; }
  if (length < 20) {
    ctx.s += 'truncated-ip ' + length;
    return;
  }
  const hlen = (vhl & 0x0f) * 4;
  if (hlen < 20) {
    ctx.s += 'bad-hlen ' + hlen;
    return;
  }
  const d = ctx.d;
  let len = (d[p + 2] << 8) | d[p + 3];
  if (length < len) ctx.s += 'truncated-ip - ' + (len - length) + ' bytes missing! ';
  if (len < hlen) {
    // (tcpdump as Debian builds it has no GUESS_TSO: a total length of 0 is an error too)
    ctx.s += 'bad-len ' + len;
    return;
  }
  const savedSnapend = ctx.pushSnapend(p + len);
  len -= hlen;
  const off = (d[p + 6] << 8) | d[p + 7];
  const proto = d[p + 9];
  let truncated = false;

  if (ctx.vflag) {
    const tos = d[p + 1];
    let s = '(tos 0x' + tos.toString(16);
    switch (tos & 3) {
      case 1: s += ',ECT(1)'; break;
      case 2: s += ',ECT(0)'; break;
      case 3: s += ',CE'; break;
    }
    const ttl = d[p + 8];
    if (ttl >= 1) s += ', ttl ' + ttl;
    s += ', id ' + ((d[p + 4] << 8) | d[p + 5]) + ', offset ' + (off & 0x1fff) * 8 + ', flags [' +
      bittok2str(IP_FRAG_BITS, 'none', off & 0xe000) + '], proto ' + tok2str(IPPROTO_NAMES, 'unknown', proto) + ' (' + proto + ')' +
      ', length ' + ((d[p + 2] << 8) | d[p + 3]);
    ctx.s += s;
    if (hlen > 20) {
      ctx.s += ', options (';
      if (!ipOptPrint(ctx, p + 20, hlen - 20)) {
        ctx.s += ' [truncated-option]';
        truncated = true;
      }
      ctx.s += ')';
    }
    if (!ctx.Kflag && p + hlen <= ctx.snapend) {
      const sum = ~foldSum(onesSum(d, p, hlen)) & 0xffff;
      if (sum !== 0) {
        const ipSum = (d[p + 10] << 8) | d[p + 11];
        ctx.s += ', bad cksum ' + ipSum.toString(16) + ' (->' + shouldBe(ipSum, sum).toString(16) + ')!';
      }
    }
    ctx.s += ')\n    ';
    if (truncated) {
      ctx.s += ctx.names.ip4At(d, p + 12) + ' > ' + ctx.names.ip4At(d, p + 16) + ': ';
      ctx.trunc();
      ctx.popSnapend(savedSnapend);
      return;
    }
  }

  if ((off & 0x1fff) === 0) {
    if (proto !== IPPROTO.TCP && proto !== IPPROTO.UDP && proto !== IPPROTO.SCTP && proto !== IPPROTO.DCCP) {
      ctx.s += ctx.names.ip4At(d, p + 12) + ' > ' + ctx.names.ip4At(d, p + 16) + ': ';
    }
    if (!ctx.ttest(p, hlen)) {
      ctx.s += ' [remaining caplen(' + ctx.bytesAfter(p) + ') < header length(' + hlen + ')]';
      throw TRUNCATED;
    }
    ipDemuxPrint(ctx, p + hlen, len, 4, off & 0x3fff, d[p + 8], proto, p);
  } else {
    ctx.s += ctx.names.ip4At(d, p + 12) + ' > ' + ctx.names.ip4At(d, p + 16) + ':';
    const name = ctx.names.protoName(proto);
    ctx.s += name !== undefined ? ' ' + name : ' ip-proto-' + proto;
  }
  ctx.popSnapend(savedSnapend);
}

function shouldBe(field: number, computed: number): number {
  let s = field + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

/** ip_optprint: false when the options were cut by the snap length. */
function ipOptPrint(ctx: PrintContext, cp: number, length: number): boolean {
  let sep = '';
  while (length > 0) {
    ctx.s += sep;
    sep = ',';
    if (!ctx.ttest(cp, 1)) return false;
    const code = ctx.d[cp];
    ctx.s += tok2str(IP_OPTION_NAMES, 'unknown %u', code);
    let optLen: number;
    if (code === IPOPT_NOP || code === IPOPT_EOL) optLen = 1;
    else {
      if (!ctx.ttest(cp + 1, 1)) return false;
      optLen = ctx.d[cp + 1];
      if (optLen < 2) {
        ctx.s += ' [bad length ' + optLen + ']';
        return true;
      }
    }
    if (optLen > length) {
      ctx.s += ' [bad length ' + optLen + ']';
      return true;
    }
    if (!ctx.ttest(cp, optLen)) return false;
    switch (code) {
      case IPOPT_EOL:
        return true;
      case IPOPT_TS:
        if (!ipPrintTs(ctx, cp, optLen)) return false;
        break;
      case IPOPT_RR:
      case IPOPT_SSRR:
      case IPOPT_LSRR:
        if (!ipPrintRoute(ctx, cp, optLen)) return false;
        break;
      case IPOPT_RA:
        if (optLen < 4) {
          ctx.s += ' [bad length ' + optLen + ']';
          break;
        }
        if (!ctx.ttest(cp + 3, 1)) return false;
        {
          const v = (ctx.d[cp + 2] << 8) | ctx.d[cp + 3];
          if (v !== 0) ctx.s += ' value ' + v;
        }
        break;
      default:
        break;
    }
    cp += optLen;
    length -= optLen;
  }
  return true;
}

function ipPrintRoute(ctx: PrintContext, cp: number, length: number): boolean {
  if (length < 3) {
    ctx.s += ' [bad length ' + length + ']';
    return true;
  }
  if ((length + 1) & 3) ctx.s += ' [bad length ' + length + ']';
  if (!ctx.ttest(cp + 2, 1)) return false;
  const ptr = ctx.d[cp + 2] - 1;
  if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) ctx.s += ' [bad ptr ' + ctx.d[cp + 2] + ']';
  for (let len = 3; len < length; len += 4) {
    if (!ctx.ttest(cp + len, 4)) return false;
    ctx.s += ' ' + ctx.names.ip4At(ctx.d, cp + len);
    if (ptr > len) ctx.s += ',';
  }
  return true;
}

function ipPrintTs(ctx: PrintContext, cp: number, length: number): boolean {
  if (length < 4) {
    ctx.s += '[bad length ' + length + ']';
    return true;
  }
  ctx.s += ' TS{';
  if (!ctx.ttest(cp + 3, 1)) return false;
  const flags = ctx.d[cp + 3];
  const hoplen = (flags & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) ctx.s += '[bad length ' + length + ']';
  const ptr = ctx.d[cp + 2] - 1;
  let len = 0;
  if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1) ctx.s += '[bad ptr ' + ctx.d[cp + 2] + ']';
  let ok = true;
  switch (flags & 0xf) {
    case 0: ctx.s += 'TSONLY'; break;
    case 1: ctx.s += 'TS+ADDR'; break;
    case 2: ctx.s += 'PRESPEC2.0'; break;
    case 3: ctx.s += 'PRESPEC'; break;
    default:
      ctx.s += '[bad ts type ' + (flags & 0xf) + ']';
      ok = false;
  }
  if (ok) {
    let type = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = ' ^ ';
      if (!ctx.ttest(cp + len, hoplen)) return false;
      const d = ctx.d;
      const o = cp + len + hoplen - 4;
      ctx.s += type + (((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0) + '@' + (hoplen !== 8 ? '' : ctx.names.ip4At(d, cp + len));
      type = ' ';
    }
  }
  ctx.s += ptr === len ? ' ^ ' : '';
  if (flags >> 4) ctx.s += ' [' + (flags >> 4) + ' hops not recorded]} ';
  else ctx.s += '}';
  return true;
}

/** ipN_print: IPv4 or IPv6 by the version nibble (raw IP link types, GRE, ...). */
export function ipNPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ipN';
  if (length < 1) {
    ctx.s += 'truncated-ip ' + length;
    return;
  }
  if (!ctx.ttest(p, 1)) { ctx.trunc(); return; }
  switch (ctx.d[p] & 0xf0) {
    case 0x40: ipPrint(ctx, p, length); break;
    case 0x60: ip6PrintRef.fn(ctx, p, length); break;
    default: ctx.s += 'unknown ip ' + ((ctx.d[p] & 0xf0) >> 4);
  }
}

/** ip6.ts fills this in (keeps ip.ts and ip6.ts free of an import cycle). */
export const ip6PrintRef: { fn: (ctx: PrintContext, p: number, length: number) => void } = {
  fn: (ctx) => { ctx.s += 'IP6'; },
};

registerEtherType(0x0800, (ctx, p, length) => ipPrint(ctx, p, length));
// IP in IP (RFC 2003) and IPv6 in IP (RFC 4213)
registerIpProto(4, (ctx, p, length) => ipPrint(ctx, p, length));
registerIpProto(41, (ctx, p, length) => ip6PrintRef.fn(ctx, p, length));

