/**
 * UDP (print-udp.c): `SRC.PORT > DST.PORT: ` then the application printer chosen by port (DNS,
 * ...), else `UDP, length N`. With -vv over IPv4 (and -v over IPv6) the checksum is checked:
 * `[udp sum ok] `, `[bad udp cksum 0x1234 -> 0x5678!] `, `[no cksum] `.
 */
import { cksumShouldBe, foldSum, onesSum, pseudoSum4, pseudoSum6 } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto, udpPortPrinter } from './dispatch.js';
import { HEX2 } from './hexdump.js';
import { ip4FinalDst, ip6FinalDst } from './ip-addrs.js';

function hex4(v: number): string {
  return HEX2[v >> 8] + HEX2[v & 0xff];
}

/** udpipaddr_print: addresses (and ports, when known) in the form tcpdump uses for UDP. */
function addrs(ctx: PrintContext, iph: number, ver: number, sport: number, dport: number): void {
  const d = ctx.d;
  const n = ctx.names;
  if (ver === 6) {
    if (d[iph + 6] === 17) {
      if (sport < 0) ctx.s += n.ip6At(d, iph + 8) + ' > ' + n.ip6At(d, iph + 24) + ': ';
      else ctx.s += n.ip6At(d, iph + 8) + '.' + n.udpPort(sport) + ' > ' + n.ip6At(d, iph + 24) + '.' + n.udpPort(dport) + ': ';
    } else if (sport >= 0) ctx.s += n.udpPort(sport) + ' > ' + n.udpPort(dport) + ': ';
  } else if (d[iph + 9] === 17) {
    if (sport < 0) ctx.s += n.ip4At(d, iph + 12) + ' > ' + n.ip4At(d, iph + 16) + ': ';
    else ctx.s += n.ip4At(d, iph + 12) + '.' + n.udpPort(sport) + ' > ' + n.ip4At(d, iph + 16) + '.' + n.udpPort(dport) + ': ';
  } else if (sport >= 0) ctx.s += n.udpPort(sport) + ' > ' + n.udpPort(dport) + ': ';
}

export function udpPrint(ctx: PrintContext, bp: number, length: number, iph: number, ver: number, fragmented: number): void {
  ctx.protocol = 'udp';
  if (!ctx.ttest(bp + 2, 2)) {
    addrs(ctx, iph, ver, -1, -1);
    ctx.trunc();
    return;
  }
  const d = ctx.d;
  const sport = (d[bp] << 8) | d[bp + 1];
  const dport = (d[bp + 2] << 8) | d[bp + 3];
  if (length < 8) {
    addrs(ctx, iph, ver, sport, dport);
    ctx.s += 'truncated-udp ' + length;
    return;
  }
  if (!ctx.ttest(bp + 4, 2)) {
    addrs(ctx, iph, ver, sport, dport);
    ctx.trunc();
    return;
  }
  let ulen = (d[bp + 4] << 8) | d[bp + 5];
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addrs(ctx, iph, ver, sport, dport);
    ctx.s += 'truncated-udplength ' + ulen;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = bp + 8;
  if (cp > ctx.snapend) {
    addrs(ctx, iph, ver, sport, dport);
    ctx.trunc();
    return;
  }
  addrs(ctx, iph, ver, sport, dport);

  if (ctx.vflag && !ctx.Kflag && !fragmented) {
    if (ver === 4 && ctx.vflag > 1) {
      const udpSum = ctx.be16(bp + 6);
      if (udpSum === 0) ctx.s += '[no cksum] ';
      else if (ctx.ttest(cp, length)) {
        const pseudo = pseudoSum4(((d[iph + 12] << 24) | (d[iph + 13] << 16) | (d[iph + 14] << 8) | d[iph + 15]) >>> 0, ip4FinalDst(ctx, iph), 17, length + 8);
        const sum = ~foldSum(onesSum(d, bp, length + 8, pseudo)) & 0xffff;
        if (sum !== 0) ctx.s += '[bad udp cksum 0x' + hex4(udpSum) + ' -> 0x' + hex4(cksumShouldBe(udpSum, sum)) + '!] ';
        else ctx.s += '[udp sum ok] ';
      }
    } else if (ver === 6) {
      if (ctx.ttest(cp, length)) {
        const pseudo = pseudoSum6(d, iph + 8, ip6FinalDst(ctx, iph), 17, length + 8);
        const sum = ~foldSum(onesSum(d, bp, length + 8, pseudo)) & 0xffff;
        const udpSum = ctx.be16(bp + 6);
        if (sum !== 0) ctx.s += '[bad udp cksum 0x' + hex4(udpSum) + ' -> 0x' + hex4(cksumShouldBe(udpSum, sum)) + '!] ';
        else ctx.s += '[udp sum ok] ';
      }
    }
  }

  if (!ctx.qflag) {
    const app = udpPortPrinter(sport, dport);
    if (app !== undefined) {
      app(ctx, cp, length, sport, dport);
      return;
    }
  }
  if (ulen > length && !fragmented) ctx.s += 'UDP, bad length ' + ulen + ' > ' + length;
  else ctx.s += 'UDP, length ' + ulen;
}

registerIpProto(17, udpPrint);
