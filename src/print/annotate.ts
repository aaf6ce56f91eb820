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
import type { ChalkInstance } from 'chalk';
import type { Packet } from '../decode/packet.js';
import { EVENT_SEVERITY, Ev } from '../track/events.js';
import type { PacketResult } from '../track/result.js';
import { STATE_NAMES } from '../track/states.js';
import { B, CF, D, EF, H, ROW_BYTES, ROW_D, ROW_H, ROW_W, W } from '../track/table.js';
import type { Tracker } from '../track/tracker.js';
import type { Output } from './output.js';

/** Indentation of annotation lines under tcpdump's line. */
const INDENT = '    ';
/** Width the event text is padded to, so state changes line up. */
const EVENT_WIDTH = 62;
const SPACES = ' '.repeat(EVENT_WIDTH);

/** A duration for people: 0.200 ms, 12.3 ms, 1.000 s, 120.0 s, 7200 s. */
export function formatDuration(sec: number): string {
  if (sec < 0.001) return `${(sec * 1e3).toFixed(3)} ms`;
  if (sec < 1) return `${(sec * 1e3).toFixed(1)} ms`;
  if (sec < 10) return `${sec.toFixed(3)} s`;
  if (sec < 1000) return `${sec.toFixed(1)} s`;
  return `${Math.round(sec)} s`;
}

function role(s: number): string {
  return s === 0 ? 'client' : 'server';
}

export class Annotator {
  /** state-change texts, [side][from * 11 + to], coloured as configured */
  private readonly changes: string[][];
  private readonly sep: string;
  private readonly comma: string;
  private readonly paint: Array<(s: string) => string>;
  private readonly tagPaint: (s: string) => string;

  /**
   * `arrow`: between the states of a change (`client SYN_SENT → ESTABLISHED`), the same on a
   * terminal, a pipe or a file (Output encodes each line on its own, so the arrow's line alone
   * is a two-byte string: it costs ~5% on a capture annotating every other packet).
   */
  constructor(private readonly out: Output, private readonly tracker: Tracker, private readonly chalk: ChalkInstance,
    arrow = '→') {
    const on = chalk.level > 0;
    const id = (x: string): string => x;
    this.tagPaint = on ? (x) => chalk.dim(x) : id;
    // by severity: info, step, warning, error
    this.paint = on ? [(x) => chalk.cyan(x), (x) => chalk.green(x), (x) => chalk.yellow(x), (x) => chalk.red(x)] : [id, id, id, id];
    this.sep = on ? chalk.dim(' · ') : ' · ';
    this.comma = on ? chalk.dim(', ') : ', ';
    const n = STATE_NAMES.length;
    this.changes = ['client', 'server'].map((who) => {
      const t: string[] = [];
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          t.push(on ? `${chalk.dim(who)} ${STATE_NAMES[a]} ${chalk.dim(arrow)} ${chalk.bold(STATE_NAMES[b])}` : `${who} ${STATE_NAMES[a]} ${arrow} ${STATE_NAMES[b]}`);
        }
      }
      return t;
    });
  }

  /** Write the annotation line for the packet just printed, if it did anything worth saying. */
  annotate(r: PacketResult, pkt: Packet): void {
    if (!r.tcp) return;
    if (r.eventCount === 0 && r.clientBefore === r.clientAfter && r.serverBefore === r.serverAfter) return;
    const line = this.line(r, pkt);
    if (line !== '') this.out.write(line + '\n');
  }

  /** The annotation text (without newline), '' when there is nothing to say. */
  line(r: PacketResult, pkt: Packet): string {
    let text = '';
    let plainLen = 0;
    for (let i = 0; i < r.eventCount; i++) {
      const ev = r.events[i];
      const d = this.describe(ev, r, pkt);
      if (d === '') continue;
      if (plainLen > 0) { text += this.sep; plainLen += 3; }
      text += this.paint[EVENT_SEVERITY[ev]](d);
      plainLen += d.length;
    }
    const n = STATE_NAMES.length;
    let changes = '';
    if (r.clientBefore !== r.clientAfter) changes = this.changes[0][r.clientBefore * n + r.clientAfter];
    if (r.serverBefore !== r.serverAfter) {
      if (changes !== '') changes += this.comma;
      // a refusal shows the server was never listening: say so rather than "LISTEN → CLOSED"
      changes += r.has(Ev.REFUSED) ? `${this.chalk.level > 0 ? this.chalk.dim('server') : 'server'} ${STATE_NAMES[r.serverAfter]} (no listener)`
        : this.changes[1][r.serverBefore * n + r.serverAfter];
    }
    if (plainLen === 0 && changes === '') return '';
    const tag = '#' + r.connId;
    plainLen += tag.length + 1;
    let s = INDENT + this.tagPaint(tag) + ' ' + text;
    if (changes !== '') s += SPACES.slice(0, Math.max(2, EVENT_WIDTH - plainLen)) + changes;
    return s;
  }

  /** Words for one event of the current packet ('' to say nothing). */
  private describe(ev: number, r: PacketResult, pkt: Packet): string {
    const t = this.tracker.table;
    const c = r.conn;
    const s = r.fromClient ? 0 : 1;
    const who = role(s);
    const peer = role(s ^ 1);
    switch (ev) {
      case Ev.SYN:
        return s === 0 ? `handshake 1/3: client SYN${synOptions(pkt)}` : `server SYN${synOptions(pkt)}`;
      case Ev.SYN_ACK: {
        const f = t.f64, d = c * ROW_D;
        const after = f[d + D.SYN_T] > 0 && s === 1 ? ` after ${formatDuration(f[d + D.SYNACK_T] - f[d + D.SYN_T])}` : '';
        const head = s === 1 ? `handshake 2/3: server SYN-ACK${after}` : 'client SYN-ACK';
        return head + negotiated(this.tracker, c);
      }
      case Ev.HANDSHAKE_DONE: {
        const rtt = r.rtt >= 0 ? `, RTT ${formatDuration(r.rtt)}` : '';
        if ((t.u32[c * ROW_W + W.CONN_FLAGS] & CF.SIMULTANEOUS) !== 0) return `handshake 4/4: ${who} SYN-ACK${rtt}`;
        return `handshake 3/3: ${who} ACK${rtt}`;
      }
      case Ev.SIMULTANEOUS_OPEN:
        return `simultaneous open: ${who} SYN crosses the ${peer}'s (handshake 2/4)`;
      case Ev.SIMULTANEOUS_SYNACK:
        return r.has(Ev.HANDSHAKE_DONE) ? '' : `handshake 3/4: ${who} SYN-ACK`;
      case Ev.SYN_RETRANSMIT:
        return `SYN retransmitted (#${r.ordinal}) after ${formatDuration(r.interval)}`;
      case Ev.SYNACK_RETRANSMIT:
        return `SYN-ACK retransmitted (#${r.ordinal}) after ${formatDuration(r.interval)}`;
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
      case Ev.FIN_RETRANSMIT:
        return `FIN retransmitted (#${r.ordinal}) after ${formatDuration(r.interval)}`;
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
      case Ev.RESET_NO_STATE: {
        const idle = r.idle >= 0 ? `, ${formatDuration(r.idle)} after its last packet` : '';
        return `half-open: ${who} lost the connection (bare RST, seq = the ACK it answers${idle})`;
      }
      case Ev.RESET_IGNORED:
        return `RST out of the ${peer}'s window: ignored`;
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
      default:
        return '';
    }
  }
}

/** ` (mss 1460, wscale 7, sackOK, TS)` from a SYN's options, '' when it has none. */
function synOptions(pkt: Packet): string {
  const o: string[] = [];
  if (pkt.optMss >= 0) o.push(`mss ${pkt.optMss}`);
  if (pkt.optWscale >= 0) o.push(`wscale ${pkt.optWscale}`);
  if (pkt.optSackPermitted) o.push('sackOK');
  if (pkt.optHasTimestamp) o.push('TS');
  if (pkt.optHasFastOpen) o.push('TFO');
  return o.length > 0 ? ` (${o.join(', ')})` : '';
}

/** `; negotiated wscale 7/7, SACK, TS` once both SYNs are known. */
function negotiated(tracker: Tracker, c: number): string {
  const t = tracker.table;
  const b = c * ROW_BYTES, h = c * ROW_H;
  const wc = t.i8[b + B.WSCALE], ws = t.i8[b + B.WSCALE + 1];
  if (wc === -1 || ws === -1) return '';
  const fc = t.u16[h + H.EP_FLAGS], fs = t.u16[h + H.EP_FLAGS + 1];
  const o: string[] = [];
  o.push(wc >= 0 && ws >= 0 ? `wscale ${wc}/${ws}` : 'no window scaling');
  if ((fc & fs & EF.SACK_OK) !== 0) o.push('SACK');
  if ((fc & fs & EF.TIMESTAMPS) !== 0) o.push('TS');
  return `; negotiated ${o.join(', ')}`;
}
