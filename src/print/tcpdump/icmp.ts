/**
 * ICMP (print-icmp.c): `ICMP echo request, id 7, seq 1, length 12`,
 * `ICMP 10.0.0.2 udp port 9999 unreachable, length 36`, ...; with -v a wrong checksum is flagged
 * and error messages (unreachable, redirect, time exceeded, ...) print the quoted IP header on a
 * new line through the IP printer.
 */
import { cksumShouldBe, foldSum, onesSum } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { ipPrint } from './ip.js';
import { toMap, tok2str } from './tok.js';

const UNREACH_TEXT = toMap([
  [0, 'net %s unreachable'],
  [1, 'host %s unreachable'],
  [5, '%s unreachable - source route failed'],
  [6, 'net %s unreachable - unknown'],
  [7, 'host %s unreachable - unknown'],
  [8, '%s unreachable - source host isolated'],
  [9, 'net %s unreachable - admin prohibited'],
  [10, 'host %s unreachable - admin prohibited'],
  [11, 'net %s unreachable - tos prohibited'],
  [12, 'host %s unreachable - tos prohibited'],
  [13, 'host %s unreachable - admin prohibited filter'],
  [14, 'host %s unreachable - host precedence violation'],
  [15, 'host %s unreachable - precedence cutoff'],
]);
const REDIRECT_TEXT = toMap([
  [0, 'redirect %s to net %s'],
  [1, 'redirect %s to host %s'],
  [2, 'redirect-tos %s to net %s'],
  [3, 'redirect-tos %s to host %s'],
]);
const TYPE_TEXT = toMap([
  [0, 'echo reply'],
  [3, 'destination unreachable'],
  [4, 'source quench'],
  [5, 'redirect'],
  [8, 'echo request'],
  [9, 'router advertisement'],
  [10, 'router solicitation'],
  [11, 'time exceeded'],
  [12, 'parameter problem'],
  [13, 'time stamp request'],
  [14, 'time stamp reply'],
  [15, 'information request'],
  [16, 'information reply'],
  [17, 'address mask request'],
  [18, 'address mask reply'],
]);

/** types whose body quotes the offending datagram */
function isErrorType(t: number): boolean {
  return t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
}

function fill(fmt: string, a: string, b = ''): string {
  const i = fmt.indexOf('%s');
  if (i < 0) return fmt;
  const first = fmt.slice(0, i) + a + fmt.slice(i + 2);
  const j = first.indexOf('%s', i + a.length);
  return j < 0 ? first : first.slice(0, j) + b + first.slice(j + 2);
}

/** icmp_tstamp_print: milliseconds since midnight UTC as HH:MM:SS.mmm */
function tstamp(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor((ms - msec) / 1000);
  const min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  const m = min - hrs * 60;
  return String(hrs).padStart(2, '0') + ':' + String(m).padStart(2, '0') + ':' + String(sec).padStart(2, '0') + '.' + String(msec).padStart(3, '0');
}

export function icmpPrint(ctx: PrintContext, bp: number, plen: number, iph: number, _ver: number, fragmented: number): void {
  ctx.protocol = 'icmp';
  const type = ctx.u8(bp);
  const code = ctx.u8(bp + 1);
  const n = ctx.names;
  const d = ctx.d;
  let str: string;
  const quotedDst = (): string => {
    ctx.need(bp + 24, 4);
    return n.ip4At(d, bp + 24);
  };
  switch (type) {
    case 0:
    case 8:
      str = 'echo ' + (type === 8 ? 'request' : 'reply') + ', id ' + ctx.be16(bp + 4) + ', seq ' + ctx.be16(bp + 6);
      break;
    case 3:
      switch (code) {
        case 2:
          str = quotedDst() + ' protocol ' + ctx.u8(bp + 17) + ' unreachable';
          break;
        case 3: {
          if (!ctx.ttest(bp + 17, 1)) { ctx.trunc(); return; }
          const oip = bp + 8;
          const hlen = (ctx.u8(oip) & 0x0f) * 4;
          const dport = ctx.be16(oip + hlen + 2);
          const proto = ctx.u8(oip + 9);
          ctx.need(oip + 16, 4);
          const dst = n.ip4At(d, oip + 16);
          if (proto === 6) str = dst + ' tcp port ' + n.tcpPort(dport) + ' unreachable';
          else if (proto === 17) str = dst + ' udp port ' + n.udpPort(dport) + ' unreachable';
          else str = dst + ' protocol ' + proto + ' port ' + dport + ' unreachable';
          break;
        }
        case 4: {
          const mtu = ctx.be16(bp + 6);
          str = mtu ? quotedDst() + ' unreachable - need to frag (mtu ' + mtu + ')' : quotedDst() + ' unreachable - need to frag';
          break;
        }
        default:
          str = fill(tok2str(UNREACH_TEXT, '%s unreachable - #' + code, code), quotedDst());
          break;
      }
      break;
    case 5: {
      const dst = quotedDst();
      ctx.need(bp + 4, 4);
      str = fill(tok2str(REDIRECT_TEXT, 'redirect-#' + code + ' %s to %s', code), dst, n.ip4At(d, bp + 4));
      break;
    }
    case 11:
      if (!ctx.ttest(bp + 24, 4)) { ctx.trunc(); return; }
      str = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : 'time exceeded-#' + code;
      break;
    case 12:
      str = code ? 'parameter problem - code ' + code : 'parameter problem - octet ' + ctx.u8(bp + 4);
      break;
    case 18:
      str = 'address mask is 0x' + ctx.be32(bp + 8).toString(16).padStart(8, '0');
      break;
    case 13:
      str = 'time stamp query id ' + ctx.be16(bp + 4) + ' seq ' + ctx.be16(bp + 6);
      break;
    case 14:
      if (!ctx.ttest(bp + 16, 4)) { ctx.trunc(); return; }
      str = 'time stamp reply id ' + ctx.be16(bp + 4) + ' seq ' + ctx.be16(bp + 6) + ': org ' + tstamp(ctx.be32(bp + 8)) +
        ', recv ' + tstamp(ctx.be32(bp + 12)) + ', xmit ' + tstamp(ctx.be32(bp + 16));
      break;
    default:
      str = tok2str(TYPE_TEXT, 'type-#%u', type);
      break;
  }
  ctx.s += 'ICMP ' + str + ', length ' + plen;
  if (ctx.vflag && !fragmented && ctx.ttest(bp, plen)) {
    const sum = ~foldSum(onesSum(d, bp, plen)) & 0xffff;
    if (sum !== 0) {
      const field = ctx.be16(bp + 2);
      ctx.s += ' (wrong icmp cksum ' + field.toString(16) + ' (->' + cksumShouldBe(field, sum).toString(16) + ')!)';
    }
  }
  if (ctx.vflag >= 1 && isErrorType(type)) {
    const inner = bp + 8;
    ctx.s += '\n\t';
    const saved = ctx.snapend;
    const innerLen = ctx.be16(inner + 2);
    ctx.snapend = Math.min(inner + innerLen, ctx.snapend);
    ipPrint(ctx, inner, innerLen);
    ctx.snapend = saved;
  }
  void iph;
}

registerIpProto(1, icmpPrint);
