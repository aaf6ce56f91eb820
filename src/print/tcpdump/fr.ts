/**
 * Frame Relay (print-fr.c): LINKTYPE_FRELAY with its Q.922 address (2 to 4 bytes: DLCI, C/R,
 * FECN, BECN, DE), the UI control byte, an optional pad and the NLPID that picks the payload
 * (IPv4, IPv6, SNAP, Q.933 signalling, FRF.15 fragments, PPP); Cisco-style frames carry an
 * EtherType instead. LINKTYPE_MFR carries FRF.16 multilink frames (control frames and fragments).
 * Nothing of the Frame Relay header prints without -e unless the payload cannot be decoded:
 * `Q.922, hdr-len 2, DLCI 100, Flags [none], NLPID unknown (0x22), length 72: ` and a hex dump.
 */
import { type PrintContext, TRUNCATED } from './context.js';
import { etherTypePrint, registerLinkType } from './dispatch.js';
import { hex4 } from './ether.js';
import { snapPrint } from './llc.js';
import { hex2, hex8, printUnknownData } from './nd-strings.js';
import { pppPrint } from './ppp.js';
import { ETHERTYPE_NAMES, bittok2str, toMap, tok2str } from './tok.js';
import { FN_CHAR } from './text.js';

const FR_EA_BIT = 0x01;
const LLC_UI = 0x03;
const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x02000000, 'C!'], [0x00020000, 'DE'], [0x00040000, 'BECN'], [0x00080000, 'FECN'], [0x00000002, 'sdlcore'],
];

const NLPID_Q933 = 0x08;
const NLPID_SNAP = 0x80;
const NLPID_CLNP = 0x81;
const NLPID_ESIS = 0x82;
const NLPID_ISIS = 0x83;
const NLPID_IP6 = 0x8e;
const NLPID_MFR = 0xb1;
const NLPID_IP = 0xcc;
const NLPID_PPP = 0xcf;
/** nlpid_values (nlpid.c) */
export const NLPID_NAMES = toMap([
  [0x00, 'NULL'], [NLPID_Q933, 'Q.933'], [0x09, 'LMI'], [NLPID_SNAP, 'SNAP'], [NLPID_CLNP, 'CLNP'], [NLPID_ESIS, 'ES-IS'],
  [NLPID_ISIS, 'IS-IS'], [0x84, 'CONS'], [0x85, 'IDRP'], [0xc1, 'ISIS_SPB'], [NLPID_MFR, 'FRF.15'], [NLPID_IP, 'IPv4'],
  [NLPID_PPP, 'PPP'], [0x8a, 'X25 ES-IS'], [NLPID_IP6, 'IPv6'],
]);

// FRF.15 / FRF.16 fragmentation header bits
const MFR_B_BIT = 0x80;
const MFR_E_BIT = 0x40;
const MFR_C_BIT = 0x20;
const MFR_BEC_MASK = MFR_B_BIT | MFR_E_BIT | MFR_C_BIT;
const MFR_CTRL_FRAME = MFR_B_BIT | MFR_E_BIT | MFR_C_BIT;
const MFR_FRAG_FRAME = MFR_B_BIT | MFR_E_BIT;
const FRF_FLAG_BITS: ReadonlyArray<readonly [number, string]> = [[MFR_B_BIT, 'Begin'], [MFR_E_BIT, 'End'], [MFR_C_BIT, 'Control']];

/** osi.ts fills this in (osi.ts imports Q.933 from here: no import cycle) */
export const isoclnsPrintRef: { fn: (ctx: PrintContext, p: number, length: number) => void } = { fn: () => undefined };

/** the result of parsing a Q.922 address (one object, reused: no allocation per frame) */
const q922 = { dlci: 0, addrLen: 0, flags: 0 };

/** parse_q922_header: 1 on success, 0 for an invalid address, -1 when cut short */
function parseQ922(ctx: PrintContext, p: number, length: number): number {
  if (!ctx.ttest(p, 1) || length < 1) return -1;
  const b0 = ctx.u8(p);
  if (b0 & FR_EA_BIT) return 0;
  if (!ctx.ttest(p + 1, 1) || length < 2) return -1;
  const b1 = ctx.u8(p + 1);
  q922.addrLen = 2;
  q922.dlci = ((b0 & 0xfc) << 2) | ((b1 & 0xf0) >> 4);
  // C/R from the first byte; FECN, BECN and DE from the second
  q922.flags = (((b0 & 0x02) << 24) | ((b1 & 0x0e) << 16)) >>> 0;
  if (b1 & FR_EA_BIT) return 1;
  p += 2;
  length -= 2;
  if (!ctx.ttest(p, 1) || length < 1) return -1;
  q922.addrLen++;
  if ((ctx.u8(p) & FR_EA_BIT) === 0) {
    q922.dlci = (q922.dlci << 7) | (ctx.u8(p) >> 1);
    q922.addrLen++;
    p++;
    length--;
  }
  if (!ctx.ttest(p, 1) || length < 1) return -1;
  const last = ctx.u8(p);
  if ((last & FR_EA_BIT) === 0) return 0;
  q922.flags = (q922.flags | (last & 0x02)) >>> 0;
  q922.dlci = (q922.dlci << 6) | (last >> 2);
  return 1;
}

function hdrText(ctx: PrintContext, length: number, addrLen: number, dlci: number, flags: number, nlpid: number): void {
  if (ctx.qflag) {
    ctx.s += 'Q.922, DLCI ' + dlci + ', length ' + length + ': ';
  } else if (nlpid <= 0xff) {
    ctx.s += 'Q.922, hdr-len ' + addrLen + ', DLCI ' + dlci + ', Flags [' + bittok2str(FLAG_BITS, 'none', flags) + '], NLPID ' +
      tok2str(NLPID_NAMES, 'unknown', nlpid) + ' (0x' + hex2(nlpid) + '), length ' + length + ': ';
  } else {
    ctx.s += 'Q.922, hdr-len ' + addrLen + ', DLCI ' + dlci + ', Flags [' + bittok2str(FLAG_BITS, 'none', flags) + '], cisco-ethertype ' +
      tok2str(ETHERTYPE_NAMES, 'unknown', nlpid) + ' (0x' + hex4(nlpid) + '), length ' + length + ': ';
  }
}

/** fr_print: a Frame Relay frame at `p`; returns the header length (0 when it could not be parsed). */
export function frPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'fr';
  const ret = parseQ922(ctx, p, length);
  if (ret === -1) { ctx.trunc(); return 0; }
  if (ret === 0) {
    ctx.s += 'Q.922, invalid address';
    return 0;
  }
  const { dlci, addrLen, flags } = q922;
  if (!ctx.ttest(p + addrLen, 1) || length < addrLen + 1) { ctx.trunc(); return 0; }
  const control = ctx.u8(p + addrLen);
  if (control !== LLC_UI && dlci !== 0) {
    // Cisco-style encapsulation: an EtherType right after the address
    if (!ctx.ttest(p + addrLen, 2) || length < addrLen + 2) {
      ctx.s += 'UI ' + hex2(control) + '! ';
    } else {
      const et = ctx.be16(p + addrLen);
      if (ctx.eflag) hdrText(ctx, length, addrLen, dlci, flags, et);
      const q = p + addrLen + 2;
      if (etherTypePrint(ctx, et, q, length - addrLen - 2, ctx.bytesAfter(q))) return addrLen + 2;
      ctx.s += 'UI ' + hex2(control) + '! ';
    }
  }
  if (!ctx.ttest(p + addrLen + 1, 1) || length < addrLen + 2) { ctx.trunc(); return 0; }
  let hdrLen: number;
  if (ctx.u8(p + addrLen + 1) === 0) {
    // a pad byte after the control byte, which only 3-byte addresses should have
    if (addrLen !== 3) ctx.s += 'Pad! ';
    hdrLen = addrLen + 3;
  } else {
    if (addrLen === 3) ctx.s += 'No pad! ';
    hdrLen = addrLen + 2;
  }
  if (!ctx.ttest(p + hdrLen - 1, 1) || length < hdrLen) { ctx.trunc(); return 0; }
  const nlpid = ctx.u8(p + hdrLen - 1);
  if (ctx.eflag) hdrText(ctx, length, addrLen, dlci, flags, nlpid);
  p += hdrLen;
  length -= hdrLen;
  switch (nlpid) {
    case NLPID_IP:
      etherTypePrint(ctx, 0x0800, p, length, ctx.bytesAfter(p));
      break;
    case NLPID_IP6:
      etherTypePrint(ctx, 0x86dd, p, length, ctx.bytesAfter(p));
      break;
    case NLPID_CLNP:
    case NLPID_ESIS:
    case NLPID_ISIS:
      // the OSI printers read the NLPID themselves
      isoclnsPrintRef.fn(ctx, p - 1, length + 1);
      break;
    case NLPID_SNAP:
      if (!snapPrint(ctx, p, length, ctx.bytesAfter(p), -1, -1, 0)) {
        if (!ctx.eflag) hdrText(ctx, length + hdrLen, hdrLen, dlci, flags, nlpid);
        ctx.defaultPrint(p - hdrLen, length + hdrLen);
      }
      break;
    case NLPID_Q933:
      q933Print(ctx, p, length);
      break;
    case NLPID_MFR:
      frf15Print(ctx, p, length);
      break;
    case NLPID_PPP:
      pppPrint(ctx, p, length);
      break;
    default:
      if (!ctx.eflag) hdrText(ctx, length + hdrLen, addrLen, dlci, flags, nlpid);
      if (!ctx.xflag) ctx.hexAndAscii('\n\t', p, length);
  }
  return hdrLen;
}

function frIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'fr';
  if (caplen < 4) {
    ctx.trunc();
    return caplen;
  }
  return frPrint(ctx, p, length);
}

// ---- FRF.16 multilink (LINKTYPE_MFR) and FRF.15 ---------------------------------------------

const MFR_CTRL_MSG_NAMES = toMap([
  [1, 'Add Link'], [2, 'Add Link ACK'], [3, 'Add Link Reject'], [4, 'Hello'], [5, 'Hello ACK'], [6, 'Remove Link'], [7, 'Remove Link ACK'],
]);
const MFR_IE_BUNDLE_ID = 1;
const MFR_IE_LINK_ID = 2;
const MFR_IE_MAGIC_NUM = 3;
const MFR_IE_NAMES = toMap([[MFR_IE_BUNDLE_ID, 'Bundle ID'], [MFR_IE_LINK_ID, 'Link ID'], [MFR_IE_MAGIC_NUM, 'Magic Number'], [5, 'Timestamp'], [6, 'Vendor Extension'], [7, 'Cause']]);
const MFR_ID_STRING_MAXLEN = 50;

export function mfrPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'mfr';
  if (!ctx.ttest(p, 4)) { ctx.trunc(); return length; }
  const b0 = ctx.u8(p);
  if ((b0 & MFR_BEC_MASK) === MFR_CTRL_FRAME && ctx.u8(p + 1) === 0) {
    ctx.s += 'FRF.16 Control, Flags [' + bittok2str(FRF_FLAG_BITS, 'none', b0 & MFR_BEC_MASK) + '], ' +
      tok2str(MFR_CTRL_MSG_NAMES, 'Unknown Message (0x%02x)', ctx.u8(p + 2)) + ', length ' + length;
    let t = p + 3;
    let tlen = length - 3;
    if (!ctx.vflag) return 3;
    while (tlen > 2) {
      if (!ctx.ttest(t, 2)) { ctx.trunc(); return length; }
      const ieType = ctx.u8(t);
      let ieLen = ctx.u8(t + 1);
      ctx.s += '\n\tIE ' + tok2str(MFR_IE_NAMES, 'Unknown', ieType) + ' (' + ieType + '), length ' + ieLen + ': ';
      // a zero type or a length not past the TLV header would loop forever
      if (ieType === 0 || ieLen <= 2) return 3;
      if (!ctx.ttest(t, ieLen)) { ctx.trunc(); return length; }
      t += 2;
      ieLen -= 2;
      tlen -= 2;
      switch (ieType) {
        case MFR_IE_MAGIC_NUM:
          if (ieLen !== 4) {
            ctx.s += '[IE data length ' + ieLen + ' != 4]';
            ctx.invalid();
            break;
          }
          ctx.s += '0x' + hex8(ctx.be32(t));
          break;
        case MFR_IE_BUNDLE_ID:
        case MFR_IE_LINK_ID:
          for (let i = 0; i < ieLen && i < MFR_ID_STRING_MAXLEN; i++) {
            const c = ctx.u8(t + i);
            if (c === 0) break;
            ctx.s += FN_CHAR[c];
          }
          break;
        default:
          // timestamps, vendor extensions and causes: tcpdump shows their bytes
          if (ctx.vflag <= 1) printUnknownData(ctx, t, '\n\t  ', ieLen);
      }
      if (ctx.vflag > 1) printUnknownData(ctx, t, '\n\t  ', ieLen);
      tlen -= ieLen;
      t += ieLen;
    }
    return 3;
  }
  const seq = ((b0 & 0x1e) << 7) | ctx.u8(p + 1);
  const bec = b0 & MFR_BEC_MASK;
  if (bec === MFR_FRAG_FRAME || bec === MFR_B_BIT) {
    // a whole frame or a first fragment: a Frame Relay header follows
    ctx.s += 'FRF.16 Frag, seq ' + seq + ', Flags [' + bittok2str(FRF_FLAG_BITS, 'none', bec) + '], ';
    frPrint(ctx, p + 2, length - 2);
    return 2;
  }
  ctx.s += 'FRF.16 Frag, seq ' + seq + ', Flags [' + bittok2str(FRF_FLAG_BITS, 'none', bec) + ']';
  printUnknownData(ctx, p, '\n\t', length);
  return 0;
}

function mfrIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'mfr';
  if (caplen < 2) {
    ctx.trunc();
    return caplen;
  }
  return mfrPrint(ctx, p, length);
}

function frf15Print(ctx: PrintContext, p: number, length: number): void {
  // tcpdump longjmps here: the frame ends with ` [|fr]` and -x dumps it whole
  if (length < 2) throw TRUNCATED;
  const b0 = ctx.u8(p);
  const seq = ((b0 & 0x1e) << 7) | ctx.u8(p + 1);
  ctx.s += 'FRF.15, seq 0x' + seq.toString(16).padStart(3, '0') + ', Flags [' + bittok2str(FRF_FLAG_BITS, 'none', b0 & MFR_BEC_MASK) + '],' +
    (b0 & 0x01 ? 'Interface' : 'End-to-End') + ' Fragmentation, length ' + length;
}

// ---- Q.933 signalling (also Q.931) ----------------------------------------------------------

const Q933_MSG_NAMES = toMap([
  [0x00, 'ESC to National'], [0x01, 'Alert'], [0x02, 'Call proceeding'], [0x07, 'Connect'], [0x0f, 'Connect ACK'],
  [0x03, 'Progress'], [0x05, 'Setup'], [0x45, 'Disconnect'], [0x4d, 'Release'], [0x5a, 'Release Complete'],
  [0x46, 'Restart'], [0x4e, 'Restart ACK'], [0x7d, 'Status Reply'], [0x75, 'Status Enquiry'],
]);
const IE_ANSI_REPORT_TYPE = 0x01;
const IE_ANSI_LINK_VERIFY_91 = 0x19;
const IE_ANSI_LINK_VERIFY = 0x03;
const IE_ANSI_PVC_STATUS = 0x07;
const IE_CCITT_REPORT_TYPE = 0x51;
const IE_CCITT_LINK_VERIFY = 0x53;
const IE_CCITT_PVC_STATUS = 0x57;
const IE_NAMES_0_5 = toMap([
  [IE_ANSI_REPORT_TYPE, 'ANSI Report Type'], [IE_ANSI_LINK_VERIFY_91, 'ANSI Link Verify'], [IE_ANSI_LINK_VERIFY, 'ANSI Link Verify'],
  [IE_ANSI_PVC_STATUS, 'ANSI PVC Status'], [IE_CCITT_REPORT_TYPE, 'CCITT Report Type'], [IE_CCITT_LINK_VERIFY, 'CCITT Link Verify'],
  [IE_CCITT_PVC_STATUS, 'CCITT PVC Status'],
]);
const EMPTY = new Map<number, string>();
const REPORT_TYPE_NAMES = toMap([[0, 'Full Status'], [1, 'Link verify'], [2, 'Async PVC Status']]);

/** q933_print: p points at the call reference length octet */
export function q933Print(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'q.933';
  const trunc = (): void => ctx.trunc();
  ctx.s += ctx.eflag ? '' : 'Q.933';
  if (length === 0 || !ctx.ttest(p, 1)) {
    if (!ctx.eflag) ctx.s += ', ';
    ctx.s += 'length ' + length;
    trunc();
    return;
  }
  const olen = length;
  const callRefLength = ctx.u8(p) & 0x0f;
  p++;
  length--;
  const callRefStart = p;
  for (let i = 0; i < callRefLength; i++) {
    if (length === 0 || !ctx.ttest(p, 1)) {
      if (!ctx.eflag) ctx.s += ', ';
      ctx.s += 'length ' + olen;
      trunc();
      return;
    }
    p++;
    length--;
  }
  if (length === 0 || !ctx.ttest(p, 1)) {
    if (!ctx.eflag) ctx.s += ', ';
    ctx.s += 'length ' + olen;
    trunc();
    return;
  }
  const msgtype = ctx.u8(p);
  p++;
  length--;

  // a leading shift changes the codeset (a locking shift to 5 means ANSI T1.617 Annex D)
  let codeset = 0;
  let isAnsi = false;
  let nonLockingShift = 0;
  let unshiftCodeset = codeset;
  if (length !== 0) {
    if (!ctx.ttest(p, 1)) {
      if (!ctx.eflag) ctx.s += ', ';
      ctx.s += 'length ' + olen;
      trunc();
      return;
    }
    const iecode = ctx.u8(p);
    if ((iecode & 0xf0) === 0x90) {
      p++;
      length--;
      codeset = iecode & 0x07;
      if ((iecode & 0x08) === 0) {
        if (codeset === 5) isAnsi = true;
      } else {
        nonLockingShift = 1;
        unshiftCodeset = 0;
      }
    }
  }
  if (!ctx.eflag) ctx.s += ', ';
  ctx.s += (isAnsi ? 'ANSI' : 'CCITT') + ', codeset ' + codeset;
  if (callRefLength !== 0) {
    // read with tcpdump's longjmp: ` [|q.933]` ends the packet and -x dumps all of it
    if (!ctx.ttest(p, 1)) throw TRUNCATED;
    if (callRefLength > 1 || ctx.u8(p) !== 0) {
      ctx.s += ', Call Ref: 0x';
      for (let i = 0; i < callRefLength; i++) ctx.s += hex2(ctx.d[callRefStart + i]);
    }
  }
  if (ctx.vflag) ctx.s += ', ' + tok2str(Q933_MSG_NAMES, 'unknown message', msgtype) + ' (0x' + hex2(msgtype) + '), length ' + olen;
  else ctx.s += ', ' + tok2str(Q933_MSG_NAMES, 'unknown message 0x%02x', msgtype);

  while (length !== 0) {
    if (nonLockingShift === 1) nonLockingShift = 2;
    else if (nonLockingShift === 2) {
      codeset = unshiftCodeset;
      nonLockingShift = 0;
    }
    if (!ctx.ttest(p, 1)) {
      if (!ctx.vflag) ctx.s += ', length ' + olen;
      trunc();
      return;
    }
    const iecode = ctx.u8(p);
    p++;
    length--;
    if (iecode & 0x80) {
      // a single-octet IE; shifts change the codeset
      if ((iecode & 0xf0) === 0x90) {
        if ((iecode & 0x08) === 0) nonLockingShift = 0;
        else {
          nonLockingShift = 1;
          unshiftCodeset = codeset;
        }
        codeset = iecode & 0x07;
      }
      continue;
    }
    if (length === 0 || !ctx.ttest(p, 1)) {
      if (!ctx.vflag) ctx.s += ', length ' + olen;
      trunc();
      return;
    }
    const ielength = ctx.u8(p);
    p++;
    length--;
    const known05 = codeset === 0 || codeset === 5;
    if (ctx.vflag) {
      ctx.s += '\n\t' + tok2str(known05 ? IE_NAMES_0_5 : EMPTY, 'unknown', iecode) + ' IE (0x' + hex2(iecode) + '), length ' + ielength + ': ';
    }
    if (iecode === 0 || ielength === 0) return;
    if (length < ielength || !ctx.ttest(p, ielength)) {
      if (!ctx.vflag) ctx.s += ', length ' + olen;
      trunc();
      return;
    }
    const ieKnown = known05 && ieCodeset05(ctx, iecode, ielength, p);
    if (ieKnown) {
      if (ctx.vflag > 1) printUnknownData(ctx, p, '\n\t  ', ielength);
    } else if (ctx.vflag >= 1) {
      printUnknownData(ctx, p, '\n\t', ielength);
    }
    length -= ielength;
    p += ielength;
  }
  if (!ctx.vflag) ctx.s += ', length ' + olen;
}

/** fr_q933_print_ie_codeset_0_5: true when the IE is one it knows */
function ieCodeset05(ctx: PrintContext, iecode: number, ielength: number, p: number): boolean {
  const d = ctx.d;
  switch (iecode) {
    case IE_ANSI_REPORT_TYPE:
    case IE_CCITT_REPORT_TYPE:
      if (ielength < 1) {
        if (!ctx.vflag) ctx.s += ', ';
        ctx.s += 'Invalid REPORT TYPE IE';
        return true;
      }
      if (ctx.vflag) ctx.s += tok2str(REPORT_TYPE_NAMES, 'unknown', d[p]) + ' (' + d[p] + ')';
      return true;
    case IE_ANSI_LINK_VERIFY:
    case IE_CCITT_LINK_VERIFY:
    case IE_ANSI_LINK_VERIFY_91:
      if (!ctx.vflag) ctx.s += ', ';
      if (ielength < 2) {
        ctx.s += 'Invalid LINK VERIFY IE';
        return true;
      }
      ctx.s += 'TX Seq: ' + String(d[p]).padStart(3, ' ') + ', RX Seq: ' + String(d[p + 1]).padStart(3, ' ');
      return true;
    case IE_ANSI_PVC_STATUS:
    case IE_CCITT_PVC_STATUS: {
      if (!ctx.vflag) ctx.s += ', ';
      if (ielength < 3 || (d[p] & 0x80) || (ielength === 3 && !(d[p + 1] & 0x80)) ||
          (ielength === 4 && ((d[p + 1] & 0x80) || !(d[p + 2] & 0x80))) ||
          (ielength === 5 && ((d[p + 1] & 0x80) || (d[p + 2] & 0x80) || !(d[p + 3] & 0x80))) ||
          ielength > 5 || !(d[p + ielength - 1] & 0x80)) {
        ctx.s += 'Invalid DLCI in PVC STATUS IE';
        return true;
      }
      let dlci = ((d[p] & 0x3f) << 4) | ((d[p + 1] & 0x78) >> 3);
      if (ielength === 4) dlci = (dlci << 6) | ((d[p + 2] & 0x7e) >> 1);
      else if (ielength === 5) dlci = (dlci << 13) | (d[p + 2] & 0x7f) | ((d[p + 3] & 0x7e) >> 1);
      const last = d[p + ielength - 1];
      ctx.s += 'DLCI ' + dlci + ': status ' + (last & 0x8 ? 'New, ' : '') + (last & 0x2 ? 'Active' : 'Inactive');
      return true;
    }
  }
  return false;
}

registerLinkType(107, 'FRELAY', frIfPrint);
registerLinkType(182, 'MFR', mfrIfPrint);
