/**
 * Cisco Dynamic Trunking Protocol (print-dtp.c), in SNAP with Cisco's OUI: `DTPv1, length 31`;
 * with -v one line per TLV (domain, status, type, neighbor).
 */
import type { PrintContext } from './context.js';
import { PID_CISCO_DTP, registerCiscoPid } from './cisco-snap.js';
import { hex4, ndPrintjnp } from './nd-strings.js';
import { toMap, tok2str } from './tok.js';

const DTP_HEADER_LEN = 1;
const DTP_DOMAIN_TLV = 0x0001;
const DTP_STATUS_TLV = 0x0002;
const DTP_DTP_TYPE_TLV = 0x0003;
const DTP_NEIGHBOR_TLV = 0x0004;
const TLV_NAMES = toMap([[DTP_DOMAIN_TLV, 'Domain'], [DTP_STATUS_TLV, 'Status'], [DTP_DTP_TYPE_TLV, 'DTP type'], [DTP_NEIGHBOR_TLV, 'Neighbor']]);

export function dtpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'dtp';
  if (length < DTP_HEADER_LEN) {
    ctx.s += ' [length ' + length + ' < ' + DTP_HEADER_LEN + ']';
    ctx.invalid();
    return;
  }
  ctx.s += 'DTPv' + ctx.u8(p) + ', length ' + length;
  if (ctx.vflag < 1) return;
  let t = p + DTP_HEADER_LEN;
  while (t < p + length) {
    const type = ctx.be16(t);
    const len = ctx.be16(t + 2);
    // a zero type ends the TLVs
    if (type === 0) return;
    ctx.s += '\n\t' + tok2str(TLV_NAMES, 'Unknown', type) + ' (0x' + hex4(type) + ') TLV, length ' + len;
    if (len < 4) {
      ctx.invalid();
      ctx.need(p, length);
      return;
    }
    switch (type) {
      case DTP_DOMAIN_TLV:
        ctx.s += ', ';
        ndPrintjnp(ctx, t + 4, len - 4);
        break;
      case DTP_STATUS_TLV:
      case DTP_DTP_TYPE_TLV:
        if (len !== 5) {
          ctx.invalid();
          ctx.need(p, length);
          return;
        }
        ctx.s += ', 0x' + ctx.u8(t + 4).toString(16);
        break;
      case DTP_NEIGHBOR_TLV:
        if (len !== 10) {
          ctx.invalid();
          ctx.need(p, length);
          return;
        }
        ctx.need(t + 4, 6);
        ctx.s += ', ' + ctx.names.mac(ctx.d, t + 4);
        break;
      default:
        ctx.need(t, len);
    }
    t += len;
  }
}

registerCiscoPid(PID_CISCO_DTP, dtpPrint);
