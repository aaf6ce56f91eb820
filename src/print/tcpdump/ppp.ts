/**
 * Point-to-Point Protocol (print-ppp.c): the PPP link types (DLT_PPP, DLT_PPP_SERIAL), PPP inside
 * PPTP's GRE and over EtherType 0x880b. The protocol field picks IPv4, IPv6, MPLS, or one of the
 * control protocols, which print `LCP, Conf-Request (0x01), id 1, length 26` (and with -v the
 * encoded length and LCP's options); ML-PPP prints `MLPPP, seq 0x001, Flags [begin, end], length N`.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerEtherType, registerLinkType } from './dispatch.js';
import { hex2, hex4, hex8, printUnknownData } from './nd-strings.js';
import { OUI_NAMES } from './oui.js';
import { FN_CHAR } from './text.js';
import { bittok2str, toMap, tok2str } from './tok.js';

const fnPrintChar = (c: number): string => FN_CHAR[c];

const PPP_HDRLEN = 4;
const PPP_ADDRESS = 0xff;
const PPP_CONTROL = 0x03;
const PPP_PPPD_IN = 0x00;
const PPP_PPPD_OUT = 0x01;

const PPP_IP = 0x0021;
const PPP_OSI = 0x0023;
const PPP_IPX = 0x002b;
const PPP_VJC = 0x002d;
const PPP_VJNC = 0x002f;
const PPP_ML = 0x003d;
const PPP_IPV6 = 0x0057;
const PPP_COMP = 0x00fd;
const PPP_MPLS_UCAST = 0x0281;
const PPP_MPLS_MCAST = 0x0283;
const PPP_IPCP = 0x8021;
const PPP_OSICP = 0x8023;
const PPP_IPV6CP = 0x8057;
const PPP_CCP = 0x80fd;
const PPP_MPLSCP = 0x8281;
const PPP_LCP = 0xc021;
const PPP_PAP = 0xc023;
const PPP_LQM = 0xc025;
const PPP_SPAP = 0xc027;
const PPP_BACP = 0xc02b;
const PPP_BAP = 0xc02d;
const PPP_SPAP_OLD = 0xc123;
const PPP_CHAP = 0xc223;
const PPP_EAP = 0xc227;

/** ppptype2str */
export const PPP_TYPE_NAMES = toMap([
  [PPP_IP, 'IP'], [PPP_OSI, 'OSI'], [0x0025, 'NS'], [0x0027, 'DECNET'], [0x0029, 'APPLE'], [PPP_IPX, 'IPX'],
  [PPP_VJC, 'VJC IP'], [PPP_VJNC, 'VJNC IP'], [0x0031, 'BRPDU'], [0x0033, 'STII'], [0x0035, 'VINES'],
  [PPP_MPLS_UCAST, 'MPLS'], [PPP_MPLS_MCAST, 'MPLS'], [PPP_COMP, 'Compressed'], [PPP_ML, 'MLPPP'], [PPP_IPV6, 'IP6'],
  [0x0201, 'HELLO'], [0x0231, 'LUXCOM'], [0x0233, 'SNS'], [PPP_IPCP, 'IPCP'], [PPP_OSICP, 'OSICP'], [0x8025, 'NSCP'],
  [0x8027, 'DECNETCP'], [0x8029, 'APPLECP'], [0x802b, 'IPXCP'], [0x8033, 'STIICP'], [0x8035, 'VINESCP'],
  [PPP_IPV6CP, 'IP6CP'], [PPP_MPLSCP, 'MPLSCP'], [PPP_LCP, 'LCP'], [PPP_PAP, 'PAP'], [PPP_LQM, 'LQM'],
  [PPP_CHAP, 'CHAP'], [PPP_EAP, 'EAP'], [PPP_SPAP, 'SPAP'], [PPP_SPAP_OLD, 'Old-SPAP'], [PPP_BACP, 'BACP'],
  [PPP_BAP, 'BAP'], [0xc03d, 'MLPPP-CP'], [PPP_CCP, 'CCP'],
]);

const CP_CODES = toMap([
  [0, 'Vendor-Extension'], [1, 'Conf-Request'], [2, 'Conf-Ack'], [3, 'Conf-Nack'], [4, 'Conf-Reject'],
  [5, 'Term-Request'], [6, 'Term-Ack'], [7, 'Code-Reject'], [8, 'Prot-Reject'], [9, 'Echo-Request'],
  [10, 'Echo-Reply'], [11, 'Disc-Req'], [12, 'Ident'], [13, 'Time-Rem'], [14, 'Reset-Req'], [15, 'Reset-Ack'],
]);

const LCP_OPTION_NAMES: readonly string[] = [
  'Vend-Ext', 'MRU', 'ACCM', 'Auth-Prot', 'Qual-Prot', 'Magic-Num', 'deprecated(6)', 'PFC', 'ACFC', 'FCS-Alt',
  'SDP', 'Num-Mode', 'deprecated(12)', 'Call-Back', 'deprecated(14)', 'deprecated(15)', 'deprecated(16)', 'MRRU',
  '12-Bit seq #', 'End-Disc', 'Proprietary', 'DCE-Id', 'MP+', 'Link-Disc', 'LCP-Auth-Opt', 'COBS', 'Prefix-elision',
  'Multilink-header-Form', 'I18N', 'SDL-over-SONET/SDH', 'PPP-Muxing',
];
const AUTH_ALG_NAMES = toMap([[5, 'MD5'], [128, 'MS-CHAPv1'], [129, 'MS-CHAPv2']]);
const CALLBACK_NAMES = toMap([[0, 'UserAuth'], [1, 'DialString'], [2, 'LocalID'], [3, 'E.164'], [4, 'X.500'], [6, 'CBCP']]);
const ML_FLAG_BITS: ReadonlyArray<readonly [number, string]> = [[0x80, 'begin'], [0x40, 'end']];

/** PPP protocol numbers whose payload is a network-layer packet, printed through the EtherType table */
const PPP_NETWORK = new Map<number, number>([
  [PPP_IP, 0x0800], [PPP_VJNC, 0x0800], [0x0800, 0x0800], [PPP_IPV6, 0x86dd], [0x86dd, 0x86dd],
  [PPP_IPX, 0x8137], [0x8137, 0x8137], [PPP_MPLS_UCAST, 0x8847], [PPP_MPLS_MCAST, 0x8848],
]);

/** handle_ppp: the payload of PPP protocol `proto` */
export function handlePpp(ctx: PrintContext, proto: number, p: number, length: number): void {
  if ((proto & 0xff00) === 0x7e00) {
    // a flag byte where the protocol should be: HDLC-escaped data
    pppHdlc(ctx, p - 1, length);
    return;
  }
  switch (proto) {
    case PPP_LCP:
    case PPP_IPCP:
    case PPP_OSICP:
    case PPP_MPLSCP:
    case PPP_IPV6CP:
    case PPP_CCP:
    case PPP_BACP:
      ctrlProto(ctx, proto, p, length);
      return;
    case PPP_ML:
      mlppp(ctx, p, length);
      return;
    case PPP_CHAP:
      chap(ctx, p, length);
      return;
    case PPP_PAP:
      pap(ctx, p, length);
      return;
    case PPP_BAP:
      // tcpdump prints nothing for BAP
      return;
    case PPP_COMP:
      ctx.s += 'compressed PPP data';
      return;
  }
  if (proto === PPP_OSI) {
    osiPrintRef.fn(ctx, p, length);
    return;
  }
  const et = PPP_NETWORK.get(proto);
  if (et !== undefined && etherTypePrint(ctx, et, p, length, ctx.bytesAfter(p))) return;
  ctx.s += tok2str(PPP_TYPE_NAMES, 'unknown PPP protocol (0x%04x)', proto) + ' ';
  printUnknownData(ctx, p, '\n\t', length);
}

/**
 * ppp_hdlc: undo RFC 1662's octet stuffing (0x7d, then the byte XOR 0x20) of what was captured,
 * then guess the protocol field's form. The packet is printed from the unescaped copy; the
 * context is pointed back at the frame afterwards (the -x dumps show the bytes as captured).
 */
function pppHdlc(ctx: PrintContext, p: number, length: number): void {
  const caplen = ctx.bytesAfter(p);
  if (caplen === 0 || length === 0) return;
  const src = ctx.d;
  const b = new Uint8Array(caplen);
  let n = 0;
  for (let i = 0; i < caplen; i++) {
    let c = src[p + i];
    if (c === 0x7d) {
      if (i + 1 >= caplen) break;
      c = src[p + ++i] ^ 0x20;
    }
    b[n++] = c;
  }
  const saved = { d: ctx.d, start: ctx.start, snapend: ctx.snapend };
  ctx.d = b;
  ctx.start = 0;
  ctx.snapend = n;
  try {
    if (n < 1) { ctx.trunc(); return; }
    let proto = b[0];
    if (proto === PPP_IP) { etherTypePrint(ctx, 0x0800, 1, n - 1, n - 1); return; }
    if (proto === PPP_IPV6) { etherTypePrint(ctx, 0x86dd, 1, n - 1, n - 1); return; }
    if (n < 2) { ctx.trunc(); return; }
    proto = (b[0] << 8) | b[1];
    let q = 2;
    if (proto === ((PPP_ADDRESS << 8) | PPP_CONTROL)) {
      if (n < 4) { ctx.trunc(); return; }
      proto = (b[2] << 8) | b[3];
      q = 4;
    }
    if ((proto & 0xff00) === 0x7e00) ctx.s += '(protocol 0x' + hex4(proto) + ' invalid)';
    else handlePpp(ctx, proto, q, n - q);
  } finally {
    ctx.d = saved.d;
    ctx.start = saved.start;
    ctx.snapend = saved.snapend;
  }
}

/** ppp_print: address/control (optional), protocol (1 or 2 bytes), payload. Returns the header length. */
export function pppPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'ppp';
  const olen = length;
  let hdrLen = 0;
  if (length < 2) { ctx.trunc(); return 0; }
  const header = ctx.be16(p);
  switch (header) {
    case (PPP_PPPD_IN << 8) | PPP_CONTROL:
      if (ctx.eflag) ctx.s += 'In  ';
      p += 2; length -= 2; hdrLen += 2;
      break;
    case (PPP_PPPD_OUT << 8) | PPP_CONTROL:
      if (ctx.eflag) ctx.s += 'Out ';
      p += 2; length -= 2; hdrLen += 2;
      break;
    case (PPP_ADDRESS << 8) | PPP_CONTROL:
      p += 2; length -= 2; hdrLen += 2;
      break;
  }
  if (length < 2) { ctx.trunc(); return 0; }
  let proto: number;
  if (ctx.u8(p) % 2) {
    // protocol field compression: a one-byte protocol number
    proto = ctx.u8(p);
    p++; length--; hdrLen++;
  } else {
    proto = ctx.be16(p);
    p += 2; length -= 2; hdrLen += 2;
  }
  if (ctx.eflag) {
    const name = PPP_TYPE_NAMES.get(proto);
    ctx.s += (name ?? 'unknown') + ' (0x' + hex4(proto) + '), length ' + olen;
    if (name === undefined) return hdrLen;
    ctx.s += ': ';
  }
  handlePpp(ctx, proto, p, length);
  return hdrLen;
}

function mlppp(ctx: PrintContext, p: number, length: number): void {
  if (!ctx.eflag) ctx.s += 'MLPPP, ';
  if (length < 2 || !ctx.ttest(p, 2)) { ctx.s += '[|mlppp]'; return; }
  ctx.s += 'seq 0x' + (ctx.be16(p) & 0x0fff).toString(16).padStart(3, '0') + ', Flags [' +
    bittok2str(ML_FLAG_BITS, 'none', ctx.u8(p) & 0xc0) + '], length ' + length;
}

/** handle_ctrl_proto: LCP, IPCP, IP6CP, CCP, BACP, OSICP, MPLSCP packets */
function ctrlProto(ctx: PrintContext, proto: number, p: number, length: number): void {
  const typestr = tok2str(PPP_TYPE_NAMES, 'unknown ctrl-proto (0x%04x)', proto);
  ctx.s += typestr + ', ';
  const trunc = (): void => { ctx.s += '[|' + typestr + ']'; };
  if (length < 4 || !ctx.ttest(p, 2)) { trunc(); return; }
  const code = ctx.u8(p);
  ctx.s += tok2str(CP_CODES, 'Unknown Opcode', code) + ' (0x' + hex2(code) + '), id ' + ctx.u8(p + 1) + ', length ' + (length + 2);
  if (!ctx.vflag) return;
  const len = ctx.be16(p + 2);
  let t = p + 4;
  if (len < 4) {
    ctx.s += '\n\tencoded length ' + len + ' (< 4))';
    return;
  }
  if (len > length) {
    ctx.s += '\n\tencoded length ' + len + ' (> packet length ' + length + '))';
    return;
  }
  length = len;
  ctx.s += '\n\tencoded length ' + len + ' (=Option(s) length ' + (len - 4) + ')';
  // an empty configure request and the like
  if (length === 4) return;
  if (ctx.vflag > 1) printUnknownData(ctx, p - 2, '\n\t', 6);
  switch (code) {
    case 0: // vendor extension
      if (length < 11) break;
      ctx.s += '\n\t  Magic-Num 0x' + hex8(ctx.be32(t));
      t += 4;
      ctx.s += ' Vendor: ' + tok2str(OUI_NAMES, 'Unknown', ctx.be24(t)) + ' (' + ctx.be24(t) + ')';
      break;
    case 1: case 2: case 3: case 4: { // configure request/ack/nak/reject: options follow
      const optionPrinter = OPTION_PRINTERS.get(proto);
      if (optionPrinter === undefined) break;
      let left = len - 4;
      do {
        const advance = optionPrinter(ctx, t, len);
        if (advance === 0) break;
        if (left < advance) {
          ctx.s += ' [remaining options length ' + left + ' < ' + advance + ']';
          ctx.invalid();
          break;
        }
        left -= advance;
        t += advance;
      } while (left !== 0);
      break;
    }
    case 5: case 6: case 7: // terminate request/ack, code reject: data not decoded
      break;
    case 8: // protocol reject
      if (length < 6) break;
      ctx.s += '\n\t  Rejected ' + tok2str(PPP_TYPE_NAMES, 'unknown', ctx.be16(t)) + ' Protocol (0x' + hex4(ctx.be16(t)) + ')';
      if (len > 6) {
        ctx.s += '\n\t  Rejected Packet';
        printUnknownData(ctx, t + 2, '\n\t    ', len - 2);
      }
      break;
    case 9: case 10: case 11: // echo request/reply, discard request
      if (length < 8) break;
      ctx.s += '\n\t  Magic-Num 0x' + hex8(ctx.be32(t));
      if (len > 8) {
        ctx.s += '\n\t  -----trailing data-----';
        ctx.need(t + 4, len - 8);
        printUnknownData(ctx, t + 4, '\n\t  ', len - 8);
      }
      break;
    case 12: // identification
      if (length < 8) break;
      ctx.s += '\n\t  Magic-Num 0x' + hex8(ctx.be32(t));
      if (len > 8) {
        ctx.s += '\n\t  Message\n\t    ';
        // tcpdump prints len - 4 bytes from after the magic number, as far as they were captured
        const n = len - 4;
        for (let i = 0; i < n; i++) {
          if (!ctx.ttest(t + 4 + i, 1)) { trunc(); return; }
          ctx.s += fnPrintChar(ctx.d[t + 4 + i]);
        }
      }
      break;
    case 13: // time remaining
      if (length < 12) break;
      ctx.s += '\n\t  Magic-Num 0x' + hex8(ctx.be32(t));
      ctx.s += ', Seconds-Remaining ' + ctx.be32(t + 4) + 's';
      break;
    default:
      if (ctx.vflag <= 1) printUnknownData(ctx, p - 2, '\n\t  ', length + 2);
  }
}

/** a configuration option printer: the option's length, or 0 to stop (and print no more) */
type OptionPrinter = (ctx: PrintContext, p: number, length: number) => number;

/**
 * The option header (`\n\t  NAME Option (0xNN), length N`) shared by the option printers; the
 * option type and length, or undefined when the option list ends here.
 */
function optionHeader(ctx: PrintContext, p: number, length: number, names: ReadonlyMap<number, string>, fallback: string, proto: string): number | undefined {
  if (length < 2) return undefined;
  if (!ctx.ttest(p, 2)) {
    ctx.s += '[|' + proto + ']';
    return undefined;
  }
  const opt = ctx.u8(p);
  const len = ctx.u8(p + 1);
  if (length < len) return undefined;
  ctx.s += '\n\t  ' + tok2str(names, fallback, opt) + ' Option (0x' + hex2(opt) + '), length ' + len;
  if (len < 2) {
    ctx.s += ' (length bogus, should be >= 2)';
    return undefined;
  }
  return opt;
}

/** the bytes of an option tcpdump cannot decode (-v), or of every option (-vv) */
function optionTail(ctx: PrintContext, p: number, len: number, decoded: boolean): void {
  if (!decoded && ctx.vflag < 2) printUnknownData(ctx, p + 2, '\n\t    ', len - 2);
  if (ctx.vflag > 1) printUnknownData(ctx, p + 2, '\n\t    ', len - 2);
}

/** print_lcp_config_options */
function lcpOption(ctx: PrintContext, p: number, length: number): number {
  if (length < 2) return 0;
  if (!ctx.ttest(p, 2)) {
    ctx.s += '[|lcp]';
    return 0;
  }
  const opt = ctx.u8(p);
  const len = ctx.u8(p + 1);
  if (length < len) return 0;
  const known = opt < LCP_OPTION_NAMES.length;
  if (len < 2) {
    if (known) ctx.s += '\n\t  ' + LCP_OPTION_NAMES[opt] + ' Option (0x' + hex2(opt) + '), length ' + len + ' (length bogus, should be >= 2)';
    else ctx.s += '\n\tunknown LCP option 0x' + hex2(opt);
    return 0;
  }
  if (!known) {
    ctx.s += '\n\tunknown LCP option 0x' + hex2(opt);
    return len;
  }
  ctx.s += '\n\t  ' + LCP_OPTION_NAMES[opt] + ' Option (0x' + hex2(opt) + '), length ' + len;
  // after a bogus length some options go on with the next option, others end the list (as tcpdump does)
  const bogus = (what: string, ret: number): number => { ctx.s += ' (length bogus, should be ' + what + ')'; return ret; };
  let decoded = true;
  switch (opt) {
    case 0: // vendor extension
      if (len < 6) return bogus('>= 6', len);
      ctx.s += ': Vendor: ' + tok2str(OUI_NAMES, 'Unknown', ctx.be24(p + 2)) + ' (' + ctx.be24(p + 2) + ')';
      break;
    case 1: // MRU
      if (len !== 4) return bogus('= 4', len);
      ctx.s += ': ' + ctx.be16(p + 2);
      break;
    case 17: // MRRU
      if (len !== 4) return bogus('= 4', 0);
      ctx.s += ': ' + ctx.be16(p + 2);
      break;
    case 2: // ACCM
      if (len !== 6) return bogus('= 6', len);
      ctx.s += ': 0x' + hex8(ctx.be32(p + 2));
      break;
    case 5: // magic number
      if (len !== 6) return bogus('= 6', 0);
      ctx.s += ': 0x' + hex8(ctx.be32(p + 2));
      break;
    case 3: { // authentication protocol
      if (len < 4) return bogus('>= 4', len);
      const ap = ctx.be16(p + 2);
      ctx.s += ': ' + tok2str(PPP_TYPE_NAMES, 'Unknown Auth Proto (0x04x)', ap);
      switch (ap) {
        case PPP_CHAP:
          ctx.s += ', ' + tok2str(AUTH_ALG_NAMES, 'Unknown Auth Alg %u', ctx.u8(p + 4));
          break;
        case PPP_PAP: case PPP_EAP: case PPP_SPAP: case PPP_SPAP_OLD:
          break;
        default:
          printUnknownData(ctx, p, '\n\t', len);
      }
      break;
    }
    case 4: // quality protocol
      if (len < 4) return bogus('>= 4', 0);
      ctx.s += ctx.be16(p + 2) === PPP_LQM ? ': LQR' : ': unknown';
      break;
    case 7: case 8: // PFC, ACFC: no value
      break;
    case 23: // link discriminator
      if (len !== 4) return bogus('= 4', 0);
      ctx.s += ': 0x' + hex4(ctx.be16(p + 2));
      break;
    case 13: // callback (4.99.3 prints the separator twice)
      if (len < 3) return bogus('>= 3', 0);
      ctx.s += ': ';
      ctx.s += ': Callback Operation ' + tok2str(CALLBACK_NAMES, 'Unknown', ctx.u8(p + 2)) + ' (' + ctx.u8(p + 2) + ')';
      break;
    case 19: { // endpoint discriminator
      if (len < 3) return bogus('>= 3', 0);
      const cls = ctx.u8(p + 2);
      switch (cls) {
        case 0: ctx.s += ': Null'; break;
        case 1: ctx.s += ': Local'; break;
        case 2:
          if (len !== 7) return bogus('= 7', 0);
          ctx.need(p + 3, 4);
          ctx.s += ': IPv4 ' + ctx.names.ip4At(ctx.d, p + 3);
          break;
        case 3:
          if (len !== 9) return bogus('= 9', 0);
          ctx.need(p + 3, 6);
          ctx.s += ': MAC ' + ctx.names.mac(ctx.d, p + 3);
          break;
        case 4: ctx.s += ': Magic-Num-Block'; break;
        case 5: ctx.s += ': PSNDN'; break;
        default: ctx.s += ': Unknown class ' + cls;
      }
      break;
    }
    default:
      decoded = false;
  }
  optionTail(ctx, p, len, decoded);
  return len;
}

const IPCP_OPTION_NAMES = toMap([
  [1, 'IP-Addrs'], [2, 'IP-Comp'], [3, 'IP-Addr'], [4, 'Home-Addr'], [129, 'Pri-DNS'], [130, 'Pri-NBNS'], [131, 'Sec-DNS'], [132, 'Sec-NBNS'],
]);
const IPCOMP_HDRCOMP = 0x61;
const IPCOMP_MINLEN = 14;
const IPCP_COMPPROTO_NAMES = toMap([[PPP_VJC, 'VJ-Comp'], [IPCOMP_HDRCOMP, 'IP Header Compression']]);
const IPCP_COMP_SUBOPT_NAMES = toMap([[1, 'RTP-Compression'], [2, 'Enhanced RTP-Compression']]);

/** print_ipcp_config_options */
function ipcpOption(ctx: PrintContext, p: number, length: number): number {
  const opt = optionHeader(ctx, p, length, IPCP_OPTION_NAMES, 'unknown', 'ipcp');
  if (opt === undefined) return 0;
  const len = ctx.u8(p + 1);
  let decoded = true;
  // where the -vv dump starts: tcpdump moves it past IP-Comp's suboptions
  let tail = p;
  switch (opt) {
    case 1: // deprecated address pair
      if (len !== 10) { ctx.s += ' (length bogus, should be = 10)'; return len; }
      ctx.need(p + 2, 8);
      ctx.s += ': src ' + ctx.names.ip4At(ctx.d, p + 2) + ', dst ' + ctx.names.ip4At(ctx.d, p + 6);
      break;
    case 2: { // IP compression
      if (len < 4) { ctx.s += ' (length bogus, should be >= 4)'; return 0; }
      const comp = ctx.be16(p + 2);
      ctx.s += ': ' + tok2str(IPCP_COMPPROTO_NAMES, 'Unknown', comp) + ' (0x' + hex2(comp) + '):';
      if (comp === IPCOMP_HDRCOMP) {
        if (len < IPCOMP_MINLEN) { ctx.s += ' (length bogus, should be >= ' + IPCOMP_MINLEN + ')'; return 0; }
        ctx.need(p + 2, IPCOMP_MINLEN);
        ctx.s += '\n\t    TCP Space ' + ctx.be16(p + 4) + ', non-TCP Space ' + ctx.be16(p + 6) + ', maxPeriod ' + ctx.be16(p + 8) +
          ', maxTime ' + ctx.be16(p + 10) + ', maxHdr ' + ctx.be16(p + 12);
        if (len > IPCOMP_MINLEN) {
          let total = len - IPCOMP_MINLEN;
          let q = p + IPCOMP_MINLEN;
          tail = q;
          ctx.s += '\n\t      Suboptions, length ' + total;
          while (total >= 2) {
            ctx.need(q, 2);
            const sub = ctx.d[q];
            const subLen = ctx.d[q + 1];
            if (sub === 0 || subLen === 0) break;
            ctx.s += '\n\t\t' + tok2str(IPCP_COMP_SUBOPT_NAMES, 'Unknown', sub) + ' Suboption #' + sub + ', length ' + subLen;
            if (total < subLen) {
              ctx.s += ' [remaining suboptions length ' + total + ' < ' + subLen + ']';
              ctx.invalid();
              break;
            }
            total -= subLen;
            q += subLen;
            tail = q;
          }
        }
      }
      break;
    }
    case 3: case 4: case 129: case 130: case 131: case 132: // one IPv4 address
      if (len !== 6) { ctx.s += ' (length bogus, should be = 6)'; return 0; }
      ctx.need(p + 2, 4);
      ctx.s += ': ' + ctx.names.ip4At(ctx.d, p + 2);
      break;
    default:
      decoded = false;
  }
  if (!decoded && ctx.vflag < 2) printUnknownData(ctx, p + 2, '\n\t    ', len - 2);
  if (ctx.vflag > 1) printUnknownData(ctx, tail + 2, '\n\t    ', len - 2);
  return len;
}

const IP6CP_OPTION_NAMES = toMap([[1, 'Interface-ID']]);
const BACP_OPTION_NAMES = toMap([[1, 'Favored-Peer']]);

/** print_ip6cp_config_options */
function ip6cpOption(ctx: PrintContext, p: number, length: number): number {
  const opt = optionHeader(ctx, p, length, IP6CP_OPTION_NAMES, 'unknown', 'ip6cp');
  if (opt === undefined) return 0;
  const len = ctx.u8(p + 1);
  if (opt === 1) {
    if (len !== 10) { ctx.s += ' (length bogus, should be = 10)'; return len; }
    ctx.need(p + 2, 8);
    ctx.s += ': ' + hex4(ctx.be16(p + 2)) + ':' + hex4(ctx.be16(p + 4)) + ':' + hex4(ctx.be16(p + 6)) + ':' + hex4(ctx.be16(p + 8));
  }
  optionTail(ctx, p, len, opt === 1);
  return len;
}

const CCP_OPTION_NAMES = toMap([
  [0, 'OUI'], [1, 'Pred-1'], [2, 'Pred-2'], [3, 'Puddle'], [16, 'HP-PPC'], [17, 'Stac-LZS'], [18, 'MPPC'], [19, 'Gand-FZA'],
  [20, 'V.42bis'], [21, 'BSD-Comp'], [23, 'LZS-DCP'], [24, 'MVRCA'], [25, 'DEC'], [26, 'Deflate'], [255, 'Reserved'],
]);

/** print_ccp_config_options */
function ccpOption(ctx: PrintContext, p: number, length: number): number {
  const opt = optionHeader(ctx, p, length, CCP_OPTION_NAMES, 'Unknown', 'ccp');
  if (opt === undefined) return 0;
  const len = ctx.u8(p + 1);
  let decoded = true;
  switch (opt) {
    case 21: // BSD compression
      if (len < 3) { ctx.s += ' (length bogus, should be >= 3)'; return len; }
      ctx.s += ': Version: ' + (ctx.u8(p + 2) >> 5) + ', Dictionary Bits: ' + (ctx.u8(p + 2) & 0x1f);
      break;
    case 24: { // MVRCA
      if (len < 4) { ctx.s += ' (length bogus, should be >= 4)'; return len; }
      const b = ctx.u8(p + 2);
      ctx.s += ': Features: ' + ((b & 0xc0) >> 6) + ', PxP: ' + (b & 0x20 ? 'Enabled' : 'Disabled') + ', History: ' + (b & 0x1f) + ', #CTX-ID: ' + ctx.u8(p + 3);
      break;
    }
    case 26: { // Deflate
      if (len < 4) { ctx.s += ' (length bogus, should be >= 4)'; return len; }
      const b = ctx.u8(p + 2);
      const c = ctx.u8(p + 3);
      ctx.s += ': Window: ' + ((b & 0xf0) >> 4) + 'K, Method: ' + ((b & 0x0f) === 8 ? 'zlib' : 'unknown') + ' (0x' + (b & 0x0f).toString(16) +
        '), MBZ: ' + ((c & 0xfc) >> 2) + ', CHK: ' + (c & 0x03);
      break;
    }
    default:
      decoded = false;
  }
  optionTail(ctx, p, len, decoded);
  return len;
}

/** print_bacp_config_options */
function bacpOption(ctx: PrintContext, p: number, length: number): number {
  const opt = optionHeader(ctx, p, length, BACP_OPTION_NAMES, 'Unknown', 'bacp');
  if (opt === undefined) return 0;
  const len = ctx.u8(p + 1);
  if (opt === 1) {
    if (len !== 6) { ctx.s += ' (length bogus, should be = 6)'; return len; }
    ctx.s += ': Magic-Num 0x' + hex8(ctx.be32(p + 2));
  }
  optionTail(ctx, p, len, opt === 1);
  return len;
}

const OPTION_PRINTERS = new Map<number, OptionPrinter>([
  [PPP_LCP, lcpOption], [PPP_IPCP, ipcpOption], [PPP_IPV6CP, ip6cpOption], [PPP_CCP, ccpOption], [PPP_BACP, bacpOption],
]);

const CHAP_CODES = toMap([[1, 'Challenge'], [2, 'Response'], [3, 'Success'], [4, 'Fail']]);
const PAP_CODES = toMap([[1, 'Auth-Req'], [2, 'Auth-ACK'], [3, 'Auth-NACK']]);

/** handle_chap: the fields common to CHAP-MD5 and MS-CHAP */
function chap(ctx: PrintContext, p: number, length: number): void {
  const p0 = p;
  if (length < 1) { ctx.s += '[|chap]'; return; }
  if (length < 4) { ctx.s += '[|chap 0x' + hex2(ctx.u8(p)) + ']'; return; }
  const code = ctx.u8(p);
  ctx.s += 'CHAP, ' + tok2str(CHAP_CODES, 'unknown', code) + ' (0x' + hex2(code) + ')';
  ctx.s += ', id ' + ctx.u8(p + 1);
  const len = ctx.be16(p + 2);
  p += 4;
  switch (code) {
    case 1: case 2: {
      if (length - (p - p0) < 1) return;
      const valSize = ctx.u8(p);
      p++;
      if (length - (p - p0) < valSize) return;
      ctx.s += ', Value ';
      for (let i = 0; i < valSize; i++) ctx.s += hex2(ctx.u8(p++));
      const nameSize = len - (p - p0);
      ctx.s += ', Name ';
      for (let i = 0; i < nameSize; i++) ctx.s += fnPrintChar(ctx.u8(p++));
      break;
    }
    case 3: case 4: {
      const msgSize = len - (p - p0);
      ctx.s += ', Msg ';
      for (let i = 0; i < msgSize; i++) ctx.s += fnPrintChar(ctx.u8(p++));
      break;
    }
  }
}

/** handle_pap, RFC 1334 */
function pap(ctx: PrintContext, p: number, length: number): void {
  const p0 = p;
  if (length < 1) { ctx.s += '[|pap]'; return; }
  if (length < 4) { ctx.s += '[|pap 0x' + hex2(ctx.u8(p)) + ']'; return; }
  const code = ctx.u8(p);
  ctx.s += 'PAP, ' + tok2str(PAP_CODES, 'unknown', code) + ' (0x' + hex2(code) + ')';
  ctx.s += ', id ' + ctx.u8(p + 1);
  const len = ctx.be16(p + 2);
  p += 4;
  if (len > length) { ctx.s += ', length ' + len + ' > packet size'; return; }
  length = len;
  if (length < p - p0) { ctx.s += ', length ' + length + ' < PAP header length'; return; }
  const counted = (label: string): boolean => {
    if (length - (p - p0) < 1) return false;
    const n = ctx.u8(p);
    p++;
    if (length - (p - p0) < n) return false;
    ctx.s += label;
    for (let i = 0; i < n; i++) ctx.s += fnPrintChar(ctx.u8(p++));
    return true;
  };
  switch (code) {
    case 1:
      if (len < 6) { ctx.s += '[|pap]'; return; }
      if (counted(', Peer ')) counted(', Name ');
      break;
    case 2: case 3:
      if (len < 5) { ctx.s += '[|pap]'; return; }
      counted(', Msg ');
      break;
  }
}

/** DLT_PPP: the frame starts with the address and control fields (or pppd's direction byte) */
function pppIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'ppp';
  if (caplen < PPP_HDRLEN) {
    ctx.trunc();
    return caplen;
  }
  // the -x dumps skip 4 bytes whatever the header really was (tcpdump's PPP_HDRLEN)
  pppPrint(ctx, p, length);
  return PPP_HDRLEN;
}

registerLinkType(9, 'PPP', pppIfPrint);
// PPP over Ethernet without PPPoE framing (EtherType 0x880b), as ethertype_print hands it on
registerEtherType(0x880b, (ctx, p, length) => {
  if (length) {
    ctx.s += ': ';
    pppPrint(ctx, p, length);
  }
});

/** DLT_PPP_SERIAL (PPP in HDLC-like framing, RFC 1662), or Cisco HDLC on the same link type */
function pppHdlcIfPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  ctx.protocol = 'ppp_hdlc';
  if (caplen < 2) {
    ctx.trunc();
    return caplen;
  }
  const first = ctx.u8(p);
  if (first === CHDLC_UNICAST || first === CHDLC_BCAST) return chdlcIfPrintRef.fn(ctx, p, length, caplen);
  if (caplen < 4) {
    ctx.trunc();
    return caplen;
  }
  if (ctx.eflag) ctx.s += hex2(first) + ' ' + hex2(ctx.u8(p + 1)) + ' ' + length + ' ';
  if (first === PPP_ADDRESS) {
    const proto = ctx.be16(p + 2);
    ctx.s += tok2str(PPP_TYPE_NAMES, 'unknown PPP protocol (0x%04x)', proto) + ': ';
    handlePpp(ctx, proto, p + 4, length - 4);
    return 4;
  }
  ctx.s += 'unknown addr ' + hex2(ctx.u8(p + 2)) + '; ctrl ' + hex2(ctx.u8(p + 3));
  return 2;
}

/** osi.ts fills this in (it imports PPP: no import cycle) */
export const osiPrintRef: { fn: (ctx: PrintContext, p: number, length: number) => void } = { fn: () => undefined };

const CHDLC_UNICAST = 0x0f;
const CHDLC_BCAST = 0x8f;
/** chdlc.ts fills this in (keeps the two files free of an import cycle) */
export const chdlcIfPrintRef: { fn: (ctx: PrintContext, p: number, length: number, caplen: number) => number } = {
  fn: () => 0,
};

registerLinkType(50, 'PPP_SERIAL', pppHdlcIfPrint);
