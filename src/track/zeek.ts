/**
 * Zeek's view of a TCP connection: its per-endpoint states, its `history` letters and the
 * `conn_state` code computed from them, following Zeek's TCP analyzer
 * (`packet_analysis/protocol/tcp/TCPSessionAdapter.cc`: init_endpoint, update_history,
 * update_window, update_last_seq, UpdateStateMachine) and `conn_state()` in
 * `base/protocols/conn/main.zeek`. The originator is tcpscope's client.
 *
 * What is deliberately not emulated: Zeek's timers (attempt, inactivity, linger) that split one
 * connection into several records, its port-based role flip (`^`), and content reassembly (the
 * `g` gap letter is raised where tcpscope sees an ACK of data never captured).
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import { seqDiff } from './seq.js';
import { B, type FlowTable, HISTORY_MAX, ROW_BYTES, ROW_W, W } from './table.js';

/** Zeek's endpoint states (TCP_ENDPOINT_*). */
export const enum ZState {
  INACTIVE = 0,
  SYN_SENT = 1,
  SYN_ACK_SENT = 2,
  PARTIAL = 3,
  ESTABLISHED = 4,
  CLOSED = 5,
  RESET = 6,
}

export const ZSTATE_NAMES: readonly string[] = ['INACTIVE', 'SYN_SENT', 'SYN_ACK_SENT', 'PARTIAL', 'ESTABLISHED', 'CLOSED', 'RESET'];

// history masks (TCP_Endpoint::HIST_*), shifted by 16 for the responder
const HIST_SYN = 0x1;
const HIST_FIN = 0x2;
const HIST_RST = 0x4;
const HIST_FIN_RST = 0x8;
const HIST_DATA = 0x10;
const HIST_ACK = 0x20;
const HIST_MULTI_FLAG = 0x40;

/** Sequence jumps larger than this on a SYN or RST are not trusted (Zeek's TOO_LARGE_SEQ_DELTA). */
const TOO_LARGE_SEQ_DELTA = 1048576;

const CODE_LOWER = 0x20;

function addHistory(t: FlowTable, c: number, code: number): void {
  const b = c * ROW_BYTES;
  const n = t.u8[b + B.HIST_LEN];
  if (n < HISTORY_MAX) {
    t.u8[b + B.HISTORY + n] = code;
    t.u8[b + B.HIST_LEN] = n + 1;
  }
}

/** Add `code` (upper case for the originator, lower for the responder) once per mask; returns true if it was already seen. */
function checkHistory(t: FlowTable, c: number, isOrig: boolean, mask: number, code: number): boolean {
  const m = isOrig ? mask : mask << 16;
  const at = c * ROW_W + W.Z_HIST_SEEN;
  if ((t.u32[at] & m) === 0) {
    t.u32[at] |= m;
    addHistory(t, c, isOrig ? code : code | CODE_LOWER);
    return false;
  }
  return true;
}

function isPowerOf10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** Zeek's ScaledHistoryEntry: the 1st, 10th, 100th ... occurrence each add the letter. `field` is a W.* per-endpoint counter. */
function scaledEntry(t: FlowTable, c: number, s: number, code: number, field: number): void {
  const at = c * ROW_W + field + s;
  const n = ++t.u32[at];
  if (isPowerOf10(n)) addHistory(t, c, s === 0 ? code : code | CODE_LOWER);
}

function setState(t: FlowTable, c: number, s: number, st: ZState): void {
  const at = c * ROW_BYTES + B.Z_STATE + s;
  if (t.u8[at] !== st) {
    t.u8[c * ROW_BYTES + B.Z_PREV_STATE + s] = t.u8[at];
    t.u8[at] = st;
  }
}

/**
 * The history letter of a plain data segment (`D`) or pure ACK (`A`) from side s, logged once
 * per direction (for the tracker's fast path, which handles those segments without zeekSegment).
 */
export function zeekPlainSegment(t: FlowTable, c: number, s: number, hasData: boolean): void {
  if (hasData) checkHistory(t, c, s === 0, HIST_DATA, 0x44 /* D */);
  else checkHistory(t, c, s === 0, HIST_ACK, 0x41 /* A */);
}

/** A segment whose TCP checksum is wrong: Zeek logs `C`/`c` (scaled) and drops it. */
export function zeekChecksumError(t: FlowTable, c: number, s: number): void {
  scaledEntry(t, c, s, 0x43 /* C */, W.Z_CHK);
}

/** An ACK revealed a hole in side s's data (Zeek's content gap, `G`/`g`, scaled). */
export function zeekGap(t: FlowTable, c: number, s: number): void {
  scaledEntry(t, c, s, 0x47 /* G */, W.Z_GAP);
}

/**
 * Feed one segment to the Zeek emulation. `s` is the sender's side (0 client = originator,
 * 1 server = responder), `seg` holds the segment's sequence number [1] and acknowledgement
 * number [2] (Tracker.seg), `window` the raw window field.
 */
export function zeekSegment(t: FlowTable, c: number, s: number, flags: number, seg: Float64Array,
  len: number, window: number): void {
  const seq = seg[1], ack = seg[2];
  const u32 = t.u32, u8 = t.u8;
  const p = s ^ 1;
  const w = c * ROW_W, b = c * ROW_BYTES;
  const isOrig = s === 0;
  const syn = (flags & TCP_SYN) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const hasAck = (flags & TCP_ACK) !== 0;
  const zs = b + B.Z_STATE;
  const start = w + W.Z_START, last = w + W.Z_LAST, acks = w + W.Z_ACK;

  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  // init_endpoint
  const st = u8[zs + s];
  if (st === ZState.INACTIVE) {
    if (syn) {
      u32[start + s] = seq; u32[acks + s] = seq; u32[last + s] = onePast;
    } else {
      // a partial connection: number as though a SYN had been seen
      u32[start + s] = (seq - 1) >>> 0; u32[acks + s] = (seq - 1) >>> 0; u32[last + s] = seq;
    }
  } else if (st === ZState.SYN_SENT || st === ZState.SYN_ACK_SENT) {
    if (syn && seq !== u32[start + s]) { u32[start + s] = seq; u32[acks + s] = seq; u32[last + s] = onePast; }
  } else if (st === ZState.ESTABLISHED || st === ZState.PARTIAL) {
    if (syn) { u32[start + s] = seq; u32[acks + s] = seq; u32[last + s] = onePast; }
  } else if (st === ZState.RESET) {
    if (syn && u8[b + B.Z_PREV_STATE + s] === ZState.INACTIVE) { u32[start + s] = seq; u32[acks + s] = seq; u32[last + s] = onePast; }
  }

  const relSeq = (seq - u32[start + s]) >>> 0;

  // update_history
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) checkHistory(t, c, isOrig, HIST_FIN_RST, 0x49 /* I */);
    else checkHistory(t, c, isOrig, HIST_MULTI_FLAG, 0x51 /* Q */);
  } else if (bits === 1) {
    if (syn) {
      const code = hasAck ? 0x48 /* H */ : 0x53 /* S */;
      if (checkHistory(t, c, isOrig, HIST_SYN, code) && relSeq !== u32[w + W.Z_HIST_LAST_SYN + s]) addHistory(t, c, isOrig ? code : code | CODE_LOWER);
      u32[w + W.Z_HIST_LAST_SYN + s] = relSeq;
    }
    if (fin) {
      // a FIN's position is the end of its data
      const pos = (relSeq + len) >>> 0;
      if (checkHistory(t, c, isOrig, HIST_FIN, 0x46 /* F */) && pos !== u32[w + W.Z_HIST_LAST_FIN + s]) addHistory(t, c, isOrig ? 0x46 : 0x66);
      u32[w + W.Z_HIST_LAST_FIN + s] = pos;
    }
    if (rst) {
      if (checkHistory(t, c, isOrig, HIST_RST, 0x52 /* R */) && relSeq !== u32[w + W.Z_HIST_LAST_RST + s]) addHistory(t, c, isOrig ? 0x52 : 0x72);
      u32[w + W.Z_HIST_LAST_RST + s] = relSeq;
    }
  } else if (len > 0) {
    checkHistory(t, c, isOrig, HIST_DATA, 0x44 /* D */);
  } else if (hasAck) {
    checkHistory(t, c, isOrig, HIST_ACK, 0x41 /* A */);
  }

  // update_window: a zero window is interesting unless it rides a RST, comes after our own RST, or after the peer's FIN
  if (window === 0 && !rst && u8[zs + p] !== ZState.CLOSED && u8[zs + s] !== ZState.RESET) {
    scaledEntry(t, c, s, 0x57 /* W */, W.Z_WIN0);
  }

  // acknowledgement bookkeeping
  if (hasAck) {
    if (u8[zs + p] === ZState.INACTIVE) {
      u32[start + p] = (ack - 1) >>> 0; u32[acks + p] = (ack - 1) >>> 0; u32[last + p] = (ack - 1) >>> 0;
    } else if (!rst) {
      const dd = seqDiff(ack, u32[acks + p]);
      if (!(ack === 0 && dd > TOO_LARGE_SEQ_DELTA) && dd > 0) u32[acks + p] = ack;
    }
  }

  // update_last_seq: a segment that does not move last_seq forward and carries data is a retransmission (`T`)
  const deltaLast = seqDiff(onePast, u32[last + s]);
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // untrusted jump
  } else if (fin && u32[last + s] === ((u32[start + s] + 1) >>> 0)) {
    u32[last + s] = onePast;
  } else if (u8[zs + s] === ZState.RESET) {
    // nothing after a RST is trusted
  } else if (deltaLast > 0) {
    u32[last + s] = onePast;
  } else if (len > 0) {
    scaledEntry(t, c, s, 0x54 /* T */, W.Z_RXMT);
  }

  // UpdateStateMachine
  switch (u8[zs + s]) {
    case ZState.INACTIVE: {
      if (syn) {
        if (isOrig) setState(t, c, s, hasAck ? ZState.SYN_ACK_SENT : ZState.SYN_SENT);
        else {
          if (u8[zs + p] === ZState.SYN_SENT) setState(t, c, p, ZState.ESTABLISHED);
          setState(t, c, s, ZState.ESTABLISHED);
        }
      }
      if (fin) setState(t, c, s, ZState.CLOSED);
      if (rst) setState(t, c, s, ZState.RESET);
      if (u8[zs + s] === ZState.INACTIVE) {
        if (!isOrig && len === 0 && u8[zs + p] === ZState.SYN_SENT) {
          // some stacks ACK a SYN before their SYN-ACK: not a partial connection
        } else if (hasAck && u8[zs + p] === ZState.ESTABLISHED) {
          setState(t, c, s, ZState.ESTABLISHED);
        } else {
          setState(t, c, s, ZState.PARTIAL);
        }
      }
      break;
    }
    case ZState.SYN_SENT:
    case ZState.SYN_ACK_SENT:
      if (fin) setState(t, c, s, ZState.CLOSED);
      if (rst) setState(t, c, s, ZState.RESET);
      break;
    case ZState.ESTABLISHED:
    case ZState.PARTIAL:
      if (syn && u8[zs + s] === ZState.PARTIAL && u8[zs + p] === ZState.INACTIVE && !hasAck) setState(t, c, s, ZState.SYN_SENT);
      if (fin && !rst) {
        setState(t, c, s, ZState.CLOSED);
        // the peer's FIN followed by its RST was a normal termination after all
        if (u8[zs + p] === ZState.RESET && u8[b + B.Z_PREV_STATE + p] === ZState.CLOSED) setState(t, c, p, ZState.CLOSED);
      }
      if (rst) setState(t, c, s, ZState.RESET);
      break;
    case ZState.CLOSED:
      // after a FIN exchange a RST changes nothing
      if (rst && u8[zs + p] !== ZState.CLOSED) setState(t, c, s, ZState.RESET);
      break;
    case ZState.RESET:
      break;
  }
}

/** Payload octets of side s as Zeek's Size() counts them (sequence space, less SYN and FIN). */
function zeekSize(t: FlowTable, c: number, s: number): number {
  const w = c * ROW_W;
  const start = t.u32[w + W.Z_START + s];
  const last = seqDiff(t.u32[w + W.Z_LAST + s], start);
  const ack = seqDiff(t.u32[w + W.Z_ACK + s], start);
  let size = Math.max(last, ack, 0);
  if (size > 0) size--;
  if (t.u8[c * ROW_BYTES + B.Z_STATE + s] === ZState.CLOSED && size > 0) size--;
  return size;
}

/** Zeek's `conn_state` code for connection `c`, from its endpoint states and history. */
export function zeekConnState(t: FlowTable, c: number): string {
  const b = c * ROW_BYTES;
  const os = t.u8[b + B.Z_STATE];
  const rs = t.u8[b + B.Z_STATE + 1];
  const oInactive = os === ZState.INACTIVE || os === ZState.PARTIAL;
  const rInactive = rs === ZState.INACTIVE || rs === ZState.PARTIAL;
  if (rs === ZState.RESET) {
    if (os === ZState.SYN_SENT || os === ZState.SYN_ACK_SENT ||
        (os === ZState.RESET && zeekSize(t, c, 0) === 0 && zeekSize(t, c, 1) === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === ZState.RESET) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R/.test(zeekHistory(t, c)) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === ZState.CLOSED && os === ZState.CLOSED) return 'SF';
  if (os === ZState.CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === ZState.CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === ZState.SYN_SENT && rs === ZState.INACTIVE) return 'S0';
  if (os === ZState.ESTABLISHED && rs === ZState.ESTABLISHED) return 'S1';
  return 'OTH';
}

/** The history string of connection `c`. */
export function zeekHistory(t: FlowTable, c: number): string {
  const b = c * ROW_BYTES;
  const n = t.u8[b + B.HIST_LEN];
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(t.u8[b + B.HISTORY + i]);
  return out;
}
