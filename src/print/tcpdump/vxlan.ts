/**
 * VXLAN, RFC 7348 (print-vxlan.c), on UDP port 4789: `VXLAN, flags [I] (0x08), vni 100` and a
 * newline, then the inner Ethernet frame printed as a frame of its own.
 */
import type { PrintContext } from './context.js';
import { registerUdpPort } from './dispatch.js';
import { etherPrint } from './ether.js';
import { hex2 } from './nd-strings.js';

const VXLAN_HDR_LEN = 8;

export function vxlanPrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'vxlan';
  if (len < VXLAN_HDR_LEN || !ctx.ttest(bp, VXLAN_HDR_LEN)) {
    ctx.trunc();
    return;
  }
  const flags = ctx.u8(bp);
  const vni = ctx.be24(bp + 4);
  ctx.s += 'VXLAN, flags [' + (flags & 0x08 ? 'I' : '.') + '] (0x' + hex2(flags) + '), vni ' + vni + '\n';
  const p = bp + VXLAN_HDR_LEN;
  etherPrint(ctx, p, len - VXLAN_HDR_LEN, ctx.bytesAfter(p));
}

registerUdpPort([4789], 820, (ctx, p, length) => vxlanPrint(ctx, p, length));
