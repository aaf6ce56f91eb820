/**
 * Ethernet II / 802.3 (print-ether.c): `-e` prints `SRC > DST, ethertype NAME (0xNNNN), length N: `
 * and one `vlan ID, p PRIO[, DEI], ethertype ...` per 802.1Q/802.1ad tag; an 802.3 length field
 * hands the payload to LLC; an EtherType no printer knows prints the addresses and type (even
 * without -e) followed by a hex dump.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerIpProto, registerLinkType } from './dispatch.js';
import { llcPrint } from './llc.js';
import { ETHERTYPE_NAMES, tok2str } from './tok.js';

const ETHER_HDRLEN = 14;
const MAX_ETHERNET_LENGTH_VAL = 1500;
const ETHERTYPE_8021Q = 0x8100;
const ETHERTYPE_8021Q9100 = 0x9100;
const ETHERTYPE_8021Q9200 = 0x9200;
const ETHERTYPE_8021QINQ = 0x88a8;
const ETHERTYPE_JUMBO = 0x8870;

function etherAddresses(ctx: PrintContext, src: number, dst: number): void {
  ctx.s += ctx.names.mac(ctx.d, src) + ' > ' + ctx.names.mac(ctx.d, dst) + ', ';
}

/** ether_type_print */
export function etherTypeText(ctx: PrintContext, type: number): string {
  if (!ctx.qflag) return 'ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', type) + ' (0x' + hex4(type) + ')';
  return tok2str(ETHERTYPE_NAMES, 'Unknown Ethertype (0x%04x)', type);
}

export function hex4(v: number): string {
  const s = v.toString(16);
  return s.length >= 4 ? s : '0000'.slice(s.length) + s;
}

/** ieee8021q_tci_string */
function tciText(tci: number): string {
  return 'vlan ' + (tci & 0xfff) + ', p ' + (tci >> 13) + ((tci & 0x1000) !== 0 ? ', DEI' : '');
}

/**
 * ether_print: an Ethernet frame at `p` (also reached from encapsulations such as GRE/VXLAN
 * TEB). Returns the header length consumed.
 */
export function etherPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'ether';
  if (caplen < ETHER_HDRLEN) {
    ctx.trunc();
    return caplen;
  }
  if (length < ETHER_HDRLEN) {
    ctx.trunc();
    return length;
  }
  const origLength = length;
  const dst = p;
  const src = p + 6;
  length -= 12;
  caplen -= 12;
  p += 12;
  let hdrlen = 12;
  if (ctx.eflag) etherAddresses(ctx, src, dst);

  let lengthType = ctx.be16(p);
  length -= 2;
  caplen -= 2;
  p += 2;
  hdrlen += 2;

  let printedLength = false;
  while (lengthType === ETHERTYPE_8021Q || lengthType === ETHERTYPE_8021Q9100 ||
         lengthType === ETHERTYPE_8021Q9200 || lengthType === ETHERTYPE_8021QINQ) {
    if (caplen < 4) {
      ctx.protocol = 'vlan';
      ctx.trunc();
      return hdrlen + caplen;
    }
    if (length < 4) {
      ctx.protocol = 'vlan';
      ctx.trunc();
      return hdrlen + length;
    }
    if (ctx.eflag) {
      const tag = ctx.be16(p);
      ctx.s += etherTypeText(ctx, lengthType);
      if (!printedLength) {
        ctx.s += ', length ' + origLength + ': ';
        printedLength = true;
      } else ctx.s += ', ';
      ctx.s += tciText(tag) + ', ';
    }
    lengthType = ctx.be16(p + 2);
    p += 4;
    length -= 4;
    caplen -= 4;
    hdrlen += 4;
  }

  if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
    // an 802.3 length field: the payload is that long (trailer bytes are padding) and starts with LLC
    if (lengthType < length) {
      length = lengthType;
      if (caplen > length) caplen = length;
    }
    const saved = ctx.pushSnapend(p + length);
    if (ctx.eflag) {
      ctx.s += '802.3';
      if (!printedLength) ctx.s += ', length ' + length + ': ';
    }
    let llcLen = llcPrint(ctx, p, length, caplen, src, dst);
    if (llcLen < 0) {
      ctx.defaultPrint(p, caplen);
      llcLen = -llcLen;
    }
    hdrlen += llcLen;
    ctx.popSnapend(saved);
  } else if (lengthType === ETHERTYPE_JUMBO) {
    let llcLen = llcPrint(ctx, p, length, caplen, src, dst);
    if (llcLen < 0) {
      ctx.defaultPrint(p, caplen);
      llcLen = -llcLen;
    }
    hdrlen += llcLen;
  } else {
    if (ctx.eflag) {
      ctx.s += etherTypeText(ctx, lengthType);
      ctx.s += printedLength ? ', ' : ', length ' + origLength + ': ';
    }
    if (!etherTypePrint(ctx, lengthType, p, length, caplen)) {
      // unknown type: show the link header even without -e, then the bytes
      if (!ctx.eflag) {
        etherAddresses(ctx, src, dst);
        ctx.s += etherTypeText(ctx, lengthType) + ', length ' + origLength + ': ';
      }
      ctx.defaultPrint(p, caplen);
    }
  }
  return hdrlen;
}

/** DLT_EN10MB */
function etherIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'ether';
  return etherPrint(ctx, p, length, caplen);
}

registerLinkType(1, 'EN10MB', etherIfPrint);
// Ethernet carried directly over IPv6 (RFC 8986's next header 143)
registerIpProto(143, (ctx, p, length) => { etherPrint(ctx, p, length, ctx.bytesAfter(p)); });
