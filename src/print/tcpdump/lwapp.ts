/**
 * Lightweight Access Point Protocol, RFC 5412 (print-lwapp.c), on UDP 12222 (data) and 12223
 * (control): `LWAPPv0, Data frame, Flags [none], length 30`; with -v the radio and fragment ids
 * and the header's own length, then control messages one per line or the data frame in hex.
 */
import type { PrintContext } from './context.js';
import { registerUdpPort } from './dispatch.js';
import { hex8, printUnknownData } from './nd-strings.js';
import { bittok2str, toMap, tok2str } from './tok.js';

const LWAPP_CONTROL_PORT = 12223;
const TRANSPORT_HDR_LEN = 6;
const CONTROL_HDR_LEN = 8;
const HEADER_BITS: ReadonlyArray<readonly [number, string]> = [[0x01, 'Last Fragment Bit'], [0x02, 'Fragment Bit'], [0x04, 'Control Bit']];
const MSG_TYPE_NAMES = toMap([
  [1, 'Discovery req'], [2, 'Discovery resp'], [3, 'Join req'], [4, 'Join resp'], [5, 'Join ack'], [6, 'Join confirm'],
  [10, 'Configure req'], [11, 'Configure resp'], [12, 'Update req'], [13, 'Update resp'], [14, 'WTP event req'],
  [15, 'WTP event resp'], [16, 'Change state event req'], [17, 'Change state event resp'], [22, 'Echo req'],
  [23, 'Echo resp'], [24, 'Image data req'], [25, 'Image data resp'], [26, 'Channel status req'],
  [27, 'Channel status resp'], [30, 'Key update req'], [31, 'Key update resp'], [32, 'Primary discovery req'],
  [33, 'Primary discovery resp'], [34, 'Data transfer req'], [35, 'Data transfer resp'], [36, 'Clear config ind'],
  [37, 'Wlan config req'], [38, 'Wlan config resp'], [39, 'Mobile config req'], [40, 'Mobile config resp'],
]);

function shortLine(ctx: PrintContext, version: number, len: number): void {
  ctx.s += 'LWAPPv' + ((version & 0xc0) >> 6) + ', ' + ((version & 0x04) ? 'Control' : 'Data') + ' frame, Flags [' +
    bittok2str(HEADER_BITS, 'none', version & 0x07) + '], length ' + len;
}

/** lwapp_control_print: `hasApIdent` when the AP's MAC address precedes the header (sent to the controller port) */
export function lwappControlPrint(ctx: PrintContext, p: number, len: number, hasApIdent: boolean): void {
  ctx.protocol = 'lwapp_control';
  let t = p;
  if (hasApIdent) {
    if (!ctx.ttest(p, 6)) { ctx.trunc(); return; }
    t = p + 6;
  }
  if (!ctx.ttest(t, TRANSPORT_HDR_LEN)) { ctx.trunc(); return; }
  const version = ctx.u8(t);
  if ((version & 0xc0) >> 6 !== 0) {
    ctx.s += 'LWAPP version ' + ((version & 0xc0) >> 6) + ' packet not supported';
    return;
  }
  if (ctx.vflag < 1) { shortLine(ctx, version, len); return; }
  let tlen = ctx.be16(t + 2);
  ctx.s += 'LWAPPv' + ((version & 0xc0) >> 6) + ', ' + ((version & 0x04) ? 'Control' : 'Data') + ' frame, Radio-id ' + ((version & 0x38) >> 3) +
    ', Flags [' + bittok2str(HEADER_BITS, 'none', version & 0x07) + '], Frag-id ' + ctx.u8(t + 1) + ', length ' + tlen;
  if (hasApIdent) ctx.s += '\n\tAP identity: ' + ctx.names.mac(ctx.d, p);
  t += TRANSPORT_HDR_LEN;
  while (tlen !== 0) {
    if (!ctx.ttest(t, CONTROL_HDR_LEN)) { ctx.trunc(); return; }
    if (tlen < CONTROL_HDR_LEN) { ctx.s += '\n\t  Msg goes past end of PDU'; break; }
    const msgLen = ctx.be16(t + 2);
    if (tlen < CONTROL_HDR_LEN + msgLen) { ctx.s += '\n\t  Msg goes past end of PDU'; break; }
    const type = ctx.u8(t);
    ctx.s += '\n\t  Msg type: ' + tok2str(MSG_TYPE_NAMES, 'Unknown', type) + ' (' + type + '), Seqnum: ' + ctx.u8(t + 1) +
      ', Msg len: ' + msgLen + ', Session: 0x' + hex8(ctx.be32(t + 4));
    if (!ctx.ttest(t, msgLen)) { ctx.trunc(); return; }
    t += CONTROL_HDR_LEN + msgLen;
    tlen -= CONTROL_HDR_LEN + msgLen;
  }
}

export function lwappDataPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'lwapp_data';
  if (!ctx.ttest(p, TRANSPORT_HDR_LEN)) { ctx.trunc(); return; }
  const version = ctx.u8(p);
  if ((version & 0xc0) >> 6 !== 0) {
    ctx.s += 'LWAPP version ' + ((version & 0xc0) >> 6) + ' packet not supported';
    return;
  }
  if (ctx.vflag < 1) { shortLine(ctx, version, len); return; }
  let tlen = ctx.be16(p + 2);
  const head = 'LWAPPv' + ((version & 0xc0) >> 6) + ', ' + ((version & 0x04) ? 'Control' : 'Data') + ' frame, Radio-id  ' + ((version & 0x38) >> 3) +
    ', Flags [' + bittok2str(HEADER_BITS, 'none', version & 0x07) + ']';
  if (tlen < TRANSPORT_HDR_LEN) {
    ctx.s += head + ', length ' + tlen + ' < transport header length';
    return;
  }
  ctx.s += head + ', Frag-id  ' + ctx.u8(p + 1) + ', length ' + tlen;
  tlen -= TRANSPORT_HDR_LEN;
  // an 802.11 frame follows; tcpdump dumps it in hex
  printUnknownData(ctx, p + TRANSPORT_HDR_LEN, '\n\t', tlen);
}

registerUdpPort([LWAPP_CONTROL_PORT], 800, (ctx, p, length, _sport, dport) => lwappControlPrint(ctx, p, length, dport === LWAPP_CONTROL_PORT));
registerUdpPort([12222], 801, (ctx, p, length) => lwappDataPrint(ctx, p, length));
