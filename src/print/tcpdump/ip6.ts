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
  const jumbo = jumboState;
  jumbo.payloadLen = (d[bp + 4] << 8) | d[bp + 5];
  jumbo.found = false;
  const payloadLen = jumbo.payloadLen;
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) ctx.s += 'truncated-ip6 - ' + (len - length) + ' bytes missing!';
  } else {
    // payload length 0: use what the link says until a Jumbo Payload option tells the length
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
  let totalAdvance = 0;
  let fragmented = 0;
  while (cp < ctx.snapend && advance > 0) {
    if (len < advance) {
      ctx.trunc();
      ctx.popSnapend(savedSnapend);
      return;
    }
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === bp + 40 && nh !== IPPROTO.TCP && nh !== IPPROTO.UDP && nh !== IPPROTO.DCCP && nh !== IPPROTO.SCTP) {
      ctx.s += ctx.names.ip6At(d, bp + 8) + ' > ' + ctx.names.ip6At(d, bp + 24) + ': ';
    }
    switch (nh) {
      case IPPROTO.HOPOPTS:
        // RFC 8200: a Hop-by-Hop Options header may only come right after the IPv6 header
        if (cp !== bp + 40) {
          ctx.s += "[The Hop-by-Hop Options header don't follow the IPv6 header]";
          ctx.invalid();
          ctx.popSnapend(savedSnapend);
          return;
        }
        advance = hbhOptProcess(ctx, cp, jumbo);
        if (advance < 0) { ctx.popSnapend(savedSnapend); return; }
        nh = ctx.u8(cp);
        break;
      case IPPROTO.DSTOPTS:
        advance = dstOptProcess(ctx, cp);
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
      default:
        if (payloadLen === 0) {
          // the header said 0: the length is the Jumbo Payload option's, or nothing at all
          len = (jumbo.found ? jumbo.payloadLen : 0) + 40;
          if (len < totalAdvance) {
            ctx.trunc();
            ctx.popSnapend(savedSnapend);
            return;
          }
          if (length < len) ctx.s += 'truncated-ip6 - ' + (len - length) + ' bytes missing!';
          ctx.snapend = Math.min(savedSnapend, bp + len);
          len -= totalAdvance;
        }
        ipDemuxPrint(ctx, cp, len, 6, fragmented, d[bp + 7], nh, bp);
        ctx.popSnapend(savedSnapend);
        return;
    }
    ctx.protocol = 'ip6';
  }
  ctx.popSnapend(savedSnapend);
}

/** what hop-by-hop processing learns about a Jumbo Payload option (reused, no allocation) */
interface JumboState {
  found: boolean;
  payloadLen: number;
}
const jumboState: JumboState = { found: false, payloadLen: 0 };

/** hbhopt_process: `HBH ` and (with -v) the options; the header length, -1 when cut. */
function hbhOptProcess(ctx: PrintContext, cp: number, jumbo: JumboState): number {
  ctx.protocol = 'hbhopt';
  const hlen = (ctx.u8(cp + 1) + 1) << 3;
  if (!ctx.ttest(cp, hlen)) {
    ctx.trunc();
    return -1;
  }
  ctx.s += 'HBH ';
  if (!ip6OptProcess(ctx, cp + 2, hlen - 2, jumbo)) {
    ctx.trunc();
    return -1;
  }
  return hlen;
}

/** dstopt_process: `DSTOPT ` and (with -v) the options. */
function dstOptProcess(ctx: PrintContext, cp: number): number {
  ctx.protocol = 'dstopt';
  const hlen = (ctx.u8(cp + 1) + 1) << 3;
  if (!ctx.ttest(cp, hlen)) {
    ctx.trunc();
    return -1;
  }
  ctx.s += 'DSTOPT ';
  if (ctx.vflag && !ip6OptProcess(ctx, cp + 2, hlen - 2, null)) {
    ctx.trunc();
    return -1;
  }
  return hlen;
}

const IP6OPT_PAD1 = 0;
const IP6OPT_PADN = 1;
const IP6OPT_JUMBO = 0xc2;
const IP6OPT_ROUTER_ALERT = 5;
const IP6OPT_HOME_ADDRESS = 0xc9;

/**
 * ip6_opt_process: walks the options (finding a Jumbo Payload option in a hop-by-hop header when
 * `jumbo` is given), printing them only with -v. False when an option runs past the header.
 */
function ip6OptProcess(ctx: PrintContext, cp: number, len: number, jumbo: JumboState | null): boolean {
  if (len === 0) return true;
  const v = ctx.vflag > 0;
  let seenJumbo = false;
  let optlen = 0;
  for (let i = 0; i < len; i += optlen) {
    const type = ctx.u8(cp + i);
    if (type === IP6OPT_PAD1) optlen = 1;
    else if (i + 1 < len) optlen = ctx.u8(cp + i + 1) + 2;
    else return false;
    if (i + optlen > len) return false;
    const o = cp + i;
    switch (type) {
      case IP6OPT_PAD1:
        if (v) ctx.s += '(pad1)';
        break;
      case IP6OPT_PADN:
        if (len - i < 2) { ctx.s += '(padn: trunc)'; return false; }
        if (v) ctx.s += '(padn)';
        break;
      case IP6OPT_ROUTER_ALERT:
        if (len - i < 4) { ctx.s += '(rtalert: trunc)'; return false; }
        if (ctx.u8(o + 1) !== 2) { ctx.s += '(rtalert: invalid len ' + ctx.u8(o + 1) + ')'; return false; }
        if (v) ctx.s += '(rtalert: 0x' + HEXW(ctx.be16(o + 2), 4) + ') ';
        break;
      case IP6OPT_JUMBO: {
        if (len - i < 6) { ctx.s += '(jumbo: trunc)'; return false; }
        if (ctx.u8(o + 1) !== 4) { ctx.s += '(jumbo: invalid len ' + ctx.u8(o + 1) + ')'; return false; }
        const value = ctx.be32(o + 2);
        if (seenJumbo) {
          if (v) ctx.s += '(jumbo: ' + value + ' - already seen) ';
        } else {
          seenJumbo = true;
          if (jumbo === null) {
            if (v) ctx.s += '(jumbo: ' + value + ' - not a hop-by-hop option) ';
          } else if (jumbo.payloadLen !== 0) {
            if (v) ctx.s += '(jumbo: ' + value + ' - payload len != 0) ';
          } else if (value < 65536) {
            if (v) ctx.s += '(jumbo: ' + value + ' - < 65536) ';
          } else {
            jumbo.found = true;
            jumbo.payloadLen = value;
            if (v) ctx.s += '(jumbo: ' + value + ') ';
          }
        }
        break;
      }
      case IP6OPT_HOME_ADDRESS:
        if (len - i < 18) { ctx.s += '(homeaddr: trunc)'; return false; }
        if (ctx.u8(o + 1) < 16) { ctx.s += '(homeaddr: invalid len ' + ctx.u8(o + 1) + ')'; return false; }
        if (v) {
          ctx.need(o + 2, 16);
          ctx.s += '(homeaddr: ' + ctx.names.ip6At(ctx.d, o + 2) + ')';
        }
        break;
      default:
        if (len - i < 2) { ctx.s += '(type ' + type + ': trunc)'; return false; }
        if (v) ctx.s += '(opt_type 0x' + HEXW(type, 2) + ': len=' + ctx.u8(o + 1) + ')';
        break;
    }
  }
  if (v) ctx.s += ' ';
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
  const fragLen = (40 + plen - (cp - ip6) - 8) >>> 0;
  if (ctx.vflag) ctx.s += 'frag (0x' + HEXW(ctx.be32(cp + 4), 8) + ':' + (offlg & 0xfff8) + '|' + fragLen + ')';
  else ctx.s += 'frag (' + (offlg & 0xfff8) + '|' + fragLen + ')';
  if ((offlg & 0xfff8) !== 0) return -1;
  ctx.s += ' ';
  return 8;
}

/** rt6_print: `RT6 (len=2, type=0 [Deprecated], segleft=1, [0]ADDR) `; -1 when it cannot go on. */
function rt6Print(ctx: PrintContext, cp: number): number {
  ctx.protocol = 'rt6';
  const d = ctx.d;
  const len = ctx.u8(cp + 1);
  const type = ctx.u8(cp + 2);
  ctx.s += 'RT6 (len=' + len + ', type=' + type;
  if (type === 0) ctx.s += ' [Deprecated]';
  ctx.s += ', segleft=' + ctx.u8(cp + 3);
  if (type === 0 || type === 2 || type === 4) {
    if (type === 4) {
      ctx.s += ', last-entry=' + ctx.u8(cp + 4);
      const flags = ctx.u8(cp + 5);
      if (flags || ctx.vflag) ctx.s += ', flags=0x' + flags.toString(16);
      ctx.s += ', tag=' + ctx.be16(cp + 6).toString(16);
    } else {
      const rsv = ctx.be32(cp + 4);
      if (rsv || ctx.vflag) ctx.s += ', rsv=0x' + rsv.toString(16);
    }
    if (len % 2 === 1) {
      ctx.trunc();
      return -1;
    }
    const n = len >> 1;
    let a = cp + 8;
    for (let i = 0; i < n; i++) {
      ctx.need(a, 16);
      ctx.s += ', [' + i + ']' + ctx.names.ip6At(d, a);
      a += 16;
    }
    ctx.s += ') ';
    return (len + 1) << 3;
  }
  ctx.trunc();
  return -1;
}

ip6PrintRef.fn = ip6Print;
registerEtherType(0x86dd, (ctx, p, length) => ip6Print(ctx, p, length));
