/**
 * Cisco UniDirectional Link Detection, RFC 5171 (print-udld.c), carried in SNAP with Cisco's
 * OUI: `UDLDv1, Code Probe message (1), Flags [RT, RSY] (0x03), length 60`; with -v the checksum
 * and one line per TLV (device and port ids, echo list, intervals, sequence number).
 */
import type { PrintContext } from './context.js';
import { PID_CISCO_UDLD, registerCiscoPid } from './cisco-snap.js';
import { hex2, hex4, ndPrintjnp, ndPrintn } from './nd-strings.js';
import { bittok2str, toMap, tok2str } from './tok.js';

const UDLD_HEADER_LEN = 4;
const UDLD_TLV_HEADER_LEN = 4;
const TLV_DEVICE_ID = 0x0001;
const TLV_PORT_ID = 0x0002;
const TLV_ECHO = 0x0003;
const TLV_MESSAGE_INTERVAL = 0x0004;
const TLV_TIMEOUT_INTERVAL = 0x0005;
const TLV_DEVICE_NAME = 0x0006;
const TLV_SEQ_NUMBER = 0x0007;

const TLV_NAMES = toMap([
  [TLV_DEVICE_ID, 'Device-ID TLV'], [TLV_PORT_ID, 'Port-ID TLV'], [TLV_ECHO, 'Echo TLV'],
  [TLV_MESSAGE_INTERVAL, 'Message Interval TLV'], [TLV_TIMEOUT_INTERVAL, 'Timeout Interval TLV'],
  [TLV_DEVICE_NAME, 'Device Name TLV'], [TLV_SEQ_NUMBER, 'Sequence Number TLV'],
]);
const CODE_NAMES = toMap([[0x00, 'Reserved'], [0x01, 'Probe message'], [0x02, 'Echo message'], [0x03, 'Flush message']]);
const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, 'RT'], [1 << 1, 'RSY'], [1 << 2, 'MBZ-2'], [1 << 3, 'MBZ-3'], [1 << 4, 'MBZ-4'], [1 << 5, 'MBZ-5'], [1 << 6, 'MBZ-6'], [1 << 7, 'MBZ-7'],
];

export function udldPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'udld';
  if (length < UDLD_HEADER_LEN) {
    ctx.invalid();
    ctx.need(p, length);
    return;
  }
  const first = ctx.u8(p);
  const version = (first & 0xe0) >> 5;
  const code = first & 0x1f;
  const flags = ctx.u8(p + 1);
  ctx.s += 'UDLDv' + version + ', Code ' + tok2str(CODE_NAMES, 'Reserved', code) + ' (' + code.toString(16) + '), Flags [' +
    bittok2str(FLAG_BITS, 'none', flags) + '] (0x' + hex2(flags) + '), length ' + length;
  let o = p + 2;
  let left = length - 2;
  if (ctx.vflag < 1) {
    ctx.need(o, left);
    return;
  }
  ctx.s += '\n\tChecksum 0x' + hex4(ctx.be16(o)) + ' (unverified)';
  o += 2;
  left -= 2;
  while (left > 0) {
    if (left < UDLD_TLV_HEADER_LEN) { invalidRest(ctx, o, left); return; }
    const type = ctx.be16(o);
    let len = ctx.be16(o + 2);
    o += 4;
    left -= 4;
    ctx.s += '\n\t' + tok2str(TLV_NAMES, 'Unknown', type) + ' (0x' + hex4(type) + ') TLV, length ' + len;
    // a TLV length must cover more than its own header, or the loop would never end
    if (len <= UDLD_TLV_HEADER_LEN) { invalidRest(ctx, o, left); return; }
    len -= UDLD_TLV_HEADER_LEN;
    if (left < len) { invalidRest(ctx, o, left); return; }
    switch (type) {
      case TLV_DEVICE_ID:
      case TLV_PORT_ID:
      case TLV_DEVICE_NAME:
        ctx.s += ', ';
        ndPrintjnp(ctx, o, len);
        break;
      case TLV_ECHO:
        ctx.s += ', ';
        ndPrintn(ctx, o, len);
        break;
      case TLV_MESSAGE_INTERVAL:
      case TLV_TIMEOUT_INTERVAL:
        if (len !== 1) { invalidRest(ctx, o, left); return; }
        ctx.s += ', ' + ctx.u8(o) + 's';
        break;
      case TLV_SEQ_NUMBER:
        if (len !== 4) { invalidRest(ctx, o, left); return; }
        ctx.s += ', ' + ctx.be32(o);
        break;
      default:
        ctx.need(o, len);
    }
    o += len;
    left -= len;
  }
}

/** ` (invalid)`, then ` [|udld]` if the rest of the PDU was not captured */
function invalidRest(ctx: PrintContext, o: number, left: number): void {
  ctx.invalid();
  ctx.need(o, left);
}

registerCiscoPid(PID_CISCO_UDLD, udldPrint);
