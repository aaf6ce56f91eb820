/**
 * UDP tunnels that carry whole frames or packets (print-vxlan.c, print-geneve.c): VXLAN (4789)
 * prints its header and then the inner Ethernet frame on the next line; Geneve (6081) prints its
 * header and the inner packet after `: ` (on a new line with -v).
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerUdpPort } from './dispatch.js';
import { etherPrint } from './ether.js';
import { ETHERTYPE_NAMES, tok2str } from './tok.js';

const ETHERTYPE_TEB = 0x6558;

export function vxlanPrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'vxlan';
  ctx.s += 'VXLAN';
  if (len < 8) {
    ctx.invalid();
    return;
  }
  const flags = ctx.u8(bp);
  const vni = ctx.be24(bp + 4);
  ctx.s += ', flags [' + ((flags & 0x08) !== 0 ? 'I' : '.') + '] (0x' + (flags < 16 ? '0' : '') + flags.toString(16) + '), vni ' + vni + '\n';
  etherPrint(ctx, bp + 8, len - 8, ctx.bytesAfter(bp + 8));
}

function optClass(c: number): string {
  switch (c) {
    case 0x0100: return 'Linux';
    case 0x0101: return 'Open vSwitch';
    case 0x0102: return 'Open Virtual Networking (OVN)';
    case 0x0103: return 'In-band Network Telemetry (INT)';
    case 0x0104: return 'VMware';
  }
  if (c <= 0x00ff) return 'Standard';
  if (c >= 0xfff0) return 'Experimental';
  return 'Unknown';
}

function geneveOpts(ctx: PrintContext, bp: number, len: number): void {
  let sep = '';
  while (len > 0) {
    ctx.s += sep;
    sep = ', ';
    const cls = ctx.be16(bp);
    const type = ctx.u8(bp + 2);
    const optLen = 4 + (ctx.u8(bp + 3) & 0x1f) * 4;
    ctx.s += 'class ' + optClass(cls) + ' (0x' + cls.toString(16) + ') type 0x' + type.toString(16) + ((type & 0x80) !== 0 ? '(C)' : '') + ' len ' + optLen;
    if (optLen > len) {
      ctx.s += ' [bad length]';
      return;
    }
    if (ctx.vflag > 1 && optLen > 4) {
      ctx.s += ' data';
      for (let i = 4; i < optLen; i += 4) ctx.s += ' ' + ctx.be32(bp + i).toString(16).padStart(8, '0');
    }
    bp += optLen;
    len -= optLen;
  }
}

export function genevePrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'geneve';
  ctx.s += 'Geneve';
  if (!ctx.ttest(bp, 8)) {
    ctx.trunc();
    return;
  }
  const verOpt = ctx.u8(bp);
  const version = verOpt >> 6;
  if (version !== 0) {
    ctx.s += ' ERROR: unknown-version ' + version;
    return;
  }
  const flags = ctx.u8(bp + 1);
  const ptype = ctx.be16(bp + 2);
  const vni = ctx.be24(bp + 4);
  bp += 8;
  len -= 8;
  let f = '';
  if (flags & 0x80) f += 'O';
  if (flags & 0x40) f += 'C';
  ctx.s += ', Flags [' + (f || 'none') + '], vni 0x' + vni.toString(16);
  if (ctx.vflag > 1) ctx.s += ', proto ' + tok2str(ETHERTYPE_NAMES, 'unknown', ptype) + ' (0x' + ptype.toString(16).padStart(4, '0') + ')';
  const optsLen = (verOpt & 0x3f) * 4;
  if (len < optsLen) {
    ctx.s += ' truncated-geneve - ' + (optsLen - len) + ' bytes missing';
    return;
  }
  if (!ctx.ttest(bp, optsLen)) {
    ctx.trunc();
    return;
  }
  if (optsLen > 0) {
    ctx.s += ', options';
    if (ctx.vflag) {
      ctx.s += ' [';
      geneveOpts(ctx, bp, optsLen);
      ctx.s += ']';
    } else ctx.s += ' [' + optsLen + ' bytes]';
  }
  bp += optsLen;
  len -= optsLen;
  ctx.s += ctx.vflag < 1 ? ': ' : '\n\t';
  if (!etherTypePrint(ctx, ptype, bp, len, ctx.bytesAfter(bp))) {
    if (ptype === ETHERTYPE_TEB) etherPrint(ctx, bp, len, ctx.bytesAfter(bp));
    else ctx.s += 'geneve-proto-0x' + ptype.toString(16);
  }
}

// udp_print tests Geneve before VXLAN (ranks are positions in its chain)
registerUdpPort([6081], 60, (ctx, p, len) => genevePrint(ctx, p, len));
registerUdpPort([4789], 61, (ctx, p, len) => vxlanPrint(ctx, p, len));
