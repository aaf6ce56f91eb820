/**
 * Generic Routing Encapsulation, RFC 1701/1702/2784 and PPTP's enhanced GRE, RFC 2637
 * (print-gre.c). Version 0: `GREv0, key=0x28, seq 171, length 44: ` then the payload by its
 * EtherType (IPv4, IPv6, MPLS, Ethernet for TEB, ...), `gre-proto-0x88be` for the rest; with -v
 * `, Flags [key present, ...]` after the version and a new line (`\n\t`) before the payload.
 * Version 1 (PPTP): `GREv1, call 0, seq 0, ack 1, length 60: ` then PPP.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerIpProto } from './dispatch.js';
import { etherPrint, hex4 } from './ether.js';
import { isoclnsPrint } from './osi.js';
import { pppPrint } from './ppp.js';
import { ETHERTYPE_NAMES, bittok2str, tok2str } from './tok.js';

const GRE_CP = 0x8000; // checksum present
const GRE_RP = 0x4000; // routing present
const GRE_KP = 0x2000; // key present
const GRE_SP = 0x1000; // sequence number present
const GRE_sP = 0x0800; // strict source route
const GRE_AP = 0x0080; // acknowledgment number present (v1)
const GRE_VERS_MASK = 0x0007;

const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [GRE_CP, 'checksum present'], [GRE_RP, 'routing present'], [GRE_KP, 'key present'], [GRE_SP, 'sequence# present'],
  [GRE_sP, 'source routing present'], [GRE_AP, 'ack present'],
];

const GRESRE_IP = 0x0800;
const GRESRE_ASN = 0xfffe;

const ETHERTYPE_TEB = 0x6558;
const ETHERTYPE_PPP = 0x880b;
/** the payloads gre_print_0 hands to a network printer; any other type prints gre-proto-0xNNNN */
const V0_PAYLOADS = new Set([0x0800, 0x86dd, 0x8847, 0x8137, 0x809b]);
const ETHERTYPE_GRE_ISO = 0x00fe;

export function grePrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'gre';
  if (!ctx.ttest(bp, 2) || length < 2) {
    ctx.trunc();
    return;
  }
  const vers = ctx.be16(bp) & GRE_VERS_MASK;
  ctx.s += 'GREv' + vers;
  switch (vers) {
    case 0: greV0(ctx, bp, length); break;
    case 1: greV1(ctx, bp, length); break;
    default: ctx.s += ' ERROR: unknown-version';
  }
}

/** ND_TCHECK_n + a length test, printing ` [|gre]` in place when either fails */
function have(ctx: PrintContext, o: number, n: number, len: number): boolean {
  if (ctx.ttest(o, n) && len >= n) return true;
  ctx.trunc();
  return false;
}

function greV0(ctx: PrintContext, bp: number, length: number): void {
  let len = length;
  const flags = ctx.be16(bp);
  if (ctx.vflag) ctx.s += ', Flags [' + bittok2str(FLAG_BITS, 'none', flags) + ']';
  len -= 2;
  bp += 2;
  if (!have(ctx, bp, 2, len)) return;
  const prot = ctx.be16(bp);
  len -= 2;
  bp += 2;

  if ((flags & GRE_CP) !== 0 || (flags & GRE_RP) !== 0) {
    if (!have(ctx, bp, 2, len)) return;
    if (ctx.vflag) ctx.s += ', sum 0x' + ctx.be16(bp).toString(16);
    bp += 2;
    len -= 2;
    if (!have(ctx, bp, 2, len)) return;
    ctx.s += ', off 0x' + ctx.be16(bp).toString(16);
    bp += 2;
    len -= 2;
  }
  if ((flags & GRE_KP) !== 0) {
    if (!have(ctx, bp, 4, len)) return;
    ctx.s += ', key=0x' + ctx.be32(bp).toString(16);
    bp += 4;
    len -= 4;
  }
  if ((flags & GRE_SP) !== 0) {
    if (!have(ctx, bp, 4, len)) return;
    ctx.s += ', seq ' + ctx.be32(bp);
    bp += 4;
    len -= 4;
  }
  if ((flags & GRE_RP) !== 0) {
    for (;;) {
      if (!have(ctx, bp, 4, len)) return;
      const af = ctx.be16(bp);
      const sreoff = ctx.u8(bp + 2);
      const srelen = ctx.u8(bp + 3);
      bp += 4;
      len -= 4;
      if (af === 0 && srelen === 0) break;
      if (!sourceRouteEntry(ctx, af, sreoff, srelen, bp, len)) { ctx.trunc(); return; }
      if (len < srelen) { ctx.trunc(); return; }
      bp += srelen;
      len -= srelen;
    }
  }
  if (ctx.eflag) ctx.s += ', proto ' + tok2str(ETHERTYPE_NAMES, 'unknown', prot) + ' (0x' + hex4(prot) + ')';
  ctx.s += ', length ' + length;
  ctx.s += ctx.vflag < 1 ? ': ' : '\n\t';

  if (prot === ETHERTYPE_TEB) {
    etherPrint(ctx, bp, len, ctx.bytesAfter(bp));
    return;
  }
  if (prot === ETHERTYPE_GRE_ISO) {
    isoclnsPrint(ctx, bp, len);
    return;
  }
  if (V0_PAYLOADS.has(prot) && etherTypePrint(ctx, prot, bp, len, ctx.bytesAfter(bp))) return;
  ctx.s += 'gre-proto-0x' + prot.toString(16);
}

function greV1(ctx: PrintContext, bp: number, length: number): void {
  let len = length;
  const flags = ctx.be16(bp);
  len -= 2;
  bp += 2;
  if (ctx.vflag) ctx.s += ', Flags [' + bittok2str(FLAG_BITS, 'none', flags) + ']';
  if (!have(ctx, bp, 2, len)) return;
  const prot = ctx.be16(bp);
  len -= 2;
  bp += 2;
  if ((flags & GRE_KP) !== 0) {
    if (!have(ctx, bp, 4, len)) return;
    // PPTP's key is a payload length and a call id
    ctx.s += ', call ' + (ctx.be32(bp) & 0xffff);
    len -= 4;
    bp += 4;
  }
  if ((flags & GRE_SP) !== 0) {
    if (!have(ctx, bp, 4, len)) return;
    ctx.s += ', seq ' + ctx.be32(bp);
    bp += 4;
    len -= 4;
  }
  if ((flags & GRE_AP) !== 0) {
    if (!have(ctx, bp, 4, len)) return;
    ctx.s += ', ack ' + ctx.be32(bp);
    bp += 4;
    len -= 4;
  }
  if ((flags & GRE_SP) === 0) ctx.s += ', no-payload';
  if (ctx.eflag) ctx.s += ', proto ' + tok2str(ETHERTYPE_NAMES, 'unknown', prot) + ' (0x' + hex4(prot) + ')';
  ctx.s += ', length ' + length;
  if ((flags & GRE_SP) === 0) return;
  ctx.s += ctx.vflag < 1 ? ': ' : '\n\t';
  if (prot === ETHERTYPE_PPP) pppPrint(ctx, bp, len);
  else ctx.s += 'gre-proto-0x' + prot.toString(16);
}

/** gre_sre_print: one source route entry; false when it ran past the captured bytes */
function sourceRouteEntry(ctx: PrintContext, af: number, sreoff: number, srelen: number, bp: number, len: number): boolean {
  switch (af) {
    case GRESRE_IP: {
      ctx.s += ', (rtaf=ip';
      const ok = sreIp(ctx, sreoff, srelen, bp, len);
      ctx.s += ')';
      return ok;
    }
    case GRESRE_ASN: {
      ctx.s += ', (rtaf=asn';
      const ok = sreAsn(ctx, sreoff, srelen, bp, len);
      ctx.s += ')';
      return ok;
    }
    default:
      ctx.s += ', (rtaf=0x' + af.toString(16) + ')';
      return true;
  }
}

function sreIp(ctx: PrintContext, sreoff: number, srelen: number, bp: number, len: number): boolean {
  const up = bp;
  if (sreoff & 3) { ctx.s += ', badoffset=' + sreoff; return true; }
  if (srelen & 3) { ctx.s += ', badlength=' + srelen; return true; }
  if (sreoff >= srelen) { ctx.s += ', badoff/len=' + sreoff + '/' + srelen; return true; }
  while (srelen !== 0) {
    if (!ctx.ttest(bp, 4) || len < 4) return false;
    const d = ctx.d;
    ctx.s += ' ' + (bp - up === sreoff ? '*' : '') + d[bp] + '.' + d[bp + 1] + '.' + d[bp + 2] + '.' + d[bp + 3];
    bp += 4;
    len -= 4;
    srelen -= 4;
  }
  return true;
}

function sreAsn(ctx: PrintContext, sreoff: number, srelen: number, bp: number, len: number): boolean {
  const up = bp;
  if (sreoff & 1) { ctx.s += ', badoffset=' + sreoff; return true; }
  if (srelen & 1) { ctx.s += ', badlength=' + srelen; return true; }
  if (sreoff >= srelen) { ctx.s += ', badoff/len=' + sreoff + '/' + srelen; return true; }
  while (srelen !== 0) {
    if (!ctx.ttest(bp, 2) || len < 2) return false;
    ctx.s += ' ' + (bp - up === sreoff ? '*' : '') + ctx.be16(bp).toString(16);
    bp += 2;
    len -= 2;
    srelen -= 2;
  }
  return true;
}

registerIpProto(47, (ctx, p, length) => grePrint(ctx, p, length));
