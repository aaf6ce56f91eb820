/**
 * IEEE 802.1D spanning tree BPDUs (print-stp.c): 802.1d config and topology-change BPDUs,
 * 802.1w rapid STP, 802.1s MSTP with its MSTI records and 802.1aq SPB. Reached through LLC SAP
 * 0x42 and through Cisco's PVST+ SNAP pids (cisco.ts).
 *
 *   `STP 802.1d, Config, Flags [none], bridge-id 8001.00:19:06:ea:b8:80.8005, length 35`
 *   `STP 802.1s, Rapid STP, CIST Flags [Learn, Forward], length 102`
 * With -v the timers, root and (MSTP) per-instance records follow on tab-indented lines.
 */
import type { PrintContext } from './context.js';
import { PID_CISCO_PVST, PID_CISCO_VLANBRIDGE, registerCiscoPid } from './cisco-snap.js';
import { registerLlcSap } from './llc.js';
import { hex2, hex4, hex8, ndPrintjnp } from './nd-strings.js';
import { bittok2str, toMap, tok2str } from './tok.js';

const STP_PROTO_REGULAR = 0x00;
const STP_PROTO_RAPID = 0x02;
const STP_PROTO_MSTP = 0x03;
const STP_PROTO_SPB = 0x04;
const PROTO_NAMES = toMap([[STP_PROTO_REGULAR, '802.1d'], [STP_PROTO_RAPID, '802.1w'], [STP_PROTO_MSTP, '802.1s'], [STP_PROTO_SPB, '802.1aq']]);

const BPDU_CONFIG = 0x00;
const BPDU_RSTP = 0x02;
const BPDU_TOPO_CHANGE = 0x80;
const BPDU_TYPE_NAMES = toMap([[BPDU_CONFIG, 'Config'], [BPDU_RSTP, 'Rapid STP'], [BPDU_TOPO_CHANGE, 'Topology Change']]);

const FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'], [0x80, 'Topology change ACK'],
];
const PORT_ROLE_NAMES = toMap([[0, 'Unknown'], [1, 'Alternate'], [2, 'Root'], [3, 'Designated']]);

// offsets in the common BPDU (struct stp_bpdu_)
const O_PROTO_VERSION = 2;
const O_BPDU_TYPE = 3;
const O_FLAGS = 4;
const O_ROOT_ID = 5;
const O_ROOT_PATH_COST = 13;
const O_BRIDGE_ID = 17;
const O_PORT_ID = 25;
const O_MESSAGE_AGE = 27;
const O_MAX_AGE = 29;
const O_HELLO_TIME = 31;
const O_FORWARD_DELAY = 33;
const O_V1_LENGTH = 35;
/** sizeof(struct stp_bpdu_): the 802.1w BPDU; a config BPDU is one byte shorter (no v1 length) */
const STP_BPDU_LEN = 36;
const STP_BPDU_MSTP_MIN_LEN = 102;

// MSTP (802.1Q-2003 section 14) offsets from the start of the BPDU
const MST_VER3_LEN = 36;
const MST_CONFIG_NAME = 39;
const MST_CONFIG_DIGEST = 73;
const MST_CIST_INT_PATH_COST = 89;
const MST_CIST_BRIDGE_ID = 93;
const MST_CIST_REMAIN_HOPS = 101;
const MST_MSTI = 102;
const MST_MSTI_LENGTH = 16;
const MST_CONFIG_INFO_LENGTH = 64;

// SPB (802.1aq) offsets from the start of the v4 part
const SPB_BPDU_MIN_LEN = 87;
const SPB_CONFIG_NAME = 3;
const SPB_CONFIG_REV = SPB_CONFIG_NAME + 32;
const SPB_CONFIG_DIGEST = SPB_CONFIG_REV + 2;
const SPB_AGREEMENT = SPB_CONFIG_DIGEST + 16;
const SPB_AGREEMENT_FORMAT = SPB_AGREEMENT + 2;
const SPB_AGREEMENT_CON = SPB_AGREEMENT_FORMAT + 1;
const SPB_AGREEMENT_EDGE = SPB_AGREEMENT_CON + 1;
const SPB_AGREEMENT_DIGEST = SPB_AGREEMENT_EDGE + 2 + 4 + 4;

/** `pppp.aa:bb:cc:dd:ee:ff`: bridge priority and MAC address */
function bridgeId(ctx: PrintContext, o: number): string {
  ctx.need(o, 8);
  const d = ctx.d;
  return hex2(d[o]) + hex2(d[o + 1]) + '.' + hex2(d[o + 2]) + ':' + hex2(d[o + 3]) + ':' + hex2(d[o + 4]) + ':' +
    hex2(d[o + 5]) + ':' + hex2(d[o + 6]) + ':' + hex2(d[o + 7]);
}

/**
 * `%.2f` of a timer in 1/256 s. printf rounds the exact binary value half to even (0.125 prints
 * as 0.12), which Number.toFixed does not, so the cents are computed in integers.
 */
export function stpTime(ticks: number): string {
  const scaled = ticks * 100;
  let cents = Math.floor(scaled / 256);
  const rem = scaled - cents * 256;
  if (rem * 2 > 256 || (rem * 2 === 256 && (cents & 1) === 1)) cents++;
  const frac = cents % 100;
  return Math.floor(cents / 100) + '.' + (frac < 10 ? '0' : '') + frac;
}

function timers(ctx: PrintContext, p: number): string {
  return '\n\tmessage-age ' + stpTime(ctx.be16(p + O_MESSAGE_AGE)) + 's, max-age ' + stpTime(ctx.be16(p + O_MAX_AGE)) +
    's, hello-time ' + stpTime(ctx.be16(p + O_HELLO_TIME)) + 's, forwarding-delay ' + stpTime(ctx.be16(p + O_FORWARD_DELAY)) + 's';
}

function configBpdu(ctx: PrintContext, p: number, length: number): void {
  const flags = ctx.u8(p + O_FLAGS);
  ctx.s += ', Flags [' + bittok2str(FLAG_BITS, 'none', flags) + ']';
  ctx.s += ', bridge-id ' + bridgeId(ctx, p + O_BRIDGE_ID) + '.' + hex4(ctx.be16(p + O_PORT_ID)) + ', length ' + length;
  if (!ctx.vflag) return;
  ctx.s += timers(ctx, p);
  ctx.s += '\n\troot-id ' + bridgeId(ctx, p + O_ROOT_ID) + ', root-pathcost ' + ctx.be32(p + O_ROOT_PATH_COST);
  // the port role exists only in 802.1w BPDUs
  if (ctx.u8(p + O_PROTO_VERSION) === STP_PROTO_RAPID) ctx.s += ', port-role ' + tok2str(PORT_ROLE_NAMES, 'Unknown', (flags & 0x0c) >> 2);
}

function mstpBpdu(ctx: PrintContext, p: number, length: number): void {
  const flags = ctx.u8(p + O_FLAGS);
  ctx.s += ', CIST Flags [' + bittok2str(FLAG_BITS, 'none', flags) + '], length ' + length;
  if (!ctx.vflag) return;
  ctx.s += '\n\tport-role ' + tok2str(PORT_ROLE_NAMES, 'Unknown', (flags & 0x0c) >> 2) + ', ';
  ctx.s += 'CIST root-id ' + bridgeId(ctx, p + O_ROOT_ID) + ', CIST ext-pathcost ' + ctx.be32(p + O_ROOT_PATH_COST);
  ctx.s += '\n\tCIST regional-root-id ' + bridgeId(ctx, p + O_BRIDGE_ID) + ', ';
  ctx.s += 'CIST port-id ' + hex4(ctx.be16(p + O_PORT_ID)) + ',';
  ctx.s += timers(ctx, p);
  ctx.s += '\n\tv3len ' + ctx.be16(p + MST_VER3_LEN) + ', ';
  ctx.s += 'MCID Name ';
  ndPrintjnp(ctx, p + MST_CONFIG_NAME, 32);
  ctx.s += ', rev ' + ctx.be16(p + MST_CONFIG_NAME + 32) + ',\n\t\tdigest ' + hex8(ctx.be32(p + MST_CONFIG_DIGEST)) +
    hex8(ctx.be32(p + MST_CONFIG_DIGEST + 4)) + hex8(ctx.be32(p + MST_CONFIG_DIGEST + 8)) + hex8(ctx.be32(p + MST_CONFIG_DIGEST + 12)) + ', ';
  ctx.s += 'CIST int-root-pathcost ' + ctx.be32(p + MST_CIST_INT_PATH_COST) + ',';
  ctx.s += '\n\tCIST bridge-id ' + bridgeId(ctx, p + MST_CIST_BRIDGE_ID) + ', ';
  ctx.s += 'CIST remaining-hops ' + ctx.u8(p + MST_CIST_REMAIN_HOPS);

  const v3len = ctx.be16(p + MST_VER3_LEN);
  if (v3len > MST_CONFIG_INFO_LENGTH) {
    let len = v3len - MST_CONFIG_INFO_LENGTH;
    let o = p + MST_MSTI;
    while (len >= MST_MSTI_LENGTH) {
      const mstiFlags = ctx.u8(o);
      ctx.s += '\n\tMSTI ' + (ctx.be16(o + 1) & 0x0fff) + ', Flags [' + bittok2str(FLAG_BITS, 'none', mstiFlags) + '], port-role ' +
        tok2str(PORT_ROLE_NAMES, 'Unknown', (mstiFlags & 0x0c) >> 2);
      ctx.s += '\n\t\tMSTI regional-root-id ' + bridgeId(ctx, o + 1) + ', pathcost ' + ctx.be32(o + 9);
      ctx.s += '\n\t\tMSTI bridge-prio ' + (ctx.u8(o + 13) >> 4) + ', port-prio ' + (ctx.u8(o + 14) >> 4) + ', hops ' + ctx.u8(o + 15);
      len -= MST_MSTI_LENGTH;
      o += MST_MSTI_LENGTH;
    }
  }
}

function spbBpdu(ctx: PrintContext, p: number, offset: number): void {
  if (!ctx.vflag) return;
  const o = p + offset;
  ctx.s += '\n\tv4len ' + ctx.be16(o) + ', ';
  ctx.s += 'AUXMCID Name ';
  ndPrintjnp(ctx, o + SPB_CONFIG_NAME, 32);
  ctx.s += ', Rev ' + ctx.be16(o + SPB_CONFIG_REV) + ',\n\t\tdigest ' + hex8(ctx.be32(o + SPB_CONFIG_DIGEST)) + hex8(ctx.be32(o + SPB_CONFIG_DIGEST + 4)) +
    hex8(ctx.be32(o + SPB_CONFIG_DIGEST + 8)) + hex8(ctx.be32(o + SPB_CONFIG_DIGEST + 12));
  const agreement = ctx.u8(o + SPB_AGREEMENT);
  const format = ctx.u8(o + SPB_AGREEMENT_FORMAT);
  const convention = ctx.u8(o + SPB_AGREEMENT_CON);
  ctx.s += '\n\tAgreement num ' + (agreement >> 6) + ', Discarded Agreement num ' + ((agreement >> 4) & 0x3) +
    ', Agreement valid-flag ' + ((agreement >> 3) & 0x1) + ',\n\tRestricted role-flag: ' + ((agreement >> 2) & 0x1) +
    ', Format id ' + (format >> 4) + ' cap ' + (format & 0xff) + ', Convention id ' + (convention >> 4) + ' cap ' + (convention & 0xff) +
    ',\n\tEdge count ' + ctx.be16(o + SPB_AGREEMENT_EDGE) + ', Agreement digest ' + hex8(ctx.be32(o + SPB_AGREEMENT_DIGEST)) +
    hex8(ctx.be32(o + SPB_AGREEMENT_DIGEST + 4)) + hex8(ctx.be32(o + SPB_AGREEMENT_DIGEST + 8)) + hex8(ctx.be32(o + SPB_AGREEMENT_DIGEST + 12)) +
    hex8(ctx.be32(o + SPB_AGREEMENT_DIGEST + 16));
}

/** stp_print: a BPDU at `p`, `length` bytes after the LLC (or SNAP) header. */
export function stpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'stp';
  if (length < 4) {
    ctx.invalid();
    return;
  }
  if (ctx.be16(p) !== 0) {
    ctx.s += 'unknown STP version, length ' + length;
    return;
  }
  const version = ctx.u8(p + O_PROTO_VERSION);
  ctx.s += 'STP ' + tok2str(PROTO_NAMES, 'Unknown STP protocol (0x%02x)', version);
  if (version !== STP_PROTO_REGULAR && version !== STP_PROTO_RAPID && version !== STP_PROTO_MSTP && version !== STP_PROTO_SPB) return;
  const type = ctx.u8(p + O_BPDU_TYPE);
  ctx.s += ', ' + tok2str(BPDU_TYPE_NAMES, 'Unknown BPDU Type (0x%02x)', type);
  switch (type) {
    case BPDU_CONFIG:
      if (length < STP_BPDU_LEN - 1) { ctx.invalid(); return; }
      configBpdu(ctx, p, length);
      break;
    case BPDU_RSTP:
      if (version === STP_PROTO_RAPID) {
        if (length < STP_BPDU_LEN) { ctx.invalid(); return; }
        configBpdu(ctx, p, length);
      } else if (version === STP_PROTO_MSTP || version === STP_PROTO_SPB) {
        if (length < STP_BPDU_MSTP_MIN_LEN) { ctx.invalid(); return; }
        if (ctx.u8(p + O_V1_LENGTH) !== 0) { ctx.invalid(); return; }
        // the v3 length does not count its own two bytes
        const mstpLen = ctx.be16(p + MST_VER3_LEN) + 2;
        if (length < STP_BPDU_LEN + mstpLen) { ctx.invalid(); return; }
        mstpBpdu(ctx, p, length);
        if (version === STP_PROTO_SPB) {
          const spbLen = ctx.be16(p + MST_VER3_LEN + mstpLen) + 2;
          if (length < STP_BPDU_LEN + mstpLen + spbLen || spbLen < SPB_BPDU_MIN_LEN) { ctx.invalid(); return; }
          spbBpdu(ctx, p, STP_BPDU_LEN + mstpLen);
        }
      }
      break;
    default:
      // topology change notifications carry nothing more
      break;
  }
}

registerLlcSap(0x42, (ctx, p, length) => {
  stpPrint(ctx, p, length);
  return true;
});
registerCiscoPid(PID_CISCO_PVST, stpPrint);
registerCiscoPid(PID_CISCO_VLANBRIDGE, stpPrint);
