/**
 * IPv6 (print-ip6.c) and its extension headers (print-ip6opts.c, print-frag6.c, print-rt6.c):
 * `IP6 ` (unless -e named the type), with -v `(class 0x.., flowlabel 0x....., hlim 64,
 * next-header TCP (6) payload length: 40) `, `SRC > DST: ` unless TCP/UDP/DCCP/SCTP print the
 * addresses with their ports, then `HBH `/`DSTOPT `/`srcrt (...) `/`frag (off|len) ` per header and
 * the upper-layer printer.
 */
import type { PrintContext } from './context.js';
import { registerEtherType } from './dispatch.js';
import { ip6PrintRef } from './ip.js';
import { ipDemuxPrint } from './ip-demux.js';
import { IPPROTO, IPPROTO_NAMES, tok2str } from './tok.js';

const HEXW = (v: number, w: number): string => {
  const s = v.toString(16);
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
};

export function ip6Print(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'ip6';
  if (!ctx.ttest(bp, 40)) { ctx.trunc(); return; }
  if (length < 40) {
    ctx.s += 'truncated-ip6 ' + length;
    return;
  }
  if (!ctx.eflag) ctx.s += 'IP6 ';
  const d = ctx.d;
  if (d[bp] >> 4 !== 6) {
    ctx.s += 'version error: ' + (d[bp] >> 4) + ' != 6';
    return;
  }
  const payloadLen = (d[bp + 4] << 8) | d[bp + 5];
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) ctx.s += 'truncated-ip6 - ' + (len - length) + ' bytes missing!';
  } else {
    len = length + 40;
  }
  const savedSnapend = ctx.pushSnapend(bp + len);
  let nh = d[bp + 6];
  if (ctx.vflag) {
    const flow = ((d[bp] << 24) | (d[bp + 1] << 16) | (d[bp + 2] << 8) | d[bp + 3]) >>> 0;
    let s = '(';
    if (flow & 0x0ff00000) s += 'class 0x' + HEXW((flow & 0x0ff00000) >>> 20, 2) + ', ';
    if (flow & 0x000fffff) s += 'flowlabel 0x' + HEXW(flow & 0x000fffff, 5) + ', ';
    s += 'hlim ' + d[bp + 7] + ', next-header ' + tok2str(IPPROTO_NAMES, 'unknown', nh) + ' (' + nh + ') payload length: ' + payloadLen + ') ';
    ctx.s += s;
  }

  let cp = bp;
  let advance = 40;
  let fragmented = 0;
  while (cp < ctx.snapend && advance > 0) {
    if (len < advance) {
      ctx.trunc();
      ctx.popSnapend(savedSnapend);
      return;
    }
    cp += advance;
    len -= advance;
    if (cp === bp + 40 && nh !== IPPROTO.TCP && nh !== IPPROTO.UDP && nh !== IPPROTO.DCCP && nh !== IPPROTO.SCTP) {
      ctx.need(bp + 8, 32);
      ctx.s += ctx.names.ip6At(d, bp + 8) + ' > ' + ctx.names.ip6At(d, bp + 24) + ': ';
    }
    switch (nh) {
      case IPPROTO.HOPOPTS:
        advance = optionsHeader(ctx, cp, 'HBH ', 'hbhopt');
        if (advance < 0) { ctx.popSnapend(savedSnapend); return; }
        nh = ctx.u8(cp);
        break;
      case IPPROTO.DSTOPTS:
        advance = optionsHeader(ctx, cp, 'DSTOPT ', 'dstopt');
        if (advance < 0) { ctx.popSnapend(savedSnapend); return; }
        nh = ctx.u8(cp);
        break;
      case IPPROTO.FRAGMENT:
        advance = frag6Print(ctx, cp, bp);
        if (advance < 0 || ctx.snapend <= cp + advance) { ctx.popSnapend(savedSnapend); return; }
        nh = ctx.u8(cp);
        fragmented = 1;
        break;
      case IPPROTO.ROUTING:
        if (!ctx.ttest(cp, 1)) { ctx.trunc(); ctx.popSnapend(savedSnapend); return; }
        advance = rt6Print(ctx, cp);
        if (advance < 0) { ctx.popSnapend(savedSnapend); return; }
        nh = ctx.u8(cp);
        break;
      case IPPROTO.MOBILITY:
      case IPPROTO.MOBILITY_OLD:
        ctx.protocol = 'mobility';
        ctx.s += 'mobility: ';
        ctx.trunc();
        ctx.popSnapend(savedSnapend);
        return;
      default:
        ipDemuxPrint(ctx, cp, len, 6, fragmented, d[bp + 7], nh, bp);
        ctx.popSnapend(savedSnapend);
        return;
    }
    ctx.protocol = 'ip6';
  }
  ctx.popSnapend(savedSnapend);
}

/** Hop-by-hop and destination options: `HBH ` plus, with -v, each option. Returns the header length, -1 when cut. */
function optionsHeader(ctx: PrintContext, cp: number, label: string, proto: string): number {
  ctx.protocol = proto;
  if (!ctx.ttest(cp, 2)) {
    ctx.s += label;
    ctx.trunc();
    return -1;
  }
  const hlen = (ctx.d[cp + 1] + 1) << 3;
  ctx.s += label;
  if (!ctx.ttest(cp, hlen)) {
    ctx.trunc();
    return -1;
  }
  if (ctx.vflag) {
    if (!ip6OptPrint(ctx, cp + 2, hlen - 2)) {
      ctx.trunc();
      return -1;
    }
  }
  return hlen;
}

const IP6OPT_PAD1 = 0;
const IP6OPT_PADN = 1;
const IP6OPT_JUMBO = 0xc2;
const IP6OPT_RPL = 0x63;
const IP6OPT_TUN_ENC_LIMIT = 4;
const IP6OPT_ROUTER_ALERT = 5;
const IP6OPT_QUICK_START = 6;
const IP6OPT_CALIPSO = 7;
const IP6OPT_HOME_ADDRESS = 0xc9;

/** ip6_opt_process with printing: false when cut. */
function ip6OptPrint(ctx: PrintContext, cp: number, len: number): boolean {
  const d = ctx.d;
  for (let i = 0; i < len; ) {
    if (!ctx.ttest(cp + i, 1)) return false;
    const type = d[cp + i];
    let optlen: number;
    if (type === IP6OPT_PAD1) optlen = 1;
    else {
      if (i + 1 < len) {
        if (!ctx.ttest(cp + i + 1, 1)) return false;
        optlen = d[cp + i + 1] + 2;
      } else {
        ctx.s += '[remaining length ' + (len - i) + ' < 2]';
        ctx.invalid();
        return true;
      }
    }
    if (i + optlen > len) {
      ctx.s += '[remaining length ' + (len - i) + ' < option length ' + optlen + ']';
      ctx.invalid();
      return true;
    }
    if (!ctx.ttest(cp + i, optlen)) return false;
    const o = cp + i;
    switch (type) {
      case IP6OPT_PAD1:
        ctx.s += '(pad1)';
        break;
      case IP6OPT_PADN:
        if (len - i < 2) { ctx.s += '(padn: trunc)'; return true; }
        ctx.s += '(padn)';
        break;
      case IP6OPT_ROUTER_ALERT:
        if (len - i < 4) { ctx.s += '(rtalert: trunc)'; return true; }
        if (d[o + 1] !== 2) { ctx.s += '(rtalert: invalid len ' + d[o + 1] + ')'; return true; }
        ctx.s += '(rtalert: 0x' + HEXW((d[o + 2] << 8) | d[o + 3], 4) + ') ';
        break;
      case IP6OPT_JUMBO:
        if (len - i < 6) { ctx.s += '(jumbo: trunc)'; return true; }
        if (d[o + 1] !== 4) { ctx.s += '(jumbo: invalid len ' + d[o + 1] + ')'; return true; }
        ctx.s += '(jumbo: ' + ctx.be32(o + 2) + ') ';
        break;
      case IP6OPT_HOME_ADDRESS:
        if (len - i < 18) { ctx.s += '(homeaddr: trunc)'; return true; }
        if (d[o + 1] < 16) { ctx.s += '(homeaddr: invalid len ' + d[o + 1] + ')'; return true; }
        ctx.s += '(homeaddr: ' + ctx.names.ip6At(d, o + 2);
        if (d[o + 1] > 16) {
          ctx.s += '(homeaddr: trunc)'; // tcpdump's own odd wording for sub-options
        }
        ctx.s += ')';
        break;
      case IP6OPT_TUN_ENC_LIMIT:
      case IP6OPT_QUICK_START:
      case IP6OPT_CALIPSO:
      case IP6OPT_RPL:
      default:
        if (len - i < 2) { ctx.s += '(type 0x' + HEXW(type, 2) + ': trunc)'; return true; }
        ctx.s += '(opt_type 0x' + HEXW(type, 2) + ': len=' + d[o + 1] + ')';
        break;
    }
    i += optlen;
  }
  ctx.s += ' ';
  return true;
}

/** frag6_print: `frag (OFFSET|LEN) `; -1 for a later fragment (nothing more can be decoded). */
function frag6Print(ctx: PrintContext, cp: number, ip6: number): number {
  ctx.protocol = 'frag6';
  if (!ctx.ttest(cp, 8)) {
    ctx.trunc();
    return -1;
  }
  const d = ctx.d;
  const offlg = (d[cp + 2] << 8) | d[cp + 3];
  const plen = (d[ip6 + 4] << 8) | d[ip6 + 5];
  const fragLen = 40 + plen - (cp - ip6) - 8;
  if (ctx.vflag) ctx.s += 'frag (0x' + HEXW(ctx.be32(cp + 4), 8) + ':' + (offlg & 0xfff8) + '|' + fragLen + ')';
  else ctx.s += 'frag (' + (offlg & 0xfff8) + '|' + fragLen + ')';
  if ((offlg & 0xfff8) !== 0) return -1;
  ctx.s += ' ';
  return 8;
}

/** rt6_print: `srcrt (len=2, type=0, segleft=1, [0]ADDR) `. */
function rt6Print(ctx: PrintContext, cp: number): number {
  ctx.protocol = 'rt6';
  const d = ctx.d;
  const len = ctx.u8(cp + 1);
  const type = ctx.u8(cp + 2);
  ctx.s += 'srcrt (len=' + len + ', type=' + type;
  if (type === 0) ctx.s += ', RFC 5095 deprecated';
  ctx.s += ', segleft=' + ctx.u8(cp + 3);
  switch (type) {
    case 0:
    case 2: {
      const rsv = ctx.be32(cp + 4);
      if (rsv || ctx.vflag) ctx.s += ', rsv=0x' + rsv.toString(16);
      let n = len;
      if (n % 2 === 1) {
        ctx.s += ' [invalid length ' + n + ']';
        ctx.invalid();
        return -1;
      }
      n >>= 1;
      let a = cp + 8;
      for (let i = 0; i < n; i++) {
        ctx.need(a, 16);
        ctx.s += ', [' + i + ']' + ctx.names.ip6At(d, a);
        a += 16;
      }
      ctx.s += ') ';
      return (len + 1) << 3;
    }
    case 4: {
      const lastEntry = ctx.u8(cp + 4);
      ctx.s += ', last-entry=' + lastEntry;
      const flags = ctx.u8(cp + 5);
      ctx.s += ', flags=0x' + flags.toString(16);
      ctx.s += ', tag=' + ctx.be16(cp + 6).toString(16);
      let n = len;
      if (n % 2 === 1) {
        ctx.s += ' [invalid length ' + n + ']';
        ctx.invalid();
        return -1;
      }
      n >>= 1;
      let a = cp + 8;
      for (let i = 0; i < n; i++) {
        ctx.need(a, 16);
        ctx.s += ', [' + i + ']' + ctx.names.ip6At(d, a);
        a += 16;
      }
      ctx.s += ') ';
      return (len + 1) << 3;
    }
    default:
      ctx.s += ' (unknown type)';
      ctx.trunc();
      return -1;
  }
}

ip6PrintRef.fn = ip6Print;
registerEtherType(0x86dd, (ctx, p, length) => ip6Print(ctx, p, length));
