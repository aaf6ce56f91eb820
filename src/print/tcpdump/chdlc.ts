/**
 * Cisco HDLC, LINKTYPE_C_HDLC (print-chdlc.c): address (unicast/broadcast), control, and an
 * EtherType that picks IPv4, IPv6, MPLS, OSI or Cisco's SLARP keepalives
 * (`SLARP (length: 18), keepalive: mineseen=0x00000003, yourseen=0x00000002, reliability=0xffff`).
 * -e prints `unicast, ethertype IPv4 (0x0800), length 84: `.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { hex4 } from './ether.js';
import { hex2, hex8, printUnknownData } from './nd-strings.js';
import { isoclnsPrint } from './osi.js';
import { chdlcIfPrintRef } from './ppp.js';
import { ETHERTYPE_NAMES, toMap, tok2str } from './tok.js';

const CHDLC_HDRLEN = 4;
const CAST_NAMES = toMap([[0x0f, 'unicast'], [0x8f, 'bcast']]);
const CHDLC_TYPE_SLARP = 0x8035;
const ETHERTYPE_ISO = 0xfefe;
const SLARP_MIN_LEN = 14;
const SLARP_MAX_LEN = 18;

function slarpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.s += 'SLARP (length: ' + length + '), ';
  if (length < SLARP_MIN_LEN || !ctx.ttest(p, SLARP_MIN_LEN)) {
    ctx.trunc();
    return;
  }
  const code = ctx.be32(p);
  // the -vv dump starts 4 bytes after `cp`, which the uptime stamp moves (as tcpdump does)
  let cp = p;
  switch (code) {
    case 0: ctx.s += 'request'; break;
    case 1: ctx.s += 'reply ' + ctx.names.ip4At(ctx.d, p + 4) + '/' + ctx.names.ip4At(ctx.d, p + 8); break;
    case 2:
      ctx.s += 'keepalive: mineseen=0x' + hex8(ctx.be32(p + 4)) + ', yourseen=0x' + hex8(ctx.be32(p + 8)) + ', reliability=0x' + hex4(ctx.be16(p + 12));
      if (length >= SLARP_MAX_LEN) {
        // the optional uptime stamp, in milliseconds
        let sec = Math.floor(ctx.be32(p + SLARP_MIN_LEN) / 1000);
        let min = Math.floor(sec / 60);
        sec -= min * 60;
        let hrs = Math.floor(min / 60);
        min -= hrs * 60;
        const days = Math.floor(hrs / 24);
        hrs -= days * 24;
        ctx.s += ', link uptime=' + days + 'd' + hrs + 'h' + min + 'm' + sec + 's';
        cp = p + SLARP_MIN_LEN;
      }
      break;
    default:
      ctx.s += '0x' + hex2(code) + ' unknown';
      if (ctx.vflag <= 1) printUnknownData(ctx, p + 4, '\n\t', length - 4);
  }
  if (SLARP_MAX_LEN < length && ctx.vflag) ctx.s += ', (trailing junk: ' + (length - SLARP_MAX_LEN) + ' bytes)';
  if (ctx.vflag > 1) printUnknownData(ctx, cp + 4, '\n\t', length - 4);
}

/** chdlc_print: returns the header length */
export function chdlcPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'chdlc';
  if (length < CHDLC_HDRLEN) {
    ctx.trunc();
    return length;
  }
  const proto = ctx.be16(p + 2);
  if (ctx.eflag) {
    ctx.s += tok2str(CAST_NAMES, '0x%02x', ctx.u8(p)) + ', ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', proto) + ' (0x' + hex4(proto) + '), length ' + length + ': ';
  }
  length -= CHDLC_HDRLEN;
  p += CHDLC_HDRLEN;
  switch (proto) {
    case 0x0800:
    case 0x86dd:
    case 0x8847:
    case 0x8848:
      etherTypePrint(ctx, proto, p, length, ctx.bytesAfter(p));
      break;
    case CHDLC_TYPE_SLARP:
      slarpPrint(ctx, p, length);
      break;
    case ETHERTYPE_ISO: {
      if (length < 2) { ctx.trunc(); break; }
      // a "fudge" byte may precede the NLPID: skip it when the next byte is an OSI NLPID
      const next = ctx.u8(p + 1);
      if (next === 0x81 || next === 0x82 || next === 0x83) isoclnsPrint(ctx, p + 1, length - 1);
      else isoclnsPrint(ctx, p, length);
      break;
    }
    default:
      if (!ctx.eflag) ctx.s += 'unknown CHDLC protocol (0x' + hex4(proto) + ')';
  }
  return CHDLC_HDRLEN;
}

function chdlcIfPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'chdlc_if';
  return chdlcPrint(ctx, p, length);
}

chdlcIfPrintRef.fn = chdlcIfPrint;
registerLinkType(104, 'C_HDLC', chdlcIfPrint);
