/**
 * ip_demux_print (print-ip-demux.c): the payload of an IPv4 datagram or IPv6 packet by protocol
 * number, shared by both versions. Protocols with no printer print ` ip-proto-N LENGTH` (or the
 * name from tcpdump's protocol table without -n), as tcpdump does.
 */
import type { PrintContext } from './context.js';
import { ipProtoPrinter } from './dispatch.js';
import { ahPrint } from './ipsec.js';
import { IPPROTO, IPPROTO_NAMES, tok2str } from './tok.js';

export function ipDemuxPrint(ctx: PrintContext, p: number, length: number, ver: number, fragmented: number, ttlHl: number, nh: number, iph: number): void {
  // an Authentication Header protects what follows it: print it, then go on with its next header
  while (nh === IPPROTO.AH) {
    if (!ctx.ttest(p, 1)) {
      ctx.protocol = 'ah';
      ctx.trunc();
      return;
    }
    nh = ctx.d[p];
    const advance = ahPrint(ctx, p);
    if (advance <= 0) return;
    p += advance;
    length -= advance;
  }
  // protocols that only exist over one IP version
  if (((nh === IPPROTO.ICMP || nh === IPPROTO.IGMP) && ver !== 4) || ((nh === IPPROTO.ICMPV6 || nh === IPPROTO.ETHERNET) && ver !== 6)) {
    ctx.s += '[' + tok2str(IPPROTO_NAMES, 'unknown', nh) + (ver === 4 ? ' requires IPv6]' : ' requires IPv4]');
    ctx.invalid();
    return;
  }
  const printer = ipProtoPrinter(nh);
  if (printer !== undefined) {
    printer(ctx, p, length, iph, ver, fragmented, ttlHl);
    return;
  }
  if (nh === IPPROTO.ND) {
    ctx.s += ' nd ' + length;
    return;
  }
  if (nh === IPPROTO.NONE) {
    ctx.s += 'no next header';
    return;
  }
  const name = ctx.names.protoName(nh);
  ctx.s += (name !== undefined ? ' ' + name : ' ip-proto-' + nh) + ' ' + length;
}
