/**
 * ICMPv6 (print-icmp6.c): `ICMP6, echo request, id 1, seq 1, length 64`,
 * `ICMP6, neighbor solicitation, who has fe80::1, length 32`, ...; with -v the checksum
 * (`[icmp6 sum ok] `) and the neighbor-discovery options.
 */
import { cksumShouldBe, foldSum, onesSum, pseudoSum6 } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { HEX2, hexOnly } from './hexdump.js';
import { ip6FinalDst } from './ip-addrs.js';
import { toMap, tok2str } from './tok.js';

const TYPE_NAMES = toMap([
  [1, 'destination unreachable'], [2, 'packet too big'], [3, 'time exceeded in-transit'], [4, 'parameter problem'],
  [128, 'echo request'], [129, 'echo reply'], [130, 'multicast listener query'], [131, 'multicast listener report'],
  [132, 'multicast listener done'], [133, 'router solicitation'], [134, 'router advertisement'],
  [135, 'neighbor solicitation'], [136, 'neighbor advertisement'], [137, 'redirect'], [138, 'router renumbering'],
  [139, 'who-are-you request'], [140, 'who-are-you reply'], [141, 'inverse neighbor solicitation'],
  [142, 'inverse neighbor advertisement'], [143, 'multicast listener report v2'], [144, 'ha discovery request'],
  [145, 'ha discovery reply'], [146, 'mobile router solicitation'], [147, 'mobile router advertisement'],
  [148, 'certification path solicitation'], [149, 'certification path advertisement'],
  [151, 'multicast router advertisement'], [152, 'multicast router solicitation'], [153, 'multicast router termination'],
  [155, 'RPL'],
]);
const UNREACH_NAMES = toMap([
  [0, 'unreachable route'], [1, 'unreachable prohibited'], [2, 'beyond scope'], [3, 'unreachable address'],
  [4, 'unreachable port'], [5, 'unreachable source address'], [6, 'unreachable reject route'],
]);
const NA_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']];
const ND_OPT_NAMES = toMap([
  [1, 'source link-address'], [2, 'destination link-address'], [3, 'prefix info'], [4, 'redirected header'],
  [5, 'mtu'], [7, 'advertisement interval'], [8, 'homeagent information'], [24, 'route info'], [25, 'rdnss'],
  [31, 'dnssl'], [14, 'nonce'],
]);

function hex(v: number, w: number): string {
  const s = v.toString(16);
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}

/** get_upperlayer: protocol and offset of the quoted packet's transport header, or -1. */
function quotedUpper(ctx: PrintContext, ip6: number): [number, number] {
  if (!ctx.ttest(ip6, 40)) return [-1, -1];
  let nh = ctx.d[ip6 + 6];
  let cp = ip6 + 40;
  for (;;) {
    switch (nh) {
      case 17:
      case 6:
        return ctx.ttest(cp, 4) ? [nh, cp] : [-1, -1];
      case 0:
      case 60:
      case 43:
        if (!ctx.ttest(cp, 2)) return [-1, -1];
        nh = ctx.d[cp];
        cp += (ctx.d[cp + 1] + 1) << 3;
        break;
      case 44:
        if (!ctx.ttest(cp, 8)) return [-1, -1];
        if ((ctx.be16(cp + 2) & 0xfff8) !== 0) return [-1, -1];
        nh = ctx.d[cp];
        cp += 8;
        break;
      case 51:
        if (!ctx.ttest(cp, 2)) return [-1, -1];
        nh = ctx.d[cp];
        cp += (ctx.d[cp + 1] + 2) << 2;
        break;
      default:
        return [-1, -1];
    }
  }
}

export function icmp6Print(ctx: PrintContext, bp: number, length: number, iph: number, _ver: number, fragmented: number): void {
  ctx.protocol = 'icmp6';
  const d = ctx.d;
  const type = ctx.u8(bp);
  if (ctx.vflag && !fragmented && ctx.ttest(bp, length)) {
    const field = ctx.be16(bp + 2);
    const sum = ~foldSum(onesSum(d, bp, length, pseudoSum6(d, iph + 8, ip6FinalDst(ctx, iph), 58, length))) & 0xffff;
    if (sum !== 0) ctx.s += '[bad icmp6 cksum 0x' + hex(field, 4) + ' -> 0x' + hex(cksumShouldBe(field, sum), 4) + '!] ';
    else ctx.s += '[icmp6 sum ok] ';
  }
  ctx.s += 'ICMP6, ' + tok2str(TYPE_NAMES, 'unknown icmp6 type (%u)', type);
  if (ctx.vflag && (type === 133 || type === 134 || type === 136 || type === 135 || type === 137 || type === 145 || type === 147)) {
    ctx.s += ', length ' + length;
  }
  const oip = bp + 8;
  switch (type) {
    case 1: {
      const code = ctx.u8(bp + 1);
      ctx.s += ', ' + tok2str(UNREACH_NAMES, 'unknown unreach code (%u)', code);
      switch (code) {
        case 0:
        case 1:
        case 3:
          ctx.need(oip + 24, 16);
          ctx.s += ' ' + ctx.names.ip6At(d, oip + 24);
          break;
        case 2:
          ctx.need(oip + 8, 32);
          ctx.s += ' ' + ctx.names.ip6At(d, oip + 24) + ', source address ' + ctx.names.ip6At(d, oip + 8);
          break;
        case 4: {
          const [prot, up] = quotedUpper(ctx, oip);
          if (up < 0) { ctx.trunc(); return; }
          const dport = ctx.be16(up + 2);
          const dst = ctx.names.ip6At(d, oip + 24);
          if (prot === 6) ctx.s += ', ' + dst + ' tcp port ' + ctx.names.tcpPort(dport);
          else if (prot === 17) ctx.s += ', ' + dst + ' udp port ' + ctx.names.udpPort(dport);
          else ctx.s += ', ' + dst + ' protocol ' + prot + ' port ' + dport + ' unreachable';
          break;
        }
        default:
          if (ctx.vflag <= 1) {
            ctx.s += ', length ' + length;
            ctx.unknownData('\n\t', bp, length);
            return;
          }
      }
      break;
    }
    case 2:
      ctx.s += ', mtu ' + ctx.be32(bp + 4);
      break;
    case 3: {
      const code = ctx.u8(bp + 1);
      if (code === 0) {
        ctx.need(oip + 24, 16);
        ctx.s += ' for ' + ctx.names.ip6At(d, oip + 24);
      } else if (code === 1) ctx.s += ' (reassembly)';
      else ctx.s += ', unknown code (' + code + ')';
      break;
    }
    case 4: {
      ctx.need(oip + 24, 16);
      const code = ctx.u8(bp + 1);
      const ptr = ctx.be32(bp + 4);
      ctx.s += code === 0 ? ', erroneous - octet ' + ptr : code === 1 ? ', next header - octet ' + ptr
        : code === 2 ? ', option - octet ' + ptr : code === 3 ? ', incomplete header chain - octet ' + ptr : ', code-#' + code;
      break;
    }
    case 128:
    case 129:
      ctx.s += ', id ' + ctx.be16(bp + 4) + ', seq ' + ctx.be16(bp + 6);
      break;
    case 133:
      if (ctx.vflag && !ndOptions(ctx, bp + 8, length - 8)) { ctx.trunc(); return; }
      break;
    case 134:
      if (ctx.vflag) {
        const flags = ctx.u8(bp + 5);
        ctx.s += '\n\thop limit ' + ctx.u8(bp + 4) + ', Flags [' + raFlags(flags) + '], pref ' + ['medium', 'high', 'rsv', 'low'][(flags >> 3) & 3] +
          ', router lifetime ' + ctx.be16(bp + 6) + 's, reachable time ' + ctx.be32(bp + 8) + 'ms, retrans timer ' + ctx.be32(bp + 12) + 'ms';
        if (!ndOptions(ctx, bp + 16, length - 16)) { ctx.trunc(); return; }
      }
      break;
    case 135:
      ctx.need(bp + 8, 16);
      ctx.s += ', who has ' + ctx.names.ip6At(d, bp + 8);
      if (ctx.vflag && !ndOptions(ctx, bp + 24, length - 24)) { ctx.trunc(); return; }
      break;
    case 136:
      ctx.need(bp + 8, 16);
      ctx.s += ', tgt is ' + ctx.names.ip6At(d, bp + 8);
      if (ctx.vflag) {
        const f = ctx.be32(bp + 4);
        let names = '';
        for (const [m, n] of NA_FLAGS) if (f & m) names += (names ? ', ' : '') + n;
        ctx.s += ', Flags [' + (names || 'none') + ']';
        if (!ndOptions(ctx, bp + 24, length - 24)) { ctx.trunc(); return; }
      }
      break;
    case 137:
      ctx.need(bp + 8, 32);
      ctx.s += ', ' + ctx.names.ip6At(d, bp + 24) + ' to ' + ctx.names.ip6At(d, bp + 8);
      if (ctx.vflag && !ndOptions(ctx, bp + 40, length - 40)) { ctx.trunc(); return; }
      break;
    case 130:
    case 131:
    case 132:
      ctx.s += ' max resp delay: ' + ctx.be16(bp + 4) + ' addr: ' + (ctx.need(bp + 8, 16), ctx.names.ip6At(d, bp + 8));
      break;
    case 143: {
      const n = ctx.be16(bp + 6);
      ctx.s += ', ' + n + ' group record(s)';
      break;
    }
    default:
      ctx.s += ', length ' + length;
      if (ctx.vflag <= 1) ctx.unknownData('\n\t', bp, length);
      return;
  }
  if (!ctx.vflag) ctx.s += ', length ' + length;
}

function raFlags(f: number): string {
  const out: string[] = [];
  if (f & 0x80) out.push('managed');
  if (f & 0x40) out.push('other stateful');
  if (f & 0x20) out.push('home agent');
  if (f & 0x08 && false) out.push('');
  return out.length ? out.join(', ') : 'none';
}

/** icmp6_opt_print: the neighbor-discovery options; false when cut. */
function ndOptions(ctx: PrintContext, cp: number, resid: number): boolean {
  const d = ctx.d;
  while (resid > 0) {
    if (!ctx.ttest(cp, 2)) return false;
    const type = d[cp];
    const len = d[cp + 1] << 3;
    if (len === 0) return false;
    if (resid < len) return false;
    if (!ctx.ttest(cp, len)) return false;
    ctx.s += '\n\t  ' + tok2str(ND_OPT_NAMES, 'unknown', type) + ' option (' + type + '), length ' + len + ' (' + (len >> 3) + '): ';
    switch (type) {
      case 1:
      case 2: {
        // print_lladdr: the option's bytes (padding included) joined by ':'
        let s = '';
        for (let i = 2; i < len; i++) s += (i > 2 ? ':' : '') + HEX2[d[cp + i]];
        ctx.s += s;
        break;
      }
      case 5:
        ctx.s += ctx.be32(cp + 4);
        break;
      default:
        if (ctx.vflag <= 1) {
          ctx.s += hexOnly('\n\t  ', d, cp + 2, len - 2, 0);
          return true;
        }
        break;
    }
    if (ctx.vflag > 1) ctx.s += hexOnly('\n\t    ', d, cp + 2, len - 2, 0);
    cp += len;
    resid -= len;
  }
  return true;
}

registerIpProto(58, icmp6Print);
