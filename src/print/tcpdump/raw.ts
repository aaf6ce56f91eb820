/**
 * Raw IP link types (print-raw.c): LINKTYPE_RAW (101) and the DLT_RAW numbers files carry (12,
 * and OpenBSD's 14, which tcpdump on Linux refuses but tcpscope reads), LINKTYPE_IPV4 (228) and
 * LINKTYPE_IPV6 (229). The version nibble picks the printer; -e prints `ip: `.
 */
import type { PrintContext } from './context.js';
import { registerLinkType } from './dispatch.js';
import { ipNPrint } from './ip.js';

function rawIfPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'raw';
  if (ctx.eflag) ctx.s += 'ip: ';
  ipNPrint(ctx, p, length);
  return 0;
}

registerLinkType(101, 'RAW', rawIfPrint);
registerLinkType(12, 'RAW', rawIfPrint);
registerLinkType(14, 'RAW', rawIfPrint);
registerLinkType(228, 'IPV4', rawIfPrint);
registerLinkType(229, 'IPV6', rawIfPrint);
