/**
 * A read-only view of one connection in the flow table, and the flow record built from it.
 *
 * The record is the contract with `--json`, the summary table and `tcpscope check`: field names
 * follow the corpus README (client, server, handshake, close, reset_by, states, conn_state,
 * anomalies, start) plus Zeek's history, counts, times and the negotiated options.
 */
import { putFixed, putUint } from '../bytes.js';
import { formatEndpoint } from './address.js';
import { ANOMALY_NAMES, anomalyNames } from './events.js';
import { STATE_NAMES } from './states.js';
import { B, CF, COUNTER_NAMES, Ctr, D, EF, type FlowTable, H, MAX_INTERVALS, ROW_BYTES, ROW_D, ROW_H, ROW_W, W } from './table.js';
import type { Tracker } from './tracker.js';
import { zeekConnState, zeekHistory } from './zeek.js';

export type Handshake = 'complete' | 'simultaneous' | 'refused' | 'unanswered' | 'no-final-ack' | 'not-seen' | 'one-sided';
export type Close = 'fin' | 'half' | 'rst' | 'none';
export type Role = 'client' | 'server';

export interface EndpointOptions {
  /** MSS offered on its SYN (null: none) */
  mss: number | null;
  /** window scale shift offered on its SYN (null: none, or unknown when `cut`) */
  wscale: number | null;
  /** sackOK offered (null: unknown, the snap length cut the options before it could show) */
  sack: boolean | null;
  /** timestamps offered (null: unknown, as sack) */
  timestamps: boolean | null;
  /** its SYN was an ECN-setup one (SYN: ECE+CWR; SYN-ACK: ECE alone; RFC 3168 6.1.1) */
  ecn: boolean;
  /** the snap length cut its SYN's options: what was not seen is null (unknown), not absent */
  cut: boolean;
}

/** One connection as `--json` writes it (`"type":"flow"`). */
export interface FlowRecord {
  type: 'flow';
  /** serial number, in order of first packet */
  id: number;
  client: string;
  server: string;
  ip_version: 4 | 6;
  handshake: Handshake;
  close: Close;
  reset_by: Role | null;
  /** who sent the first FIN (the active closer) */
  closed_by: Role | null;
  states: { client: string; server: string };
  /** Zeek's conn_state code */
  conn_state: string;
  /** Zeek's history letters */
  history: string;
  anomalies: string[];
  /** how many times each analysis event happened (only the non-zero ones) */
  events: Record<string, number>;
  /** capture time of the first packet (epoch seconds) */
  start: number;
  end: number;
  duration: number;
  first_packet: number;
  last_packet: number;
  packets: { client: number; server: number };
  /** TCP payload bytes */
  bytes: { client: number; server: number };
  /** handshake RTT in seconds: first SYN to the ACK completing it (null when not seen) */
  rtt: number | null;
  /** SYN → SYN-ACK (the server's side of the RTT), and SYN-ACK → ACK (the client's side) */
  rtt_server: number | null;
  rtt_client: number | null;
  /** what each side offered, and what both agreed on */
  options: { client: EndpointOptions | null; server: EndpointOptions | null } & Negotiated;
  /** intervals (s) between the client's SYN retransmissions, and the server's SYN-ACK ones */
  /** null for an interval the capture's clock made negative (it stepped back) */
  syn_retransmits: (number | null)[];
  synack_retransmits: (number | null)[];
  midstream: boolean;
  /** why the record was written: closed | idle | evicted | reused | end-of-input | packet-limit */
  end_reason: string;
}

/** a record's end_reason, by the tracker's EndReason (tracker.ts re-exports it) */
export const END_REASON_NAMES: readonly string[] = ['closed', 'idle', 'evicted', 'reused', 'end-of-input', 'packet-limit'];
const REASONS = END_REASON_NAMES.length;
/** `before` then a record's last two fields and its `}`, for every ending, by midstream·REASONS + reason */
function byEnd(before: string): string[] {
  return [false, true].flatMap((mid) => END_REASON_NAMES.map((name) => before + '"midstream":' + mid + ',"end_reason":"' + name + '"}'));
}
/** the end of a record without handshake retransmissions, by midstream·REASONS + reason */
const TAILS: readonly string[] = byEnd(',"syn_retransmits":[],"synack_retransmits":[],');
/** Zeek's conn_state codes (cache keys) */
const CONN_STATE_CODES: readonly string[] = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];

/**
 * Seconds from `from` to `to`, two capture times of a row (0: never seen), or -1 when either is
 * unknown or the capture's clock stepped back between them (a negative span is not a time).
 */
export function timeBetween(from: number, to: number): number {
  return from > 0 && to >= from ? to - from : -1;
}

/**
 * timeBetween on the two times rounded to the microsecond first, as `start` and `end` are
 * written: the handshake's parts then add up to its whole (rtt = rtt_server + rtt_client) on a
 * nanosecond capture too, where rounding each difference alone could give 0.000001 = 0 + 0.
 * On a microsecond capture it is timeBetween's value.
 */
export function microSpan(from: number, to: number): number {
  return timeBetween(from, to) < 0 ? -1 : (Math.round(to * 1e6) - Math.round(from * 1e6)) / 1e6;
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function epoch(sec: number, nsec: number): number {
  return sec + Math.round(nsec / 1000) / 1e6;
}

// ---- numbers as JSON text, without the general double-to-string conversion --------------------

/** 000 … 999, and the same with trailing zeros dropped ('' for 0) */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DIGITS3_TRIMMED: readonly string[] = DIGITS3.map((d) => d.replace(/0+$/, ''));
/** 2^33: below it a double's spacing is under 10⁻⁶, so a value k·10⁻⁶ prints with its 6 decimals */
const EXACT_LIMIT = 8589934592;

/**
 * The JSON text of the double nearest to k·10⁻⁶ (k an integer), as JSON.stringify prints it.
 * Why the decimals suffice: that double is the one its 6-decimal string parses to, and below 2^33
 * two doubles lie less than 10⁻⁶ apart, so no shorter string (which would be a multiple of 10⁻⁵)
 * can parse to it: the shortest round-trip text, which JavaScript prints, is those decimals with
 * the trailing zeros dropped.
 */
export function microsText(k: number): string {
  if (!(Math.abs(k) < EXACT_LIMIT * 1e6)) return JSON.stringify(k / 1e6);
  if (k === 0) return '0';
  let sign = '';
  if (k < 0) { sign = '-'; k = -k; }
  const whole = Math.floor(k / 1e6);
  const frac = k - whole * 1e6;
  if (frac === 0) return sign + whole;
  const hi = Math.floor(frac / 1000), lo = frac - hi * 1000;
  return sign + whole + '.' + (lo === 0 ? DIGITS3_TRIMMED[hi] : DIGITS3[hi] + DIGITS3_TRIMMED[lo]);
}

/** JSON text of round6(x). */
export function round6Text(x: number): string {
  return microsText(Math.round(x * 1e6));
}

/** JSON text of epoch(sec, nsec): the same digits, without the double-to-string conversion. */
export function epochText(sec: number, nsec: number): string {
  const us = Math.round(nsec / 1000);
  // sec + us/10⁶ rounds to the double nearest sec.us (no double rounding: see the commit), whose text is sec.us
  if (us < 1e6 && sec >= 0 && sec < EXACT_LIMIT && Number.isInteger(sec)) return microsText(sec * 1e6 + us);
  return JSON.stringify(epoch(sec, nsec));
}

/** Pieces of flow records that repeat, built once (at most CACHE_MAX of each kind: hostile input can vary them all). */
const CACHE_MAX = 4096;
const pieceCache = new Map<number, Uint8Array>();
const anomalyCache = new Map<number, Uint8Array>();
const optionsCache = new Map<number, Uint8Array>();

// ---- the record as bytes (writeJson) --------------------------------------------------------------

/**
 * Room a flow record may take: the longest fields (two bracketed IPv6 endpoints, 24 history
 * letters, every anomaly name, every event counter at 2^32 − 1, four retransmission intervals a
 * side, numbers in exponent form) come to under 3 KB.
 */
export const MAX_FLOW_JSON = 4096;

function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

const K_ID = ascii('{"type":"flow","id":');
const K_CLIENT = ascii(',"client":"');
const K_SERVER = ascii('","server":"');
/** `","anomalies":[],"events":{` (a record without anomalies) */
const NO_ANOMALIES = ascii('","anomalies":[],"events":{');
const K_SYN_RETRANSMIT_EVENT = ascii('"syn-retransmit":');
const K_START = ascii('},"start":');
const K_END = ascii(',"end":');
const K_DURATION = ascii(',"duration":');
const K_FIRST_PACKET = ascii(',"first_packet":');
const K_LAST_PACKET = ascii(',"last_packet":');
const K_PACKETS = ascii(',"packets":{"client":');
const K_SERVER_COUNT = ascii(',"server":');
const K_BYTES = ascii('},"bytes":{"client":');
const K_RTT = ascii('},"rtt":');
const K_RTT_SERVER = ascii(',"rtt_server":');
const K_RTT_CLIENT = ascii(',"rtt_client":');
const K_RTT_NONE = ascii('},"rtt":null,"rtt_server":null,"rtt_client":null');
const NULL = ascii('null');
const COUNTER_KEYS: readonly Uint8Array[] = COUNTER_NAMES.map((n) => ascii('"' + n + '":'));
/**
 * What the cached options piece ends with: TAILS[i] for i < 2·REASONS (a record without
 * handshake retransmissions ends there), or the opening of its SYN retransmissions (RESENDS_TAIL).
 */
const OPTIONS_SUFFIXES: readonly string[] = [...TAILS, ',"syn_retransmits":['];
const RESENDS_TAIL = 2 * REASONS;
/** `],"synack_retransmits":[],"midstream":…,"end_reason":"…"}` by midstream·REASONS + reason */
const NO_SYNACK_RESENDS_ENDS: readonly Uint8Array[] = byEnd('],"synack_retransmits":[],').map(ascii);
const K_SYNACK_RETRANSMITS = ascii('],"synack_retransmits":[');
/** `],"midstream":…,"end_reason":"…"}` by midstream·REASONS + reason */
const TAIL_ENDS: readonly Uint8Array[] = byEnd('],').map(ascii);

/** jsonText's buffer */
const scratch = Buffer.allocUnsafeSlow(MAX_FLOW_JSON);

/** Copy an encoded piece (TypedArray.set: ~3× a byte loop for the 10–200-byte pieces of a record). */
function putPiece(buf: Buffer, pos: number, piece: Uint8Array): number {
  buf.set(piece, pos);
  return pos + piece.length;
}

/** A text known to be ASCII (an address, a rare piece built as a string). */
function putAscii(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/** A count or id (a whole number, as JSON.stringify writes it). */
function putNumber(buf: Buffer, pos: number, n: number): number {
  return n >= 0 && n < 4294967296 && n === Math.floor(n) ? putUint(buf, pos, n) : putAscii(buf, pos, JSON.stringify(n));
}

/** The text of microsText(k), as bytes. */
function putMicros(buf: Buffer, pos: number, k: number): number {
  if (!(Math.abs(k) < EXACT_LIMIT * 1e6)) return putAscii(buf, pos, JSON.stringify(k / 1e6));
  if (k < 0) { buf[pos++] = 0x2d; k = -k; }
  const whole = Math.floor(k / 1e6);
  const frac = k - whole * 1e6;
  pos = putNumber(buf, pos, whole);
  return frac === 0 ? pos : putFraction(buf, pos, frac);
}

/** `.` and the six decimals of 0 < frac < 10⁶ millionths without their trailing zeros. */
function putFraction(buf: Buffer, pos: number, frac: number): number {
  buf[pos++] = 0x2e; // .
  let digits = frac, width = 6;
  while (digits % 10 === 0) { digits /= 10; width--; }
  return putFixed(buf, pos, digits, width);
}

/** The text of epochText(sec, nsec), as bytes. */
/** A timeBetween() span in microseconds, or null when it is -1 (as spanOrNull in records). */
function putSpan(buf: Buffer, pos: number, span: number): number {
  return span >= 0 ? putMicros(buf, pos, Math.round(span * 1e6)) : putPiece(buf, pos, NULL);
}

/** A timeBetween() span for a record: rounded to the microsecond, or null when it is -1. */
function spanOrNull(span: number): number | null {
  return span >= 0 ? round6(span) : null;
}

function putEpoch(buf: Buffer, pos: number, sec: number, nsec: number): number {
  const us = Math.round(nsec / 1000);
  if (us < 1e6 && sec >= 0 && sec < EXACT_LIMIT && Number.isInteger(sec)) {
    // what putMicros(sec·10⁶ + us) writes, without building that 16-digit double to divide it
    // back (two of these a record: ~10% of writeJson's time)
    pos = putNumber(buf, pos, sec);
    return us === 0 ? pos : putFraction(buf, pos, us);
  }
  return putAscii(buf, pos, JSON.stringify(epoch(sec, nsec)));
}

export class FlowView {
  private c = -1;
  private reason = 4;
  private readonly t: FlowTable;

  /** A view of rows of `tracker.table` (or of any flow table: rows handed over by a shard worker). */
  constructor(tracker: Tracker | { readonly table: FlowTable }) {
    this.t = tracker.table;
  }

  bind(c: number, reason: number): this {
    this.c = c;
    this.reason = reason;
    return this;
  }

  private get d(): number { return this.c * ROW_D; }
  private get w(): number { return this.c * ROW_W; }
  private get flags(): number { return this.t.u32[this.c * ROW_W + W.CONN_FLAGS]; }
  private ep(s: number): number { return this.t.u16[this.c * ROW_H + H.EP_FLAGS + s]; }

  /** Row in the table. */
  get row(): number { return this.c; }
  get id(): number { return this.t.f64[this.d + D.SERIAL]; }
  get family(): number { return this.t.u8[this.c * ROW_BYTES + B.FAMILY]; }
  get client(): string { return formatEndpoint(this.family, this.t.u32, this.w + W.C_ADDR, this.t.u16[this.c * ROW_H + H.C_PORT]); }
  get server(): string { return formatEndpoint(this.family, this.t.u32, this.w + W.S_ADDR, this.t.u16[this.c * ROW_H + H.S_PORT]); }
  /** Port of side s (0 client, 1 server). */
  port(s: number): number { return this.t.u16[this.c * ROW_H + (s === 0 ? H.C_PORT : H.S_PORT)]; }
  /** Word i (0–3, big-endian) of side s's address as the table holds it (IPv4: word 0 only). */
  addressWord(s: number, i: number): number { return this.t.u32[this.w + (s === 0 ? W.C_ADDR : W.S_ADDR) + i]; }
  /** TcpState of side s (0 client, 1 server) */
  state(s: number): number { return this.t.u8[this.c * ROW_BYTES + B.STATE + s]; }
  get clientState(): string { return STATE_NAMES[this.state(0)]; }
  get serverState(): string { return STATE_NAMES[this.state(1)]; }
  get anomalyMask(): number { return this.t.u32[this.w + W.ANOMALIES]; }
  get anomalies(): string[] { return anomalyNames(this.anomalyMask); }
  get connState(): string { return zeekConnState(this.t, this.c); }
  get history(): string { return zeekHistory(this.t, this.c); }
  get endReason(): string { return END_REASON_NAMES[this.reason]; }
  get evicted(): boolean { return (this.flags & CF.EVICTED) !== 0; }
  get midstream(): boolean { return (this.flags & CF.MIDSTREAM) !== 0; }

  get handshake(): Handshake {
    const cf = this.flags;
    if ((cf & CF.REFUSED) !== 0) return 'refused';
    if ((cf & CF.SIMULTANEOUS) !== 0) return 'simultaneous';
    if ((cf & CF.SYN_SEEN) === 0) return 'not-seen';
    if ((cf & CF.HANDSHAKE_DONE) !== 0) return 'complete';
    if ((cf & CF.SYNACK_SEEN) !== 0) return 'no-final-ack';
    // no SYN-ACK seen, yet the client acknowledged the server's SYN: the server answered, its
    // packets were not captured (a filter such as `src host A`, or an asymmetric capture)
    if ((this.ep(0) & EF.RCVD_PEER_SYN) !== 0) return 'one-sided';
    return 'unanswered';
  }

  get close(): Close {
    if ((this.flags & CF.RESET) !== 0) return 'rst';
    const a = (this.ep(0) & EF.FIN_SENT) !== 0, b = (this.ep(1) & EF.FIN_SENT) !== 0;
    if (a && b) return 'fin';
    if (a || b) return 'half';
    return 'none';
  }

  get resetBy(): Role | null {
    const cf = this.flags;
    if ((cf & CF.RESET) === 0) return null;
    return (cf & CF.RESET_BY_SERVER) !== 0 ? 'server' : 'client';
  }

  get closedBy(): Role | null {
    if ((this.ep(0) & EF.FIN_SENT) === 0 && (this.ep(1) & EF.FIN_SENT) === 0) return null;
    return (this.flags & CF.SERVER_CLOSED_FIRST) !== 0 ? 'server' : 'client';
  }

  /** Handshake RTT in seconds (first SYN to the ACK completing it), or null. */
  get rtt(): number | null {
    // a simultaneous open has no handshake round trip (the SYNs crossed)
    if ((this.flags & CF.SIMULTANEOUS) !== 0) return null;
    const f = this.t.f64, d = this.d;
    const rtt = timeBetween(f[d + D.SYN_T], f[d + D.EST_T]);
    return rtt >= 0 ? rtt : null;
  }

  get start(): number { return epoch(this.t.f64[this.d + D.FIRST_SEC], this.t.u32[this.w + W.FIRST_NSEC]); }
  get end(): number { return epoch(this.t.f64[this.d + D.LAST_SEC], this.t.u32[this.w + W.LAST_NSEC]); }
  get duration(): number { return durationOf(this.t.f64, this.t.u32, this.d, this.w); }
  get firstPacket(): number { return this.t.f64[this.d + D.FIRST_PKT]; }
  get lastPacket(): number { return this.t.f64[this.d + D.LAST_PKT]; }

  packets(role: Role): number { return this.t.f64[this.d + D.PACKETS + (role === 'client' ? 0 : 1)]; }
  bytes(role: Role): number { return this.t.f64[this.d + D.BYTES + (role === 'client' ? 0 : 1)]; }

  /** What side s offered on its SYN, or null when no SYN of it was seen. */
  options(s: number): EndpointOptions | null {
    const t = this.t;
    const ws = t.i8[this.c * ROW_BYTES + B.WSCALE + s];
    if (ws === -1) return null; // no SYN seen from it
    const mss = t.i32[this.w + W.MSS + s];
    const ef = this.ep(s);
    const cf = this.flags;
    const cut = (cf & (CF.OPTS_CUT << s)) !== 0;
    return {
      mss: mss >= 0 ? mss : null, wscale: ws >= 0 ? ws : null,
      sack: (ef & EF.SACK_OK) !== 0 ? true : cut ? null : false,
      timestamps: (ef & EF.TIMESTAMPS) !== 0 ? true : cut ? null : false,
      ecn: (cf & (CF.ECN_SETUP << s)) !== 0, cut,
    };
  }

  private intervals(s: number): (number | null)[] {
    const t = this.t;
    const n = Math.min(Math.max(t.u8[this.c * ROW_BYTES + B.CTRL_COUNT + s] - 1, 0), MAX_INTERVALS);
    const out: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const interval = t.f32[this.w + W.INTERVALS + s * MAX_INTERVALS + i];
      out.push(interval >= 0 ? round6(interval) : null); // null: the capture's clock stepped back
    }
    return out;
  }

  /**
   * The flow record as JSON text: exactly `JSON.stringify(this.toRecord())` (what `writeJson`
   * writes, as a string).
   */
  jsonText(): string {
    const n = this.writeJson(scratch, 0);
    return scratch.toString('latin1', 0, n);
  }

  /**
   * Write the flow record as JSON (exactly `JSON.stringify(this.toRecord())`, all ASCII) into
   * `buf` at `pos`, where at least MAX_FLOW_JSON bytes are free; returns the position after it.
   * Written as bytes, not built as a string: a record built by concatenation is a rope of forty
   * pieces that must be allocated, flattened and encoded again on the way out (~4 µs a record,
   * and the garbage collector's work at the end of a run that reports 20,000 or a million
   * connections at once). The pieces many records share are encoded once (cached).
   */
  writeJson(buf: Buffer, pos: number): number {
    const t = this.t, c = this.c, f = t.f64, d = this.d, w = this.w;
    const u32 = t.u32;
    const cf = this.flags;
    const b = c * ROW_BYTES;
    pos = putPiece(buf, pos, K_ID);
    pos = putNumber(buf, pos, f[d + D.SERIAL]);
    pos = putPiece(buf, pos, K_CLIENT);
    pos = this.putEndpoint(buf, pos, W.C_ADDR, H.C_PORT);
    pos = putPiece(buf, pos, K_SERVER);
    pos = this.putEndpoint(buf, pos, W.S_ADDR, H.S_PORT);
    pos = putPiece(buf, pos, this.statePiece());
    const hl = t.u8[b + B.HIST_LEN];
    for (let i = 0; i < hl; i++) buf[pos + i] = t.u8[b + B.HISTORY + i];
    pos += hl;
    pos = putPiece(buf, pos, this.anomaliesPiece());
    let first = true;
    if (u32[w + W.COUNTER_ROW] !== 0) {
      for (let k = 0; k < Ctr.COUNT; k++) {
        const n = t.counter(c, k);
        if (n === 0) continue;
        if (!first) buf[pos++] = 0x2c; // ,
        first = false;
        pos = putPiece(buf, pos, COUNTER_KEYS[k]);
        pos = putUint(buf, pos, n);
      }
    }
    const ctrl = t.u8[b + B.CTRL_COUNT];
    if ((cf & CF.SYN_SEEN) !== 0 && ctrl > 1) {
      if (!first) buf[pos++] = 0x2c;
      pos = putPiece(buf, pos, K_SYN_RETRANSMIT_EVENT);
      pos = putUint(buf, pos, ctrl - 1);
    }
    pos = putPiece(buf, pos, K_START);
    pos = putEpoch(buf, pos, f[d + D.FIRST_SEC], u32[w + W.FIRST_NSEC]);
    pos = putPiece(buf, pos, K_END);
    pos = putEpoch(buf, pos, f[d + D.LAST_SEC], u32[w + W.LAST_NSEC]);
    pos = putPiece(buf, pos, K_DURATION);
    // durationOf, not the `duration` getter: the getter's fractional result is boxed (a heap
    // number a record), the inlined function's is not
    pos = putMicros(buf, pos, Math.round(durationOf(f, u32, d, w) * 1e6));
    pos = putPiece(buf, pos, K_FIRST_PACKET);
    pos = putNumber(buf, pos, f[d + D.FIRST_PKT]);
    pos = putPiece(buf, pos, K_LAST_PACKET);
    pos = putNumber(buf, pos, f[d + D.LAST_PKT]);
    pos = putPiece(buf, pos, K_PACKETS);
    pos = putNumber(buf, pos, f[d + D.PACKETS]);
    pos = putPiece(buf, pos, K_SERVER_COUNT);
    pos = putNumber(buf, pos, f[d + D.PACKETS + 1]);
    pos = putPiece(buf, pos, K_BYTES);
    pos = putNumber(buf, pos, f[d + D.BYTES]);
    pos = putPiece(buf, pos, K_SERVER_COUNT);
    pos = putNumber(buf, pos, f[d + D.BYTES + 1]);
    const synT = f[d + D.SYN_T], synack = f[d + D.SYNACK_T], est = f[d + D.EST_T];
    if (!(synack > 0) && !(est > 0) || (this.flags & CF.SIMULTANEOUS) !== 0) {
      // no SYN-ACK, no handshake (every record of a SYN flood): the three RTTs are null; nor in
      // a simultaneous open, whose SYNs crossed: no segment there answers another one's sending
      pos = putPiece(buf, pos, K_RTT_NONE);
      return this.putOptionsAndTail(buf, pos);
    }
    pos = putPiece(buf, pos, K_RTT);
    pos = putSpan(buf, pos, microSpan(synT, est));
    pos = putPiece(buf, pos, K_RTT_SERVER);
    pos = putSpan(buf, pos, microSpan(synT, synack));
    pos = putPiece(buf, pos, K_RTT_CLIENT);
    pos = putSpan(buf, pos, microSpan(synack, est));
    return this.putOptionsAndTail(buf, pos);
  }

  /** `addr:port` of one end (IPv4 written digit by digit; IPv6 through its text form). */
  private putEndpoint(buf: Buffer, pos: number, addr: number, port: number): number {
    const t = this.t;
    const at = this.w + addr;
    const p = t.u16[this.c * ROW_H + port];
    if (t.u8[this.c * ROW_BYTES + B.FAMILY] !== 4) return putAscii(buf, pos, formatEndpoint(6, t.u32, at, p));
    const a = t.u32[at];
    pos = putUint(buf, pos, a >>> 24);
    buf[pos++] = 0x2e; // .
    pos = putUint(buf, pos, (a >>> 16) & 255);
    buf[pos++] = 0x2e;
    pos = putUint(buf, pos, (a >>> 8) & 255);
    buf[pos++] = 0x2e;
    pos = putUint(buf, pos, a & 255);
    buf[pos++] = 0x3a; // :
    return putUint(buf, pos, p);
  }

  /**
   * `","ip_version":… ,"conn_state":"…","history":"`: the part a record shares with many others
   * (cached; with the next key, so that a record is written in fewer pieces: each copy costs
   * ~20 ns however short).
   */
  private statePiece(): Uint8Array {
    const cf = this.flags, e0 = this.ep(0), e1 = this.ep(1);
    // (and whether the client acknowledged the server's SYN: a one-sided handshake)
    const hs = (cf & (CF.REFUSED | CF.SIMULTANEOUS | CF.SYN_SEEN | CF.HANDSHAKE_DONE | CF.SYNACK_SEEN)) + ((e0 & EF.RCVD_PEER_SYN) !== 0 ? 64 : 0);
    const cl = (cf & (CF.RESET | CF.RESET_BY_SERVER | CF.SERVER_CLOSED_FIRST)) >>> 6;
    const fin = ((e0 & EF.FIN_SENT) !== 0 ? 1 : 0) | ((e1 & EF.FIN_SENT) !== 0 ? 2 : 0);
    const cs = this.connState;
    const code = CONN_STATE_CODES.indexOf(cs);
    // every input of the piece but the conn_state text, in one number (conn_state: a short code)
    const key = ((((hs * 8 + cl) * 4 + fin) * 16 + this.state(0)) * 16 + this.state(1)) * 4 + (this.family === 6 ? 1 : 0);
    const ck = key * 64 + code;
    let piece = pieceCache.get(ck);
    if (piece === undefined) {
      const resetBy = this.resetBy, closedBy = this.closedBy;
      piece = ascii('","ip_version":' + (this.family === 6 ? 6 : 4) +
        ',"handshake":"' + this.handshake + '","close":"' + this.close + '","reset_by":' + (resetBy === null ? 'null' : '"' + resetBy + '"') +
        ',"closed_by":' + (closedBy === null ? 'null' : '"' + closedBy + '"') +
        ',"states":{"client":"' + this.clientState + '","server":"' + this.serverState + '"},"conn_state":"' + cs + '","history":"');
      if (code >= 0 && pieceCache.size < CACHE_MAX) pieceCache.set(ck, piece);
    }
    return piece;
  }

  /** `","anomalies":[…],"events":{` (cached per mask of anomalies). */
  private anomaliesPiece(): Uint8Array {
    const mask = this.anomalyMask;
    if (mask === 0) return NO_ANOMALIES;
    let text = anomalyCache.get(mask);
    if (text === undefined) {
      text = ascii('","anomalies":["' + this.anomalies.join('","') + '"],"events":{');
      if (anomalyCache.size < CACHE_MAX) anomalyCache.set(mask, text);
    }
    return text;
  }

  /**
   * `,"options":{…}` and OPTIONS_SUFFIXES[suffix] after it (cached per combination of offered
   * options and suffix: one piece where there were two).
   */
  private optionsPiece(suffix: number): Uint8Array {
    const t = this.t, b = this.c * ROW_BYTES;
    const wc = t.i8[b + B.WSCALE], ws = t.i8[b + B.WSCALE + 1];
    const mc = t.i32[this.w + W.MSS], ms = t.i32[this.w + W.MSS + 1];
    const cf = this.flags;
    const oc = ((this.ep(0) & (EF.SACK_OK | EF.TIMESTAMPS)) >>> 11) + ((cf & CF.ECN_SETUP) !== 0 ? 4 : 0);
    const os = ((this.ep(1) & (EF.SACK_OK | EF.TIMESTAMPS)) >>> 11) + ((cf & (CF.ECN_SETUP << 1)) !== 0 ? 4 : 0);
    // (options cut by the snap length: rare, not cached)
    if (mc > 0xffff || ms > 0xffff || (cf & (CF.OPTS_CUT | CF.OPTS_CUT << 1)) !== 0) return ascii(this.optionsText() + OPTIONS_SUFFIXES[suffix]);
    // mss (-1..65535), wscale (-2..14), sack/timestamps/ecn bits, for both sides, and the suffix
    // (0..12): under 2^52, exact in a double
    const key = ((((((mc + 1) * 32 + (wc + 2)) * 8 + oc) * 65537 + (ms + 1)) * 32 + (ws + 2)) * 8 + os) * 16 + suffix;
    let text = optionsCache.get(key);
    if (text === undefined) {
      text = ascii(this.optionsText() + OPTIONS_SUFFIXES[suffix]);
      if (optionsCache.size < CACHE_MAX) optionsCache.set(key, text);
    }
    return text;
  }

  private optionsText(): string {
    const n = negotiatedOf(this.options(0), this.options(1));
    return ',"options":{"client":' + this.optionsJSON(0) + ',"server":' + this.optionsJSON(1) +
      ',"window_scaling":' + n.window_scaling + ',"sack":' + n.sack + ',"timestamps":' + n.timestamps + ',"ecn":' + n.ecn + '}';
  }

  /** `,"options":{…},"syn_retransmits":[…],…,"end_reason":"…"}` */
  private putOptionsAndTail(buf: Buffer, pos: number): number {
    const t = this.t, b = this.c * ROW_BYTES;
    const cf = this.flags;
    const synResends = (cf & CF.SYN_SEEN) !== 0 && t.u8[b + B.CTRL_COUNT] > 1;
    const synackResends = t.u8[b + B.CTRL_COUNT + 1] > 1;
    const end = (this.midstream ? REASONS : 0) + this.reason;
    if (!synResends && !synackResends) return putPiece(buf, pos, this.optionsPiece(end));
    // (every record of a SYN flood comes here: its SYNs are resent)
    pos = putPiece(buf, pos, this.optionsPiece(RESENDS_TAIL));
    if ((cf & CF.SYN_SEEN) !== 0) pos = this.putIntervals(buf, pos, 0);
    // no SYN-ACK resent: its list is empty
    if (!synackResends) return putPiece(buf, pos, NO_SYNACK_RESENDS_ENDS[end]);
    pos = putPiece(buf, pos, K_SYNACK_RETRANSMITS);
    pos = this.putIntervals(buf, pos, 1);
    return putPiece(buf, pos, TAIL_ENDS[end]);
  }

  /** The text of `intervals(s).join(',')`. */
  private putIntervals(buf: Buffer, pos: number, s: number): number {
    const t = this.t;
    const n = Math.min(Math.max(t.u8[this.c * ROW_BYTES + B.CTRL_COUNT + s] - 1, 0), MAX_INTERVALS);
    for (let i = 0; i < n; i++) {
      if (i > 0) buf[pos++] = 0x2c; // ,
      // round6(x) as JSON writes it; null where the capture's clock stepped back, as intervals()
      const interval = t.f32[this.w + W.INTERVALS + s * MAX_INTERVALS + i];
      pos = interval >= 0 ? putMicros(buf, pos, Math.round(interval * 1e6)) : putPiece(buf, pos, NULL);
    }
    return pos;
  }

  private optionsJSON(s: number): string {
    const o = this.options(s);
    if (o === null) return 'null';
    return '{"mss":' + o.mss + ',"wscale":' + o.wscale + ',"sack":' + o.sack + ',"timestamps":' + o.timestamps +
      ',"ecn":' + o.ecn + ',"cut":' + o.cut + '}';
  }

  /** The flow record (a plain object, safe to keep). */
  toRecord(): FlowRecord {
    const t = this.t, c = this.c, f = t.f64, d = this.d;
    const events: Record<string, number> = {};
    for (let k = 0; k < Ctr.COUNT; k++) {
      const n = t.counter(c, k);
      if (n > 0) events[COUNTER_NAMES[k]] = n;
    }
    const cf = this.flags;
    const synRetransmits = (cf & CF.SYN_SEEN) !== 0 ? this.intervals(0) : [];
    if (synRetransmits.length > 0 || t.u8[c * ROW_BYTES + B.CTRL_COUNT] > 1 && (cf & CF.SYN_SEEN) !== 0) {
      events['syn-retransmit'] = t.u8[c * ROW_BYTES + B.CTRL_COUNT] - 1;
    }
    const oc = this.options(0), os = this.options(1);
    const synT = f[d + D.SYN_T], synack = f[d + D.SYNACK_T], est = f[d + D.EST_T];
    const rtt = this.rtt;
    const crossed = (this.flags & CF.SIMULTANEOUS) !== 0;
    return {
      type: 'flow',
      id: this.id,
      client: this.client,
      server: this.server,
      ip_version: this.family === 6 ? 6 : 4,
      handshake: this.handshake,
      close: this.close,
      reset_by: this.resetBy,
      closed_by: this.closedBy,
      states: { client: this.clientState, server: this.serverState },
      conn_state: this.connState,
      history: this.history,
      anomalies: this.anomalies,
      events,
      start: this.start,
      end: this.end,
      duration: round6(this.duration),
      first_packet: this.firstPacket,
      last_packet: this.lastPacket,
      packets: { client: this.packets('client'), server: this.packets('server') },
      bytes: { client: this.bytes('client'), server: this.bytes('server') },
      rtt: rtt === null ? null : round6(microSpan(synT, est)),
      // (none in a simultaneous open, whose SYNs crossed: see the rtt getter)
      rtt_server: crossed ? null : spanOrNull(microSpan(synT, synack)),
      rtt_client: crossed ? null : spanOrNull(microSpan(synack, est)),
      options: { client: oc, server: os, ...negotiatedOf(oc, os) },
      syn_retransmits: synRetransmits,
      synack_retransmits: this.intervals(1),
      midstream: this.midstream,
      end_reason: this.endReason,
    };
  }
}

/** Seconds from a flow's first time stamp to its latest: its `duration` (never negative: see LAST_SEC). */
function durationOf(f: Float64Array, u: Uint32Array, d: number, w: number): number {
  return (f[d + D.LAST_SEC] - f[d + D.FIRST_SEC]) + (u[w + W.LAST_NSEC] - u[w + W.FIRST_NSEC]) * 1e-9;
}

/** What both ends agreed on: an option both offered (null: unknown, a side's options were cut). */
export interface Negotiated {
  window_scaling: boolean | null;
  sack: boolean | null;
  timestamps: boolean | null;
  /** an ECN-setup SYN answered by an ECN-setup SYN-ACK */
  ecn: boolean;
}

/** What the two SYNs' options agreed on (nothing when either SYN was not seen). */
export function negotiatedOf(oc: EndpointOptions | null, os: EndpointOptions | null): Negotiated {
  if (oc === null || os === null) return { window_scaling: false, sack: false, timestamps: false, ecn: false };
  return {
    window_scaling: agreed(offeredWscale(oc), offeredWscale(os)),
    sack: agreed(oc.sack, os.sack),
    timestamps: agreed(oc.timestamps, os.timestamps),
    ecn: oc.ecn && os.ecn,
  };
}

/** Whether a side offered window scaling: null when its options were cut before it could show. */
function offeredWscale(o: EndpointOptions): boolean | null {
  return o.wscale !== null ? true : o.cut ? null : false;
}

/** Whether both ends offered an option: false when one did not, null when one side's offer is unknown (cut). */
function agreed(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

export { ANOMALY_NAMES };
