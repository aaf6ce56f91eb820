/**
 * Broadcom lawful-intercept shim (print-bcm-li.c), from UDP source port 49152:
 * `BCM-LI-SHIM: direction ingress, pkt-type undecided, pkt-subtype double VLAN tag, li-id 66666`;
 * with -v on its own line, followed by the intercepted packet.
 */
import type { PrintContext } from './context.js';
import { etherTypePrint, registerUdpPort } from './dispatch.js';
import { etherPrint } from './ether.js';
import { toMap, tok2str } from './tok.js';

const SHIM_LEN = 4;
const PKT_UNDECIDED = 4;
const PKT_IPV4 = 5;
const PKT_IPV6 = 6;
const PKT_ETHERNET = 7;
const DIRECTION_NAMES = toMap([[1, 'unused'], [2, 'egress'], [3, 'ingress']]);
const PKT_TYPE_NAMES = toMap([[PKT_UNDECIDED, 'undecided'], [PKT_IPV4, 'ipv4'], [PKT_IPV6, 'ipv6'], [PKT_ETHERNET, 'ethernet']]);
const PKT_SUBTYPE_NAMES = toMap([[1, 'single VLAN tag'], [2, 'double VLAN tag'], [3, 'untagged']]);

export function bcmLiPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'bcm_li';
  if (length < SHIM_LEN) {
    ctx.s += ' (length ' + length + ' < ' + SHIM_LEN + ')';
    ctx.invalid();
    return;
  }
  const shim = ctx.be32(bp);
  const pktType = (shim >>> 25) & 0xf;
  length -= SHIM_LEN;
  bp += SHIM_LEN;
  ctx.s += (ctx.vflag ? '\n    ' : '') + 'BCM-LI-SHIM: direction ' + tok2str(DIRECTION_NAMES, 'unknown', (shim >>> 29) & 0x7) +
    ', pkt-type ' + tok2str(PKT_TYPE_NAMES, 'unknown', pktType) + ', pkt-subtype ' + tok2str(PKT_SUBTYPE_NAMES, 'unknown', (shim >>> 22) & 0x7) +
    ', li-id ' + (shim & 0x3fffff) + (ctx.vflag ? '\n    ' : '');
  if (!ctx.vflag) {
    ctx.need(bp, length);
    return;
  }
  switch (pktType) {
    case PKT_ETHERNET:
      etherPrint(ctx, bp, length, ctx.bytesAfter(bp));
      break;
    case PKT_IPV4:
      etherTypePrint(ctx, 0x0800, bp, length, ctx.bytesAfter(bp));
      break;
    case PKT_IPV6:
      etherTypePrint(ctx, 0x86dd, bp, length, ctx.bytesAfter(bp));
      break;
    case PKT_UNDECIDED: {
      // the IP version nibble decides
      const version = ctx.u8(bp) >> 4;
      if (version === 4) etherTypePrint(ctx, 0x0800, bp, length, ctx.bytesAfter(bp));
      else if (version === 6) etherTypePrint(ctx, 0x86dd, bp, length, ctx.bytesAfter(bp));
      else ctx.s += 'unknown payload';
      break;
    }
    default:
      ctx.invalid();
  }
}

// udp_print's last test: `sport == BCM_LI_PORT`
registerUdpPort([49152], 950, (ctx, p, length) => bcmLiPrint(ctx, p, length), 'src');
