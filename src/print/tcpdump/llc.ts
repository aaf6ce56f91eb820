/**
 * IEEE 802.2 LLC and SNAP (print-llc.c). SNAP with OUI 000000 (or Cisco's 0000f8) carries an
 * EtherType and goes back through the EtherType table; DSAP/SSAP 0x06 carries IPv4. Other SAPs
 * print the LLC header as tcpdump does and, when nothing decodes the payload, a negative header
 * length tells the caller to hex-dump it. Protocol printers for other SAPs register in `llcSaps`.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint } from './dispatch.js';
import { hex4 } from './ether.js';
import { HEX2 } from './hexdump.js';
import { OUI_APPLETALK, OUI_CISCO_90, OUI_ENCAP_ETHER, OUI_NAMES } from './oui.js';
import { ETHERTYPE_NAMES, toMap, tok2str } from './tok.js';

const LLCSAP_GLOBAL = 0xff;
const LLCSAP_SNAP = 0xaa;
const LLCSAP_IP = 0x06;
const LLC_UI = 0x03;
const LLC_U_FMT = 3;
const LLC_S_FMT = 1;
const LLC_GSAP = 1;
const LLC_IG = 1;
const LLC_U_POLL = 0x10;
const LLC_IS_POLL = 0x0100;
const LLC_XID = 0xaf;
const LLC_XID_FI = 0x81;
const ETHERTYPE_ATALK = 0x809b;

export const LLC_SAP_NAMES = toMap([
  [0x00, 'Null'], [0xff, 'Global'], [0x02, '802.1B I'], [0x03, '802.1B G'], [0x06, 'IP'],
  [0x04, 'SNA'], [0x0e, 'ProWay NM'], [0x42, 'STP'], [0x4e, 'RS511'], [0x7e, 'ISO8208'],
  [0x8e, 'ProWay'], [0xaa, 'SNAP'], [0xe0, 'IPX'], [0xf0, 'NetBeui'], [0xfe, 'OSI'],
]);
const IG_NAMES = toMap([[0, 'Individual'], [1, 'Group']]);
const FLAG_NAMES = toMap([[0, 'Command'], [LLC_GSAP, 'Response'], [LLC_U_POLL, 'Poll'], [LLC_GSAP | LLC_U_POLL, 'Final'], [LLC_IS_POLL, 'Poll'], [LLC_GSAP | LLC_IS_POLL, 'Final']]);
const CMD_NAMES = toMap([[0x03, 'ui'], [0xe3, 'test'], [0xaf, 'xid'], [0x63, 'ua'], [0x43, 'disc'], [0x0f, 'dm'], [0x6f, 'sabme'], [0x87, 'frmr']]);
const SUPERVISORY_NAMES = toMap([[0, 'Receiver Ready'], [1, 'Receiver not Ready'], [2, 'Reject']]);

/**
 * A printer for the payload of a SAP pair with a UI control field (STP, IPX, OSI, ...):
 * returns true when it printed the payload.
 */
export type LlcSapPrinter = (ctx: PrintContext, p: number, length: number, caplen: number) => boolean;
const llcSaps = new Map<number, LlcSapPrinter>();

/** Register a printer for LLC frames whose DSAP and SSAP are both `sap` and whose control is UI. */
export function registerLlcSap(sap: number, printer: LlcSapPrinter): void {
  llcSaps.set(sap, printer);
}

/**
 * A printer for SNAP frames of an OUI other than the EtherType ones: true when it printed.
 * `bridgePad` is the padding before a bridged frame (RFC 2684), which depends on the carrier.
 */
export type SnapPrinter = (ctx: PrintContext, pid: number, p: number, length: number, caplen: number, bridgePad: number) => boolean;
const snapOuis = new Map<number, SnapPrinter>();

export function registerSnapOui(oui: number, printer: SnapPrinter): void {
  snapOuis.set(oui, printer);
}

/** tcpdump's oui_to_tok: the names of the pids of an OUI (Cisco's CDP/VTP/..., RFC 2684's bridged types) */
const snapPidNames = new Map<number, ReadonlyMap<number, string>>();

export function registerSnapPidNames(oui: number, names: ReadonlyMap<number, string>): void {
  snapPidNames.set(oui, names);
}

function snapPidName(oui: number, pid: number): string {
  const names = oui === 0 || oui === OUI_CISCO_90 ? ETHERTYPE_NAMES : snapPidNames.get(oui);
  return names === undefined ? 'Unknown' : tok2str(names, 'Unknown', pid);
}

function hex2(v: number): string {
  return HEX2[v & 0xff];
}

/**
 * llc_print: LLC header at `p`; `src`/`dst` are offsets of the MAC addresses (-1 when the link
 * has none). Returns the LLC(+SNAP) header length, negative when the payload was not printed.
 */
export function llcPrint(ctx: PrintContext, p: number, length: number, caplen: number, src: number, dst: number): number {
  ctx.protocol = 'llc';
  // the dumps of a cut-short header are tcpdump's unconditional ND_DEFAULTPRINT (even with -x/-q)
  if (caplen < 3) {
    ctx.trunc();
    ctx.hexAndAscii('\n\t', p, caplen);
    return caplen;
  }
  if (length < 3) {
    ctx.trunc();
    ctx.hexAndAscii('\n\t', p, caplen);
    return length;
  }
  const dsapField = ctx.u8(p);
  const ssapField = ctx.u8(p + 1);
  let control = ctx.u8(p + 2);
  let isU: boolean;
  let hdrlen: number;
  if ((control & LLC_U_FMT) === LLC_U_FMT) {
    isU = true;
    hdrlen = 3;
  } else {
    if (caplen < 4) {
      ctx.trunc();
      ctx.hexAndAscii('\n\t', p, caplen);
      return caplen;
    }
    if (length < 4) {
      ctx.trunc();
      ctx.hexAndAscii('\n\t', p, caplen);
      return length;
    }
    control = ctx.le16(p + 2);
    isU = false;
    hdrlen = 4;
  }

  if (ssapField === LLCSAP_GLOBAL && dsapField === LLCSAP_GLOBAL) {
    // Novell "raw" 802.3: IPX right after the 802.3 header
    if (ctx.eflag) ctx.s += 'IPX 802.3: ';
    const ipx = llcSaps.get(0xe0);
    if (ipx === undefined || !ipx(ctx, p, length, caplen)) ctx.defaultPrint(p, caplen);
    return 0;
  }

  const dsap = dsapField & ~LLC_IG;
  const ssap = ssapField & ~LLC_GSAP;
  if (ctx.eflag) {
    ctx.s += 'LLC, dsap ' + tok2str(LLC_SAP_NAMES, 'Unknown', dsap) + ' (0x' + hex2(dsap) + ') ' + tok2str(IG_NAMES, 'Unknown', dsapField & LLC_IG) +
      ', ssap ' + tok2str(LLC_SAP_NAMES, 'Unknown', ssap) + ' (0x' + hex2(ssap) + ') ' + tok2str(FLAG_NAMES, 'Unknown', ssapField & LLC_GSAP) +
      (isU ? ', ctrl 0x' + hex2(control) + ': ' : ', ctrl 0x' + hex4(control) + ': ');
  }
  p += hdrlen;
  length -= hdrlen;
  caplen -= hdrlen;

  if (ssap === LLCSAP_SNAP && dsap === LLCSAP_SNAP && control === LLC_UI) {
    return snapPrint(ctx, p, length, caplen, src, dst, 2) ? hdrlen + 5 : -(hdrlen + 5);
  }
  if (ssap === LLCSAP_IP && dsap === LLCSAP_IP && control === LLC_UI) {
    etherTypePrint(ctx, 0x0800, p, length, caplen);
    return hdrlen;
  }
  if (ssap === dsap && control === LLC_UI) {
    const printer = llcSaps.get(ssap);
    if (printer !== undefined && printer(ctx, p, length, caplen)) return hdrlen;
  }

  if (!ctx.eflag) {
    if (ssap === dsap) {
      if (src < 0 || dst < 0) ctx.s += tok2str(LLC_SAP_NAMES, 'Unknown DSAP 0x%02x', dsap) + ' ';
      else ctx.s += ctx.names.mac(ctx.d, src) + ' > ' + ctx.names.mac(ctx.d, dst) + ' ' + tok2str(LLC_SAP_NAMES, 'Unknown DSAP 0x%02x', dsap) + ' ';
    } else if (src < 0 || dst < 0) {
      ctx.s += tok2str(LLC_SAP_NAMES, 'Unknown SSAP 0x%02x', ssap) + ' > ' + tok2str(LLC_SAP_NAMES, 'Unknown DSAP 0x%02x', dsap) + ' ';
    } else {
      ctx.s += ctx.names.mac(ctx.d, src) + ' ' + tok2str(LLC_SAP_NAMES, 'Unknown SSAP 0x%02x', ssap) + ' > ' +
        ctx.names.mac(ctx.d, dst) + ' ' + tok2str(LLC_SAP_NAMES, 'Unknown DSAP 0x%02x', dsap) + ' ';
    }
  }

  if (isU) {
    ctx.s += 'Unnumbered, ' + tok2str(CMD_NAMES, '%02x', control & 0xef) + ', Flags [' +
      tok2str(FLAG_NAMES, '?', (ssapField & LLC_GSAP) | (control & LLC_U_POLL)) + '], length ' + (length + hdrlen);
    if ((control & ~LLC_U_POLL) === LLC_XID) {
      if (length === 0) return hdrlen;
      if (caplen < 1) {
        ctx.trunc();
        return hdrlen;
      }
      if (ctx.u8(p) === LLC_XID_FI) {
        if (caplen < 3 || length < 3) {
          ctx.trunc();
          if (caplen > 0) ctx.defaultPrint(p, caplen);
        } else ctx.s += ': ' + hex2(ctx.u8(p + 1)) + ' ' + hex2(ctx.u8(p + 2));
        return hdrlen;
      }
    }
  } else if ((control & LLC_S_FMT) === LLC_S_FMT) {
    ctx.s += 'Supervisory, ' + tok2str(SUPERVISORY_NAMES, '?', (control >> 2) & 3) + ', rcv seq ' + ((control >> 9) & 0x7f) +
      ', Flags [' + tok2str(FLAG_NAMES, '?', (ssapField & LLC_GSAP) | (control & LLC_IS_POLL)) + '], length ' + (length + hdrlen);
    return hdrlen;
  } else {
    ctx.s += 'Information, send seq ' + ((control >> 1) & 0x7f) + ', rcv seq ' + ((control >> 9) & 0x7f) +
      ', Flags [' + tok2str(FLAG_NAMES, '?', (ssapField & LLC_GSAP) | (control & LLC_IS_POLL)) + '], length ' + (length + hdrlen);
  }
  return -hdrlen;
}

/** snap_print: SNAP header at `p`. Returns true when the payload was printed (or cut short). */
export function snapPrint(ctx: PrintContext, p: number, length: number, caplen: number, src: number, dst: number, bridgePad: number): boolean {
  ctx.protocol = 'snap';
  if (!ctx.ttest(p, 5) || caplen < 5 || length < 5) {
    ctx.trunc();
    return true;
  }
  const oui = ctx.be24(p);
  const et = ctx.be16(p + 3);
  if (ctx.eflag) {
    ctx.s += 'oui ' + tok2str(OUI_NAMES, 'Unknown', oui) + ' (0x' + hex6(oui) + '), ' + (oui === 0 ? 'ethertype' : 'pid') + ' ' +
      snapPidName(oui, et) + ' (0x' + hex4(et) + '), length ' + (length - 5) + ': ';
  }
  p += 5;
  length -= 5;
  caplen -= 5;
  if (oui === OUI_ENCAP_ETHER || oui === OUI_CISCO_90) {
    if (etherTypePrint(ctx, et, p, length, caplen)) return true;
  } else if (oui === OUI_APPLETALK) {
    if (et === ETHERTYPE_ATALK && etherTypePrint(ctx, et, p, length, caplen)) return true;
  } else {
    const printer = snapOuis.get(oui);
    if (printer !== undefined && printer(ctx, et, p, length, caplen, bridgePad)) return true;
  }
  if (!ctx.eflag) {
    if (src >= 0 && dst >= 0) ctx.s += ctx.names.mac(ctx.d, src) + ' > ' + ctx.names.mac(ctx.d, dst) + ' ';
    if (oui === 0) ctx.s += 'SNAP, ethertype ' + tok2str(ETHERTYPE_NAMES, 'Unknown', et) + ' (0x' + hex4(et) + '), length ' + length + ': ';
    else ctx.s += 'SNAP, oui ' + tok2str(OUI_NAMES, 'Unknown', oui) + ' (0x' + hex6(oui) + '), pid ' + snapPidName(oui, et) + ' (0x' + hex4(et) + '), length ' + length + ': ';
  }
  return false;
}

function hex6(v: number): string {
  const s = v.toString(16);
  return '000000'.slice(s.length) + s;
}
