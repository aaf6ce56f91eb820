/**
 * Annotations: after tcpdump's line for a packet, one short line saying what the packet did to
 * its connection: the handshake or teardown step, anomalies, and each endpoint's state change.
 *
 *     10:00:00.000000 IP 10.0.0.1.40001 > 10.0.0.2.7000: Flags [S], seq 1000, ...
 *         #1 handshake 1/3: client SYN (mss 1460, wscale 7, sackOK, TS)   client CLOSED → SYN_SENT
 *
 * (`->` instead of `→` when the output is not a terminal.)
 *
 * Packets that change nothing (ordinary data and ACKs) get no line. The state changes start in
 * one column so they read as a table. Colour (chalk) only when enabled: steps green, warnings
 * yellow, errors red. This module holds no connection state: it reads the tracker's result.
 */
import { type Packet, TCP_CWR, TCP_ECE, isEcnSetup } from '../decode/packet.js';
import { EVENT_SEVERITY, Ev } from '../track/events.js';
import { FlowView, negotiatedOf, timeBetween } from '../track/flow.js';
import { type PacketResult, RetryOf } from '../track/result.js';
import { STATE_NAMES, TcpState } from '../track/states.js';
import { B, CF, D, EF, H, ROW_BYTES, ROW_D, ROW_H, ROW_W, W } from '../track/table.js';
import type { Tracker } from '../track/tracker.js';
import { encode, putBytes, putFixed, putLong, putSpaces, putString, putUint } from '../bytes.js';
import type { Output } from './output.js';
import type { Paint } from './paint.js';

/** Indentation of annotation lines under tcpdump's line. */
const INDENT = '    ';
/** Width the event text is padded to, so state changes line up. */
const EVENT_WIDTH = 62;
/**
 * Room one annotation line may need: at most 16 events (PacketResult.MAX_EVENTS) of under 150
 * bytes each with their colour codes, the padding and two state changes.
 */
export const LINE_ROOM = 8192;
/** Whether a packet's result can have an annotation line: a TCP segment with an event or a state change. */
function mayHaveWords(r: PacketResult): boolean {
  return r.tcp && (r.eventCount !== 0 || r.clientBefore !== r.clientAfter || r.serverBefore !== r.serverAfter);
}

/** Cached words per event kind stop growing at this many variants (ports, counts, ...). */
const CACHE_LIMIT = 4096;

/** A duration for people: 0.200 ms, 12.3 ms, 1.000 s, 120.0 s, 7200 s. */
export function formatDuration(sec: number): string {
  if (sec < 0.001) return `${(sec * 1e3).toFixed(3)} ms`;
  if (sec < 1) return `${(sec * 1e3).toFixed(1)} ms`;
  if (sec < 10) return `${sec.toFixed(3)} s`;
  if (sec < 1000) return `${sec.toFixed(1)} s`;
  return `${Math.round(sec)} s`;
}

const MS = encode(' ms');
const SEC = encode(' s');

/**
 * formatDuration's text written as bytes, without toFixed: the value scaled to its last printed
 * digit and rounded to the nearest integer. toFixed rounds the exact binary value, so a value
 * whose scaled fraction lies within 1e-6 of one half (far more than the 1e-12 the scaling
 * multiplication can be off by) goes to formatDuration itself; anything else rounds the same.
 */
export function putDuration(buf: Buffer, pos: number, sec: number): number {
  if (sec >= 0 && sec < 1000) {
    let scaled: number;
    let decimals: number;
    if (sec < 0.001) { scaled = sec * 1e3 * 1000; decimals = 3; }
    else if (sec < 1) { scaled = sec * 1e3 * 10; decimals = 1; }
    else if (sec < 10) { scaled = sec * 1000; decimals = 3; }
    else { scaled = sec * 10; decimals = 1; }
    const n = Math.floor(scaled);
    const frac = scaled - n;
    if (Math.abs(frac - 0.5) > 1e-6) {
      const v = frac > 0.5 ? n + 1 : n;
      const div = decimals === 3 ? 1000 : 10;
      const whole = Math.floor(v / div);
      pos = putUint(buf, pos, whole);
      buf[pos++] = 0x2e; // '.'
      pos = putFixed(buf, pos, v - whole * div, decimals);
      return putBytes(buf, pos, sec < 1 ? MS : SEC);
    }
  } else if (sec >= 1000 && sec < 4294967295) {
    return putBytes(buf, putUint(buf, pos, Math.round(sec)), SEC);
  }
  return putString(buf, pos, formatDuration(sec));
}

function role(s: number): string {
  return s === 0 ? 'client' : 'server';
}

/** An event's words as painted bytes, and how many characters they show (colour codes aside). */
interface Words {
  bytes: Uint8Array;
  width: number;
}

export class Annotator {
  /** state-change texts as bytes, [side][from * 11 + to], coloured as configured */
  private readonly changes: Uint8Array[][];
  /** `server CLOSED (no listener)` for a refusal, by the server's state after it */
  private readonly noListener: Uint8Array[];
  private readonly sep: Uint8Array;
  private readonly comma: Uint8Array;
  /** colour codes around an event's words, by severity (empty without colour) */
  private readonly open: Uint8Array[];
  private readonly close: Uint8Array[];
  /** `    #` and ` ` around the connection number, with its colour */
  private readonly tagHead: Uint8Array;
  private readonly tagTail: Uint8Array;
  /** painted words of each event kind, by a key of everything they depend on (wordsKey) */
  private readonly words: Map<number, Words>[];
  /** `; negotiated ...` by a key of the two window scales and the common options */
  private readonly negotiatedBytes = new Map<number, Uint8Array>();
  /** the tracker's connection rows read as flow records read them (what was negotiated) */
  private readonly view: FlowView;
  /** words for a state change without an event, by side and change (unexplained) */
  private readonly unexplainedWords = new Map<number, Words>();
  /** the colour codes as text, for words made as text */
  private readonly openText: string[];
  private readonly closeText: string[];
  /** `who CLOSED (lost state)` by side and state */
  private readonly lostState: Uint8Array[][];
  /** `who A → V → B` (or `A → V → V2 → B`): a change through states on one packet (encoded once per change) */
  private readonly changeVia: (side: number, a: number, v: number, v2: number, b: number) => Uint8Array;
  /** ` (inferred)` after a change the other side's packets prove (PacketResult.inferred) */
  private readonly inferredTag: Uint8Array;
  /** a line for `line()`, which returns text rather than writing it */
  private readonly scratch = Buffer.allocUnsafe(LINE_ROOM);

  /**
   * `arrow`: between the states of a change (`client SYN_SENT → ESTABLISHED`), the same on a
   * terminal, a pipe or a file. Every text a line is made of is encoded once, here or the first
   * time it is needed, and lines are written as bytes into the output's buffer.
   */
  constructor(private readonly out: Output, private readonly tracker: Tracker, chalk: Paint,
    arrow = '→') {
    const on = chalk.level > 0;
    // chalk paints a text without escapes or newlines as open + text + close
    const codes = (paint: (x: string) => string): [string, string] => {
      const painted = paint('x');
      const at = painted.indexOf('x');
      return [painted.slice(0, at), painted.slice(at + 1)];
    };
    const id = (x: string): string => x;
    const paints = on ? [(x: string) => chalk.cyan(x), (x: string) => chalk.green(x), (x: string) => chalk.yellow(x), (x: string) => chalk.red(x)]
      : [id, id, id, id];
    // by severity: info, step, warning, error
    this.openText = paints.map((p) => codes(p)[0]);
    this.closeText = paints.map((p) => codes(p)[1]);
    this.open = this.openText.map(encode);
    this.close = this.closeText.map(encode);
    const [dimOpen, dimClose] = codes(on ? (x) => chalk.dim(x) : id);
    this.tagHead = encode(INDENT + dimOpen + '#');
    this.tagTail = encode(dimClose + ' ');
    this.sep = encode(on ? chalk.dim(' · ') : ' · ');
    this.comma = encode(on ? chalk.dim(', ') : ', ');
    const n = STATE_NAMES.length;
    this.changes = ['client', 'server'].map((who) => {
      const t: Uint8Array[] = [];
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          t.push(encode(on ? `${chalk.dim(who)} ${STATE_NAMES[a]} ${chalk.dim(arrow)} ${chalk.bold(STATE_NAMES[b])}` : `${who} ${STATE_NAMES[a]} ${arrow} ${STATE_NAMES[b]}`));
        }
      }
      return t;
    });
    // a change through a state on one packet: encoded the first time each one is met, as the
    // words are (no new bytes per packet)
    const viaBytes = new Map<number, Uint8Array>();
    this.changeVia = (side, a, v, v2, b2) => {
      const key = (((side * 16 + a) * 16 + v) * 16 + v2 + 1) * 16 + b2;
      let bytes = viaBytes.get(key);
      if (bytes === undefined) {
        const who = side === 0 ? 'client' : 'server';
        const through = v2 >= 0 ? [v, v2] : [v];
        bytes = encode(on ? `${chalk.dim(who)} ${STATE_NAMES[a]} ${through.map((x) => `${chalk.dim(arrow)} ${STATE_NAMES[x]} `).join('')}${chalk.dim(arrow)} ${chalk.bold(STATE_NAMES[b2])}`
          : `${who} ${STATE_NAMES[a]} ${through.map((x) => `${arrow} ${STATE_NAMES[x]} `).join('')}${arrow} ${STATE_NAMES[b2]}`);
        viaBytes.set(key, bytes);
      }
      return bytes;
    };
    this.inferredTag = encode(on ? chalk.dim(' (inferred)') : ' (inferred)');
    // a refusal shows the server was never listening: say so rather than "LISTEN → CLOSED"
    this.noListener = STATE_NAMES.map((state) => encode(`${on ? chalk.dim('server') : 'server'} ${state} (no listener)`));
    // a half-open connection's RST comes from a side that had lost it (rebooted, or its state
    // timed out): say so rather than "ESTABLISHED → CLOSED"
    this.lostState = ['client', 'server'].map((who) => STATE_NAMES.map((state) => encode(`${on ? chalk.dim(who) : who} ${state} (lost state)`)));
    this.words = Array.from({ length: Ev.COUNT + 1 }, () => new Map<number, Words>());
    this.view = new FlowView(tracker);
  }

  /** Write the annotation line for the packet just printed, if it did anything worth saying. */
  annotate(r: PacketResult, pkt: Packet): void {
    if (!mayHaveWords(r)) return;
    const out = this.out;
    out.reserve(LINE_ROOM);
    const end = this.put(out.buf, out.len, r, pkt);
    if (end >= 0) out.len = end;
  }

  /**
   * The annotation line for the packet just tracked, written at `buf[pos]` (at least LINE_ROOM
   * bytes free there): the position after it, `pos` when there is nothing to say. For text
   * made ahead of its packet's tcpdump line (the pipeline's window; Output.side).
   */
  annotateAt(buf: Buffer, pos: number, r: PacketResult, pkt: Packet): number {
    if (!mayHaveWords(r)) return pos;
    const end = this.put(buf, pos, r, pkt);
    return end >= 0 ? end : pos;
  }

  /** The annotation text (without newline), '' when there is nothing to say. */
  line(r: PacketResult, pkt: Packet): string {
    const end = this.put(this.scratch, 0, r, pkt);
    return end < 0 ? '' : this.scratch.toString('utf8', 0, end - 1);
  }

  /**
   * The line, newline included, written at `pos`: the position after it, or -1 when there is
   * nothing to say (then what was written there means nothing).
   */
  private put(buf: Buffer, pos: number, r: PacketResult, pkt: Packet): number {
    pos = putBytes(buf, pos, this.tagHead);
    const digitsAt = pos;
    pos = putUint(buf, pos, r.connId);
    // `#`, the digits and a space
    const tagWidth = pos - digitsAt + 2;
    pos = putBytes(buf, pos, this.tagTail);
    let width = 0;
    for (let i = 0; i < r.eventCount; i++) {
      const ev = r.events[i];
      const key = this.wordsKey(ev, r, pkt);
      if (key === NO_WORDS) continue;
      if (key === TIMED) {
        if (width > 0) { pos = putBytes(buf, pos, this.sep); width += 3; }
        const sev = EVENT_SEVERITY[ev];
        pos = putBytes(buf, pos, this.open[sev]);
        const from = pos;
        pos = this.putTimed(buf, pos, ev, r);
        // the timed words are ASCII: one byte per character
        width += pos - from;
        pos = putBytes(buf, pos, this.close[sev]);
        continue;
      }
      let w = key === UNCACHED ? undefined : this.words[ev].get(key);
      if (w === undefined) {
        const text = this.describe(ev, r, pkt);
        const sev = EVENT_SEVERITY[ev];
        w = { bytes: encode(text === '' ? '' : this.openText[sev] + text + this.closeText[sev]), width: text.length };
        if (key !== UNCACHED && this.words[ev].size < CACHE_LIMIT) this.words[ev].set(key, w);
      }
      if (w.width === 0) continue;
      if (width > 0) { pos = putBytes(buf, pos, this.sep); width += 3; }
      pos = putLong(buf, pos, w.bytes);
      width += w.width;
    }
    const clientMoved = r.clientBefore !== r.clientAfter;
    const serverMoved = r.serverBefore !== r.serverAfter;
    if (width === 0 && !clientMoved && !serverMoved) return -1;
    if (width === 0) {
      // a state change no step explains: never a line with no words
      const w = this.unexplained(r);
      pos = putLong(buf, pos, w.bytes);
      width = w.width;
    }
    if (clientMoved || serverMoved) {
      pos = putSpaces(buf, pos, Math.max(2, EVENT_WIDTH - width - tagWidth));
      if (clientMoved) {
        pos = putLong(buf, pos, this.sideChange(r, 0));
        if ((r.inferred & 1) !== 0) pos = putBytes(buf, pos, this.inferredTag);
      }
      if (serverMoved) {
        if (clientMoved) pos = putBytes(buf, pos, this.comma);
        pos = putLong(buf, pos, this.sideChange(r, 1));
        if ((r.inferred & 2) !== 0) pos = putBytes(buf, pos, this.inferredTag);
      }
    }
    buf[pos++] = 0x0a;
    return pos;
  }

  /**
   * One side's state change on this packet, as bytes: `who A → B`, through the states it passed
   * on the way (`who A → V → B`), or, when its state after is no move of its own stack, that
   * state and why (`who B (why)`, noMoveWhy).
   */
  private sideChange(r: PacketResult, side: number): Uint8Array {
    const after = side === 0 ? r.clientAfter : r.serverAfter;
    const why = this.noMoveWhy(r, side);
    if (why !== null) return why[after];
    const before = side === 0 ? r.clientBefore : r.serverBefore;
    const via = side === 0 ? r.clientVia : r.serverVia;
    return via >= 0 ? this.changeVia(side, before, via, side === 0 ? r.clientVia2 : r.serverVia2, after)
      : this.changes[side][before * STATE_NAMES.length + after];
  }

  /**
   * When a side's state after this packet is no move of its stack, the texts saying so (by
   * state), else null: a refused SYN's server never listened (`server CLOSED (no listener)`, not
   * `LISTEN → CLOSED`); a bare RST from a side without state for the connection comes from one
   * that had lost it (`client CLOSED (lost state)`, not `ESTABLISHED → CLOSED`).
   */
  private noMoveWhy(r: PacketResult, side: number): Uint8Array[] | null {
    if (side === 1 && r.has(Ev.REFUSED)) return this.noListener;
    if (r.has(Ev.RESET_NO_STATE) && (r.fromClient ? 0 : 1) === side) return this.lostState[side];
    return null;
  }

  /**
   * What an event's words depend on, as one number (the words are made once per value and
   * cached), or TIMED for the events that show a duration (written in pieces by putTimed),
   * UNCACHED for words too varied to keep, NO_WORDS for events that say nothing.
   */
  private wordsKey(ev: number, r: PacketResult, pkt: Packet): number {
    const s = r.fromClient ? 0 : 1;
    const t = this.tracker.table;
    switch (ev) {
      case Ev.SYN:
        return (((((pkt.optMss + 1) * 512 + (pkt.optWscale + 1)) * 8 + (pkt.optSackPermitted ? 4 : 0) +
          (pkt.optHasTimestamp ? 2 : 0) + (pkt.optHasFastOpen ? 1 : 0)) * 8 + (pkt.optHasMd5 ? 4 : 0) + (pkt.optCut ? 2 : 0) +
          (isEcnSetup(pkt.tcpFlags) ? 1 : 0)) * 2) + s;
      case Ev.ECN_ECHO:
        // whether it repeats an ACK, and whether the peer has data outstanding (then it may count toward fast retransmit)
        return ((r.has(Ev.DUP_ACK) ? 2 : 0) + (t.u32[r.conn * ROW_W + W.NEXT_SEQ + (s ^ 1)] !== pkt.ack ? 1 : 0)) * 2 + s;
      case Ev.SYN_ACK:
      case Ev.HANDSHAKE_DONE:
      case Ev.SYN_RETRANSMIT:
      case Ev.SYNACK_RETRANSMIT:
      case Ev.FIN_RETRANSMIT:
      case Ev.RESET_NO_STATE:
        return TIMED;
      case Ev.SIMULTANEOUS_SYNACK:
        return r.has(Ev.HANDSHAKE_DONE) ? NO_WORDS : s;
      case Ev.SYN_WITH_DATA:
        return (pkt.payloadLength * 2 + (pkt.optHasFastOpen ? 1 : 0)) * 2 + s;
      case Ev.REFUSED:
        return t.u16[r.conn * ROW_H + H.S_PORT];
      case Ev.ACK_NOT_ACCEPTABLE:
        return UNCACHED;
      case Ev.PORT_REUSE:
      case Ev.CONNECT_RETRY:
        return UNCACHED;
      case Ev.MIDSTREAM:
        return (t.u32[r.conn * ROW_W + W.CONN_FLAGS] & CF.SYNACK_FIRST) !== 0 ? 1 : 0;
      case Ev.FIN_ACKED:
        return (((t.u32[r.conn * ROW_W + W.CONN_FLAGS] & CF.SERVER_CLOSED_FIRST) !== 0 ? 8 : 0) + (r.finAcked & 3) * 2) + s;
      case Ev.DUP_ACK:
        return r.dupAckNum;
      case Ev.RST_WITH_DATA:
        return pkt.payloadLength;
      case Ev.WINDOW_FULL:
        // once per run of the sender's segments that each fill the window (Wireshark flags each
        // one; a reader needs the first: the counts are in the flow record's events)
        return r.windowStillFull ? NO_WORDS : s;
      case Ev.FIN_INFERENCE_WITHDRAWN:
        // whose FIN: the sender's peer's (one direction, r.inferred set) or the sender's own
        return (r.inferred !== 0 ? 2 : 0) + s;
      case Ev.ECN_UNNEGOTIATED:
        // which of ECE and CWR it sets, and which side declined ECN
        return ((((pkt.tcpFlags & TCP_ECE) !== 0 ? 1 : 0) + ((pkt.tcpFlags & TCP_CWR) !== 0 ? 2 : 0)) * 2 +
          ((t.u32[r.conn * ROW_W + W.CONN_FLAGS] & CF.ECN_DECLINED) !== 0 ? 1 : 0)) * 2 + s;
      default:
        // the rest say the same for the same event and side
        return s;
    }
  }

  /** The words of an event that shows a duration, as bytes (ASCII) without colour. */
  private putTimed(buf: Buffer, pos: number, ev: number, r: PacketResult): number {
    const t = this.tracker.table;
    const c = r.conn;
    const s = r.fromClient ? 0 : 1;
    switch (ev) {
      case Ev.SYN_ACK: {
        const f = t.f64, d = c * ROW_D;
        if (s === 1) {
          pos = putLong(buf, pos, SYNACK_SERVER);
          // no "after" when unknown or the capture's clock stepped back (the JSON's null rtt_server)
          const after = timeBetween(f[d + D.SYN_T], f[d + D.SYNACK_T]);
          if (after >= 0) pos = putDuration(buf, putBytes(buf, pos, AFTER), after);
        } else pos = putBytes(buf, pos, SYNACK_CLIENT);
        return putLong(buf, pos, this.negotiated(c));
      }
      case Ev.HANDSHAKE_DONE:
        pos = putLong(buf, pos, ((t.u32[c * ROW_W + W.CONN_FLAGS] & CF.SIMULTANEOUS) !== 0 ? DONE_SIMULTANEOUS : DONE)[s]);
        if (r.rtt >= 0) pos = putDuration(buf, putBytes(buf, pos, RTT), r.rtt);
        return pos;
      case Ev.SYN_RETRANSMIT:
      case Ev.SYNACK_RETRANSMIT:
      case Ev.FIN_RETRANSMIT:
        pos = putBytes(buf, pos, ev === Ev.SYN_RETRANSMIT ? SYN_RETRANSMITTED : ev === Ev.SYNACK_RETRANSMIT ? SYNACK_RETRANSMITTED : FIN_RETRANSMITTED);
        pos = putUint(buf, pos, r.ordinal);
        // no "after" when the capture's clock stepped back since the previous transmission (as --json=packets omits it)
        if (r.interval < 0) { buf[pos++] = 0x29; return pos; } // ')'
        return putDuration(buf, putBytes(buf, pos, RETRANSMIT_AFTER), r.interval);
      case Ev.RESET_NO_STATE:
        pos = putLong(buf, pos, HALF_OPEN[s]);
        if (r.idle >= 0) pos = putBytes(buf, putDuration(buf, putBytes(buf, pos, COMMA), r.idle), AFTER_LAST_PACKET);
        buf[pos++] = 0x29; // ')'
        return pos;
      default:
        return pos;
    }
  }

  /**
   * Words for a state change without an event (cached by side and change). The one case known:
   * a client ACK of a SYN-ACK that was not captured (a filter such as `src host A` hides the
   * server's packets, or the capture is asymmetric): the client's state proves the answer.
   */
  private unexplained(r: PacketResult): Words {
    const s = r.fromClient ? 0 : 1;
    const before = s === 0 ? r.clientBefore : r.serverBefore, after = s === 0 ? r.clientAfter : r.serverAfter;
    const key = (s * 64 + before) * 64 + after;
    let w = this.unexplainedWords.get(key);
    if (w === undefined) {
      const who = role(s), peer = role(s ^ 1);
      const text = before === TcpState.SYN_SENT && after === TcpState.ESTABLISHED
        ? `${who} ACKs a ${peer} SYN-ACK the capture did not show (${peer}'s packets not seen)`
        : `a state change the captured packets do not explain (the ${peer}'s packets not seen?)`;
      w = { bytes: encode(this.openText[2] + text + this.closeText[2]), width: text.length };
      this.unexplainedWords.set(key, w);
    }
    return w;
  }

  /** `; negotiated wscale 7/7, SACK, TS` once both SYNs are known, as bytes (cached). */
  private negotiated(c: number): Uint8Array {
    const t = this.tracker.table;
    const b = c * ROW_BYTES, h = c * ROW_H;
    const both = t.u16[h + H.EP_FLAGS] & t.u16[h + H.EP_FLAGS + 1];
    // (with the ECN-setup and options-cut bits of both sides)
    const key = ((((t.i8[b + B.WSCALE] + 128) * 256 + (t.i8[b + B.WSCALE + 1] + 128)) * 2 + ((both & EF.SACK_OK) !== 0 ? 1 : 0)) * 2 +
      ((both & EF.TIMESTAMPS) !== 0 ? 1 : 0)) * 16 + ((t.u32[c * ROW_W + W.CONN_FLAGS] >>> 19) & 15);
    let bytes = this.negotiatedBytes.get(key);
    if (bytes === undefined) {
      bytes = encode(negotiated(this.view.bind(c, 0)));
      this.negotiatedBytes.set(key, bytes);
    }
    return bytes;
  }

  /** Words for one event of the current packet ('' to say nothing), for the events wordsKey caches. */
  private describe(ev: number, r: PacketResult, pkt: Packet): string {
    const t = this.tracker.table;
    const c = r.conn;
    const s = r.fromClient ? 0 : 1;
    const who = role(s);
    const peer = role(s ^ 1);
    switch (ev) {
      case Ev.SYN:
        return s === 0 ? `handshake 1/3: client SYN${synOptions(pkt)}` : `server SYN${synOptions(pkt)}`;
      case Ev.SIMULTANEOUS_OPEN:
        // the first SYN was announced as 1/3: a crossing SYN makes it a four-segment handshake
        // (SYN, SYN, SYN-ACK, SYN-ACK), numbered so from here
        return `handshake 2/4: ${who} SYN crosses the ${peer}'s, a simultaneous open (4 segments, not 3)`;
      case Ev.SIMULTANEOUS_SYNACK:
        return r.has(Ev.HANDSHAKE_DONE) ? '' : `handshake 3/4: ${who} SYN-ACK`;
      case Ev.SYN_WITH_DATA:
        return `SYN carries ${pkt.payloadLength} bytes of data${pkt.optHasFastOpen ? ' (TCP Fast Open)' : ''}`;
      case Ev.SYNACK_BAD_ACK:
        return 'SYN-ACK acknowledges another ISN than the SYN\'s';
      case Ev.REFUSED:
        return `refused: RST answers the SYN (nothing listens on port ${t.u16[c * ROW_H + H.S_PORT]})`;
      case Ev.HANDSHAKE_RESET:
        return `${who} resets the handshake`;
      case Ev.PORT_REUSE:
        return `new connection on the 4-tuple of #${r.reusedFrom} (port reuse)`;
      case Ev.CONNECT_RETRY:
        return `connect retried: new SYN on the 4-tuple of #${r.reusedFrom}, ${r.retryOf === RetryOf.REFUSED ? 'which was refused'
          : r.retryOf === RetryOf.HANDSHAKE_RESET ? 'whose handshake was reset' : 'which was never established'} (not port reuse)`;
      case Ev.MIDSTREAM:
        return (t.u32[c * ROW_W + W.CONN_FLAGS] & CF.SYNACK_FIRST) !== 0
          ? 'client SYN not captured' : 'capture starts mid-connection: both ends taken as ESTABLISHED';
      case Ev.FIN_ACTIVE:
        return `close: ${who} FIN 1/2 (active close)`;
      case Ev.FIN_PASSIVE:
        return `close: ${who} FIN 2/2 (passive close)`;
      case Ev.SIMULTANEOUS_CLOSE:
        return `close: ${who} FIN 2/2 crosses FIN 1/2 (simultaneous close)`;
      case Ev.FIN_ACKED: {
        // which FIN: the first one belongs to the active closer
        const firstBy = (t.u32[c * ROW_W + W.CONN_FLAGS] & CF.SERVER_CLOSED_FIRST) !== 0 ? 2 : 1;
        const acked: string[] = [];
        if (r.finAcked & firstBy) acked.push('1/2');
        if (r.finAcked & (3 ^ firstBy)) acked.push('2/2');
        return `${who} ACKs FIN ${acked.join(' and ')}`;
      }
      case Ev.CLOSE_DONE:
        return 'connection closed';
      case Ev.FIN_UNSEEN:
        return `this ACK covers a ${peer} FIN the capture missed`;
      case Ev.HALF_CLOSE:
        return `half-close: ${who} still sends after the ${peer}'s FIN`;
      case Ev.DATA_AFTER_FIN:
        return `${who} sends data after its own FIN`;
      case Ev.RESET:
        return `${who} aborts the connection (RST)`;
      case Ev.RESET_AFTER_CLOSE:
        return `${who} resets after its close (data kept coming)`;
      case Ev.RESET_AFTER_FULL_CLOSE:
        return (s === 0 ? r.serverBefore : r.clientBefore) === TcpState.TIME_WAIT
          ? `${who} RST into the ${peer}'s TIME_WAIT after a complete close: nothing aborted (TIME_WAIT ends early; RFC 1337 would ignore it)`
          : `${who} RST after a complete close: nothing aborted`;
      case Ev.RESET_IGNORED:
        // into SYN_SENT the test is the ACK, not the window (RFC 9293 §3.10.7.3)
        return (s === 0 ? r.serverBefore : r.clientBefore) === TcpState.SYN_SENT
          ? `RST whose ACK does not acknowledge the ${peer}'s SYN: ignored, RFC 9293 3.10.7.3`
          : `RST out of the ${peer}'s window: ignored`;
      case Ev.RESET_REPEAT:
        return 'another RST';
      case Ev.RST_WITH_DATA:
        return `RST carries ${pkt.payloadLength} bytes`;
      case Ev.DATA_AFTER_RESET:
        return 'data after the reset';
      case Ev.RETRANSMISSION:
        return 'retransmission';
      case Ev.FAST_RETRANSMISSION:
        return 'fast retransmission';
      case Ev.SPURIOUS_RETRANSMISSION:
        return 'spurious retransmission (already acknowledged)';
      case Ev.OUT_OF_ORDER:
        return 'out of order';
      case Ev.LOST_SEGMENT:
        return 'previous segment not captured';
      case Ev.ACK_UNSEEN:
        return 'ACKs data the capture never showed';
      case Ev.DUP_ACK:
        return `duplicate ACK #${r.dupAckNum}`;
      case Ev.KEEPALIVE:
        return 'keep-alive';
      case Ev.KEEPALIVE_ACK:
        return 'keep-alive ACK';
      case Ev.ZERO_WINDOW:
        return `zero window: ${who} cannot take more data`;
      case Ev.ZERO_WINDOW_PROBE:
        return 'zero-window probe';
      case Ev.ZERO_WINDOW_PROBE_ACK:
        return 'zero-window probe ACK: window still 0';
      case Ev.WINDOW_UPDATE:
        return 'window update';
      case Ev.WINDOW_FULL:
        return `${peer}'s window is full`;
      case Ev.BAD_CHECKSUM:
        return 'bad checksum: the receiver drops it';
      case Ev.ECN_ECHO: {
        // RFC 3168 6.1.2: the sender reduces its window once per window of data for it. An ACK
        // repeated only to carry ECE is no loss signal when nothing is outstanding (RFC 5681's
        // duplicate ACK needs outstanding data; Wireshark's does not)
        const text = 'ECN-Echo (congestion experienced)';
        if (!r.has(Ev.DUP_ACK)) return text;
        return t.u32[c * ROW_W + W.NEXT_SEQ + (s ^ 1)] !== pkt.ack
          ? `${text} on a duplicate ACK: the ${peer} reduces its window for the congestion`
          : `${text}: the ACK is repeated to echo congestion, not loss (no data outstanding)`;
      }
      case Ev.CWR:
        return 'CWR (window reduced): answers the ECN-Echo';
      case Ev.ECN_UNNEGOTIATED: {
        const ece = (pkt.tcpFlags & TCP_ECE) !== 0, cwr = (pkt.tcpFlags & TCP_CWR) !== 0;
        const why = (t.u32[c * ROW_W + W.CONN_FLAGS] & CF.ECN_DECLINED) !== 0 ? 'the client\'s SYN did not offer it' : 'the server\'s SYN-ACK declined it';
        return `${who} sets ${ece && cwr ? 'ECE and CWR' : ece ? 'ECE' : 'CWR'}, yet ECN was not negotiated (${why}): no ECT packet to mark (RFC 3168 §6.1.1)`;
      }
      case Ev.ACK_NOT_ACCEPTABLE: {
        // the receiver's ISS and SND.NXT, as the tracker judged them (the segment changed neither)
        const p = s ^ 1;
        const sndNxt = t.sendNext(c, p);
        const first = (t.u32[c * ROW_W + W.ISN + p] + 1) >>> 0;
        const st = p === 0 ? r.clientBefore : r.serverBefore;
        return `ACK not acceptable to the ${peer} in ${STATE_NAMES[st]} (ack ${pkt.ack}, expected ${first === sndNxt ? first : `${first}..${sndNxt}`}): ` +
          `discarded, RFC 9293 ${st === TcpState.SYN_SENT ? '3.10.7.3' : '3.10.7.4'}`;
      }
      case Ev.PEER_UNSEEN:
        return `none of the ${peer}'s packets captured, yet the ${who} ACKs data from it (one direction only)`;
      case Ev.FIN_INFERENCE_WITHDRAWN:
        // inferred set: one direction captured, the sender's ACK went beyond its peer's inferred
        // FIN (withdrawOneSidedFin); else the side whose FIN was inferred sent beyond it (undoInferredFin)
        return r.inferred !== 0
          ? `this ACK goes beyond the ${peer} FIN inferred earlier: that octet was data, not a FIN (inference withdrawn)`
          : `${who} sends beyond the FIN inferred earlier for it: it was no FIN (inference withdrawn)`;
      default:
        return '';
    }
  }
}

/** wordsKey: the event shows a duration (putTimed), its words are not cached, it says nothing */
const TIMED = -1;
const UNCACHED = -2;
const NO_WORDS = -3;

// the constant parts of the words of events that show a duration (putTimed), by side where they differ
const SYNACK_SERVER = encode('handshake 2/3: server SYN-ACK');
const SYNACK_CLIENT = encode('client SYN-ACK');
const AFTER = encode(' after ');
const DONE = [encode('handshake 3/3: client ACK'), encode('handshake 3/3: server ACK')];
const DONE_SIMULTANEOUS = [encode('handshake 4/4: client SYN-ACK'), encode('handshake 4/4: server SYN-ACK')];
const RTT = encode(', RTT ');
const SYN_RETRANSMITTED = encode('SYN retransmitted (#');
const SYNACK_RETRANSMITTED = encode('SYN-ACK retransmitted (#');
const FIN_RETRANSMITTED = encode('FIN retransmitted (#');
const RETRANSMIT_AFTER = encode(') after ');
const HALF_OPEN = ['client', 'server'].map((who) => encode(`half-open: ${who} lost the connection (bare RST, seq = the ACK it answers`));
const COMMA = encode(', ');
const AFTER_LAST_PACKET = encode(' after its last packet');

/** ` (mss 1460, wscale 7, sackOK, TS)` from a SYN's options, '' when it has none. */
function synOptions(pkt: Packet): string {
  const o: string[] = [];
  if (pkt.optMss >= 0) o.push(`mss ${pkt.optMss}`);
  if (pkt.optWscale >= 0) o.push(`wscale ${pkt.optWscale}`);
  if (pkt.optSackPermitted) o.push('sackOK');
  if (pkt.optHasTimestamp) o.push('TS');
  if (pkt.optHasFastOpen) o.push('TFO');
  if (pkt.optHasMd5) o.push('TCP-MD5');
  if (isEcnSetup(pkt.tcpFlags)) o.push('ECN');
  // what the snap length cut is unknown: say so rather than let a missing option read as absent
  if (pkt.optCut) return o.length > 0 ? ` (${o.join(', ')}; options cut by the snaplen)` : ' (options cut by the snaplen)';
  return o.length > 0 ? ` (${o.join(', ')})` : '';
}

/** `; negotiated wscale 7/7, SACK, TS` once both SYNs are known (what the flow record says). */
function negotiated(view: FlowView): string {
  const oc = view.options(0), os = view.options(1);
  if (oc === null || os === null) return '';
  const n = negotiatedOf(oc, os);
  const o: string[] = [];
  // an option a side did not show is unknown when the snap length cut that side's options
  const unknown: string[] = [];
  if (n.window_scaling === true) o.push(`wscale ${oc.wscale}/${os.wscale}`);
  else if (n.window_scaling === false) o.push('no window scaling');
  else unknown.push('window scaling');
  for (const [agreed, name] of [[n.sack, 'SACK'], [n.timestamps, 'TS']] as const) {
    if (agreed === true) o.push(name);
    else if (agreed === null) unknown.push(name);
  }
  if (n.ecn) o.push('ECN');
  const cut = unknown.length > 0 ? `${o.length > 0 ? '; ' : ': '}${unknown.join(', ')} unknown (options cut by the snaplen)` : '';
  return `; negotiated${o.length > 0 ? ' ' : ''}${o.join(', ')}${cut}`;
}
