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
import { type FlowTable, HISTORY_MAX } from './table.js';

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
  const n = t.histLen[c];
  if (n < HISTORY_MAX) {
    t.history[c * HISTORY_MAX + n] = code;
    t.histLen[c] = n + 1;
  }
}

/** Add `code` (upper case for the originator, lower for the responder) once per mask; returns true if it was already seen. */
function checkHistory(t: FlowTable, c: number, isOrig: boolean, mask: number, code: number): boolean {
  const m = isOrig ? mask : mask << 16;
  if ((t.zHistSeen[c] & m) === 0) {
    t.zHistSeen[c] |= m;
    addHistory(t, c, isOrig ? code : code | CODE_LOWER);
    return false;
  }
  return true;
}

function isPowerOf10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** Zeek's ScaledHistoryEntry: the 1st, 10th, 100th ... occurrence each add the letter. */
function scaledEntry(t: FlowTable, c: number, isOrig: boolean, code: number, counter: Uint32Array, e: number): void {
  const n = ++counter[e];
  if (isPowerOf10(n)) addHistory(t, c, isOrig ? code : code | CODE_LOWER);
}

function setState(t: FlowTable, e: number, s: ZState): void {
  if (t.zState[e] !== s) {
    t.zPrevState[e] = t.zState[e];
    t.zState[e] = s;
  }
}

/** A segment whose TCP checksum is wrong: Zeek logs `C`/`c` (scaled) and drops it. */
export function zeekChecksumError(t: FlowTable, c: number, e: number): void {
  scaledEntry(t, c, (e & 1) === 0, 0x43 /* C */, t.zChk, e);
}

/** An ACK revealed a hole in the sender's data (Zeek's content gap, `G`/`g`, scaled). `e` is the endpoint whose data is missing. */
export function zeekGap(t: FlowTable, c: number, e: number): void {
  scaledEntry(t, c, (e & 1) === 0, 0x47 /* G */, t.zGap, e);
}

/**
 * Feed one segment to the Zeek emulation. `e` is the sender's endpoint row (client 2c, server
 * 2c+1), `window` the raw window field.
 */
export function zeekSegment(t: FlowTable, c: number, e: number, flags: number, seq: number, ack: number,
  len: number, window: number): void {
  const p = e ^ 1;
  const isOrig = (e & 1) === 0;
  const syn = (flags & TCP_SYN) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const hasAck = (flags & TCP_ACK) !== 0;

  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  if (rst) segLen -= len;
  const onePast = (seq + segLen) >>> 0;

  // init_endpoint
  const st = t.zState[e];
  if (st === ZState.INACTIVE) {
    if (syn) {
      t.zStart[e] = seq; t.zAck[e] = seq; t.zLast[e] = onePast;
    } else {
      // a partial connection: number as though a SYN had been seen
      t.zStart[e] = (seq - 1) >>> 0; t.zAck[e] = (seq - 1) >>> 0; t.zLast[e] = seq;
    }
  } else if (st === ZState.SYN_SENT || st === ZState.SYN_ACK_SENT) {
    if (syn && seq !== t.zStart[e]) { t.zStart[e] = seq; t.zAck[e] = seq; t.zLast[e] = onePast; }
  } else if (st === ZState.ESTABLISHED || st === ZState.PARTIAL) {
    if (syn) { t.zStart[e] = seq; t.zAck[e] = seq; t.zLast[e] = onePast; }
  } else if (st === ZState.RESET) {
    if (syn && t.zPrevState[e] === ZState.INACTIVE) { t.zStart[e] = seq; t.zAck[e] = seq; t.zLast[e] = onePast; }
  }

  const relSeq = (seq - t.zStart[e]) >>> 0;

  // update_history
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) checkHistory(t, c, isOrig, HIST_FIN_RST, 0x49 /* I */);
    else checkHistory(t, c, isOrig, HIST_MULTI_FLAG, 0x51 /* Q */);
  } else if (bits === 1) {
    if (syn) {
      const code = hasAck ? 0x48 /* H */ : 0x53 /* S */;
      if (checkHistory(t, c, isOrig, HIST_SYN, code) && relSeq !== t.zHistLastSyn[e]) addHistory(t, c, isOrig ? code : code | CODE_LOWER);
      t.zHistLastSyn[e] = relSeq;
    }
    if (fin) {
      // a FIN's position is the end of its data
      const pos = (relSeq + len) >>> 0;
      if (checkHistory(t, c, isOrig, HIST_FIN, 0x46 /* F */) && pos !== t.zHistLastFin[e]) addHistory(t, c, isOrig ? 0x46 : 0x66);
      t.zHistLastFin[e] = pos;
    }
    if (rst) {
      if (checkHistory(t, c, isOrig, HIST_RST, 0x52 /* R */) && relSeq !== t.zHistLastRst[e]) addHistory(t, c, isOrig ? 0x52 : 0x72);
      t.zHistLastRst[e] = relSeq;
    }
  } else if (len > 0) {
    checkHistory(t, c, isOrig, HIST_DATA, 0x44 /* D */);
  } else if (hasAck) {
    checkHistory(t, c, isOrig, HIST_ACK, 0x41 /* A */);
  }

  // update_window: a zero window is interesting unless it rides a RST, comes after our own RST, or after the peer's FIN
  if (window === 0 && !rst && t.zState[p] !== ZState.CLOSED && t.zState[e] !== ZState.RESET) {
    scaledEntry(t, c, isOrig, 0x57 /* W */, t.zWin0, e);
  }

  // acknowledgement bookkeeping
  if (hasAck) {
    if (t.zState[p] === ZState.INACTIVE) {
      t.zStart[p] = (ack - 1) >>> 0; t.zAck[p] = (ack - 1) >>> 0; t.zLast[p] = (ack - 1) >>> 0;
    } else if (!rst) {
      const d = seqDiff(ack, t.zAck[p]);
      if (!(ack === 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) t.zAck[p] = ack;
    }
  }

  // update_last_seq: a segment that does not move last_seq forward and carries data is a retransmission (`T`)
  const deltaLast = seqDiff(onePast, t.zLast[e]);
  if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
    // untrusted jump
  } else if (fin && t.zLast[e] === ((t.zStart[e] + 1) >>> 0)) {
    t.zLast[e] = onePast;
  } else if (t.zState[e] === ZState.RESET) {
    // nothing after a RST is trusted
  } else if (deltaLast > 0) {
    t.zLast[e] = onePast;
  } else if (len > 0) {
    scaledEntry(t, c, isOrig, 0x54 /* T */, t.zRxmt, e);
  }

  // UpdateStateMachine
  switch (t.zState[e]) {
    case ZState.INACTIVE: {
      if (syn) {
        if (isOrig) setState(t, e, hasAck ? ZState.SYN_ACK_SENT : ZState.SYN_SENT);
        else {
          if (t.zState[p] === ZState.SYN_SENT) setState(t, p, ZState.ESTABLISHED);
          setState(t, e, ZState.ESTABLISHED);
        }
      }
      if (fin) setState(t, e, ZState.CLOSED);
      if (rst) setState(t, e, ZState.RESET);
      if (t.zState[e] === ZState.INACTIVE) {
        if (!isOrig && len === 0 && t.zState[p] === ZState.SYN_SENT) {
          // some stacks ACK a SYN before their SYN-ACK: not a partial connection
        } else if (hasAck && t.zState[p] === ZState.ESTABLISHED) {
          setState(t, e, ZState.ESTABLISHED);
        } else {
          setState(t, e, ZState.PARTIAL);
        }
      }
      break;
    }
    case ZState.SYN_SENT:
    case ZState.SYN_ACK_SENT:
      if (fin) setState(t, e, ZState.CLOSED);
      if (rst) setState(t, e, ZState.RESET);
      break;
    case ZState.ESTABLISHED:
    case ZState.PARTIAL:
      if (syn && t.zState[e] === ZState.PARTIAL && t.zState[p] === ZState.INACTIVE && !hasAck) setState(t, e, ZState.SYN_SENT);
      if (fin && !rst) {
        setState(t, e, ZState.CLOSED);
        // the peer's FIN followed by its RST was a normal termination after all
        if (t.zState[p] === ZState.RESET && t.zPrevState[p] === ZState.CLOSED) setState(t, p, ZState.CLOSED);
      }
      if (rst) setState(t, e, ZState.RESET);
      break;
    case ZState.CLOSED:
      // after a FIN exchange a RST changes nothing
      if (rst && t.zState[p] !== ZState.CLOSED) setState(t, e, ZState.RESET);
      break;
    case ZState.RESET:
      break;
  }
}

/** Payload octets of an endpoint as Zeek's Size() counts them (sequence space, less SYN and FIN). */
function zeekSize(t: FlowTable, e: number): number {
  const last = seqDiff(t.zLast[e], t.zStart[e]);
  const ack = seqDiff(t.zAck[e], t.zStart[e]);
  let size = Math.max(last, ack, 0);
  if (size > 0) size--;
  if (t.zState[e] === ZState.CLOSED && size > 0) size--;
  return size;
}

/** Zeek's `conn_state` code for connection `c`, from its endpoint states and history. */
export function zeekConnState(t: FlowTable, c: number): string {
  const os = t.zState[2 * c];
  const rs = t.zState[2 * c + 1];
  const oInactive = os === ZState.INACTIVE || os === ZState.PARTIAL;
  const rInactive = rs === ZState.INACTIVE || rs === ZState.PARTIAL;
  if (rs === ZState.RESET) {
    if (os === ZState.SYN_SENT || os === ZState.SYN_ACK_SENT ||
        (os === ZState.RESET && zeekSize(t, 2 * c) === 0 && zeekSize(t, 2 * c + 1) === 0)) return 'REJ';
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
  const n = t.histLen[c];
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(t.history[c * HISTORY_MAX + i]);
  return s;
}
