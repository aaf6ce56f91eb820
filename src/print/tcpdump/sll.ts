/**
 * Linux cooked captures, v1 (print-sll.c, LINKTYPE_LINUX_SLL) and v2 (LINKTYPE_LINUX_SLL2).
 * v1 prints nothing of its header without -e (`Out 02:00:00:00:00:01 ethertype IPv4 (0x0800),
 * length 76: ` with it); v2 always starts with the interface name (as this machine names that
 * index, like tcpdump's if_indextoname) and the packet direction: `lo    In  `.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { PrintContext } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { hex4 } from './ether.js';
import { llcPrint } from './llc.js';
import { ETHERTYPE_NAMES, toMap, tok2str } from './tok.js';

const SLL_HDR_LEN = 16;
const SLL2_HDR_LEN = 20;
const MAX_ETHERNET_LENGTH_VAL = 1500;
const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;
const ETHERTYPE_8021Q = 0x8100;

const PKTTYPE_NAMES = toMap([[0, 'In'], [1, 'B'], [2, 'M'], [3, 'P'], [4, 'Out']]);

function pad(s: string, width: number, right: boolean): string {
  if (s.length >= width) return s;
  const fill = ' '.repeat(width - s.length);
  return right ? fill + s : s + fill;
}

/** the part of both headers' -e text after the address: `ethertype IPv4 (0x0800), length N: ` */
function protocolText(ctx: PrintContext, etherType: number, length: number): string {
  if (ctx.qflag) return '';
  let s: string;
  if (etherType <= MAX_ETHERNET_LENGTH_VAL) {
    s = etherType === LINUX_SLL_P_802_3 ? '802.3' : etherType === LINUX_SLL_P_802_2 ? '802.2' : 'ethertype Unknown (0x' + hex4(etherType) + ')';
  } else {
    s = 'ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', etherType) + ' (0x' + hex4(etherType) + ')';
  }
  return s + ', length ' + length + ': ';
}

function sllHeaderText(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'sll';
  let s = pad(tok2str(PKTTYPE_NAMES, '?', ctx.be16(p)), 3, true) + ' ';
  if (ctx.be16(p + 4) === 6) {
    ctx.need(p + 6, 6);
    s += ctx.names.mac(ctx.d, p + 6) + ' ';
  }
  ctx.s += s + protocolText(ctx, ctx.be16(p + 14), length);
}

function sll2HeaderText(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'sll2';
  let s = 'ifindex ' + ctx.be32(p + 4) + ' ';
  if (ctx.u8(p + 11) === 6) {
    ctx.need(p + 12, 6);
    s += ctx.names.mac(ctx.d, p + 12) + ' ';
  }
  ctx.s += s + protocolText(ctx, ctx.be16(p), length);
}

/** The payload of both versions, from its protocol field on (802.3/802.2, VLAN, EtherType). */
function payload(ctx: PrintContext, p: number, length: number, caplen: number, hdrlen: number, etherType: number, hdr: number, v2: boolean, wirelen: number): number {
  for (;;) {
    if (etherType <= MAX_ETHERNET_LENGTH_VAL) {
      if (etherType === LINUX_SLL_P_802_2) {
        const llc = llcPrint(ctx, p, length, caplen, -1, -1);
        if (llc >= 0) return hdrlen + llc;
      } else if (etherType === LINUX_SLL_P_802_3) {
        // Novell 802.3 IPX: no printer yet, so its bytes
      }
      ctx.defaultPrint(p, caplen);
      return hdrlen;
    }
    if (etherType === ETHERTYPE_8021Q) {
      if (caplen < 4) {
        ctx.protocol = 'vlan';
        ctx.trunc();
        return hdrlen + caplen;
      }
      if (ctx.eflag) {
        const tag = ctx.be16(p);
        ctx.s += 'vlan ' + (tag & 0xfff) + ', p ' + (tag >> 13) + ((tag & 0x1000) !== 0 ? ', DEI' : '') + ', ';
      }
      etherType = ctx.be16(p + 2);
      if (etherType <= MAX_ETHERNET_LENGTH_VAL) etherType = LINUX_SLL_P_802_2;
      if (!ctx.qflag) ctx.s += 'ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', etherType) + ', ';
      p += 4;
      length -= 4;
      caplen -= 4;
      hdrlen += 4;
      continue;
    }
    if (!etherTypePrint(ctx, etherType, p, length, caplen)) {
      if (!ctx.eflag) {
        if (v2) sll2HeaderText(ctx, hdr, wirelen);
        else sllHeaderText(ctx, hdr, wirelen);
      }
      ctx.defaultPrint(p, caplen);
    }
    return hdrlen;
  }
}

function sllIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'sll';
  if (!ctx.ttest(p, SLL_HDR_LEN)) {
    ctx.trunc();
    return caplen;
  }
  if (ctx.eflag) sllHeaderText(ctx, p, length);
  const etherType = ctx.be16(p + 14);
  return payload(ctx, p + SLL_HDR_LEN, length - SLL_HDR_LEN, caplen - SLL_HDR_LEN, SLL_HDR_LEN, etherType, p, false, length);
}

function sll2IfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'sll2';
  if (!ctx.ttest(p, SLL2_HDR_LEN)) {
    ctx.trunc();
    return caplen;
  }
  ctx.s += pad(interfaceName(ctx.be32(p + 4)), 5, false) + ' ' + pad(tok2str(PKTTYPE_NAMES, '?', ctx.u8(p + 10)), 3, false) + ' ';
  if (ctx.eflag) sll2HeaderText(ctx, p, length);
  const etherType = ctx.be16(p);
  return payload(ctx, p + SLL2_HDR_LEN, length - SLL2_HDR_LEN, caplen - SLL2_HDR_LEN, SLL2_HDR_LEN, etherType, p, true, length);
}

let interfaceNames: Map<number, string> | undefined;

/** if_indextoname on this machine (Linux: /sys/class/net/NAME/ifindex), `?` when unknown. */
export function interfaceName(index: number): string {
  if (interfaceNames === undefined) {
    interfaceNames = new Map();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        try {
          const n = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
          if (Number.isInteger(n)) interfaceNames.set(n, name);
        } catch { /* an interface that vanished */ }
      }
    } catch { /* not Linux: no names */ }
  }
  return interfaceNames.get(index) ?? '?';
}

registerLinkType(113, 'LINUX_SLL', sllIfPrint);
registerLinkType(276, 'LINUX_SLL2', sll2IfPrint);
