/**
 * ARCNET (print-arcnet.c): LINKTYPE_ARCNET_BSD (7) with RFC 1051 and RFC 1201 framing (fragment
 * flags and sequence ids) and LINKTYPE_ARCNET_LINUX (129), whose header has a 2-byte offset field
 * after the addresses. Nothing of the header prints without -e; with -e
 * `SRC DST TYPE [seqid N [(fragment N)]] LENGTH: `.
 */
import type { PrintContext } from './context.js';
import { TRUNCATED } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { hex2, hex4 } from './nd-strings.js';
import { toMap, tok2str } from './tok.js';

const ARC_HDRLEN = 3;
const ARC_HDRNEWLEN = 6;
const ARC_HDRNEWLEN_EXC = 10;
const ARC_LINUX_HDRLEN = 5;
const ARC_LINUX_HDRNEWLEN = 8;

const ARCTYPE_IP_OLD = 240;
const ARCTYPE_ARP_OLD = 241;
const ARCTYPE_IP = 212;
const ARCTYPE_ARP = 213;
const ARCTYPE_REVARP = 214;
const ARCTYPE_ATALK = 221;
const ARCTYPE_BANIAN = 247;
const ARCTYPE_IPX = 250;
const ARCTYPE_INET6 = 0xc4;
const ARCTYPE_DIAGNOSE = 0x80;

const ARCTYPE_NAMES = toMap([
  [ARCTYPE_IP_OLD, 'oldip'], [ARCTYPE_ARP_OLD, 'oldarp'], [ARCTYPE_IP, 'ip'], [ARCTYPE_ARP, 'arp'], [ARCTYPE_REVARP, 'rarp'],
  [ARCTYPE_ATALK, 'atalk'], [ARCTYPE_BANIAN, 'banyan'], [ARCTYPE_IPX, 'ipx'], [ARCTYPE_INET6, 'ipv6'], [ARCTYPE_DIAGNOSE, 'diag'],
]);
/** ARCNET system code → the EtherType whose printer decodes the payload (arcnet_encap_print) */
const ARCTYPE_ETHERTYPES = new Map<number, number>([
  [ARCTYPE_IP_OLD, 0x0800], [ARCTYPE_IP, 0x0800], [ARCTYPE_INET6, 0x86dd], [ARCTYPE_ARP_OLD, 0x0806], [ARCTYPE_ARP, 0x0806],
  [ARCTYPE_REVARP, 0x0806], [ARCTYPE_ATALK, 0x809b], [ARCTYPE_IPX, 0x8137],
]);

/**
 * arcnet_print (-e). It reads the type at offset 2 even for Linux headers, where that byte is the
 * offset field: tcpdump prints it that way, so do we.
 */
function header(ctx: PrintContext, p: number, length: number, phds: boolean, flag: number, seqid: number): void {
  ctx.protocol = 'arcnet';
  const src = hex2(ctx.u8(p));
  const dst = hex2(ctx.u8(p + 1));
  if (ctx.qflag) {
    ctx.s += src + ' ' + dst + ' ' + length + ': ';
    return;
  }
  const typeName = tok2str(ARCTYPE_NAMES, '%02x', ctx.u8(p + 2));
  if (!phds) ctx.s += src + ' ' + dst + ' ' + typeName + ' ' + length + ': ';
  else if (flag === 0) ctx.s += src + ' ' + dst + ' ' + typeName + ' seqid ' + hex4(seqid) + ' ' + length + ': ';
  else if (flag & 1) ctx.s += src + ' ' + dst + ' ' + typeName + ' seqid ' + hex4(seqid) + ' (first of ' + ((flag + 3) >> 1) + ' fragments) ' + length + ': ';
  else ctx.s += src + ' ' + dst + ' ' + typeName + ' seqid ' + hex4(seqid) + ' (fragment ' + ((flag >> 1) + 1) + ') ' + length + ': ';
}

/** arcnet_encap_print: false when the system code has no printer */
function encapPrint(ctx: PrintContext, arcType: number, p: number, length: number, caplen: number): boolean {
  const et = ARCTYPE_ETHERTYPES.get(arcType);
  if (et === undefined) return false;
  if (arcType === ARCTYPE_ATALK && ctx.vflag) ctx.s += 'et1 ';
  // an unknown EtherType printer (AppleTalk, IPX) still counts as printed, as in tcpdump
  if (!etherTypePrint(ctx, et, p, length, caplen)) ctx.defaultPrint(p, caplen);
  return true;
}

/** arcnet's ND_DEFAULTPRINT is not conditional on -x/-X/-A/-q: the bytes show even then */
function rawPayload(ctx: PrintContext, p: number, caplen: number): void {
  ctx.hexAndAscii('\n\t', p, caplen);
}

function arcnetIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'arcnet';
  if (caplen < ARC_HDRLEN) throw TRUNCATED;
  const arcType = ctx.u8(p + 2);
  let phds = true;
  let flag = 0;
  let seqid = 0;
  let hdrLen = 0;
  if (arcType === ARCTYPE_IP_OLD || arcType === ARCTYPE_ARP_OLD || arcType === ARCTYPE_DIAGNOSE) {
    phds = false;
    hdrLen = ARC_HDRLEN;
  }
  if (phds) {
    if (caplen < ARC_HDRNEWLEN) {
      header(ctx, p, length, false, 0, 0);
      ctx.s += ' phds';
      throw TRUNCATED;
    }
    flag = ctx.u8(p + 3);
    if (flag === 0xff) {
      // an exception packet: the real flag and sequence id follow a second type byte
      if (caplen < ARC_HDRNEWLEN_EXC) {
        header(ctx, p, length, false, 0, 0);
        ctx.s += ' phds extended';
        throw TRUNCATED;
      }
      flag = ctx.u8(p + 7);
      seqid = ctx.be16(p + 8);
      hdrLen = ARC_HDRNEWLEN_EXC;
    } else {
      seqid = ctx.be16(p + 4);
      hdrLen = ARC_HDRNEWLEN;
    }
  }
  if (ctx.eflag) header(ctx, p, length, phds, flag, seqid);
  // a middle fragment carries no header of the encapsulated protocol
  if (phds && flag && (flag & 1) === 0) return hdrLen;
  if (!encapPrint(ctx, arcType, p + hdrLen, length - hdrLen, caplen - hdrLen)) rawPayload(ctx, p + hdrLen, caplen - hdrLen);
  return hdrLen;
}

function arcnetLinuxIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'arcnet_linux';
  if (caplen < ARC_LINUX_HDRLEN) throw TRUNCATED;
  const arcType = ctx.u8(p + 4);
  let hdrLen: number;
  if (arcType === ARCTYPE_IP_OLD || arcType === ARCTYPE_ARP_OLD || arcType === ARCTYPE_DIAGNOSE) hdrLen = ARC_LINUX_HDRLEN;
  else {
    hdrLen = ARC_LINUX_HDRNEWLEN;
    if (caplen < ARC_LINUX_HDRNEWLEN) throw TRUNCATED;
  }
  if (ctx.eflag) header(ctx, p, length, false, 0, 0);
  if (!encapPrint(ctx, arcType, p + hdrLen, length - hdrLen, caplen - hdrLen)) rawPayload(ctx, p + hdrLen, caplen - hdrLen);
  return hdrLen;
}

registerLinkType(7, 'ARCNET_BSD', arcnetIfPrint);
registerLinkType(129, 'ARCNET_LINUX', arcnetLinuxIfPrint);
