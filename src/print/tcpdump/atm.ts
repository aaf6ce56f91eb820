/**
 * LINKTYPE_ATM_RFC1483 (print-atm.c's atm_if_print): AAL5 frames that start with an LLC header
 * (RFC 1483/2684 LLC encapsulation), a Cisco-style NLPID after a UI byte, or else an 802.6 MAC
 * header of 20 bytes (what FORE's driver put there), which -e shows in hex.
 */
import { type PrintContext, TRUNCATED } from './context.js';
import { registerLinkType } from './dispatch.js';
import { isoclnsPrint } from './osi.js';
import { llcPrint } from './llc.js';
import { hex8 } from './nd-strings.js';

const LLC_UI = 0x03;
/** DSAP, SSAP and UI control for SNAP (0xaa), ISO network layer (0xfe) and IP (0x06) */
const LLC_UI_HDRS = new Set([0xaaaa03, 0xfefe03, 0x060603]);

function atmLlcPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  let hdrLen = llcPrint(ctx, p, length, caplen, -1, -1);
  if (hdrLen < 0) {
    ctx.defaultPrint(p, caplen);
    hdrLen = -hdrLen;
  }
  return hdrLen;
}

function atmIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'atm';
  if (ctx.u8(p) === LLC_UI) {
    if (ctx.eflag) ctx.s += 'CNLPID ';
    isoclnsPrint(ctx, p + 1, length - 1);
    return 1;
  }
  let hdrLen = 0;
  if (!LLC_UI_HDRS.has(ctx.be24(p))) {
    // shorter than the 802.6 header: tcpdump's longjmp (the -x dump then shows the whole frame)
    if (caplen < 20) throw TRUNCATED;
    if (ctx.eflag) ctx.s += hex8(ctx.be32(p)) + hex8(ctx.be32(p + 4)) + ' ' + hex8(ctx.be32(p + 8)) + hex8(ctx.be32(p + 12)) + ' ';
    p += 20;
    length -= 20;
    caplen -= 20;
    hdrLen += 20;
  }
  return hdrLen + atmLlcPrint(ctx, p, length, caplen);
}

registerLinkType(100, 'ATM_RFC1483', atmIfPrint);
