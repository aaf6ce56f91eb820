/**
 * Ethernet Configuration Testing Protocol, "Loopback" (print-loopback.c), EtherType 0x9000:
 * `Loopback, skipCount 0, Reply, receipt number 0, data (40 octets)`, as Cisco switches send
 * them as keepalives.
 */
import type { PrintContext } from './context.js';
import { registerEtherType } from './dispatch.js';
import { toMap, tok2str } from './tok.js';

const LOOPBACK_REPLY = 1;
const LOOPBACK_FWDDATA = 2;
const FUNCTION_NAMES = toMap([[LOOPBACK_REPLY, 'Reply'], [LOOPBACK_FWDDATA, 'Forward Data']]);

function messagePrint(ctx: PrintContext, p: number, len: number): void {
  if (len < 2) { invalid(ctx, p, len); return; }
  const fn = ctx.le16(p);
  p += 2;
  len -= 2;
  ctx.s += ', ' + tok2str(FUNCTION_NAMES, ' invalid (%u)', fn);
  switch (fn) {
    case LOOPBACK_REPLY:
      if (len < 2) { invalid(ctx, p, len); return; }
      ctx.s += ', receipt number ' + ctx.le16(p);
      p += 2;
      len -= 2;
      ctx.s += ', data (' + len + ' octets)';
      ctx.need(p, len);
      break;
    case LOOPBACK_FWDDATA:
      if (len < 6) { invalid(ctx, p, len); return; }
      ctx.need(p, 6);
      ctx.s += ', forwarding address ' + ctx.names.mac(ctx.d, p);
      p += 6;
      len -= 6;
      ctx.s += ', data (' + len + ' octets)';
      ctx.need(p, len);
      break;
    default:
      ctx.need(p, len);
  }
}

function invalid(ctx: PrintContext, p: number, len: number): void {
  ctx.invalid();
  ctx.need(p, len);
}

export function loopbackPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'loopback';
  ctx.s += 'Loopback';
  if (len < 2) { invalid(ctx, p, len); return; }
  const skipCount = ctx.le16(p);
  p += 2;
  len -= 2;
  ctx.s += ', skipCount ' + skipCount;
  if (skipCount % 8) ctx.s += ' (bogus)';
  if (skipCount > len) { invalid(ctx, p, len); return; }
  ctx.need(p, skipCount);
  messagePrint(ctx, p + skipCount, len - skipCount);
}

registerEtherType(0x9000, (ctx, p, length) => loopbackPrint(ctx, p, length));
