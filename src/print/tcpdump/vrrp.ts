/**
 * VRRP, RFC 3768 (v2) and RFC 5798 (v3) (print-vrrp.c): `VRRPv2, Advertisement, vrid 42, prio 191,
 * authtype simple, intvl 10s, length 28`; a TTL other than 255 (which RFC requires) is shown as
 * `, (ttl N)`. With -v: a bad checksum, the virtual addresses and a v2 simple-text password:
 * `, addrs(3): 10.4.42.1,10.4.42.2,10.4.42.3 auth "abcdefgh"` (IPv6 addresses when over IPv6).
 */
import { foldSum, onesSum, pseudoSum4, pseudoSum6 } from '../../decode/checksum.js';
import type { PrintContext } from './context.js';
import { registerIpProto } from './dispatch.js';
import { ip4FinalDst, ip6FinalDst } from './ip-addrs.js';
import { ndPrintjnp } from './nd-strings.js';
import { IPPROTO, toMap, tok2str } from './tok.js';

const VRRP_TYPE_ADVERTISEMENT = 1;
const VRRP_AUTH_SIMPLE = 1;
/** the fixed header before the addresses: version/type, vrid, priority, count, auth/interval, checksum */
const VRRP_HEADER_LEN = 8;
/** a v2 simple-text password is 8 bytes, zero-filled (RFC 2338 5.3.10) */
const VRRP_AUTH_LEN = 8;

const TYPE_NAMES = toMap([[VRRP_TYPE_ADVERTISEMENT, 'Advertisement']]);
const AUTH_NAMES = toMap([[0, 'none'], [VRRP_AUTH_SIMPLE, 'simple'], [2, 'ah']]);

export function vrrpPrint(ctx: PrintContext, p: number, length: number, iph: number, ver: number, ttl: number): void {
  ctx.protocol = 'vrrp';
  // the name goes out before the first byte is read: `VRRP [|vrrp]` when none was captured
  ctx.s += 'VRRP';
  const first = ctx.u8(p);
  const version = first >> 4;
  const type = first & 0x0f;
  ctx.s += 'v' + version + ', ' + tok2str(TYPE_NAMES, 'unknown type (%u)', type);
  if (ttl !== 255) ctx.s += ', (ttl ' + ttl + ')';
  if (version < 2 || version > 3 || type !== VRRP_TYPE_ADVERTISEMENT) return;
  ctx.s += ', vrid ' + ctx.u8(p + 1) + ', prio ' + ctx.u8(p + 2);
  let authType = 0;
  if (version === 2) {
    authType = ctx.u8(p + 4);
    ctx.s += ', authtype ' + tok2str(AUTH_NAMES, '#%u', authType);
    ctx.s += ', intvl ' + ctx.u8(p + 5) + 's, length ' + length;
  } else {
    // v3: a 12-bit interval in centiseconds
    const intvl = ((ctx.u8(p + 4) & 0x0f) << 8) | ctx.u8(p + 5);
    ctx.s += ', intvl ' + intvl + 'cs, length ' + length;
  }
  if (!ctx.vflag) return;
  const naddrs = ctx.u8(p + 3);
  // v2 sums the VRRP message alone; v3 adds the IP pseudo-header, as TCP and UDP do
  if (ctx.ttest(p, length)) {
    let initial = 0;
    if (version === 3) {
      const d = ctx.d;
      initial = ver === 4
        ? pseudoSum4(((d[iph + 12] << 24) | (d[iph + 13] << 16) | (d[iph + 14] << 8) | d[iph + 15]) >>> 0, ip4FinalDst(ctx, iph), IPPROTO.VRRP, length)
        : pseudoSum6(d, iph + 8, ip6FinalDst(ctx, iph), IPPROTO.VRRP, length);
    }
    if ((~foldSum(onesSum(ctx.d, p, length, initial)) & 0xffff) !== 0) {
      ctx.s += ', (bad vrrp cksum ' + ctx.be16(p + 6).toString(16) + ')';
    }
  }
  ctx.s += ', addrs';
  if (naddrs > 1) ctx.s += '(' + naddrs + ')';
  ctx.s += ':';
  let o = p + VRRP_HEADER_LEN;
  // the virtual addresses are of the IP version that carries the message
  const addrLen = ver === 4 ? 4 : 16;
  for (let i = 0; i < naddrs; i++) {
    ctx.need(o, addrLen);
    ctx.s += (i === 0 ? ' ' : ',') + (ver === 4 ? ctx.names.ip4At(ctx.d, o) : ctx.names.ip6At(ctx.d, o));
    o += addrLen;
  }
  if (version === 2 && authType === VRRP_AUTH_SIMPLE) {
    ctx.s += ' auth "';
    ndPrintjnp(ctx, o, VRRP_AUTH_LEN);
    ctx.s += '"';
  }
}

registerIpProto(IPPROTO.VRRP, (ctx, p, length, iph, ver, _fragmented, ttlHl) => vrrpPrint(ctx, p, length, iph, ver, ttlHl));
