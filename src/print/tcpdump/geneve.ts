/**
 * Geneve, RFC 8926 (print-geneve.c), on UDP port 6081: `Geneve, Flags [C], vni 0xa, options
 * [8 bytes]: ` (with -v each option's class, type and length, and a new line instead of `: `),
 * then the payload by its EtherType, Ethernet for TEB.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerUdpPort } from './dispatch.js';
import { etherPrint, hex4 } from './ether.js';
import { hex8 } from './nd-strings.js';
import { ETHERTYPE_NAMES, bittok2str, tok2str } from './tok.js';

const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x80, 'O'], [0x40, 'C'], [0x20, 'R1'], [0x10, 'R2'], [0x08, 'R3'], [0x04, 'R4'], [0x02, 'R5'], [0x01, 'R6'],
];
const ETHERTYPE_TEB = 0x6558;

/** option classes as tcpdump 4.99 names them */
function optClassName(cls: number): string {
  switch (cls) {
    case 0x0100: return 'Linux';
    case 0x0101: return 'Open vSwitch';
    case 0x0102: return 'Open Virtual Networking (OVN)';
    case 0x0103: return 'In-band Network Telemetry (INT)';
    case 0x0104: return 'VMware';
  }
  if (cls <= 0x00ff) return 'Standard';
  if (cls >= 0xfff0) return 'Experimental';
  return 'Unknown';
}

function options(ctx: PrintContext, bp: number, len: number): void {
  let sep = '';
  while (len > 0) {
    ctx.need(bp, 4);
    const cls = ctx.be16(bp);
    const type = ctx.u8(bp + 2);
    const optLen = 4 + (ctx.u8(bp + 3) & 0x1f) * 4;
    ctx.s += sep + 'class ' + optClassName(cls) + ' (0x' + cls.toString(16) + ') type 0x' + type.toString(16) + (type & 0x80 ? '(C)' : '') + ' len ' + optLen;
    sep = ', ';
    if (optLen > len) {
      ctx.s += ' [bad length]';
      return;
    }
    if (ctx.vflag > 1 && optLen > 4) {
      ctx.s += ' data';
      for (let i = 4; i < optLen; i += 4) ctx.s += ' ' + hex8(ctx.be32(bp + i));
    }
    bp += optLen;
    len -= optLen;
  }
}

export function genevePrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'geneve';
  ctx.s += 'Geneve';
  if (len < 8) {
    ctx.s += ' [length ' + len + ' < 8]';
    ctx.invalid();
    return;
  }
  if (!ctx.ttest(bp, 8)) { ctx.trunc(); return; }
  const verOpt = ctx.u8(bp);
  const version = verOpt >> 6;
  if (version !== 0) {
    ctx.s += ' ERROR: unknown-version ' + version;
    return;
  }
  const flags = ctx.u8(bp + 1);
  const prot = ctx.be16(bp + 2);
  const vni = ctx.be24(bp + 4);
  const reserved = ctx.u8(bp + 7);
  bp += 8;
  len -= 8;
  ctx.s += ', Flags [' + bittok2str(FLAG_BITS, 'none', flags, '') + ']';
  ctx.s += ', vni 0x' + vni.toString(16);
  if (reserved) ctx.s += ', rsvd 0x' + reserved.toString(16);
  if (ctx.eflag) ctx.s += ', proto ' + tok2str(ETHERTYPE_NAMES, 'unknown', prot) + ' (0x' + hex4(prot) + ')';
  const optsLen = (verOpt & 0x3f) * 4;
  if (len < optsLen) {
    ctx.s += ' truncated-geneve - ' + (optsLen - len) + ' bytes missing';
    return;
  }
  if (!ctx.ttest(bp, optsLen)) { ctx.trunc(); return; }
  if (optsLen > 0) {
    ctx.s += ', options [';
    if (ctx.vflag) options(ctx, bp, optsLen);
    else ctx.s += optsLen + ' bytes';
    ctx.s += ']';
  }
  bp += optsLen;
  len -= optsLen;
  ctx.s += ctx.vflag < 1 ? ': ' : '\n\t';
  if (etherTypePrint(ctx, prot, bp, len, ctx.bytesAfter(bp))) return;
  if (prot === ETHERTYPE_TEB) etherPrint(ctx, bp, len, ctx.bytesAfter(bp));
  else ctx.s += 'geneve-proto-0x' + prot.toString(16);
}

// tested after VXLAN in udp_print's chain; either port (4.99.3 decodes replies from 6081 too)
registerUdpPort([6081], 830, (ctx, p, length) => genevePrint(ctx, p, length));
