/**
 * IGMP (print-igmp.c) and the DVMRP messages it carries (print-dvmrp.c):
 * `igmp query v2`, `igmp v2 report 239.255.255.250`, `igmp query v3 [max resp time 51m12s]
 * [gaddr 232.1.1.1, 2 source(s)]`, `igmp v3 report, 1 group record(s) [gaddr ... is_ex, 0 source(s)]`,
 * `igmp leave ...`, `mtrace 7: A to B reply-to C`, `igmp dvmrp Probe genid 1`; with -v a bad
 * checksum is flagged (` bad igmp cksum 1234!`). IGMP type 0x14 (PIMv1) is handed to the PIM printer.
 */
import { foldSum, onesSum } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { relTime } from './text.js';
import { toMap, tok2str } from './tok.js';

const IGMP_QUERY = 0x11;
const IGMP_V1_REPORT = 0x12;
const IGMP_DVMRP = 0x13;
const IGMP_PIMV1 = 0x14;
const IGMP_V2_REPORT = 0x16;
const IGMP_LEAVE = 0x17;
const IGMP_MTRACE_RESP = 0x1e;
const IGMP_MTRACE = 0x1f;
const IGMP_V3_REPORT = 0x22;

/** the mtrace query that follows the 8-byte IGMP header: source, destination, reply-to, ttl + query id */
const TR_QUERY_LEN = 16;

const V3_RECORD_NAMES = toMap([[1, 'is_in'], [2, 'is_ex'], [3, 'to_in'], [4, 'to_ex'], [5, 'allow'], [6, 'block']]);

/**
 * PIMv1 rides in IGMP (type 0x14); its printer lives with PIM's and hooks in here when loaded, so
 * this file does not depend on it (without pim.js loaded only `igmp pimv1` is printed).
 */
export const pimv1Hook: { fn: ((ctx: PrintContext, p: number, length: number) => void) | undefined } = { fn: undefined };

/** ipaddr_string of 4 captured bytes (GET_IPADDR_STRING: throws TRUNCATED when not captured) */
function ip4(ctx: PrintContext, o: number): string {
  ctx.need(o, 4);
  return ctx.names.ip4At(ctx.d, o);
}

export function igmpPrint(ctx: PrintContext, p: number, length: number): void {
  if (ctx.qflag) {
    ctx.s += 'igmp';
    return;
  }
  ctx.protocol = 'igmp';
  const type = ctx.u8(p);
  switch (type) {
    case IGMP_QUERY:
      ctx.s += 'igmp query';
      if (length >= 12) {
        v3Query(ctx, p, length);
      } else {
        const mrt = ctx.u8(p + 1);
        // a zero max response time is what tells a v1 query from a v2 one
        if (mrt !== 0) {
          ctx.s += ' v2';
          if (mrt !== 100) ctx.s += ' [max resp time ' + mrt + ']';
        } else {
          ctx.s += ' v1';
        }
        if (ctx.be32(p + 4) !== 0) ctx.s += ' [gaddr ' + ip4(ctx, p + 4) + ']';
        if (length !== 8) ctx.s += ' [len ' + length + ']';
      }
      break;
    case IGMP_V1_REPORT:
      ctx.s += 'igmp v1 report ' + ip4(ctx, p + 4);
      if (length !== 8) ctx.s += ' [len ' + length + ']';
      break;
    case IGMP_V2_REPORT:
      ctx.s += 'igmp v2 report ' + ip4(ctx, p + 4);
      break;
    case IGMP_V3_REPORT:
      ctx.s += 'igmp v3 report';
      v3Report(ctx, p, length);
      break;
    case IGMP_LEAVE:
      ctx.s += 'igmp leave ' + ip4(ctx, p + 4);
      break;
    case IGMP_DVMRP:
      ctx.s += 'igmp dvmrp';
      if (length < 8) ctx.s += ' [len ' + length + ']';
      else dvmrpPrint(ctx, p, length);
      break;
    case IGMP_PIMV1:
      ctx.s += 'igmp pimv1';
      if (pimv1Hook.fn !== undefined) pimv1Hook.fn(ctx, p, length);
      break;
    case IGMP_MTRACE_RESP:
    case IGMP_MTRACE:
      mtrace(ctx, type, p, length);
      break;
    default:
      ctx.s += 'igmp-' + type;
      break;
  }
  if (ctx.vflag && length >= 4 && ctx.ttest(p, length)) {
    if ((~foldSum(onesSum(ctx.d, p, length)) & 0xffff) !== 0) {
      ctx.s += ' bad igmp cksum ' + ctx.be16(p + 2).toString(16) + '!';
    }
  }
}

function mtrace(ctx: PrintContext, type: number, p: number, length: number): void {
  const tr = p + 8;
  if (length < 8 + TR_QUERY_LEN) {
    ctx.s += ' [invalid len ' + length + ']';
    return;
  }
  const src = ip4(ctx, tr);
  const dst = ip4(ctx, tr + 4);
  const raddr = ip4(ctx, tr + 8);
  ctx.s += (type === IGMP_MTRACE ? 'mtrace ' : 'mresp ') + ctx.be24(tr + 13) + ': ' + src + ' to ' + dst + ' reply-to ' + raddr;
  // a multicast reply-to address comes with the TTL the response is sent with
  if ((ctx.be32(tr + 8) >>> 28) === 0xe) {
    ctx.s += ' with-ttl ' + ctx.u8(tr + 12);
  }
}

function v3Report(ctx: PrintContext, p: number, length: number): void {
  // at least the header and one group record header, in 32-bit words
  if (length < 16 || (length & 3) !== 0) {
    ctx.s += ' [invalid len ' + length + ']';
    return;
  }
  const ngroups = ctx.be16(p + 6);
  ctx.s += ', ' + ngroups + ' group record(s)';
  if (ctx.vflag < 1) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (length < group + 8) {
      ctx.s += ' [invalid number of groups]';
      return;
    }
    ctx.s += ' [gaddr ' + ip4(ctx, p + group + 4);
    ctx.s += ' ' + tok2str(V3_RECORD_NAMES, ' [v3-report-#%u]', ctx.u8(p + group));
    const nsrcs = ctx.be16(p + group + 2);
    if (length < group + 8 + nsrcs * 4) {
      ctx.s += ' [invalid number of sources ' + nsrcs + ']';
      return;
    }
    if (ctx.vflag === 1) {
      ctx.s += ', ' + nsrcs + ' source(s)';
    } else {
      ctx.s += ' {';
      for (let j = 0; j < nsrcs; j++) ctx.s += ' ' + ip4(ctx, p + group + 8 + j * 4);
      ctx.s += ' }';
    }
    group += 8 + nsrcs * 4;
    ctx.s += ']';
  }
}

function v3Query(ctx: PrintContext, p: number, length: number): void {
  ctx.s += ' v3';
  if (length < 12 || (length & 3) !== 0) {
    ctx.s += ' [invalid len ' + length + ']';
    return;
  }
  // Max Resp Code: below 128 tenths of a second, else a floating-point form (RFC 3376 4.1.1)
  const mrc = ctx.u8(p + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) {
    ctx.s += ' [max resp time ' + (mrt < 600 ? (mrt * 0.1).toFixed(1) + 's' : relTime(Math.floor(mrt / 10))) + ']';
  }
  if (ctx.be32(p + 4) === 0) return;
  ctx.s += ' [gaddr ' + ip4(ctx, p + 4);
  const nsrcs = ctx.be16(p + 10);
  if (nsrcs > 0) {
    if (length < 12 + nsrcs * 4) {
      ctx.s += ' [invalid number of sources]';
    } else if (ctx.vflag > 1) {
      ctx.s += ' {';
      for (let i = 0; i < nsrcs; i++) ctx.s += ' ' + ip4(ctx, p + 12 + i * 4);
      ctx.s += ' }';
    } else {
      ctx.s += ', ' + nsrcs + ' source(s)';
    }
  }
  ctx.s += ']';
}

// ---- DVMRP (RFC 1075, draft-ietf-idmr-dvmrp-v3), carried as IGMP type 0x13 ------------------

const DVMRP_PROBE = 1;
const DVMRP_REPORT = 2;
const DVMRP_NEIGHBORS = 4;
const DVMRP_NEIGHBORS2 = 6;
const DVMRP_PRUNE = 7;
const DVMRP_GRAFT = 8;
const DVMRP_GRAFT_ACK = 9;
const DVMRP_TYPE_NAMES = toMap([
  [DVMRP_PROBE, 'Probe'], [DVMRP_REPORT, 'Report'], [3, 'Ask-neighbors(old)'], [DVMRP_NEIGHBORS, 'Neighbors(old)'],
  [5, 'Ask-neighbors2'], [DVMRP_NEIGHBORS2, 'Neighbors2'], [DVMRP_PRUNE, 'Prune'], [DVMRP_GRAFT, 'Graft'], [DVMRP_GRAFT_ACK, 'Graft-ACK'],
]);
/** flags of a Neighbors2 entry, in the order tcpdump prints them */
const DVMRP_NF: ReadonlyArray<readonly [number, string]> = [[0x01, '/tunnel'], [0x02, '/srcrt'], [0x40, '/querier'], [0x20, '/disabled'], [0x10, '/down']];

function dvmrpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'dvmrp';
  const type = ctx.u8(p + 1);
  // the IGMP group address field holds the version of a Neighbors2 reply
  const bp = p + 8;
  const len = length - 8;
  ctx.s += ' ' + tok2str(DVMRP_TYPE_NAMES, '[type %u]', type);
  switch (type) {
    case DVMRP_PROBE:
      if (ctx.vflag) dvmrpProbe(ctx, bp, len);
      break;
    case DVMRP_REPORT:
      if (ctx.vflag > 1) dvmrpReport(ctx, bp, len);
      break;
    case DVMRP_NEIGHBORS:
      dvmrpNeighbors(ctx, bp, len);
      break;
    case DVMRP_NEIGHBORS2: {
      const major = ctx.u8(p + 7);
      const minor = ctx.u8(p + 6);
      dvmrpNeighbors2(ctx, bp, len, major, minor);
      break;
    }
    case DVMRP_PRUNE:
      ctx.s += ' src ' + ip4(ctx, bp) + ' grp ' + ip4(ctx, bp + 4);
      ctx.s += ' timer ';
      ctx.s += relTime(ctx.be32(bp + 8));
      break;
    case DVMRP_GRAFT:
    case DVMRP_GRAFT_ACK:
      ctx.s += ' src ' + ip4(ctx, bp) + ' grp ' + ip4(ctx, bp + 4);
      break;
    default:
      break;
  }
}

function dotted(a: number): string {
  return (a >>> 24) + '.' + ((a >>> 16) & 0xff) + '.' + ((a >>> 8) & 0xff) + '.' + (a & 0xff);
}

function dvmrpReport(ctx: PrintContext, bp: number, len: number): void {
  while (len !== 0) {
    if (len < 3) {
      ctx.s += ' [length ' + len + ' < 3]';
      ctx.invalid();
      return;
    }
    const m0 = ctx.u8(bp);
    const m1 = ctx.u8(bp + 1);
    const m2 = ctx.u8(bp + 2);
    const mask = ((0xff << 24) | (m0 << 16) | (m1 << 8) | m2) >>> 0;
    // the origin is as many bytes long as the mask has non-zero bytes
    const width = m2 ? 4 : m1 ? 3 : m0 ? 2 : 1;
    ctx.s += '\n\tMask ' + dotted(mask);
    bp += 3;
    len -= 3;
    let done = 0;
    do {
      if (len < width + 1) {
        ctx.s += '\n\t  [Truncated Report]';
        ctx.invalid();
        return;
      }
      let origin = 0;
      let i = 0;
      for (; i < width; i++) origin = ((origin << 8) | ctx.u8(bp++)) >>> 0;
      for (; i < 4; i++) origin = (origin << 8) >>> 0;
      let metric = ctx.u8(bp++);
      done = metric & 0x80;
      metric &= 0x7f;
      ctx.s += '\n\t  ' + dotted(origin) + ' metric ' + metric;
      len -= width + 1;
    } while (!done);
  }
}

function dvmrpProbe(ctx: PrintContext, bp: number, len: number): void {
  if (len < 4) {
    ctx.s += ' [full length ' + len + ' < 4]';
    ctx.invalid();
    return;
  }
  ctx.s += ctx.vflag > 1 ? '\n\t' : ' ';
  ctx.s += 'genid ' + ctx.be32(bp);
  if (ctx.vflag < 2) return;
  bp += 4;
  len -= 4;
  while (len !== 0) {
    if (len < 4) {
      ctx.s += '[remaining length ' + len + ' < 4]';
      ctx.invalid();
      return;
    }
    ctx.s += '\n\tneighbor ' + ip4(ctx, bp);
    bp += 4;
    len -= 4;
  }
}

function dvmrpNeighbors(ctx: PrintContext, bp: number, len: number): void {
  while (len !== 0) {
    if (len < 7) {
      ctx.s += ' [length ' + len + ' < 7]';
      ctx.invalid();
      return;
    }
    const laddr = bp;
    const metric = ctx.u8(bp + 4);
    const thresh = ctx.u8(bp + 5);
    let ncount = ctx.u8(bp + 6);
    bp += 7;
    len -= 7;
    while (--ncount >= 0) {
      if (len < 4) {
        ctx.s += ' [length ' + len + ' < 4]';
        ctx.invalid();
        return;
      }
      ctx.s += ' [' + ip4(ctx, laddr) + ' ->';
      ctx.s += ' ' + ip4(ctx, bp) + ', (' + metric + '/' + thresh + ')]';
      bp += 4;
      len -= 4;
    }
  }
}

function dvmrpNeighbors2(ctx: PrintContext, bp: number, len: number, major: number, minor: number): void {
  ctx.s += ' (v ' + major + '.' + minor + '):';
  while (len !== 0) {
    if (len < 8) {
      ctx.s += ' [length ' + len + ' < 8]';
      ctx.invalid();
      return;
    }
    const laddr = bp;
    const metric = ctx.u8(bp + 4);
    const thresh = ctx.u8(bp + 5);
    const flags = ctx.u8(bp + 6);
    let ncount = ctx.u8(bp + 7);
    bp += 8;
    len -= 8;
    while (--ncount >= 0 && len !== 0) {
      if (len < 4) {
        ctx.s += ' [length ' + len + ' < 4]';
        ctx.invalid();
        return;
      }
      ctx.s += ' [' + ip4(ctx, laddr) + ' -> ';
      ctx.s += ip4(ctx, bp) + ' (' + metric + '/' + thresh;
      for (const [bit, name] of DVMRP_NF) if (flags & bit) ctx.s += name;
      ctx.s += ')]';
      bp += 4;
      len -= 4;
    }
    if (ncount !== -1) {
      ctx.s += ' [invalid ncount]';
      ctx.invalid();
      return;
    }
  }
}

registerIpProto(2, (ctx, p, length) => igmpPrint(ctx, p, length));
