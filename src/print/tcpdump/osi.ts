/**
 * OSI network layer dispatch (print-isoclns.c's isoclns_print): the first byte is an NLPID that
 * picks the protocol. ES-IS, Q.933, IPv4, IPv6 and PPP are decoded, IS-IS as far as its headers
 * (all of -n's line; with -v the common header, then the rest in hex: no TLV decoder yet); CLNP
 * has no decoder yet and prints its name, length and bytes. Reached from LLC SAP 0xfe,
 * Frame Relay, Cisco HDLC, PPP's OSI protocol, MPLS, GRE and EtherType 0xfefe.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerEtherType } from './dispatch.js';
import { NLPID_NAMES, isoclnsPrintRef, q933Print } from './fr.js';
import { registerLlcSap } from './llc.js';
import { hex2, hex4, printUnknownData } from './nd-strings.js';
import { osiPrintRef, pppPrint } from './ppp.js';
import { toMap, tok2str } from './tok.js';

const NLPID_NULLNS = 0x00;
const NLPID_Q933 = 0x08;
const NLPID_CLNP = 0x81;
const NLPID_ESIS = 0x82;
const NLPID_ISIS = 0x83;
const NLPID_IP6 = 0x8e;
const NLPID_IP = 0xcc;
const NLPID_PPP = 0xcf;

/** isoclns_print: `p` points at the NLPID */
export function isoclnsPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'isoclns';
  const nlpid = ctx.u8(p);
  if (ctx.eflag) ctx.s += 'OSI NLPID ' + tok2str(NLPID_NAMES, 'Unknown', nlpid) + ' (0x' + hex2(nlpid) + '): ';
  switch (nlpid) {
    case NLPID_ESIS:
      esisPrint(ctx, p, length);
      break;
    case NLPID_ISIS:
      if (!isisPrint(ctx, p, length)) printUnknownData(ctx, p, '\n\t', length);
      break;
    case NLPID_CLNP:
      // no decoder: name and length (tcpdump's -v first line), then the bytes
      if (!ctx.eflag) ctx.s += tok2str(NLPID_NAMES, 'Unknown', nlpid) + ', ';
      ctx.s += 'length ' + length;
      printUnknownData(ctx, p, '\n\t', length);
      break;
    case NLPID_NULLNS:
      ctx.s += (ctx.eflag ? '' : ', ') + 'length: ' + length;
      break;
    case NLPID_Q933:
      q933Print(ctx, p + 1, length - 1);
      break;
    case NLPID_IP:
      etherTypePrint(ctx, 0x0800, p + 1, length - 1, ctx.bytesAfter(p + 1));
      break;
    case NLPID_IP6:
      etherTypePrint(ctx, 0x86dd, p + 1, length - 1, ctx.bytesAfter(p + 1));
      break;
    case NLPID_PPP:
      pppPrint(ctx, p + 1, length - 1);
      break;
    default:
      if (!ctx.eflag) ctx.s += 'OSI NLPID 0x' + hex2(nlpid) + ' unknown';
      ctx.s += (ctx.eflag ? '' : ', ') + 'length: ' + length;
      if (length > 1) printUnknownData(ctx, p, '\n\t', length);
  }
}

// ---- ES-IS, ISO 9542 ------------------------------------------------------------------------

const ESIS_HDRLEN = 9;
const ESIS_VERSION = 1;
const ESIS_PDU_REDIRECT = 6;
const ESIS_PDU_ESH = 2;
const ESIS_PDU_ISH = 4;
const ESIS_PDU_NAMES = toMap([[ESIS_PDU_REDIRECT, 'redirect'], [ESIS_PDU_ESH, 'ESH'], [ESIS_PDU_ISH, 'ISH']]);
const ESIS_OPTION_PROTOCOLS = 0x81;
const ESIS_OPTION_ES_CONF_TIME = 0xc6;
// "Addressk" is tcpdump's spelling
const ESIS_OPTION_NAMES = toMap([
  [ESIS_OPTION_PROTOCOLS, 'Protocols supported'], [0xc3, 'QoS Maintenance'], [0xc5, 'Security'], [ESIS_OPTION_ES_CONF_TIME, 'ES Configuration Time'],
  [0xcd, 'Priority'], [0xe1, 'Addressk Mask'], [0xe2, 'SNPA Mask'],
]);
const ISONSAP_MAX_LENGTH = 20;

/** isonsap_string: `49.0001.1921.6800.1001.00`: the first byte alone, then pairs */
export function isonsapString(ctx: PrintContext, o: number, len: number): string {
  if (len < 1 || len > ISONSAP_MAX_LENGTH) return 'isonsap_string: illegal length';
  let s = '';
  for (let i = 0; i < len; i++) {
    s += hex2(ctx.d[o + i]);
    if ((i & 1) === 0 && i + 1 < len) s += '.';
  }
  return s;
}

/** linkaddr_string for addresses that are not Ethernet ones */
function linkaddrString(ctx: PrintContext, o: number, len: number): string {
  if (len === 0) return '<empty>';
  let s = hex2(ctx.d[o]);
  for (let i = 1; i < len; i++) s += ':' + hex2(ctx.d[o + i]);
  return s;
}

/** create_osi_cksum: the Fletcher checksum ISO 8473 defines, computed as if the field were zero */
export function osiChecksum(d: Uint8Array, o: number, checksumOffset: number, length: number): number {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < length; i++) {
    if (i !== checksumOffset && i !== checksumOffset + 1) c0 += d[o + i];
    c1 += c0;
  }
  c0 %= 255;
  c1 %= 255;
  const mul = (length - checksumOffset) * c0;
  let x = mul - c0 - c1;
  let y = c1 - mul - 1;
  if (y >= 0) y++;
  if (x < 0) x--;
  x %= 255;
  y %= 255;
  if (x === 0) x = 255;
  if (y === 0) y = 255;
  return ((x & 0xff) << 8) | (y & 0xff);
}

/** osi_print_cksum */
function checksumVerdict(ctx: PrintContext, o: number, checksum: number, checksumOffset: number, length: number): void {
  if (!checksum || !ctx.ttest(o + checksumOffset, 2) || checksumOffset > length || !ctx.ttest(o, length)) {
    ctx.s += ' (unverified)';
    return;
  }
  const computed = osiChecksum(ctx.d, o, checksumOffset, length);
  ctx.s += checksum === computed ? ' (correct)' : ' (incorrect should be 0x' + hex4(computed) + ')';
}

function esisPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'esis';
  if (!ctx.eflag) ctx.s += 'ES-IS';
  if (length <= 2) {
    ctx.s += ctx.qflag ? 'bad pkt!' : 'no header at all!';
    return;
  }
  if (!ctx.ttest(p, ESIS_HDRLEN)) { ctx.trunc(); return; }
  const d = ctx.d;
  let li = d[p + 1];
  const version = d[p + 2];
  if (d[p] !== NLPID_ESIS) {
    ctx.s += ' nlpid 0x' + hex2(d[p]) + ' packet not supported';
    return;
  }
  if (version !== ESIS_VERSION) {
    ctx.s += ' version ' + version + ' packet not supported';
    return;
  }
  if (li > length) {
    ctx.s += ' length indicator(' + li + ') > PDU size (' + length + ')!';
    return;
  }
  if (li < ESIS_HDRLEN + 2) {
    ctx.s += ' length indicator ' + li + ' < min PDU size:';
    for (let q = p; q < ctx.snapend; q++) ctx.s += hex2(d[q]).toUpperCase();
    return;
  }
  const type = d[p + 4] & 0x1f;
  if (ctx.vflag < 1) {
    ctx.s += (ctx.eflag ? '' : ', ') + tok2str(ESIS_PDU_NAMES, 'unknown type (%u)', type) + ', length ' + length;
    return;
  }
  ctx.s += (ctx.eflag ? '' : ', ') + 'length ' + length + '\n\t' + tok2str(ESIS_PDU_NAMES, 'unknown type: %u', type) + ' (' + type + ')';
  const checksum = (d[p + 7] << 8) | d[p + 8];
  ctx.s += ', v: ' + version + ', checksum: 0x' + hex4(checksum);
  checksumVerdict(ctx, p, checksum, 7, li);
  ctx.s += ', holding time: ' + ((d[p + 5] << 8) | d[p + 6]) + 's, length indicator: ' + li;
  if (ctx.vflag > 1) printUnknownData(ctx, p, '\n\t', ESIS_HDRLEN);
  let q = p + ESIS_HDRLEN;
  li -= ESIS_HDRLEN;
  /** a one-byte length and that many bytes: the offset of the bytes, or -1 (message printed) */
  const counted = (what: string): number => {
    if (!ctx.ttest(q, 1)) return -2;
    if (li < 1) { ctx.s += ', bad ' + what + '/li'; return -1; }
    const n = d[q];
    q++;
    li--;
    if (!ctx.ttest(q, n)) return -2;
    if (li < n) { ctx.s += ', bad ' + what + '/li'; return -1; }
    const at = q;
    q += n;
    li -= n;
    return at;
  };
  switch (type) {
    case ESIS_PDU_REDIRECT: {
      const dst = counted('redirect');
      if (dst === -2) { ctx.trunc(); return; }
      if (dst === -1) return;
      ctx.s += '\n\t  ' + isonsapString(ctx, dst, d[dst - 1]);
      const snpa = counted('redirect');
      if (snpa === -2) { ctx.trunc(); return; }
      if (snpa === -1) return;
      // the NET's length is taken without reducing the length indicator, as tcpdump does
      if (!ctx.ttest(q, 1)) { ctx.trunc(); return; }
      if (li < 1) { ctx.s += ', bad redirect/li'; return; }
      const netal = d[q];
      q++;
      if (!ctx.ttest(q, netal)) { ctx.trunc(); return; }
      if (li < netal) { ctx.s += ', bad redirect/li'; return; }
      const neta = q;
      q += netal;
      li -= netal;
      const snpal = d[snpa - 1];
      ctx.s += '\n\t  SNPA (length: ' + snpal + '): ' + (snpal === 6 ? ctx.names.mac(d, snpa) : linkaddrString(ctx, snpa, snpal));
      if (netal !== 0) ctx.s += '\n\t  NET (length: ' + netal + ') ' + isonsapString(ctx, neta, netal);
      break;
    }
    case ESIS_PDU_ESH: {
      if (!ctx.ttest(q, 1)) { ctx.trunc(); return; }
      if (li < 1) { ctx.s += ', bad esh/li'; return; }
      let count = d[q];
      q++;
      li--;
      ctx.s += '\n\t  Number of Source Addresses: ' + count;
      while (count > 0) {
        const at = counted('esh');
        if (at === -2) { ctx.trunc(); return; }
        if (at === -1) return;
        ctx.s += '\n\t  NET (length: ' + d[at - 1] + '): ' + isonsapString(ctx, at, d[at - 1]);
        count--;
      }
      break;
    }
    case ESIS_PDU_ISH: {
      const at = counted('ish');
      if (at === -2) { ctx.trunc(); return; }
      if (at === -1) return;
      ctx.s += '\n\t  NET (length: ' + d[at - 1] + '): ' + isonsapString(ctx, at, d[at - 1]);
      break;
    }
    default:
      if (ctx.vflag <= 1 && q < ctx.snapend) printUnknownData(ctx, q, '\n\t  ', ctx.snapend - q);
      return;
  }
  // the options
  while (li !== 0) {
    if (li < 2) { ctx.s += ', bad opts/li'; return; }
    if (!ctx.ttest(q, 2)) { ctx.trunc(); return; }
    const op = d[q];
    let opli = d[q + 1];
    q += 2;
    li -= 2;
    if (opli > li) { ctx.s += ', opt (' + op + ') too long'; return; }
    li -= opli;
    let t = q;
    ctx.s += '\n\t  ' + tok2str(ESIS_OPTION_NAMES, 'Unknown', op) + ' Option #' + op + ', length ' + opli + ', value: ';
    switch (op) {
      case ESIS_OPTION_ES_CONF_TIME:
        if (opli === 2) {
          if (!ctx.ttest(q, 2)) { ctx.trunc(); return; }
          ctx.s += ((d[t] << 8) | d[t + 1]) + 's';
        } else ctx.s += '(bad length)';
        break;
      case ESIS_OPTION_PROTOCOLS:
        while (opli > 0) {
          if (!ctx.ttest(t, 1)) { ctx.trunc(); return; }
          ctx.s += tok2str(NLPID_NAMES, 'unknown', d[t]) + ' (0x' + hex2(d[t]) + ')';
          if (opli > 1) ctx.s += ', ';
          t++;
          opli--;
        }
        break;
      default:
        printUnknownData(ctx, t, '\n\t  ', opli);
    }
    if (ctx.vflag > 1) printUnknownData(ctx, q, '\n\t  ', opli);
    q += opli;
  }
}

// ---- IS-IS, ISO 10589 (the PDU headers) ------------------------------------------------------

const ISIS_COMMON_HEADER_SIZE = 8;
const SYSTEM_ID_LEN = 6;
const NODE_ID_LEN = 7;
const LSP_ID_LEN = 8;
const ISIS_PDU_NAMES = toMap([
  [15, 'L1 Lan IIH'], [16, 'L2 Lan IIH'], [17, 'p2p IIH'], [18, 'L1 LSP'], [20, 'L2 LSP'], [24, 'L1 CSNP'], [25, 'L2 CSNP'],
  [26, 'L1 PSNP'], [27, 'L2 PSNP'],
]);
/** each PDU type's header after the common one: its size and what -n shows of it */
const ISIS_PDU_HEADERS = new Map<number, { size: number; brief: (ctx: PrintContext, h: number) => string }>([
  [15, { size: 19, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 1, SYSTEM_ID_LEN) + ', lan-id ' + isisId(ctx, h + 12, NODE_ID_LEN) + ', prio ' + ctx.u8(h + 11) }],
  [16, { size: 19, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 1, SYSTEM_ID_LEN) + ', lan-id ' + isisId(ctx, h + 12, NODE_ID_LEN) + ', prio ' + ctx.u8(h + 11) }],
  [17, { size: 12, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 1, SYSTEM_ID_LEN) }],
  [18, { size: 19, brief: lspBrief }],
  [20, { size: 19, brief: lspBrief }],
  [24, { size: 25, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 2, NODE_ID_LEN) }],
  [25, { size: 25, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 2, NODE_ID_LEN) }],
  [26, { size: 9, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 2, NODE_ID_LEN) }],
  [27, { size: 9, brief: (ctx, h) => ', src-id ' + isisId(ctx, h + 2, NODE_ID_LEN) }],
]);

function lspBrief(ctx: PrintContext, h: number): string {
  return ', lsp-id ' + isisId(ctx, h + 4, LSP_ID_LEN) + ', seq 0x' + ctx.be32(h + 12).toString(16).padStart(8, '0') +
    ', lifetime ' + String(ctx.be16(h + 2)).padStart(5, ' ') + 's';
}

/** isis_print_id: `1921.6800.1001` for a system id, `.00` after it for a node id, `-00` for an LSP id */
function isisId(ctx: PrintContext, o: number, idLen: number): string {
  ctx.need(o, idLen);
  const d = ctx.d;
  let s = '';
  const sysLen = idLen < SYSTEM_ID_LEN ? idLen : SYSTEM_ID_LEN;
  for (let i = 1; i <= sysLen; i++) {
    s += hex2(d[o + i - 1]);
    if (i === 2 || i === 4) s += '.';
  }
  if (idLen >= NODE_ID_LEN) s += '.' + hex2(d[o + 6]);
  if (idLen === LSP_ID_LEN) s += '-' + hex2(d[o + 7]);
  return s;
}

/** isis_print as far as the headers go; false when tcpdump would dump the PDU in hex after it */
function isisPrint(ctx: PrintContext, p: number, length: number): boolean {
  ctx.protocol = 'isis';
  if (!ctx.ttest(p, ISIS_COMMON_HEADER_SIZE) || length < ISIS_COMMON_HEADER_SIZE) {
    ctx.trunc();
    return true;
  }
  const d = ctx.d;
  if (!ctx.eflag) ctx.s += 'IS-IS';
  const version = d[p + 2];
  if (version !== 1) {
    ctx.s += 'version ' + version + ' packet not supported';
    return false;
  }
  const pduIdLength = d[p + 3];
  if (pduIdLength !== SYSTEM_ID_LEN && pduIdLength !== 0) {
    ctx.s += 'system ID length of ' + pduIdLength + ' is not supported';
    return false;
  }
  const pduVersion = d[p + 5];
  if (pduVersion !== 1) {
    ctx.s += 'version ' + pduVersion + ' packet not supported';
    return false;
  }
  const fixedLen = d[p + 1];
  if (length < fixedLen) {
    ctx.s += 'fixed header length ' + fixedLen + ' > packet length ' + length;
    return false;
  }
  if (fixedLen < ISIS_COMMON_HEADER_SIZE) {
    ctx.s += 'fixed header length ' + fixedLen + ' < minimum header size ' + ISIS_COMMON_HEADER_SIZE;
    return false;
  }
  const pduMaxArea = d[p + 7];
  if (pduMaxArea === 255) {
    ctx.s += 'bad packet -- 255 areas';
    return false;
  }
  // a zero means the defaults: 3 areas, 6-byte system ids
  const maxArea = pduMaxArea === 0 ? 3 : pduMaxArea;
  const idLength = pduIdLength === 0 ? 6 : pduIdLength;
  const type = d[p + 4];
  if (ctx.vflag === 0) {
    ctx.s += (ctx.eflag ? '' : ', ') + tok2str(ISIS_PDU_NAMES, 'unknown PDU-Type %u', type);
  } else {
    ctx.s += (ctx.eflag ? '' : ', ') + 'length ' + length;
    ctx.s += '\n\t' + tok2str(ISIS_PDU_NAMES, 'unknown, type %u', type) + ', hlen: ' + fixedLen + ', v: ' + version + ', pdu-v: ' + pduVersion +
      ', sys-id-len: ' + idLength + ' (' + pduIdLength + '), max-area: ' + maxArea + ' (' + pduMaxArea + ')';
    if (ctx.vflag > 1 && !printUnknownData(ctx, p, '\n\t', 8)) return false;
  }
  const header = ISIS_PDU_HEADERS.get(type);
  if (header === undefined) {
    if (ctx.vflag === 0) {
      ctx.s += ', length ' + length;
      return true;
    }
    printUnknownData(ctx, p + ISIS_COMMON_HEADER_SIZE, '\n\t  ', length);
    return false;
  }
  if (fixedLen !== ISIS_COMMON_HEADER_SIZE + header.size) {
    // (tcpdump's own message for LSPs leaves the common header out of the expected size)
    const should = type === 18 || type === 20 ? header.size : ISIS_COMMON_HEADER_SIZE + header.size;
    ctx.s += (type === 26 || type === 27 ? '- ' : ', ') + 'bogus fixed header length ' + fixedLen + ' should be ' + should;
    return false;
  }
  const h = p + ISIS_COMMON_HEADER_SIZE;
  if (!ctx.ttest(h, header.size) || length < ISIS_COMMON_HEADER_SIZE + header.size) {
    ctx.trunc();
    return true;
  }
  if (ctx.vflag === 0) {
    ctx.s += header.brief(ctx, h) + ', length ' + length;
    return true;
  }
  // the PDU headers and TLVs with -v have no decoder yet: their bytes
  printUnknownData(ctx, h, '\n\t  ', length - ISIS_COMMON_HEADER_SIZE);
  return true;
}

isoclnsPrintRef.fn = isoclnsPrint;
osiPrintRef.fn = isoclnsPrint;

// ethertype_print's ETHERTYPE_ISO: a one-byte "fudge" before the NLPID
registerEtherType(0xfefe, (ctx, p, length, caplen) => {
  if (length === 0 || caplen === 0) {
    ctx.s += ' [|osi]';
    return;
  }
  isoclnsPrint(ctx, p + 1, length - 1);
});
registerLlcSap(0xfe, (ctx, p, length) => {
  isoclnsPrint(ctx, p, length);
  return true;
});
