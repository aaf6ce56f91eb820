/**
 * BSD loopback, LINKTYPE_NULL and LINKTYPE_LOOP (print-null.c): a 4-byte address family in the
 * capturing host's byte order (NULL) or network order (LOOP); tcpdump reads it in its own order
 * and swaps it when the upper half is not zero. With -e: `AF IPv4 (2), length 64: `.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { isoclnsPrint } from './osi.js';
import { toMap, tok2str } from './tok.js';

const NULL_HDRLEN = 4;
const AF_NAMES = toMap([[2, 'IPv4'], [6, 'NS'], [7, 'ISO'], [16, 'Appletalk'], [23, 'IPX'], [24, 'IPv6'], [28, 'IPv6'], [30, 'IPv6']]);
const AF_ISO = 7;
/** address family → EtherType of the payload printer (AF_ISO goes straight to the OSI printer) */
const AF_ETHERTYPES = new Map<number, number>([[2, 0x0800], [24, 0x86dd], [28, 0x86dd], [30, 0x86dd], [16, 0x809b], [23, 0x8137]]);

function headerText(ctx: PrintContext, family: number, length: number): void {
  ctx.s += (ctx.qflag ? tok2str(AF_NAMES, 'Unknown AF %u', family) : 'AF ' + tok2str(AF_NAMES, 'Unknown', family) + ' (' + family + ')') +
    ', length ' + length + ': ';
}

function nullIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'null';
  if (!ctx.ttest(p, NULL_HDRLEN)) {
    ctx.trunc();
    return caplen;
  }
  let family = ctx.le32(p);
  if ((family & 0xffff0000) !== 0) family = ((family & 0xff) << 24 | (family & 0xff00) << 8 | (family >>> 8) & 0xff00 | family >>> 24) >>> 0;
  if (ctx.eflag) headerText(ctx, family, length);
  // print-null.c hands AF_ISO to isoclns_print at the NLPID itself: unlike EtherType 0xfefe on
  // Ethernet there is no pad byte to skip
  if (family === AF_ISO) {
    isoclnsPrint(ctx, p + NULL_HDRLEN, length - NULL_HDRLEN);
    return NULL_HDRLEN;
  }
  const et = AF_ETHERTYPES.get(family);
  if (et === undefined || !etherTypePrint(ctx, et, p + NULL_HDRLEN, length - NULL_HDRLEN, caplen - NULL_HDRLEN)) {
    if (!ctx.eflag) headerText(ctx, family, length);
    ctx.defaultPrint(p + NULL_HDRLEN, caplen - NULL_HDRLEN);
  }
  return NULL_HDRLEN;
}

registerLinkType(0, 'NULL', nullIfPrint);
registerLinkType(108, 'LOOP', nullIfPrint);
