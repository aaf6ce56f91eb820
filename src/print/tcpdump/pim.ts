/**
 * PIM (print-pim.c): PIMv2 over IP protocol 103, `PIMv2, Hello, length 34`; with -v the header
 * on its own (`PIMv2, length 34`), then the type with its checksum check and the body: Hello
 * options, Register (the encapsulated datagram through the IP printers), Register-Stop,
 * Join/Prune/Graft/Graft-ACK, Bootstrap, Assert, Candidate-RP, Prune Refresh. PIMv1 rides in
 * IGMP (type 0x14) and hooks into the IGMP printer from here.
 */
import { foldSum, onesSum, pseudoSum6 } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { pimv1Hook } from './igmp.js';
import { relTime } from './text.js';
import { ip6FinalDst } from './ip-addrs.js';
import { ipPrint, ip6PrintRef } from './ip.js';
import { hex4, hex8, printUnknownData } from './nd-strings.js';
import { IPPROTO, toMap, tok2str } from './tok.js';

const PIMV2_HELLO = 0;
const PIMV2_REGISTER = 1;
const PIMV2_REGISTER_STOP = 2;
const PIMV2_JOIN_PRUNE = 3;
const PIMV2_BOOTSTRAP = 4;
const PIMV2_ASSERT = 5;
const PIMV2_GRAFT = 6;
const PIMV2_GRAFT_ACK = 7;
const PIMV2_CANDIDATE_RP = 8;
const PIMV2_PRUNE_REFRESH = 9;
const PIMV2_DF_ELECTION = 10;

const PIMV2_TYPE_NAMES = toMap([
  [PIMV2_HELLO, 'Hello'], [PIMV2_REGISTER, 'Register'], [PIMV2_REGISTER_STOP, 'Register Stop'], [PIMV2_JOIN_PRUNE, 'Join / Prune'],
  [PIMV2_BOOTSTRAP, 'Bootstrap'], [PIMV2_ASSERT, 'Assert'], [PIMV2_GRAFT, 'Graft'], [PIMV2_GRAFT_ACK, 'Graft Acknowledgement'],
  [PIMV2_CANDIDATE_RP, 'Candidate RP Advertisement'], [PIMV2_PRUNE_REFRESH, 'Prune Refresh'], [PIMV2_DF_ELECTION, 'DF Election'],
]);
/** BIDIR-PIM (RFC 5015) DF Election subtypes, in the high nibble of the reserved byte */
const DF_OFFER = 1;
const DF_WINNER = 2;
const DF_BACKOFF = 3;
const DF_PASS = 4;
const DF_SUBTYPE_NAMES = toMap([[DF_OFFER, 'Offer'], [DF_WINNER, 'Winner'], [DF_BACKOFF, 'Backoff'], [DF_PASS, 'Pass']]);

const OPT_HOLDTIME = 1;
const OPT_LANPRUNEDELAY = 2;
const OPT_DR_PRIORITY_OLD = 18;
const OPT_DR_PRIORITY = 19;
const OPT_GENID = 20;
const OPT_REFRESH_CAP = 21;
const OPT_BIDIR_CAP = 22;
const OPT_ADDRESS_LIST = 24;
const OPT_ADDRESS_LIST_OLD = 65001;
const HELLO_OPTION_NAMES = toMap([
  [OPT_HOLDTIME, 'Hold Time'], [OPT_LANPRUNEDELAY, 'LAN Prune Delay'], [OPT_DR_PRIORITY_OLD, 'DR Priority (Old)'],
  [OPT_DR_PRIORITY, 'DR Priority'], [OPT_GENID, 'Generation ID'], [OPT_REFRESH_CAP, 'State Refresh Capability'],
  [OPT_BIDIR_CAP, 'Bi-Directional Capability'], [OPT_ADDRESS_LIST, 'Address List'], [OPT_ADDRESS_LIST_OLD, 'Address List (Old)'],
]);
const REGISTER_FLAG_NAMES = toMap([[0x80000000, 'Border'], [0x40000000, 'Null']]);

const PIMV1_TYPE_NAMES = toMap([
  [0, 'Query'], [1, 'Register'], [2, 'Register-Stop'], [3, 'Join/Prune'], [4, 'RP-reachable'], [5, 'Assert'], [6, 'Graft'], [7, 'Graft-ACK'], [8, 'Mode'],
]);

const enum AddrType { Unicast, Group, Source }

/** A length check failed (tcpdump's `goto trunc` in pimv2_print): ` [|pim]` and stop. */
const PIM_TRUNC: { readonly pimTrunc: true } = Object.freeze({ pimTrunc: true as const });

function ip4(ctx: PrintContext, o: number): string {
  ctx.need(o, 4);
  return ctx.names.ip4At(ctx.d, o);
}

export function pimPrint(ctx: PrintContext, p: number, length: number, iph: number, ver: number): void {
  ctx.protocol = 'pim';
  const typever = ctx.u8(p);
  const version = typever >> 4;
  const type = typever & 0x0f;
  if (version !== 2) {
    ctx.s += 'PIMv' + version + ', length ' + length;
    return;
  }
  if (!ctx.vflag) {
    ctx.s += 'PIMv2, ' + tok2str(PIMV2_TYPE_NAMES, 'Unknown Type', type) + ', length ' + length;
    return;
  }
  ctx.s += 'PIMv2, length ' + length + '\n\t' + tok2str(PIMV2_TYPE_NAMES, 'Unknown Type', type);
  try {
    pimv2Body(ctx, p, length, iph, ver, type);
  } catch (e) {
    if (e !== PIM_TRUNC) throw e;
    ctx.trunc();
  }
}

/** Does the checksum over `len` bytes (with the IPv6 pseudo-header over IPv6) come out right? undefined when not all captured. */
function pimCksumOk(ctx: PrintContext, p: number, len: number, iph: number, ver: number): boolean | undefined {
  if (!ctx.ttest(p, len)) return undefined;
  const initial = ver === 6 ? pseudoSum6(ctx.d, iph + 8, ip6FinalDst(ctx, iph), IPPROTO.PIM, len) : 0;
  return (~foldSum(onesSum(ctx.d, p, len, initial)) & 0xffff) === 0;
}

function pimv2Body(ctx: PrintContext, p: number, length: number, iph: number, ver: number, type: number): void {
  ctx.protocol = 'pimv2';
  // a non-zero low nibble of the reserved byte is RFC 2117's unicast address length: addresses then
  // carry no family header (the high bits are flags in later RFCs, and tcpdump 4.99.3 ignores them)
  const addrLen = ctx.u8(p + 1) & 0x0f;
  if (addrLen !== 0) ctx.s += ', RFC2117-encoding';
  if (length < 4) {
    ctx.s += '[length ' + length + ' < 4]';
    ctx.invalid();
    return;
  }
  const cksum = ctx.be16(p + 2);
  ctx.s += ', cksum 0x' + hex4(cksum) + ' ';
  if (cksum === 0) {
    ctx.s += '(unverified)';
  } else {
    let ok: boolean | undefined;
    if (type === PIMV2_REGISTER) {
      // a Register's checksum covers its 8-byte header only; some senders sum the whole packet
      ok = pimCksumOk(ctx, p, 8, iph, ver);
      if (ok === false) ok = pimCksumOk(ctx, p, length, iph, ver);
    } else {
      ok = pimCksumOk(ctx, p, length, iph, ver);
    }
    ctx.s += ok === undefined ? '(unverified)' : ok ? '(correct)' : '(incorrect)';
  }
  let bp = p + 4;
  let len = length - 4;
  const st = { bp, len };
  /** print one encoded address at st.bp and step over it */
  const addr = (at: AddrType): void => {
    const adv = pimv2AddrPrint(ctx, st.bp, st.len, at, addrLen);
    if (adv < 0) throw PIM_TRUNC;
    st.bp += adv;
    st.len -= adv;
  };
  switch (type) {
    case PIMV2_HELLO:
      while (len > 0) {
        if (len < 4) throw PIM_TRUNC;
        const otype = ctx.be16(bp);
        const olen = ctx.be16(bp + 2);
        ctx.s += '\n\t  ' + tok2str(HELLO_OPTION_NAMES, 'Unknown', otype) + ' Option (' + otype + '), length ' + olen + ', Value: ';
        bp += 4;
        len -= 4;
        if (len < olen) throw PIM_TRUNC;
        ctx.need(bp, olen);
        switch (otype) {
          case OPT_HOLDTIME:
            if (olen !== 2) return badOptLen(ctx, olen, 2);
            ctx.s += relTime(ctx.be16(bp));
            break;
          case OPT_LANPRUNEDELAY: {
            if (olen !== 4) return badOptLen(ctx, olen, 4);
            const delay = ctx.be16(bp);
            ctx.s += '\n\t    T-bit=' + (delay & 0x8000 ? 1 : 0) + ', LAN delay ' + (delay & 0x7fff) + 'ms, Override interval ' + ctx.be16(bp + 2) + 'ms';
            break;
          }
          case OPT_DR_PRIORITY_OLD:
          case OPT_DR_PRIORITY:
            if (olen === 0) ctx.s += 'Bi-Directional Capability (Old)';
            else if (olen === 4) ctx.s += ctx.be32(bp);
            else return badOptLen(ctx, olen, 4);
            break;
          case OPT_GENID:
            if (olen !== 4) return badOptLen(ctx, olen, 4);
            ctx.s += '0x' + hex8(ctx.be32(bp));
            break;
          case OPT_REFRESH_CAP:
            if (olen !== 4) return badOptLen(ctx, olen, 4);
            ctx.s += 'v' + ctx.u8(bp);
            if (ctx.u8(bp + 1) !== 0) ctx.s += ', interval ' + relTime(ctx.u8(bp + 1));
            if (ctx.be16(bp + 2) !== 0) ctx.s += ' ?0x' + hex4(ctx.be16(bp + 2)) + '?';
            break;
          case OPT_BIDIR_CAP:
            break;
          case OPT_ADDRESS_LIST_OLD:
          case OPT_ADDRESS_LIST:
            if (ctx.vflag > 1) {
              let ptr = bp;
              let plen = len;
              while (ptr < bp + olen) {
                ctx.s += '\n\t    ';
                const adv = pimv2AddrPrint(ctx, ptr, plen, AddrType.Unicast, addrLen);
                if (adv < 0) throw PIM_TRUNC;
                ptr += adv;
                plen -= adv;
              }
            }
            break;
          default:
            if (ctx.vflag <= 1) printUnknownData(ctx, bp, '\n\t    ', olen);
            break;
        }
        if (ctx.vflag > 1) printUnknownData(ctx, bp, '\n\t    ', olen);
        bp += olen;
        len -= olen;
      }
      break;
    case PIMV2_REGISTER: {
      if (len < 4) throw PIM_TRUNC;
      ctx.need(bp, 4);
      ctx.s += ', Flags [ ' + tok2str(REGISTER_FLAG_NAMES, 'none', ctx.be32(bp)) + ' ]\n\t';
      bp += 4;
      len -= 4;
      if (len === 0) throw PIM_TRUNC;
      const innerVer = ctx.u8(bp) >> 4;
      if (innerVer === 0) ctx.s += 'IP-Null-header ' + ip4(ctx, bp + 12) + ' > ' + ip4(ctx, bp + 16);
      else if (innerVer === 4) ipPrint(ctx, bp, len);
      else if (innerVer === 6) ip6PrintRef.fn(ctx, bp, len);
      else ctx.s += 'IP ver ' + innerVer;
      break;
    }
    case PIMV2_REGISTER_STOP:
      ctx.s += ' group=';
      addr(AddrType.Group);
      ctx.s += ' source=';
      addr(AddrType.Unicast);
      break;
    case PIMV2_JOIN_PRUNE:
    case PIMV2_GRAFT:
    case PIMV2_GRAFT_ACK: {
      // a Graft-ACK has neither upstream neighbor nor holdtime
      if (type !== PIMV2_GRAFT_ACK) {
        ctx.s += ', upstream-neighbor: ';
        addr(AddrType.Unicast);
      }
      if (st.len < 4) throw PIM_TRUNC;
      ctx.need(st.bp, 4);
      const ngroup = ctx.u8(st.bp + 1);
      const holdtime = ctx.be16(st.bp + 2);
      ctx.s += '\n\t  ' + ngroup + ' group(s)';
      if (type !== PIMV2_GRAFT_ACK) ctx.s += ', holdtime: ' + (holdtime === 0xffff ? 'infinite' : relTime(holdtime));
      st.bp += 4;
      st.len -= 4;
      for (let i = 0; i < ngroup; i++) {
        ctx.s += '\n\t    group #' + (i + 1) + ': ';
        addr(AddrType.Group);
        if (st.len < 4) throw PIM_TRUNC;
        ctx.need(st.bp, 4);
        const njoin = ctx.be16(st.bp);
        const nprune = ctx.be16(st.bp + 2);
        ctx.s += ', joined sources: ' + njoin + ', pruned sources: ' + nprune;
        st.bp += 4;
        st.len -= 4;
        for (let j = 0; j < njoin; j++) {
          ctx.s += '\n\t      joined source #' + (j + 1) + ': ';
          addr(AddrType.Source);
        }
        for (let j = 0; j < nprune; j++) {
          ctx.s += '\n\t      pruned source #' + (j + 1) + ': ';
          addr(AddrType.Source);
        }
      }
      break;
    }
    case PIMV2_BOOTSTRAP: {
      if (st.len < 2) throw PIM_TRUNC;
      ctx.s += ' tag=' + ctx.be16(st.bp).toString(16);
      st.bp += 2;
      st.len -= 2;
      if (st.len < 1) throw PIM_TRUNC;
      ctx.s += ' hashmlen=' + ctx.u8(st.bp);
      if (st.len < 2) throw PIM_TRUNC;
      // tcpdump wants the byte after the priority captured before printing it
      if (!ctx.ttest(st.bp + 2, 1)) throw PIM_TRUNC;
      ctx.s += ' BSRprio=' + ctx.u8(st.bp + 1);
      st.bp += 2;
      st.len -= 2;
      ctx.s += ' BSR=';
      addr(AddrType.Unicast);
      for (let i = 0; st.len > 0; i++) {
        ctx.s += ' (group' + i + ': ';
        addr(AddrType.Group);
        if (st.len < 1) throw PIM_TRUNC;
        ctx.s += ' RPcnt=' + ctx.u8(st.bp);
        if (st.len < 2) throw PIM_TRUNC;
        const frpcnt = ctx.u8(st.bp + 1);
        ctx.s += ' FRPcnt=' + frpcnt;
        if (st.len < 4) throw PIM_TRUNC;
        st.bp += 4;
        st.len -= 4;
        for (let j = 0; j < frpcnt && st.len > 0; j++) {
          ctx.s += ' RP' + j + '=';
          addr(AddrType.Unicast);
          if (st.len < 2) throw PIM_TRUNC;
          ctx.s += ',holdtime=';
          ctx.s += relTime(ctx.be16(st.bp));
          if (st.len < 3) throw PIM_TRUNC;
          ctx.s += ',prio=' + ctx.u8(st.bp + 2);
          if (st.len < 4) throw PIM_TRUNC;
          st.bp += 4;
          st.len -= 4;
        }
        ctx.s += ')';
      }
      break;
    }
    case PIMV2_ASSERT:
      ctx.s += ' group=';
      addr(AddrType.Group);
      ctx.s += ' src=';
      addr(AddrType.Unicast);
      if (st.len < 8) throw PIM_TRUNC;
      ctx.need(st.bp, 8);
      if (ctx.u8(st.bp) & 0x80) ctx.s += ' RPT';
      ctx.s += ' pref=' + (ctx.be32(st.bp) & 0x7fffffff) + ' metric=' + ctx.be32(st.bp + 4);
      break;
    case PIMV2_CANDIDATE_RP: {
      if (st.len < 1) throw PIM_TRUNC;
      const pfxcnt = ctx.u8(st.bp);
      ctx.s += ' prefix-cnt=' + pfxcnt;
      if (st.len < 2) throw PIM_TRUNC;
      ctx.s += ' prio=' + ctx.u8(st.bp + 1);
      if (st.len < 4) throw PIM_TRUNC;
      ctx.s += ' holdtime=';
      ctx.s += relTime(ctx.be16(st.bp + 2));
      st.bp += 4;
      st.len -= 4;
      ctx.s += ' RP=';
      addr(AddrType.Unicast);
      for (let i = 0; i < pfxcnt && st.len > 0; i++) {
        ctx.s += ' Group' + i + '=';
        addr(AddrType.Group);
      }
      break;
    }
    case PIMV2_PRUNE_REFRESH:
      ctx.s += ' src=';
      addr(AddrType.Unicast);
      ctx.s += ' grp=';
      addr(AddrType.Group);
      ctx.s += ' forwarder=';
      addr(AddrType.Unicast);
      if (st.len < 2) throw PIM_TRUNC;
      ctx.s += ' TUNR ';
      ctx.s += relTime(ctx.be16(st.bp));
      break;
    case PIMV2_DF_ELECTION: {
      const subtype = ctx.u8(p + 1) >> 4;
      ctx.s += '\n\t  ' + tok2str(DF_SUBTYPE_NAMES, 'Unknown', subtype) + ', rpa=';
      addr(AddrType.Unicast);
      metrics(ctx, st, ' sender pref=', ' sender metric=');
      if (subtype === DF_BACKOFF) {
        ctx.s += '\n\t  offer addr=';
        addr(AddrType.Unicast);
        metrics(ctx, st, ' offer pref=', ' offer metric=');
        if (st.len < 2) throw PIM_TRUNC;
        ctx.s += ' interval ' + ctx.be16(st.bp) + 'ms';
      } else if (subtype === DF_PASS) {
        ctx.s += '\n\t  new winner addr=';
        addr(AddrType.Unicast);
        metrics(ctx, st, ' new winner pref=', ' new winner metric=');
      }
      break;
    }
    default:
      ctx.s += ' [type ' + type + ']';
      break;
  }
}

/** a metric preference and a metric, 4 bytes each */
function metrics(ctx: PrintContext, st: { bp: number; len: number }, prefLabel: string, metricLabel: string): void {
  if (st.len < 8) throw PIM_TRUNC;
  ctx.s += prefLabel + ctx.be32(st.bp);
  ctx.s += metricLabel + ctx.be32(st.bp + 4);
  st.bp += 8;
  st.len -= 8;
}

function badOptLen(ctx: PrintContext, olen: number, want: number): void {
  ctx.s += '[option length ' + olen + ' != ' + want + ']';
  ctx.invalid();
}

/**
 * pimv2_addr_print: an encoded unicast, group or source address (RFC 7761 4.9.1) at `o`, of which
 * `len` bytes remain in the message; returns its length, or -1 when it does not fit or has an
 * unknown family. `addrLen` non-zero is RFC 2117's bare address of that length.
 */
function pimv2AddrPrint(ctx: PrintContext, o: number, len: number, at: AddrType, addrLen: number): number {
  let v6: boolean;
  let hdrlen: number;
  if (addrLen === 0) {
    if (len < 2) return -1;
    const family = ctx.u8(o);
    if (family === 1) { v6 = false; addrLen = 4; } else if (family === 2) { v6 = true; addrLen = 16; } else return -1;
    if (ctx.u8(o + 1) !== 0) return -1;
    hdrlen = 2;
  } else {
    if (addrLen === 4) v6 = false; else if (addrLen === 16) v6 = true; else return -1;
    hdrlen = 0;
  }
  o += hdrlen;
  len -= hdrlen;
  if (at === AddrType.Unicast) {
    if (len < addrLen) return -1;
    ctx.need(o, addrLen);
    ctx.s += v6 ? ctx.names.ip6At(ctx.d, o) : ctx.names.ip4At(ctx.d, o);
    return hdrlen + addrLen;
  }
  if (len < addrLen + 2) return -1;
  ctx.need(o, addrLen + 2);
  const d = ctx.d;
  ctx.s += v6 ? ctx.names.ip6At(d, o + 2) : ctx.names.ip4At(d, o + 2);
  if (d[o + 1] !== (v6 ? 128 : 32)) ctx.s += '/' + d[o + 1];
  const flags = d[o];
  if (flags !== 0) {
    if (at === AddrType.Group) {
      ctx.s += '(0x' + flags.toString(16).padStart(2, '0') + ')';
    } else {
      ctx.s += '(' + (flags & 0x04 ? 'S' : '') + (flags & 0x02 ? 'W' : '') + (flags & 0x01 ? 'R' : '');
      if (flags & 0xf8) ctx.s += '+0x' + (flags & 0xf8).toString(16).padStart(2, '0');
      ctx.s += ')';
    }
  }
  return hdrlen + 2 + addrLen;
}

// ---- PIMv1 (carried in IGMP type 0x14) -----------------------------------------------------

function pimv1Print(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'pimv1';
  const type = ctx.u8(p + 1);
  ctx.s += ' ' + tok2str(PIMV1_TYPE_NAMES, '[type %u]', type);
  switch (type) {
    case 0:
      if (ctx.ttest(p + 8, 1)) {
        const mode = ctx.u8(p + 8) >> 4;
        ctx.s += mode === 0 ? ' Dense-mode' : mode === 1 ? ' Sparse-mode' : mode === 2 ? ' Sparse-Dense-mode' : ' mode-' + mode;
      }
      if (ctx.vflag) {
        ctx.s += ' (Hold-time ';
        ctx.s += relTime(ctx.be16(p + 10)) + ')';
      }
      break;
    case 1:
      // the encapsulated IP header must be there (checked in place: IGMP's checksum check still follows)
      if (!ctx.ttest(p + 8, 20)) { ctx.trunc(); return; }
      ctx.s += ' for ' + ip4(ctx, p + 20) + ' > ' + ip4(ctx, p + 24);
      break;
    case 2:
      ctx.s += ' for ' + ip4(ctx, p + 8) + ' > ' + ip4(ctx, p + 12);
      break;
    case 4:
      if (ctx.vflag) {
        ctx.s += ' group ' + ip4(ctx, p + 8);
        if (ctx.be32(p + 12) !== 0xffffffff) ctx.s += '/' + ip4(ctx, p + 12);
        ctx.s += ' RP ' + ip4(ctx, p + 16) + ' hold ';
        ctx.s += relTime(ctx.be16(p + 22));
      }
      break;
    case 5: {
      const s = ' for ' + ip4(ctx, p + 16) + ' > ' + ip4(ctx, p + 8);
      ctx.s += s;
      if (ctx.be32(p + 12) !== 0xffffffff) ctx.s += '/' + ip4(ctx, p + 12);
      ctx.s += ' ' + (ctx.u8(p + 20) & 0x80 ? 'RP-tree' : 'SPT') + ' pref ' + (ctx.be32(p + 20) & 0x7fffffff) + ' metric ' + ctx.be32(p + 24);
      break;
    }
    case 3:
    case 6:
    case 7:
      if (ctx.vflag) {
        if (length < 8) { ctx.trunc(); return; }
        // the join/prune list prints its own truncation mark, then the version check still runs
        if (!pimv1JoinPrune(ctx, p + 8, length - 8)) ctx.trunc();
      }
      break;
    default:
      break;
  }
  const v = ctx.u8(p + 4) >> 4;
  if (v !== 1) ctx.s += ' [v' + v + ']';
}

/** pimv1_join_prune_print; false where tcpdump goes to `trunc` */
function pimv1JoinPrune(ctx: PrintContext, bp: number, len: number): boolean {
  // one group with one source: a one-line summary
  if (ctx.ttest(bp, 30) && ctx.u8(bp + 11) === 1) {
    const njoin = ctx.be16(bp + 20);
    if (njoin + ctx.be16(bp + 22) === 1) {
      ctx.s += ' RPF ' + ip4(ctx, bp) + ' ';
      const hold = ctx.be16(bp + 6);
      if (hold !== 180) ctx.s += 'Hold ' + relTime(hold);
      ctx.s += (njoin ? 'Join' : 'Prune') + ' (' + ip4(ctx, bp + 26) + '/' + (ctx.u8(bp + 25) & 0x3f) + ', ' + ip4(ctx, bp + 12);
      if (ctx.be32(bp + 16) !== 0xffffffff) ctx.s += '/' + ip4(ctx, bp + 16);
      ctx.s += ') ' + (ctx.u8(bp + 24) & 0x01 ? 'Sparse' : 'Dense') + (ctx.u8(bp + 25) & 0x80 ? ' WC' : '') + ' ' + (ctx.u8(bp + 25) & 0x40 ? 'RP' : 'SPT');
      return true;
    }
  }
  if (len < 4) return false;
  if (ctx.vflag > 1) ctx.s += '\n';
  ctx.s += ' Upstream Nbr: ' + ip4(ctx, bp);
  bp += 4;
  len -= 4;
  if (len < 4) return false;
  if (ctx.vflag > 1) ctx.s += '\n';
  ctx.s += ' Hold time: ';
  ctx.s += relTime(ctx.be16(bp + 2));
  if (ctx.vflag < 2) return true;
  bp += 4;
  len -= 4;
  if (len < 4) return false;
  let ngroups = ctx.u8(bp + 3);
  bp += 4;
  len -= 4;
  while (ngroups !== 0) {
    if (len < 4) return false;
    ctx.s += '\n\tGroup: ' + ip4(ctx, bp);
    bp += 4;
    len -= 4;
    if (len < 4) return false;
    if (ctx.be32(bp) !== 0xffffffff) ctx.s += '/' + ip4(ctx, bp);
    bp += 4;
    len -= 4;
    if (len < 4) return false;
    const njoin = ctx.be16(bp);
    const nprune = ctx.be16(bp + 2);
    ctx.s += ' joined: ' + njoin + ' pruned: ' + nprune;
    bp += 4;
    len -= 4;
    for (let njp = 0; njp < njoin + nprune; njp++) {
      if (len < 6) return false;
      const f0 = ctx.u8(bp);
      const f1 = ctx.u8(bp + 1);
      ctx.s += '\n\t' + (njp < njoin ? 'Join ' : 'Prune') + ' ' + (f0 & 0x01 ? 'Sparse ' : 'Dense ') + (f1 & 0x80 ? 'WC ' : '') +
        (f1 & 0x40 ? 'RP ' : 'SPT ') + ip4(ctx, bp + 2) + '/' + (f1 & 0x3f);
      bp += 6;
      len -= 6;
    }
    ngroups--;
  }
  return true;
}

pimv1Hook.fn = pimv1Print;
registerIpProto(IPPROTO.PIM, (ctx, p, length, iph, ver) => pimPrint(ctx, p, length, iph, ver));
