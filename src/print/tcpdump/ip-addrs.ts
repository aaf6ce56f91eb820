/**
 * The destination that TCP/UDP pseudo-header checksums use: the final hop of an IPv4 source
 * route (ip_finddst) or of an IPv6 type 0/2/4 routing header (ip6_finddst), else the header's own.
 */
import type { PrintContext } from './context.js';

const IPOPT_EOL = 0;
const IPOPT_NOP = 1;
const IPOPT_LSRR = 131;
const IPOPT_SSRR = 137;

/** IPv4: the destination as an unsigned 32-bit number. */
export function ip4FinalDst(ctx: PrintContext, iph: number): number {
  const d = ctx.d;
  const dst = ((d[iph + 16] << 24) | (d[iph + 17] << 16) | (d[iph + 18] << 8) | d[iph + 19]) >>> 0;
  let length = (d[iph] & 0x0f) * 4;
  if (length <= 20) return dst;
  length -= 20;
  let cp = iph + 20;
  while (length !== 0) {
    if (!ctx.ttest(cp, 1)) return dst;
    const tt = d[cp];
    let len: number;
    if (tt === IPOPT_EOL) break;
    else if (tt === IPOPT_NOP) len = 1;
    else {
      if (!ctx.ttest(cp + 1, 1)) return dst;
      len = d[cp + 1];
      if (len < 2) break;
    }
    if (length < len || !ctx.ttest(cp, len)) return dst;
    if ((tt === IPOPT_SSRR || tt === IPOPT_LSRR) && len >= 7) {
      const o = cp + len - 4;
      return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
    }
    cp += len;
    length -= len;
  }
  return dst;
}

/** IPv6: the offset in the frame of the 16-byte destination to use. */
export function ip6FinalDst(ctx: PrintContext, iph: number): number {
  let dst = iph + 24;
  let cp = iph;
  let advance = 40;
  let nh = ctx.u8(iph + 6);
  while (cp < ctx.snapend) {
    cp += advance;
    switch (nh) {
      case 0: // hop-by-hop
      case 60: // destination options
      case 62: // mobility (old)
      case 135: // mobility
        advance = (ctx.u8(cp + 1) + 1) << 3;
        nh = ctx.u8(cp);
        break;
      case 44: // fragment
        advance = 8;
        nh = ctx.u8(cp);
        break;
      case 43: { // routing: the last listed address is the final destination
        let len = ctx.u8(cp + 1);
        const type = ctx.u8(cp + 2);
        if (type === 0 || type === 2) {
          if (len % 2 === 1) return dst;
          len >>= 1;
          let a = cp + 8;
          for (let i = 0; i < len; i++) {
            if (!ctx.ttest(a, 16)) return dst;
            dst = a;
            a += 16;
          }
        } else if (type === 4) {
          dst = cp + 8;
        }
        ctx.need(dst, 16);
        return dst;
      }
      default:
        return dst;
    }
  }
  return dst;
}
