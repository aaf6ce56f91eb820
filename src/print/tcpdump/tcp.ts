/**
 * TCP (print-tcp.c): `SRC.PORT > DST.PORT: Flags [S.], cksum 0x1234 (correct), seq 1:11, ack 1,
 * win 502, urg 3, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 10` and, after
 * `length N`, the application printer chosen by port.
 *
 * Relative sequence numbers come from tcpdump's table (src/track/tcpdump-seq.ts), handed to the
 * printer in the context: the printer keeps no connection state of its own.
 */
import { cksumShouldBe, foldSum, onesSum, pseudoSum4, pseudoSum6 } from '../../decode/checksum.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TCP_URG } from '../../decode/packet.js';
import {
  TCPOPT_EOL, TCPOPT_FASTOPEN, TCPOPT_MD5, TCPOPT_MPTCP, TCPOPT_MSS, TCPOPT_NOP, TCPOPT_SACK,
  TCPOPT_SACK_PERMITTED, TCPOPT_TIMESTAMP, TCPOPT_WSCALE,
} from '../../decode/tcp.js';
import { type PrintContext, TRUNCATED } from './context.js';
import { registerIpProto, tcpPortPrinter } from './dispatch.js';
import { HEX2 } from './hexdump.js';
import { ip4FinalDst, ip6FinalDst } from './ip-addrs.js';
import { mptcpPrint } from './mptcp.js';
import { fnPrintChar } from './text.js';
import { toMap, tok2str } from './tok.js';

const TCPOPT_ECHO = 6;
const TCPOPT_ECHOREPLY = 7;
const TCPOPT_CC = 11;
const TCPOPT_CCNEW = 12;
const TCPOPT_CCECHO = 13;
const TCPOPT_SCPS = 20;
const TCPOPT_UTO = 28;
const TCPOPT_TCPAO = 29;
const TCPOPT_EXPERIMENT2 = 254;
const TCP_SIGLEN = 16;
const MAX_RST_DATA_LEN = 30;

const OPTION_NAMES = toMap([
  [TCPOPT_EOL, 'eol'], [TCPOPT_NOP, 'nop'], [TCPOPT_MSS, 'mss'], [TCPOPT_WSCALE, 'wscale'],
  [TCPOPT_SACK_PERMITTED, 'sackOK'], [TCPOPT_SACK, 'sack'], [TCPOPT_ECHO, 'echo'], [TCPOPT_ECHOREPLY, 'echoreply'],
  [TCPOPT_TIMESTAMP, 'TS'], [TCPOPT_CC, 'cc'], [TCPOPT_CCNEW, 'ccnew'], [TCPOPT_CCECHO, ''], [TCPOPT_MD5, 'md5'],
  [TCPOPT_SCPS, 'scps'], [TCPOPT_UTO, 'uto'], [TCPOPT_TCPAO, 'tcp-ao'], [TCPOPT_MPTCP, 'mptcp'],
  [TCPOPT_FASTOPEN, 'tfo'], [TCPOPT_EXPERIMENT2, 'exp'],
]);

/** `Flags [...]` text for every value of the flags byte (bittok2str_nosep over F S R P . U E W). */
export const FLAG_TEXT: readonly string[] = Array.from({ length: 256 }, (_, f) => {
  let s = '';
  if (f & 0x01) s += 'F';
  if (f & 0x02) s += 'S';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x10) s += '.';
  if (f & 0x20) s += 'U';
  if (f & 0x40) s += 'E';
  if (f & 0x80) s += 'W';
  return 'Flags [' + (s === '' ? 'none' : s) + ']';
});

/**
 * `, win N` and `, length N` for every 16-bit value, made on first use: most segments of a
 * connection repeat the same few, and a cached string costs no allocation per packet.
 */
const WIN_TEXT: (string | undefined)[] = new Array(65536).fill(undefined);
const LENGTH_TEXT: (string | undefined)[] = new Array(65536).fill(undefined);

function winText(win: number): string {
  return WIN_TEXT[win] ?? (WIN_TEXT[win] = ', win ' + win);
}

function lengthText(length: number): string {
  if (length > 65535) return ', length ' + length;
  return LENGTH_TEXT[length] ?? (LENGTH_TEXT[length] = ', length ' + length);
}

/** Where an option's bytes ran out: the option list ends with `[bad opt]` or ` [|tcp]`. */
const BAD = 1;
const TRUNC = 2;

/** tcp_print: a TCP segment at `p`, `length` bytes by the IP header; `iph` is the IP header. */
export function tcpPrint(ctx: PrintContext, p: number, length: number, iph: number, ver: number, fragmented: number): void {
  ctx.protocol = 'tcp';
  const d = ctx.d;
  const names = ctx.names;
  const ip6 = ver === 6;
  if (!ctx.ttest(p + 2, 2)) {
    ctx.s += ip6 ? names.ip6At(d, iph + 8) + ' > ' + names.ip6At(d, iph + 24) + ':'
      : names.ip4At(d, iph + 12) + ' > ' + names.ip4At(d, iph + 16) + ':';
    ctx.trunc();
    return;
  }
  const sport = (d[p] << 8) | d[p + 1];
  const dport = (d[p + 2] << 8) | d[p + 3];
  if (ip6) {
    if (d[iph + 6] === 6) ctx.s += names.ip6At(d, iph + 8) + '.' + names.tcpPort(sport) + ' > ' + names.ip6At(d, iph + 24) + '.' + names.tcpPort(dport) + ': ';
    else ctx.s += names.tcpPort(sport) + ' > ' + names.tcpPort(dport) + ': ';
  } else if (d[iph + 9] === 6) {
    ctx.s += names.endpoints4(((d[iph + 12] << 24) | (d[iph + 13] << 16) | (d[iph + 14] << 8) | d[iph + 15]) >>> 0,
      ((d[iph + 16] << 24) | (d[iph + 17] << 16) | (d[iph + 18] << 8) | d[iph + 19]) >>> 0, sport, dport, true);
  } else {
    ctx.s += names.tcpPort(sport) + ' > ' + names.tcpPort(dport) + ': ';
  }

  if (!ctx.ttest(p, 20)) {
    ctx.trunc();
    return;
  }
  const hlen = (d[p + 12] >> 4) * 4;
  if (hlen < 20) {
    ctx.s += ' tcp ' + ((length - hlen) >>> 0) + ' [bad hdr length ' + hlen + ' - too short, < 20]';
    return;
  }
  let seq = ((d[p + 4] << 24) | (d[p + 5] << 16) | (d[p + 6] << 8) | d[p + 7]) >>> 0;
  let ack = ((d[p + 8] << 24) | (d[p + 9] << 16) | (d[p + 10] << 8) | d[p + 11]) >>> 0;
  const win = (d[p + 14] << 8) | d[p + 15];
  const urp = (d[p + 18] << 8) | d[p + 19];

  if (ctx.qflag) {
    ctx.s += 'tcp ' + ((length - hlen) >>> 0);
    if (hlen > length) ctx.s += ' [bad hdr length ' + hlen + ' - too long, > ' + length + ']';
    return;
  }

  const flags = d[p + 13];
  let s = FLAG_TEXT[flags];

  let rev = false;
  let thSeq = 0;
  let thAck = 0;
  if (!ctx.Sflag && (flags & TCP_ACK) !== 0) {
    const syn = (flags & TCP_SYN) !== 0;
    const r = ip6
      ? ctx.seq.lookup6(d, iph + 8, iph + 24, sport, dport, seq, ack, syn)
      : ctx.seq.lookup4(((d[iph + 12] << 24) | (d[iph + 13] << 16) | (d[iph + 14] << 8) | d[iph + 15]) >>> 0,
        ((d[iph + 16] << 24) | (d[iph + 17] << 16) | (d[iph + 18] << 8) | d[iph + 19]) >>> 0, sport, dport, seq, ack, syn);
    seq = r.seq;
    ack = r.ack;
    rev = r.rev;
    thSeq = r.thSeq;
    thAck = r.thAck;
  }
  if (hlen > length) {
    ctx.s += s + ' [bad hdr length ' + hlen + ' - too long, > ' + length + ']';
    return;
  }

  if (ctx.vflag && !ctx.Kflag && !fragmented && ctx.ttest(p, length)) {
    // the checksum over the pseudo-header and the whole segment: 0 when correct
    const pseudo = ip6
      ? pseudoSum6(d, iph + 8, ip6FinalDst(ctx, iph), 6, length)
      : pseudoSum4(((d[iph + 12] << 24) | (d[iph + 13] << 16) | (d[iph + 14] << 8) | d[iph + 15]) >>> 0, ip4FinalDst(ctx, iph), 6, length);
    const sum = ~foldSum(onesSum(d, p, length, pseudo)) & 0xffff;
    const tcpSum = (d[p + 16] << 8) | d[p + 17];
    s += ', cksum 0x' + HEX2[tcpSum >> 8] + HEX2[tcpSum & 0xff];
    if (sum !== 0) {
      const should = cksumShouldBe(tcpSum, sum);
      s += ' (incorrect -> 0x' + HEX2[should >> 8] + HEX2[should & 0xff] + ')';
    } else s += ' (correct)';
  }

  length -= hlen;
  if (ctx.vflag > 1 || length > 0 || (flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
    s += ', seq ' + seq;
    if (length > 0) s += ':' + ((seq + length) >>> 0);
  }
  if ((flags & TCP_ACK) !== 0) s += ', ack ' + ack;
  s += winText(win);
  if ((flags & TCP_URG) !== 0) s += ', urg ' + urp;
  ctx.s += s;

  if (hlen > 20) {
    if (!printOptions(ctx, p, hlen - 20, length, flags, rev, thSeq, thAck)) return;
  }

  ctx.s += lengthText(length);
  if (length === 0) return;

  const headerLen = (d[p + 12] >> 4) * 4;
  if (!ctx.ttest(p, headerLen)) {
    ctx.s += ' [remaining caplen(' + ctx.bytesAfter(p) + ') < header length(' + headerLen + ')]';
    throw TRUNCATED;
  }
  const payload = p + headerLen;
  if ((flags & TCP_RST) !== 0 && ctx.vflag) {
    printRstData(ctx, payload, length);
    return;
  }
  const app = tcpPortPrinter(sport, dport);
  if (app !== undefined) app(ctx, payload, length, sport, dport);
}

/**
 * The `, options [...]` list. Returns 0 when it printed the closing bracket, BAD when a length
 * was wrong (the caller prints `[bad opt]]`), TRUNC when the captured bytes ran out inside an
 * option's data (the caller prints ` [|tcp]>`). A cut before an option's kind or length byte
 * throws (tcpdump's GET_U_1) and ends the line with ` [|tcp]` alone.
 */
function printOptions(ctx: PrintContext, tp: number, hlen: number, length: number, flags: number, rev: boolean, thSeq: number, thAck: number): boolean {
  optionDone = false;
  const r = optionList(ctx, tp, hlen, length, flags, rev, thSeq, thAck);
  if (r === BAD) {
    // tcpdump closes the bracket only once an option has been printed whole
    ctx.s += '[bad opt]' + (optionDone ? ']' : '');
    return false;
  }
  if (r === TRUNC) {
    ctx.trunc();
    if (optionDone) ctx.s += '>';
    return false;
  }
  return true;
}

/** LENCHECK: `l` bytes of option data at `cp` must lie within the header (`hlen` left) and be captured. */
function lenCheck(ctx: PrintContext, cp: number, hlen: number, l: number): number {
  return l > hlen ? BAD : ctx.ttest(cp, l) ? 0 : TRUNC;
}

/** set once an option has been printed whole (tcpdump's `ch` turning into ',') */
let optionDone = false;

function optionList(ctx: PrintContext, tp: number, hlen: number, length: number, flags: number, rev: boolean, thSeq: number, thAck: number): number {
  let cp = tp + 20;
  let sep = '';
  ctx.s += ', options [';
  while (hlen > 0) {
    ctx.s += sep;
    const opt = ctx.u8(cp);
    cp++;
    let len: number;
    if (opt === TCPOPT_EOL || opt === TCPOPT_NOP) len = 1;
    else {
      len = ctx.u8(cp);
      cp++;
      if (len < 2 || len > hlen) return BAD;
      --hlen;
    }
    --hlen;
    let datalen = 0;
    ctx.s += tok2str(OPTION_NAMES, 'unknown-%u', opt);
    let r: number;
    switch (opt) {
      case TCPOPT_MSS:
        datalen = 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' ' + ctx.be16(cp);
        break;
      case TCPOPT_WSCALE:
        datalen = 1;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' ' + ctx.u8(cp);
        break;
      case TCPOPT_SACK:
        datalen = len - 2;
        if (datalen % 8 !== 0) {
          ctx.s += ' invalid sack';
        } else {
          ctx.s += ' ' + datalen / 8 + ' ';
          for (let i = 0; i < datalen; i += 8) {
            if ((r = lenCheck(ctx, cp, hlen, i + 4))) return r;
            let a = ctx.be32(cp + i);
            if ((r = lenCheck(ctx, cp, hlen, i + 8))) return r;
            let b = ctx.be32(cp + i + 4);
            if (rev) {
              a = (a - thSeq) >>> 0;
              b = (b - thSeq) >>> 0;
            } else {
              a = (a - thAck) >>> 0;
              b = (b - thAck) >>> 0;
            }
            ctx.s += '{' + a + ':' + b + '}';
          }
        }
        break;
      case TCPOPT_CC:
      case TCPOPT_CCNEW:
      case TCPOPT_CCECHO:
      case TCPOPT_ECHO:
      case TCPOPT_ECHOREPLY:
        datalen = 4;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' ' + ctx.be32(cp);
        break;
      case TCPOPT_TIMESTAMP:
        datalen = 8;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' val ' + ctx.be32(cp) + ' ecr ' + ctx.be32(cp + 4);
        break;
      case TCPOPT_MD5:
        datalen = TCP_SIGLEN;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' ';
        // tcpdump (built with libcrypto) can only check the signature with -M SECRET
        if (tp + ((ctx.d[tp + 12] >> 4) * 4) + length > ctx.snapend) ctx.s += 'snaplen too short, ';
        else ctx.s += 'shared secret not supplied with -M, ';
        ctx.s += "can't check - ";
        for (let i = 0; i < TCP_SIGLEN; i++) ctx.s += HEX2[ctx.u8(cp + i)];
        break;
      case TCPOPT_SCPS:
        datalen = 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' cap ' + HEX2[ctx.u8(cp)] + ' id ' + ctx.u8(cp + 1);
        break;
      case TCPOPT_TCPAO:
        datalen = len - 2;
        if (datalen < 2) {
          ctx.invalid();
        } else {
          if ((r = lenCheck(ctx, cp, hlen, 1))) return r;
          ctx.s += ' keyid ' + ctx.u8(cp);
          if ((r = lenCheck(ctx, cp, hlen, 2))) return r;
          ctx.s += ' rnextkeyid ' + ctx.u8(cp + 1);
          if (datalen > 2) {
            ctx.s += ' mac 0x';
            for (let i = 2; i < datalen; i++) {
              if ((r = lenCheck(ctx, cp, hlen, i + 1))) return r;
              ctx.s += HEX2[ctx.u8(cp + i)];
            }
          }
        }
        break;
      case TCPOPT_EOL:
      case TCPOPT_NOP:
      case TCPOPT_SACK_PERMITTED:
        break;
      case TCPOPT_UTO: {
        datalen = 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        let uto = ctx.be16(cp);
        ctx.s += ' 0x' + uto.toString(16);
        if (uto & 1) uto = (uto >> 1) * 60;
        else uto >>= 1;
        ctx.s += ' ' + uto;
        break;
      }
      case TCPOPT_MPTCP: {
        datalen = len - 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        // mptcp_print sees only this option's bytes
        const saved = ctx.pushSnapend(cp - 2 + len);
        const ok = mptcpPrint(ctx, cp - 2, len, flags);
        ctx.popSnapend(saved);
        if (!ok) return BAD;
        break;
      }
      case TCPOPT_FASTOPEN:
        datalen = len - 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        ctx.s += ' ';
        fastOpenOption(ctx, cp, datalen, false);
        break;
      case TCPOPT_EXPERIMENT2: {
        datalen = len - 2;
        if ((r = lenCheck(ctx, cp, hlen, datalen))) return r;
        if (datalen < 2) return BAD;
        const magic = ctx.be16(cp);
        ctx.s += '-';
        if (magic === 0xf989) fastOpenOption(ctx, cp + 2, datalen - 2, true);
        else ctx.s += HEX2[magic >> 8] + HEX2[magic & 0xff];
        break;
      }
      default:
        datalen = len - 2;
        if (datalen) ctx.s += ' 0x';
        for (let i = 0; i < datalen; i++) {
          if ((r = lenCheck(ctx, cp, hlen, i + 1))) return r;
          ctx.s += HEX2[ctx.u8(cp + i)];
        }
        break;
    }
    cp += datalen;
    hlen -= datalen;
    datalen++;
    if (opt !== TCPOPT_EOL && opt !== TCPOPT_NOP) datalen++;
    if (datalen !== len) ctx.s += '[len ' + len + ']';
    sep = ',';
    optionDone = true;
    if (opt === TCPOPT_EOL) break;
  }
  ctx.s += ']';
  return 0;
}

function fastOpenOption(ctx: PrintContext, cp: number, datalen: number, exp: boolean): void {
  if (exp) ctx.s += 'tfo';
  if (datalen === 0) {
    ctx.s += ' cookiereq';
  } else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) {
    ctx.invalid();
  } else {
    ctx.s += ' cookie ';
    for (let i = 0; i < datalen; i++) ctx.s += HEX2[ctx.u8(cp + i)];
  }
}

/** print_tcp_rst_data: ` [RST text]` (up to 30 bytes, `+` when cut; `!RST` when not all captured). */
function printRstData(ctx: PrintContext, sp: number, length: number): void {
  ctx.s += ctx.ttest(sp, length) ? ' [RST' : ' [!RST';
  if (length > MAX_RST_DATA_LEN) {
    length = MAX_RST_DATA_LEN;
    ctx.s += '+';
  }
  ctx.s += ' ';
  while (length > 0 && sp < ctx.snapend) {
    ctx.s += fnPrintChar(ctx.u8(sp));
    sp++;
    length--;
  }
  ctx.s += ']';
}

registerIpProto(6, tcpPrint);
