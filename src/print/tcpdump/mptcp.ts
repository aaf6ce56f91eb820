/**
 * Multipath TCP option (print-mptcp.c, RFC 6824/8684): ` LEN SUBTYPE details` inside the TCP
 * options list. Returns false when the option's length does not fit its subtype (the caller
 * prints `[bad opt]`). Like tcpdump, it leaves the protocol name at `mptcp`.
 */
import { TCP_ACK, TCP_SYN } from '../../decode/packet.js';
import type { PrintContext } from './context.js';
import { HEX2 } from './hexdump.js';
import { toMap, tok2str } from './tok.js';

const SUBTYPE_NAMES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];
const ADDR_SUBECHO = toMap([[0x6, 'v0-ip6'], [0x4, 'v0-ip4'], [0x1, 'v1-echo'], [0x0, 'v1']]);

function u64(ctx: PrintContext, o: number): bigint {
  return (BigInt(ctx.be32(o)) << 32n) | BigInt(ctx.be32(o + 4));
}

export function mptcpPrint(ctx: PrintContext, cp: number, len: number, flags: number): boolean {
  ctx.protocol = 'mptcp';
  if (len < 3) return false;
  let subtype = (ctx.u8(cp + 2) >> 4) & 0xf;
  if (subtype > 8) subtype = 8;
  ctx.s += ' ' + len + ' ' + SUBTYPE_NAMES[subtype];
  switch (subtype) {
    case 0: return capable(ctx, cp, len, flags);
    case 1: return join(ctx, cp, len, flags);
    case 2: return dss(ctx, cp, len, flags);
    case 3: return addAddr(ctx, cp, len);
    case 4: {
      if (len < 4) return false;
      ctx.s += ' id';
      for (let i = 0; i < len - 3; i++) ctx.s += ' ' + ctx.u8(cp + 3 + i);
      return true;
    }
    case 5:
      if (len !== 3 && len !== 4) return false;
      ctx.s += (ctx.u8(cp + 2) & 1) !== 0 ? ' backup' : ' non-backup';
      if (len === 4) ctx.s += ' id ' + ctx.u8(cp + 3);
      return true;
    case 6:
      if (len !== 12) return false;
      ctx.s += ' seq ' + u64(ctx, cp + 4);
      return true;
    case 7:
      if (len !== 12) return false;
      ctx.s += ' key 0x' + u64(ctx, cp + 4).toString(16);
      return true;
    default:
      return true;
  }
}

function capable(ctx: PrintContext, cp: number, len: number, flags: number): boolean {
  if (!((len === 12 || len === 4) && (flags & TCP_SYN) !== 0) &&
      !((len === 20 || len === 22) && (flags & (TCP_SYN | TCP_ACK)) === TCP_ACK)) return false;
  const version = ctx.u8(cp + 2) & 0xf;
  if (version === 0 || version === 1) ctx.s += ' v' + version;
  else {
    ctx.s += ' Unknown Version (' + version + ')';
    return true;
  }
  if ((ctx.u8(cp + 3) & 0x80) !== 0) ctx.s += ' csum';
  if (len === 12 || len >= 20) {
    ctx.s += ' {0x' + u64(ctx, cp + 4).toString(16);
    if (len >= 20) ctx.s += ',0x' + u64(ctx, cp + 12).toString(16);
    ctx.s += '}';
  }
  return true;
}

function join(ctx: PrintContext, cp: number, len: number, flags: number): boolean {
  if (!(len === 12 && (flags & TCP_SYN) !== 0) &&
      !(len === 16 && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) &&
      !(len === 24 && (flags & TCP_ACK) !== 0)) return false;
  if (len !== 24) {
    if ((ctx.u8(cp + 2) & 1) !== 0) ctx.s += ' backup';
    ctx.s += ' id ' + ctx.u8(cp + 3);
  }
  switch (len) {
    case 12:
      ctx.s += ' token 0x' + ctx.be32(cp + 4).toString(16) + ' nonce 0x' + ctx.be32(cp + 8).toString(16);
      break;
    case 16:
      ctx.s += ' hmac 0x' + u64(ctx, cp + 4).toString(16) + ' nonce 0x' + ctx.be32(cp + 12).toString(16);
      break;
    case 24:
      ctx.s += ' hmac 0x';
      for (let i = 0; i < 20; i++) ctx.s += HEX2[ctx.u8(cp + 4 + i)];
      break;
  }
  return true;
}

function dss(ctx: PrintContext, cp: number, len: number, flags: number): boolean {
  if (len < 4) return false;
  if ((flags & TCP_SYN) !== 0) return false;
  const f = ctx.u8(cp + 3);
  if (f & 0x10) ctx.s += ' fin';
  let o = cp + 4;
  let left = len - 4;
  if (f & 0x01) {
    ctx.s += ' ack ';
    if (f & 0x02) {
      if (left < 8) return false;
      ctx.s += u64(ctx, o);
      o += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      ctx.s += ctx.be32(o);
      o += 4;
      left -= 4;
    }
  }
  if (f & 0x04) {
    ctx.s += ' seq ';
    if (f & 0x08) {
      if (left < 8) return false;
      ctx.s += u64(ctx, o);
      o += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      ctx.s += ctx.be32(o);
      o += 4;
      left -= 4;
    }
    if (left < 4) return false;
    ctx.s += ' subseq ' + ctx.be32(o);
    o += 4;
    left -= 4;
    if (left < 2) return false;
    ctx.s += ' len ' + ctx.be16(o);
    o += 2;
    left -= 2;
    if (left >= 2) {
      ctx.s += ' csum 0x' + ctx.be16(o).toString(16);
      left -= 2;
    }
  }
  return left === 0;
}

function addAddr(ctx: PrintContext, cp: number, len: number): boolean {
  if (!(len === 8 || len === 10 || len === 16 || len === 18 || len === 20 || len === 22 || len === 28 || len === 30)) return false;
  ctx.s += ' ' + tok2str(ADDR_SUBECHO, '[bad version/echo]', ctx.u8(cp + 2) & 0xf);
  ctx.s += ' id ' + ctx.u8(cp + 3);
  if (len === 8 || len === 10 || len === 16 || len === 18) {
    ctx.need(cp + 4, 4);
    ctx.s += ' ' + ctx.names.ip4At(ctx.d, cp + 4);
    if (len === 10 || len === 18) ctx.s += ':' + ctx.be16(cp + 8);
    if (len === 16) ctx.s += ' hmac 0x' + u64(ctx, cp + 8).toString(16);
    if (len === 18) ctx.s += ' hmac 0x' + u64(ctx, cp + 10).toString(16);
  } else {
    ctx.need(cp + 4, 16);
    ctx.s += ' ' + ctx.names.ip6At(ctx.d, cp + 4);
    if (len === 22 || len === 30) ctx.s += ':' + ctx.be16(cp + 20);
    if (len === 28) ctx.s += ' hmac 0x' + u64(ctx, cp + 20).toString(16);
    if (len === 30) ctx.s += ' hmac 0x' + u64(ctx, cp + 22).toString(16);
  }
  return true;
}
