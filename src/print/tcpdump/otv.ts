/**
 * Overlay Transport Virtualization, draft-hasmit-otv-04 (print-otv.c), on UDP port 8472:
 * `OTV, flags [I] (0x08), overlay 0, instance 100` and a newline, then the Ethernet frame.
 */
import type { PrintContext } from './context.js';
import { registerUdpPort } from './dispatch.js';
import { etherPrint } from './ether.js';
import { hex2 } from './nd-strings.js';

const OTV_HDRLEN = 8;

export function otvPrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'otv';
  ctx.s += 'OTV, ';
  if (len < OTV_HDRLEN) {
    ctx.s += '[|OTV]';
    return;
  }
  const flags = ctx.u8(bp);
  ctx.s += 'flags [' + (flags & 0x08 ? 'I' : '.') + '] (0x' + hex2(flags) + '), ';
  ctx.s += 'overlay ' + ctx.be24(bp + 1) + ', ';
  ctx.s += 'instance ' + ctx.be24(bp + 4) + '\n';
  if (!ctx.ttest(bp + 7, 1)) {
    ctx.trunc();
    return;
  }
  const p = bp + OTV_HDRLEN;
  etherPrint(ctx, p, len - OTV_HDRLEN, ctx.bytesAfter(p));
}

registerUdpPort([8472], 815, (ctx, p, length) => otvPrint(ctx, p, length));
