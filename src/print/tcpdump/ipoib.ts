/**
 * IP over InfiniBand, LINKTYPE_IPOIB (print-ipoib.c): a 44-byte pseudo-header whose last 4 bytes
 * hold the EtherType. Prints nothing of its own without -e; with -e
 * `IPOIB, ethertype IPv4 (0x0800), length 128: `.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { hex4 } from './ether.js';
import { ETHERTYPE_NAMES, tok2str } from './tok.js';

const IPOIB_HDRLEN = 44;

function header(ctx: PrintContext, p: number, length: number): void {
  const type = ctx.be16(p + 40);
  if (!ctx.qflag) ctx.s += ', ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', type) + ' (0x' + hex4(type) + ')';
  else ctx.s += ', ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', type);
  ctx.s += ', length ' + length + ': ';
}

function ipoibIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'ipoib';
  if (caplen < IPOIB_HDRLEN) { ctx.trunc(); return caplen; }
  if (length < IPOIB_HDRLEN) { ctx.trunc(); return length; }
  if (ctx.eflag) {
    ctx.s += 'IPOIB';
    header(ctx, p, length);
  }
  const type = ctx.be16(p + 40);
  const q = p + IPOIB_HDRLEN;
  if (!etherTypePrint(ctx, type, q, length - IPOIB_HDRLEN, caplen - IPOIB_HDRLEN)) {
    if (!ctx.eflag) header(ctx, p, length);
    ctx.defaultPrint(q, caplen - IPOIB_HDRLEN);
  }
  return IPOIB_HDRLEN;
}

registerLinkType(242, 'IPOIB', ipoibIfPrint);
