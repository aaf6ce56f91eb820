/**
 * MPLS label stacks, RFC 3032 (print-mpls.c): `MPLS (label 100656, tc 6, [S], ttl 64) IP ...`.
 * The payload after the bottom-of-stack entry is guessed as tcpdump does: the explicit/implicit
 * NULL labels say IPv4 or IPv6, otherwise the first payload byte (0x45-0x4f IPv4, 0x6x IPv6,
 * 0x81-0x83 OSI). Reached by EtherType 0x8847/0x8848, from PPP and GRE, and over UDP port 6635.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerEtherType, registerUdpPort } from './dispatch.js';
import { isoclnsPrint } from './osi.js';

const LABEL_NAMES: readonly string[] = [
  'IPv4 explicit NULL', 'router alert', 'IPv6 explicit NULL', 'implicit NULL', 'rsvd',
  'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd',
];

const PT_UNKNOWN = 0;
const PT_IPV4 = 1;
const PT_IPV6 = 2;
const PT_OSI = 3;

export function mplsPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'mpls';
  let p = bp;
  let depth = 0;
  let entry = 0;
  ctx.s += 'MPLS';
  do {
    if (length < 4) {
      ctx.invalid();
      ctx.need(p, length);
      return;
    }
    entry = ctx.be32(p);
    const label = entry >>> 12;
    ctx.s += (depth && ctx.vflag ? '\n\t' : ' ') + '(label ' + label;
    depth++;
    if (ctx.vflag && label < LABEL_NAMES.length) ctx.s += ' (' + LABEL_NAMES[label] + ')';
    ctx.s += ', tc ' + ((entry >> 9) & 7);
    if (entry & 0x100) ctx.s += ', [S]';
    ctx.s += ', ttl ' + (entry & 0xff) + ')';
    p += 4;
    length -= 4;
  } while ((entry & 0x100) === 0);

  let pt = PT_UNKNOWN;
  switch (entry >>> 12) {
    case 0: case 3: pt = PT_IPV4; break;
    case 2: pt = PT_IPV6; break;
    default: {
      if (length < 1) return;
      const first = ctx.u8(p);
      pt = first >= 0x45 && first <= 0x4f ? PT_IPV4 : first >= 0x60 && first <= 0x6f ? PT_IPV6 : first >= 0x81 && first <= 0x83 ? PT_OSI : PT_UNKNOWN;
    }
  }
  switch (pt) {
    case PT_UNKNOWN:
      ctx.defaultPrint(p, length);
      break;
    case PT_IPV4:
      ctx.s += ctx.vflag ? '\n\t' : ' ';
      etherTypePrint(ctx, 0x0800, p, length, ctx.bytesAfter(p));
      break;
    case PT_IPV6:
      ctx.s += ctx.vflag ? '\n\t' : ' ';
      etherTypePrint(ctx, 0x86dd, p, length, ctx.bytesAfter(p));
      break;
    case PT_OSI:
      ctx.s += ctx.vflag ? '\n\t' : ' ';
      isoclnsPrint(ctx, p, length);
      break;
  }
}

registerEtherType(0x8847, (ctx, p, length) => mplsPrint(ctx, p, length));
registerEtherType(0x8848, (ctx, p, length) => mplsPrint(ctx, p, length));
// MPLS-in-UDP, RFC 7510 (udp_print tests it after ZEP, near the end of its chain)
registerUdpPort([6635], 900, (ctx, p, length) => mplsPrint(ctx, p, length));
