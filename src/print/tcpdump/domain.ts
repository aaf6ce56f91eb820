/**
 * DNS (print-domain.c) over UDP port 53 (and 5353, mDNS) and TCP port 53:
 * queries `4660+ A? example.com. (29)`, responses `4660 1/0/0 A 192.0.2.1 (45)`; with -vv the
 * other sections. Names follow compression pointers only backwards (as BIND does).
 */
import type { PrintContext } from './context.js';
import { registerTcpPort, registerUdpPort } from './dispatch.js';
import { formatIp6 } from './names.js';
import { fnPrintChar, relTime } from './text.js';
import { toMap, tok2str } from './tok.js';

const INDIR_MASK = 0xc0;
const EDNS0_MASK = 0x40;
const EDNS0_ELT_BITLABEL = 0x01;
const MAXCDNAME = 255;
const T_OPT = 41;
const C_IN = 1;
const C_QU = 0x8000;
const C_CACHE_FLUSH = 0x8000;

const TYPE_NAMES = toMap([
  [1, 'A'], [2, 'NS'], [3, 'MD'], [4, 'MF'], [5, 'CNAME'], [6, 'SOA'], [7, 'MB'], [8, 'MG'], [9, 'MR'], [10, 'NULL'],
  [11, 'WKS'], [12, 'PTR'], [13, 'HINFO'], [14, 'MINFO'], [15, 'MX'], [16, 'TXT'], [17, 'RP'], [18, 'AFSDB'], [19, 'X25'],
  [20, 'ISDN'], [21, 'RT'], [22, 'NSAP'], [23, 'NSAP_PTR'], [24, 'SIG'], [25, 'KEY'], [26, 'PX'], [27, 'GPOS'], [28, 'AAAA'],
  [29, 'LOC'], [30, 'NXT'], [31, 'EID'], [32, 'NIMLOC'], [33, 'SRV'], [34, 'ATMA'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'],
  [38, 'A6'], [39, 'DNAME'], [40, 'SINK'], [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'], [45, 'IPSECKEY'],
  [46, 'RRSIG'], [47, 'NSEC'], [48, 'DNSKEY'], [99, 'SPF'], [100, 'UINFO'], [101, 'UID'], [102, 'GID'], [103, 'UNSPEC'],
  [104, 'UNSPECA'], [249, 'TKEY'], [250, 'TSIG'], [251, 'IXFR'], [252, 'AXFR'], [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'],
  [256, 'URI'],
]);
const CLASS_NAMES = toMap([[1, 'IN'], [3, 'CHAOS'], [4, 'HS'], [255, 'ANY']]);
const OPS = [' ', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD', ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef'];
OPS[0] = '';
const RESP = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet', ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11',
  ' Resp12', ' Resp13', ' Resp14', ' NoChange', ' BadVers', 'Resp17', ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie'];

function rcodeText(rcode: number): string {
  return rcode < RESP.length ? RESP[rcode] : ' Resp' + (rcode & 0xfff);
}

/** labellen: length of the label at cp (-1 when it cannot be read or is of a reserved type). */
function labelLen(ctx: PrintContext, cp: number): number {
  if (!ctx.ttest(cp, 1)) return -1;
  const i = ctx.d[cp];
  switch (i & INDIR_MASK) {
    case EDNS0_MASK: {
      const elt = i & ~INDIR_MASK;
      if (elt !== EDNS0_ELT_BITLABEL) {
        ctx.s += '<ELT ' + elt + '>';
        return -1;
      }
      if (!ctx.ttest(cp + 1, 1)) return -1;
      let bitlen = ctx.d[cp + 1];
      if (bitlen === 0) bitlen = 256;
      return Math.floor((bitlen + 7) / 8) + 1;
    }
    case INDIR_MASK:
    case 0:
      return i;
    default:
      ctx.s += '<BAD LABEL TYPE ' + i + '>';
      return -1;
  }
}

/** ns_nskip: the offset after the name at cp, -1 when cut. */
function skipName(ctx: PrintContext, cp: number): number {
  if (!ctx.ttest(cp, 1)) return -1;
  let i = ctx.d[cp++];
  while (i) {
    switch (i & INDIR_MASK) {
      case INDIR_MASK:
        return cp + 1;
      case EDNS0_MASK: {
        if ((i & ~INDIR_MASK) !== EDNS0_ELT_BITLABEL) return -1;
        if (!ctx.ttest(cp, 1)) return -1;
        let bitlen = ctx.d[cp];
        if (bitlen === 0) bitlen = 256;
        cp++;
        cp += Math.floor((bitlen + 7) / 8);
        break;
      }
      default:
        cp += i;
    }
    if (!ctx.ttest(cp, 1)) return -1;
    i = ctx.d[cp++];
  }
  return cp;
}

/** nd_printn: true when the snap end was reached. */
function printN(ctx: PrintContext, cp: number, n: number): boolean {
  for (let k = 0; k < n; k++) {
    if (cp + k >= ctx.snapend) return true;
    ctx.s += fnPrintChar(ctx.d[cp + k]);
  }
  return false;
}

/** fqdn_print: the name at cp (bp is the start of the DNS message); the offset after it, -1 when cut. */
export function fqdnPrint(ctx: PrintContext, cp: number, bp: number): number {
  let l = labelLen(ctx, cp);
  if (l < 0) return -1;
  if (!ctx.ttest(cp, 1)) return -1;
  let maxOffset = cp - bp;
  let i = ctx.d[cp++];
  let compress = false;
  let rp = -1;
  if ((i & INDIR_MASK) !== INDIR_MASK) rp = cp + l;
  let nameChars = 0;
  if (i !== 0) {
    while (i && cp < ctx.snapend) {
      if ((i & INDIR_MASK) === INDIR_MASK) {
        if (!compress) {
          rp = cp + 1;
          compress = true;
        }
        if (!ctx.ttest(cp, 1)) return -1;
        const offset = ((i << 8) | ctx.d[cp]) & 0x3fff;
        if (offset >= maxOffset) {
          ctx.s += '<BAD PTR>';
          return -1;
        }
        maxOffset = offset;
        cp = bp + offset;
        if (!ctx.ttest(cp, 1)) return -1;
        i = ctx.d[cp];
        if ((l = labelLen(ctx, cp)) < 0) return -1;
        cp++;
        continue;
      }
      if ((i & INDIR_MASK) === EDNS0_MASK) {
        const elt = i & ~INDIR_MASK;
        if (elt !== EDNS0_ELT_BITLABEL) {
          ctx.s += '<ELT ' + elt + '>';
          return -1;
        }
        if (!bitLabelPrint(ctx, cp)) return -1;
      } else {
        if (nameChars + l <= MAXCDNAME) {
          if (printN(ctx, cp, l)) return -1;
        } else if (nameChars < MAXCDNAME) {
          if (printN(ctx, cp, MAXCDNAME - nameChars)) return -1;
        }
        nameChars += l;
      }
      cp += l;
      if (nameChars <= MAXCDNAME) ctx.s += '.';
      nameChars++;
      if (!ctx.ttest(cp, 1)) return -1;
      i = ctx.d[cp];
      if ((l = labelLen(ctx, cp)) < 0) return -1;
      cp++;
      if (!compress) rp += l + 1;
    }
    if (nameChars > MAXCDNAME) ctx.s += '<FQDN too long>';
  } else ctx.s += '.';
  return rp;
}

/** blabel_print: an EDNS0 bit-string label `[x...\/N]`. */
function bitLabelPrint(ctx: PrintContext, cp: number): boolean {
  if (!ctx.ttest(cp, 1)) return false;
  let bitlen = ctx.d[cp];
  if (bitlen === 0) bitlen = 256;
  const slen = Math.floor((bitlen + 3) / 4);
  const lim = cp + 1 + slen;
  ctx.s += '\\[x';
  let bitp = cp + 1;
  let b = bitlen;
  for (; b > 8; b -= 8, bitp++) {
    if (!ctx.ttest(bitp, 1)) return false;
    ctx.s += ctx.d[bitp].toString(16).padStart(2, '0');
  }
  if (b > 4) {
    if (!ctx.ttest(bitp, 1)) return false;
    const tc = ctx.d[bitp++];
    ctx.s += (tc & (0xff << (8 - b)) & 0xff).toString(16).padStart(2, '0');
  } else if (b > 0) {
    if (!ctx.ttest(bitp, 1)) return false;
    const tc = ctx.d[bitp++];
    ctx.s += ((tc >> 4) & (0x0f << (4 - b)) & 0x0f).toString(16);
  }
  ctx.s += '/' + bitlen + ']';
  void lim;
  return true;
}

/** ns_qprint: ` TYPE[ CLASS]? NAME`; the offset after the question, -1 when cut. */
function questionPrint(ctx: PrintContext, cp: number, bp: number, mdns: boolean): number {
  const np = cp;
  cp = skipName(ctx, cp);
  if (cp < 0 || !ctx.ttest(cp, 4)) return -1;
  const type = ctx.be16(cp);
  const cls = ctx.be16(cp + 2);
  ctx.s += ' ' + tok2str(TYPE_NAMES, 'Type%u', type);
  const c = mdns ? cls & ~C_QU : cls;
  if (c !== C_IN) ctx.s += ' ' + tok2str(CLASS_NAMES, '(Class %u)', c);
  if (mdns) ctx.s += (cls & C_QU) !== 0 ? ' (QU)' : ' (QM)';
  ctx.s += '? ';
  const end = fqdnPrint(ctx, np, bp);
  return end < 0 ? -1 : end + 4;
}

/** ns_rprint: one resource record; the offset after it, -1 when cut. */
function recordPrint(ctx: PrintContext, cp: number, bp: number, mdns: boolean): number {
  if (ctx.vflag) {
    ctx.s += ' ';
    cp = fqdnPrint(ctx, cp, bp);
    if (cp < 0) return -1;
  } else {
    cp = skipName(ctx, cp);
  }
  if (cp < 0 || !ctx.ttest(cp, 10)) return ctx.snapend;
  const type = ctx.be16(cp);
  cp += 2;
  const raw = ctx.be16(cp);
  cp += 2;
  const cls = mdns ? raw & ~C_CACHE_FLUSH : raw;
  if (cls !== C_IN && type !== T_OPT) ctx.s += ' ' + tok2str(CLASS_NAMES, '(Class %u)', cls);
  if (mdns && (raw & C_CACHE_FLUSH) !== 0) ctx.s += ' (Cache flush)';
  let optFlags = 0;
  if (type === T_OPT) {
    cp += 2;
    optFlags = ctx.be16(cp);
    cp += 2;
  } else if (ctx.vflag > 2) {
    ctx.s += ' [' + relTime(ctx.be32(cp)) + ']';
    cp += 4;
  } else cp += 4;
  const len = ctx.be16(cp);
  cp += 2;
  const rp = cp + len;
  ctx.s += ' ' + tok2str(TYPE_NAMES, 'Type%u', type);
  if (rp > ctx.snapend) return -1;
  switch (type) {
    case 1:
      if (!ctx.ttest(cp, 4)) return -1;
      ctx.s += ' ' + ctx.d[cp] + '.' + ctx.d[cp + 1] + '.' + ctx.d[cp + 2] + '.' + ctx.d[cp + 3];
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      ctx.s += ' ';
      if (fqdnPrint(ctx, cp, bp) < 0) return -1;
      break;
    case 6: {
      if (!ctx.vflag) break;
      ctx.s += ' ';
      let c = fqdnPrint(ctx, cp, bp);
      if (c < 0) return -1;
      ctx.s += ' ';
      c = fqdnPrint(ctx, c, bp);
      if (c < 0) return -1;
      if (!ctx.ttest(c, 20)) return -1;
      ctx.s += ' ' + ctx.be32(c) + ' ' + ctx.be32(c + 4) + ' ' + ctx.be32(c + 8) + ' ' + ctx.be32(c + 12) + ' ' + ctx.be32(c + 16);
      break;
    }
    case 15:
      ctx.s += ' ';
      if (!ctx.ttest(cp, 2)) return -1;
      if (fqdnPrint(ctx, cp + 2, bp) < 0) return -1;
      ctx.s += ' ' + ctx.be16(cp);
      break;
    case 16:
      while (cp < rp) {
        ctx.s += ' "';
        const n = ctx.u8(cp);
        cp++;
        if (!ctx.ttest(cp, n)) return -1;
        for (let k = 0; k < n; k++) ctx.s += fnPrintChar(ctx.d[cp + k]);
        cp += n;
        ctx.s += '"';
      }
      break;
    case 33:
      ctx.s += ' ';
      if (!ctx.ttest(cp, 6)) return -1;
      if (fqdnPrint(ctx, cp + 6, bp) < 0) return -1;
      ctx.s += ':' + ctx.be16(cp + 4) + ' ' + ctx.be16(cp) + ' ' + ctx.be16(cp + 2);
      break;
    case 28:
      if (!ctx.ttest(cp, 16)) return -1;
      ctx.s += ' ' + formatIp6(ctx.d, cp);
      break;
    case T_OPT:
      ctx.s += ' UDPsize=' + cls;
      if (optFlags & 0x8000) ctx.s += ' DO';
      break;
    default:
      break;
  }
  return rp;
}

/** domain_print */
export function domainPrint(ctx: PrintContext, bp: number, length: number, overTcp: boolean, mdns: boolean): void {
  ctx.protocol = 'domain';
  if (overTcp) {
    if (length < 2) {
      ctx.s += ' [DNS over TCP: length ' + length + ' < 2]';
      ctx.invalid();
      return;
    }
    length -= 2;
    const prefix = ctx.be16(bp);
    if (prefix !== length) {
      ctx.s += ' [prefix length(' + prefix + ') != length(' + length + ')]';
      ctx.invalid();
      return;
    }
    bp += 2;
    ctx.s += ' ';
  }
  if (length < 12) {
    ctx.s += 'domain [length ' + length + ' < 12]';
    ctx.invalid();
    return;
  }
  if (!ctx.ttest(bp, 12)) {
    ctx.trunc();
    return;
  }
  const flags = ctx.be16(bp + 2);
  let qd = ctx.be16(bp + 4);
  const an = ctx.be16(bp + 6);
  const ns = ctx.be16(bp + 8);
  const ar = ctx.be16(bp + 10);
  const id = ctx.be16(bp);
  let rcode = flags & 0xf;
  // the OPT record's extended rcode
  findOpt: {
    let cp = bp + 12;
    for (let i = 0; i < qd; i++) {
      cp = skipName(ctx, cp);
      if (cp < 0) break findOpt;
      cp += 4;
      if (cp >= ctx.snapend) break findOpt;
    }
    for (let i = 0; i < an + ns; i++) {
      cp = skipName(ctx, cp);
      if (cp < 0) break findOpt;
      cp += 8;
      if (cp + 2 > ctx.snapend) break findOpt;
      cp += 2 + ctx.be16(cp);
      if (cp >= ctx.snapend) break findOpt;
    }
    for (let i = 0; i < ar; i++) {
      cp = skipName(ctx, cp);
      if (cp < 0) break findOpt;
      if (cp + 2 > ctx.snapend) break findOpt;
      const type = ctx.be16(cp);
      cp += 4;
      if (cp + 1 > ctx.snapend) break findOpt;
      if (type === T_OPT) {
        rcode |= ctx.u8(cp) << 4;
        break findOpt;
      }
      cp += 4;
      if (cp + 2 > ctx.snapend) break findOpt;
      cp += 2 + ctx.be16(cp);
      if (cp >= ctx.snapend) break findOpt;
    }
  }
  const opcode = (flags >> 11) & 0xf;
  let cp = bp + 12;
  if (flags & 0x8000) {
    ctx.s += id + OPS[opcode] + rcodeText(rcode) + (flags & 0x0400 ? '*' : '') + (flags & 0x0080 ? '' : '-') + (flags & 0x0200 ? '|' : '') + (flags & 0x0020 ? '$' : '');
    if (qd !== 1) ctx.s += ' [' + qd + 'q]';
    for (let i = 0; i < qd; i++) {
      if (i !== 0) ctx.s += ',';
      if (ctx.vflag > 1) {
        ctx.s += ' q:';
        cp = questionPrint(ctx, cp, bp, mdns);
        if (cp < 0) { ctx.trunc(); return; }
      } else {
        cp = skipName(ctx, cp);
        if (cp < 0) { ctx.trunc(); return; }
        cp += 4;
      }
    }
    ctx.s += ' ' + an + '/' + ns + '/' + ar;
    if (an) {
      cp = recordPrint(ctx, cp, bp, mdns);
      if (cp < 0) { ctx.trunc(); return; }
      for (let i = 1; i < an; i++) {
        if (cp >= ctx.snapend) { ctx.trunc(); return; }
        ctx.s += ',';
        cp = recordPrint(ctx, cp, bp, mdns);
        if (cp < 0) { ctx.trunc(); return; }
      }
    }
    if (ns && ctx.vflag > 1) {
      if (cp >= ctx.snapend) { ctx.trunc(); return; }
      ctx.s += ' ns:';
      for (let i = 0; i < ns; i++) {
        if (i) ctx.s += ',';
        cp = recordPrint(ctx, cp, bp, mdns);
        if (cp < 0) { ctx.trunc(); return; }
      }
    }
    if (ar && ctx.vflag > 1) {
      if (cp >= ctx.snapend) { ctx.trunc(); return; }
      ctx.s += ' ar:';
      for (let i = 0; i < ar; i++) {
        if (i) ctx.s += ',';
        cp = recordPrint(ctx, cp, bp, mdns);
        if (cp < 0) { ctx.trunc(); return; }
      }
    }
  } else {
    ctx.s += id + OPS[opcode] + (flags & 0x0100 ? '+' : '') + (flags & 0x0010 ? '%' : '');
    if (flags & 0x6cf) ctx.s += ' [b2&3=0x' + flags.toString(16) + ']';
    if (opcode === 1) {
      if (qd) ctx.s += ' [' + qd + 'q]';
      if (an !== 1) ctx.s += ' [' + an + 'a]';
    } else {
      if (an) ctx.s += ' [' + an + 'a]';
      if (qd !== 1) ctx.s += ' [' + qd + 'q]';
    }
    if (ns) ctx.s += ' [' + ns + 'n]';
    if (ar) ctx.s += ' [' + ar + 'au]';
    if (qd) {
      cp = questionPrint(ctx, cp, bp, mdns);
      if (cp < 0) { ctx.trunc(); return; }
      while (cp < ctx.snapend && --qd) {
        cp = questionPrint(ctx, cp, bp, mdns);
        if (cp < 0) { ctx.trunc(); return; }
      }
    }
    if (ctx.vflag > 1) {
      if (an) {
        if (cp >= ctx.snapend) { ctx.trunc(); return; }
        ctx.s += ' an:';
        for (let i = 0; i < an; i++) {
          if (i) ctx.s += ',';
          cp = recordPrint(ctx, cp, bp, mdns);
          if (cp < 0) { ctx.trunc(); return; }
        }
      }
      if (ns) {
        if (cp >= ctx.snapend) { ctx.trunc(); return; }
        ctx.s += ' ns:';
        for (let i = 0; i < ns; i++) {
          if (i) ctx.s += ',';
          cp = recordPrint(ctx, cp, bp, mdns);
          if (cp < 0) { ctx.trunc(); return; }
        }
      }
      if (ar) {
        if (cp >= ctx.snapend) { ctx.trunc(); return; }
        ctx.s += ' ar:';
        for (let i = 0; i < ar; i++) {
          if (i) ctx.s += ',';
          cp = recordPrint(ctx, cp, bp, mdns);
          if (cp < 0) { ctx.trunc(); return; }
        }
      }
    }
  }
  ctx.s += ' (' + length + ')';
}

// UDP: tcpdump tests port 53 before 5353; TCP: port 53 (rank = position in tcp_print's chain)
registerUdpPort([53], 10, (ctx, p, length) => domainPrint(ctx, p, length, false, false));
registerUdpPort([5353], 11, (ctx, p, length) => domainPrint(ctx, p, length, false, true));
registerTcpPort([53], 120, (ctx, p, length) => domainPrint(ctx, p, length, true, false));
