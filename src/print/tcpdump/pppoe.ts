/**
 * PPP over Ethernet, RFC 2516 (print-pppoe.c): discovery packets with their tags
 * (`PPPoE PADI [Service-Name] [Host-Uniq 0x1A2B]`) and session packets carrying PPP
 * (`PPPoE  [ses 0xc3] IP ...`). EtherTypes 0x8863/0x8864 (and 3Com's 0x3c12/0x3c13) and
 * LINKTYPE_PPP_ETHER.
 */
import { type PrintContext, TRUNCATED } from './context.js';
import { registerEtherType, registerLinkType } from './dispatch.js';
import { pppPrint } from './ppp.js';
import { toMap, tok2str } from './tok.js';

const PPPOE_HDRLEN = 6;
const PPPOE_PADI = 0x09;
const MAXTAGPRINT = 80;
const CODE_NAMES = toMap([[PPPOE_PADI, 'PADI'], [0x07, 'PADO'], [0x19, 'PADR'], [0x65, 'PADS'], [0xa7, 'PADT'], [0, '']]);
const TAG_NAMES = toMap([
  [0, 'EOL'], [0x0101, 'Service-Name'], [0x0102, 'AC-Name'], [0x0103, 'Host-Uniq'], [0x0104, 'AC-Cookie'],
  [0x0105, 'Vendor-Specific'], [0x0110, 'Relay-Session-ID'], [0x0120, 'PPP-Max-Payload'],
  [0x0201, 'Service-Name-Error'], [0x0202, 'AC-System-Error'], [0x0203, 'Generic-Error'],
]);
const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** pppoe_print: returns the header length (with the PPP header for session packets) */
export function pppoePrint(ctx: PrintContext, bp: number, length: number): number {
  ctx.protocol = 'pppoe';
  if (length < PPPOE_HDRLEN) {
    ctx.s += ' (length ' + length + ' < ' + PPPOE_HDRLEN + ')';
    ctx.invalid();
    return 0;
  }
  length -= PPPOE_HDRLEN;
  // tcpdump's longjmp: the -x dump then starts at the link header
  if (!ctx.ttest(bp, PPPOE_HDRLEN)) throw TRUNCATED;
  const verType = ctx.u8(bp);
  const code = ctx.u8(bp + 1);
  const session = ctx.be16(bp + 2);
  let pppoeLength = ctx.be16(bp + 4);
  const payload = bp + PPPOE_HDRLEN;
  if (verType >> 4 !== 1) ctx.s += ' [ver ' + (verType >> 4) + ']';
  if ((verType & 0x0f) !== 1) ctx.s += ' [type ' + (verType & 0x0f) + ']';
  ctx.s += 'PPPoE ' + tok2str(CODE_NAMES, 'PAD-%x', code);
  if (code === PPPOE_PADI && pppoeLength > length) ctx.s += ' [len ' + pppoeLength + '!]';
  if (pppoeLength > length) {
    ctx.s += ' [len ' + pppoeLength + ' > ' + length + '!]';
    pppoeLength = length;
  }
  if (session) ctx.s += ' [ses 0x' + session.toString(16) + ']';
  if (code === 0) {
    // session data: a PPP frame without address and control fields
    ctx.s += ' ';
    return PPPOE_HDRLEN + pppPrint(ctx, payload, pppoeLength);
  }
  // discovery: tags until EOL or the end of the payload
  let tagType = 0xffff;
  let p = payload;
  while (tagType && p < payload + pppoeLength) {
    tagType = ctx.be16(p);
    const tagLen = ctx.be16(p + 2);
    p += 4;
    const name = tok2str(TAG_NAMES, 'TAG-0x%x', tagType);
    if (tagLen) {
      if (!ctx.ttest(p, tagLen)) { ctx.trunc(); return PPPOE_HDRLEN; }
      let ascii = 0;
      let garbage = 0;
      let text = '';
      for (let v = p; v < p + tagLen && text.length < MAXTAGPRINT - 1; v++) {
        const c = ctx.d[v];
        if (c >= 0x20 && c < 0x7f) {
          text += String.fromCharCode(c);
          ascii++;
        } else {
          text += '.';
          garbage++;
        }
      }
      if (ascii > garbage) ctx.s += ' [' + name + ' "' + text + '"]';
      else {
        let hex = '';
        for (let v = p; v < p + tagLen; v++) hex += HEX_UPPER[ctx.d[v]];
        ctx.s += ' [' + name + ' 0x' + hex + ']';
      }
    } else {
      ctx.s += ' [' + name + ']';
    }
    p += tagLen;
  }
  return PPPOE_HDRLEN;
}

for (const et of [0x8863, 0x8864, 0x3c12, 0x3c13]) registerEtherType(et, (ctx, p, length) => { pppoePrint(ctx, p, length); });
registerLinkType(51, 'PPP_ETHER', (ctx, p, length) => pppoePrint(ctx, p, length));
