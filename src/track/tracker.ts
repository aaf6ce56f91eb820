/**
 * The connection tracker: follows every TCP connection from its packets alone.
 *
 * For each TCP segment, `track(pkt)`:
 *  1. finds the connection in the flow table by its 4-tuple, or starts one (a new SYN on a
 *     finished 4-tuple, or a SYN with a new ISN, starts a new incarnation: port reuse);
 *  2. verifies checksums (a segment with a wrong one is dropped by its receiver, so it only
 *     counts and is annotated);
 *  3. feeds Zeek's state machine and history letters (zeek.ts);
 *  4. runs tshark's sequence analysis (retransmission, fast retransmission, duplicate ACK,
 *     out-of-order, ACK of unseen data, keep-alive, zero window, ...);
 *  5. infers both endpoints' RFC 793 states: it turns the segment's flags and its sequence and
 *     acknowledgement numbers (compared wrap-safely) into endpoint events and applies them
 *     through `transition()` (states.ts), and classifies the handshake, the teardown and resets.
 *
 * Connections end (their flow record is handed to `onFlowEnd`, and their row is freed) when
 * they have been finished for 2×MSL of capture time, when they stay idle past their timeout,
 * when a new connection takes their 4-tuple, when `maxFlows` forces an eviction, or at
 * `finish()`. No flow record is ever dropped.
 */
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { Layer, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import { ipv4HeaderChecksumOk, tcpChecksumOk } from './checksum.js';
import { EVENT_ANOMALY, Ev } from './events.js';
import { FlowView } from './flow.js';
import { PacketResult } from './result.js';
import { seqGT, seqInWindow, seqLE, seqLT } from './seq.js';
import { EndpointEvent, isSynchronized, TcpState, transition } from './states.js';
import { CF, Ctr, EF, FlowTable, flowHash, IdleClass, LSF, MAX_INTERVALS } from './table.js';
import { zeekChecksumError, zeekGap, zeekSegment } from './zeek.js';

export type ChecksumPolicy = 'off' | 'control' | 'all';

export interface TrackerOptions {
  /** maximum segment lifetime in seconds; TIME_WAIT (and the linger of finished connections) lasts 2×MSL. Default 60 (Linux). */
  mslSeconds?: number;
  /** cap on live connections; the longest idle is evicted (and reported) to make room. 0 = no cap. */
  maxFlows?: number;
  /**
   * Which segments have their checksums verified: 'all', 'control' (segments without payload
   * and SYN/FIN/RST: those that move states; cheap), or 'off' (-K). Default 'control'.
   */
  checksums?: ChecksumPolicy;
  /** a handshake silent this long is over. Default 135 s (Linux gives up a SYN after ~131 s). */
  handshakeIdleSeconds?: number;
  /** an open connection silent this long is reported and dropped. Default 8100 s (2 h 15 min: longer than a default keep-alive cycle). */
  openIdleSeconds?: number;
  /** called with each connection as it ends; the view is valid only during the call */
  onFlowEnd?: (flow: FlowView) => void;
}

/** Why a flow record was emitted. */
export const enum EndReason {
  /** finished (closed or reset) and lingered 2×MSL */
  CLOSED = 0,
  /** idle past its timeout */
  IDLE = 1,
  /** evicted to respect maxFlows */
  EVICTED = 2,
  /** a new connection took its 4-tuple */
  REUSED = 3,
  /** end of input */
  END = 4,
}
export const END_REASON_NAMES: readonly string[] = ['closed', 'idle', 'evicted', 'reused', 'end-of-input'];

/** Totals over the whole run (the summary record). */
export interface TrackerStats {
  packets: number;
  tcpPackets: number;
  connections: number;
  evicted: number;
  expired: number;
  peakConnections: number;
  badChecksums: number;
}

const DEFAULT_MSL = 60;
const DEFAULT_HANDSHAKE_IDLE = 135;
const DEFAULT_OPEN_IDLE = 8100;

/** Wireshark's out-of-order threshold when the handshake RTT is unknown (3 ms). */
const OOO_DEFAULT_THRESHOLD = 0.003;
/** Wireshark: a fast retransmission follows the peer's last dup ACK within 20 ms. */
const FAST_RETRANSMIT_WINDOW = 0.020;

export class Tracker {
  readonly table: FlowTable;
  readonly stats: TrackerStats = { packets: 0, tcpPackets: 0, connections: 0, evicted: 0, expired: 0, peakConnections: 0, badChecksums: 0 };
  /** the result of the last `track()` (reused) */
  readonly result = new PacketResult();

  private readonly twoMsl: number;
  private readonly timeouts: Float64Array;
  private readonly maxFlows: number;
  private readonly checksumMode: number; // 0 off, 1 control, 2 all
  private readonly onFlowEnd: ((flow: FlowView) => void) | undefined;
  private readonly view: FlowView;
  private nextSerial = 1;
  private nextExpiryCheck = -Infinity;
  /** capture time of the latest packet */
  now = 0;

  // the current segment's 4-tuple (module-level scratch would do too; fields keep it re-entrant)
  private k0 = 0; private k1 = 0; private k2 = 0; private k3 = 0; private kp = 0;
  private j0 = 0; private j1 = 0; private j2 = 0; private j3 = 0; private jp = 0;
  private kFam = 0;

  constructor(opts: TrackerOptions = {}) {
    this.table = new FlowTable();
    const msl = opts.mslSeconds ?? DEFAULT_MSL;
    this.twoMsl = 2 * msl;
    this.timeouts = new Float64Array([
      opts.handshakeIdleSeconds ?? DEFAULT_HANDSHAKE_IDLE,
      opts.openIdleSeconds ?? DEFAULT_OPEN_IDLE,
      this.twoMsl,
    ]);
    this.maxFlows = opts.maxFlows ?? 0;
    const cm = opts.checksums ?? 'control';
    this.checksumMode = cm === 'off' ? 0 : cm === 'all' ? 2 : 1;
    this.onFlowEnd = opts.onFlowEnd;
    this.view = new FlowView(this);
  }

  /** Live connections in the table. */
  get liveConnections(): number {
    return this.table.size;
  }

  /** A view of live connection row `c` (reused: read it before the next call). */
  flow(c: number): FlowView {
    return this.view.bind(c, EndReason.END);
  }

  // =============================================================================================
  // per packet
  // =============================================================================================

  /** Follow one decoded packet. Returns the (reused) result. */
  track(pkt: Packet): PacketResult {
    const r = this.result;
    r.reset();
    const t = this.table;
    this.stats.packets++;
    const f = pkt.frame;
    const now = f.tsSec + f.tsNsec * 1e-9;
    if (now > this.now) this.now = now;
    if (now >= this.nextExpiryCheck) {
      this.expire(now);
      this.nextExpiryCheck = now + 1;
    }
    if (!this.readKey(pkt)) return r;
    this.stats.tcpPackets++;

    const flags = pkt.tcpFlags;
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const seq = pkt.seq;
    const ack = pkt.ack;
    // payload length from the IP length even when the options were cut by the snap length
    const len = pkt.layer >= Layer.Transport ? pkt.payloadLength : Math.max(0, pkt.ipPayloadLength - pkt.tcpHeaderLength);

    const fam = this.kFam;
    const h = flowHash(fam, this.k0, this.k1, this.k2, this.k3, this.kp, this.j0, this.j1, this.j2, this.j3, this.jp);
    let c = t.find(h, fam, this.k0, this.k1, this.k2, this.k3, this.kp, this.j0, this.j1, this.j2, this.j3, this.jp);
    let fromClient = c >= 0 && this.isClientSide(c);
    let reused = false;
    if (c >= 0 && syn && !hasAck && !rst && this.startsNewIncarnation(c, fromClient, seq)) {
      this.endFlow(c, EndReason.REUSED);
      c = -1;
      reused = true;
    }
    if (c < 0) {
      if (this.maxFlows > 0 && t.size >= this.maxFlows) this.evictOne();
      c = this.create(h, flags, ack, f);
      fromClient = this.isClientSide(c);
      if (reused) {
        t.connFlags[c] |= CF.PORT_REUSE;
        this.raise(c, Ev.PORT_REUSE);
      }
    }

    const e = fromClient ? 2 * c : 2 * c + 1;
    const p = e ^ 1;
    r.tcp = true;
    r.conn = c;
    r.connId = t.serial[c];
    r.fromClient = fromClient;
    r.clientBefore = t.state[2 * c];
    r.serverBefore = t.state[2 * c + 1];

    // ---- bookkeeping ------------------------------------------------------------------------
    const prevSenderT = t.epLastT[e];
    t.packets[e]++;
    t.bytes[e] += len;
    t.lastT[c] = now;
    t.lastSec[c] = f.tsSec;
    t.lastNsec[c] = f.tsNsec;
    t.lastPkt[c] = f.number;
    t.epLastT[e] = now;
    // the peer of a side that keeps resending without answer is heard from again
    t.unanswered[p] = 0;

    // ---- checksums ----------------------------------------------------------------------------
    if (this.checksumMode !== 0 && (this.checksumMode === 2 || len === 0 || (flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0)) {
      const ipOk = ipv4HeaderChecksumOk(pkt);
      const tcpOk = ipOk && tcpChecksumOk(pkt);
      if (!ipOk || !tcpOk) {
        this.stats.badChecksums++;
        if (!tcpOk && ipOk) zeekChecksumError(t, c, e);
        t.count(c, Ctr.BAD_CHECKSUM);
        this.raise(c, Ev.BAD_CHECKSUM);
        this.finishPacket(c);
        return r;
      }
    }

    // ---- Zeek's view --------------------------------------------------------------------------
    zeekSegment(t, c, e, flags, seq, ack, len, pkt.window);

    // ---- a fragmented segment: its true length is unknown until the peer acknowledges it ------
    if (pkt.moreFragments) t.epFlags[e] |= EF.FRAG_PENDING;
    if (hasAck && (t.epFlags[p] & EF.FRAG_PENDING) !== 0 && (t.epFlags[p] & EF.SEQ_VALID) !== 0 && seqGT(ack, t.nextSeq[p])) {
      t.nextSeq[p] = ack;
      t.maxSeqToBeAcked[p] = ack;
      t.epFlags[p] &= ~EF.FRAG_PENDING;
    }

    // ---- options offered on SYNs --------------------------------------------------------------
    if (syn) {
      t.mss[e] = pkt.optMss;
      t.wscale[e] = pkt.optWscale >= 0 ? Math.min(pkt.optWscale, 14) : -2;
      if (pkt.optSackPermitted) t.epFlags[e] |= EF.SACK_OK;
      if (pkt.optHasTimestamp) t.epFlags[e] |= EF.TIMESTAMPS;
    }

    // ---- tshark's sequence analysis -----------------------------------------------------------
    const ackUnseen = this.analyze(c, e, p, flags, seq, ack, rst ? 0 : len, pkt.window, now);

    // ---- RFC 793 states -----------------------------------------------------------------------
    if (rst) this.onReset(c, e, p, flags, seq, ack, len, now, prevSenderT);
    else this.onSegment(c, e, p, flags, seq, ack, len, now, ackUnseen);

    this.settle(c, now);
    this.finishPacket(c);
    return r;
  }

  /** Record event `ev` on the current packet and its flow's anomalies. */
  private raise(c: number, ev: number): void {
    this.result.add(ev);
    this.table.anomalies[c] |= EVENT_ANOMALY[ev];
  }

  /** After the states settle: fill the result, file the connection in its idle list. */
  private finishPacket(c: number): void {
    const t = this.table;
    const r = this.result;
    r.clientAfter = t.state[2 * c];
    r.serverAfter = t.state[2 * c + 1];
    const cf = t.connFlags[c];
    const cls = (cf & CF.DONE) !== 0 ? IdleClass.DONE : isSynchronized(t.state[2 * c]) || isSynchronized(t.state[2 * c + 1]) ? IdleClass.OPEN : IdleClass.HANDSHAKE;
    t.touch(c, cls);
  }

  /** Read the 4-tuple of a TCP segment into the key fields; false when it is not one. */
  private readKey(pkt: Packet): boolean {
    if (pkt.ipProto !== 6 || pkt.l4Offset < 0 || pkt.fragmentOffset !== 0 || pkt.malformed !== '') return false;
    const f = pkt.frame;
    // the fixed 20-byte header must be there (options may be cut by the snap length)
    if (pkt.l4Offset + 20 > f.offset + f.caplen || pkt.tcpHeaderLength < 20) return false;
    this.kp = pkt.srcPort;
    this.jp = pkt.dstPort;
    if (pkt.ipVersion === 4) {
      this.kFam = 4;
      this.k0 = pkt.src4; this.k1 = 0; this.k2 = 0; this.k3 = 0;
      this.j0 = pkt.dst4; this.j1 = 0; this.j2 = 0; this.j3 = 0;
      return true;
    }
    if (pkt.ipVersion === 6) {
      const d = f.data;
      let o = pkt.src6Offset;
      this.kFam = 6;
      this.k0 = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
      this.k1 = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
      this.k2 = ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0;
      this.k3 = ((d[o + 12] << 24) | (d[o + 13] << 16) | (d[o + 14] << 8) | d[o + 15]) >>> 0;
      o = pkt.dst6Offset;
      this.j0 = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
      this.j1 = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
      this.j2 = ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0;
      this.j3 = ((d[o + 12] << 24) | (d[o + 13] << 16) | (d[o + 14] << 8) | d[o + 15]) >>> 0;
      return true;
    }
    return false;
  }

  /** Does the current segment's source match row c's client endpoint? */
  private isClientSide(c: number): boolean {
    const t = this.table;
    const k = c * 4;
    return t.cPort[c] === this.kp && t.cAddr[k] === this.k0 && t.cAddr[k + 1] === this.k1 &&
      t.cAddr[k + 2] === this.k2 && t.cAddr[k + 3] === this.k3;
  }

  /**
   * A pure SYN on a known 4-tuple: does it open a new connection? Yes when the old one is
   * finished (closed, reset, refused: every state CLOSED or TIME_WAIT), or when the sender
   * already had a different ISN (a new connection attempt; the old one was abandoned). A SYN
   * with the old ISN is a retransmission, and a SYN from the server while the client's SYN
   * waits is a simultaneous open.
   */
  private startsNewIncarnation(c: number, fromClient: boolean, seq: number): boolean {
    const t = this.table;
    if ((t.connFlags[c] & CF.DONE) !== 0) return true;
    const e = fromClient ? 2 * c : 2 * c + 1;
    const f = t.epFlags[e];
    if ((f & EF.SYN_SEEN) !== 0) return seq !== t.isn[e];
    // a side whose SYN we never saw: in the opening phase a SYN from the passive side is a
    // simultaneous open; once the connection is synchronized, a SYN is a new connection
    if (!fromClient && t.state[2 * c] === TcpState.SYN_SENT && !isSynchronized(t.state[2 * c + 1])) return false;
    return isSynchronized(t.state[e]) || (t.connFlags[c] & CF.MIDSTREAM) !== 0;
  }

  /** Start a connection for the current segment. */
  private create(h: number, flags: number, ack: number, frame: Frame): number {
    const t = this.table;
    const c = t.allocRow();
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    // client = the side that sent the first SYN: the sender of a SYN, the receiver of a SYN-ACK;
    // with no SYN at all, the first sender (the capture began mid-connection)
    const senderIsClient = !(syn && hasAck);
    const k = c * 4;
    if (senderIsClient) {
      t.cAddr[k] = this.k0; t.cAddr[k + 1] = this.k1; t.cAddr[k + 2] = this.k2; t.cAddr[k + 3] = this.k3; t.cPort[c] = this.kp;
      t.sAddr[k] = this.j0; t.sAddr[k + 1] = this.j1; t.sAddr[k + 2] = this.j2; t.sAddr[k + 3] = this.j3; t.sPort[c] = this.jp;
    } else {
      t.cAddr[k] = this.j0; t.cAddr[k + 1] = this.j1; t.cAddr[k + 2] = this.j2; t.cAddr[k + 3] = this.j3; t.cPort[c] = this.jp;
      t.sAddr[k] = this.k0; t.sAddr[k + 1] = this.k1; t.sAddr[k + 2] = this.k2; t.sAddr[k + 3] = this.k3; t.sPort[c] = this.kp;
    }
    t.hash[c] = h;
    t.family[c] = this.kFam;
    t.serial[c] = this.nextSerial++;
    t.firstSec[c] = frame.tsSec;
    t.firstNsec[c] = frame.tsNsec;
    t.firstPkt[c] = frame.number;
    t.mss[2 * c] = t.mss[2 * c + 1] = -1;
    t.wscale[2 * c] = t.wscale[2 * c + 1] = -1;
    const cl = 2 * c, sv = 2 * c + 1;
    if (syn && !hasAck) {
      t.state[cl] = TcpState.CLOSED;
      t.state[sv] = TcpState.LISTEN;
    } else if (syn && hasAck) {
      // the client's SYN was not captured: it is waiting in SYN_SENT with ISN ack−1
      t.state[cl] = TcpState.SYN_SENT;
      t.state[sv] = TcpState.LISTEN;
      t.epFlags[cl] |= EF.SYN_SEEN | EF.SEQ_VALID;
      t.isn[cl] = (ack - 1) >>> 0;
      t.nextSeq[cl] = ack;
      t.maxSeqToBeAcked[cl] = ack;
      t.connFlags[c] |= CF.SYNACK_FIRST | CF.MIDSTREAM;
      this.raise(c, Ev.MIDSTREAM);
    } else {
      // picked up mid-connection: both sides are presumed synchronized
      t.state[cl] = transition(TcpState.CLOSED, EndpointEvent.PICKUP);
      t.state[sv] = transition(TcpState.CLOSED, EndpointEvent.PICKUP);
      t.connFlags[c] |= CF.MIDSTREAM;
      this.raise(c, Ev.MIDSTREAM);
    }
    t.hash[c] = h;
    t.insert(c);
    t.linkAll(c);
    this.stats.connections++;
    if (t.size > this.stats.peakConnections) this.stats.peakConnections = t.size;
    return c;
  }

  /** Apply endpoint event `ev` to endpoint row `q` through the transition function. */
  private feed(q: number, ev: EndpointEvent): void {
    const t = this.table;
    t.state[q] = transition(t.state[q] as TcpState, ev);
  }

  // =============================================================================================
  // tshark's tcp.analysis (packet-tcp.c tcp_analyze_sequence_number), rule by rule
  // =============================================================================================

  /** Returns true when the segment's ACK covers data of the peer that was never captured. */
  private analyze(c: number, e: number, p: number, flags: number, seq: number, ack: number, seglen: number,
    win: number, now: number): boolean {
    const t = this.table;
    const ctl = flags & (TCP_SYN | TCP_FIN | TCP_RST);
    const fwdValid = (t.epFlags[e] & EF.SEQ_VALID) !== 0;
    const nextseq = t.nextSeq[e];
    const fwdAckValid = (t.epFlags[e] & EF.ACK_VALID) !== 0;
    const revKnown = t.packets[p] > 0;
    const revWin = t.window[p];
    let zwp = false, keepalive = false, skipRetrans = false;
    let ackUnseen = false;

    fwd: {
      // ZERO WINDOW PROBE: one byte at the next expected sequence number while the peer's window is 0
      if (seglen === 1 && fwdValid && seq === nextseq && revKnown && revWin === 0) {
        zwp = true;
        this.raise(c, Ev.ZERO_WINDOW_PROBE);
        t.count(c, Ctr.ZERO_WINDOW_PROBE);
        break fwd;
      }
      // ZERO WINDOW: a window of 0 on a segment without SYN/FIN/RST
      if (win === 0 && ctl === 0) {
        this.raise(c, Ev.ZERO_WINDOW);
        t.count(c, Ctr.ZERO_WINDOW);
      }
      // LOST SEGMENT: it starts beyond everything seen so far in this direction
      if (fwdValid && seqGT(seq, nextseq) && (flags & TCP_RST) === 0) {
        this.raise(c, Ev.LOST_SEGMENT);
        t.count(c, Ctr.LOST_SEGMENT);
      }
      // KEEP-ALIVE: 0 or 1 byte starting one before the next expected sequence number. While
      // the peer advertises a zero window the same shape is a window probe (Linux probes so).
      if ((seglen === 0 || seglen === 1) && fwdValid && seq === ((nextseq - 1) >>> 0) && ctl === 0) {
        if (revKnown && revWin === 0) {
          zwp = true;
          this.raise(c, Ev.ZERO_WINDOW_PROBE);
          t.count(c, Ctr.ZERO_WINDOW_PROBE);
        } else {
          keepalive = true;
          this.raise(c, Ev.KEEPALIVE);
          t.count(c, Ctr.KEEPALIVE);
        }
      }
      // WINDOW UPDATE: no data, same seq/ack as before, a new non-zero window
      if (seglen === 0 && win !== 0 && win !== t.window[e] && fwdValid && seq === nextseq && fwdAckValid &&
          ack === t.lastAck[e] && ctl === 0) {
        this.raise(c, Ev.WINDOW_UPDATE);
        t.count(c, Ctr.WINDOW_UPDATE);
      }
      // WINDOW FULL: the data reaches exactly the right edge of the peer's advertised window
      if (seglen > 0 && ctl === 0 && (t.epFlags[p] & EF.ACK_VALID) !== 0) {
        const scale = this.windowShift(p);
        if (scale >= 0 && ((seq + seglen) >>> 0) === ((t.lastAck[p] + revWin * (1 << scale)) >>> 0)) {
          this.raise(c, Ev.WINDOW_FULL);
          t.count(c, Ctr.WINDOW_FULL);
        }
      }
      const sameAck = seglen === 0 && fwdValid && seq === nextseq && fwdAckValid && ack === t.lastAck[e] && ctl === 0;
      // KEEP-ALIVE ACK: repeats its last ACK and window right after the peer's keep-alive
      if (sameAck && win !== 0 && win === t.window[e] && (t.lastSegFlags[p] & LSF.KEEPALIVE) !== 0) {
        this.raise(c, Ev.KEEPALIVE_ACK);
        t.count(c, Ctr.KEEPALIVE_ACK);
        break fwd;
      }
      // ZERO WINDOW PROBE ACK: repeats its last ACK and its zero window right after a probe
      if (sameAck && win === 0 && t.window[e] === 0 && (t.lastSegFlags[p] & LSF.ZERO_WINDOW_PROBE) !== 0) {
        this.raise(c, Ev.ZERO_WINDOW_PROBE_ACK);
        break fwd;
      }
      // DUPLICATE ACK: no data, same seq, ack and (non-zero) window as its previous segment
      if (sameAck && win !== 0 && win === t.window[e]) {
        const n = t.dupAcks[e] === -1 ? 1 : t.dupAcks[e] + 1;
        t.dupAcks[e] = n;
        this.result.dupAckNum = n;
        this.raise(c, Ev.DUP_ACK);
        t.count(c, Ctr.DUP_ACK);
      }
    }
    // a new acknowledgement number resets the duplicate-ACK count
    if ((flags & TCP_ACK) !== 0 && (!fwdAckValid || ack !== t.lastAck[e])) t.dupAcks[e] = 0;

    // ACKED UNSEEN SEGMENT: the ACK covers the peer's sequence space beyond what was captured
    if ((flags & TCP_ACK) !== 0 && (t.epFlags[p] & EF.SEQ_VALID) !== 0 && seqGT(ack, t.maxSeqToBeAcked[p]) &&
        (flags & TCP_RST) === 0) {
      if (t.dupAcks[p] === 0) {
        ackUnseen = true;
        this.raise(c, Ev.ACK_UNSEEN);
        t.count(c, Ctr.ACK_UNSEEN);
      }
      t.dupAcks[p] = -1;
    }

    // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER: data (or a FIN) that does
    // not advance the sequence number. SYNs are left to the handshake logic (syn-retransmit).
    if ((seglen > 0 || (flags & TCP_FIN) !== 0) && (flags & TCP_SYN) === 0 && !keepalive && !zwp && !skipRetrans) {
      let notAdvanced = fwdValid && seqLT(seq, nextseq);
      // more than one byte starting one before nextseq is new data after a probe, not a resend
      if (seglen > 1 && fwdValid && ((nextseq - 1) >>> 0) === seq) notAdvanced = false;
      const revAckValid = (t.epFlags[p] & EF.ACK_VALID) !== 0;
      if (seglen > 0 && revAckValid && seqLE((seq + seglen) >>> 0, t.lastAck[p])) {
        // everything in it was already acknowledged
        this.raise(c, Ev.SPURIOUS_RETRANSMISSION);
        t.count(c, Ctr.SPURIOUS_RETRANSMISSION);
        t.count(c, Ctr.RETRANSMISSION);
        t.anomalies[c] |= EVENT_ANOMALY[Ev.RETRANSMISSION];
        t.unanswered[e]++;
      } else if (notAdvanced && t.dupAcks[p] >= 2 && revAckValid && t.lastAck[p] === seq &&
          now - t.lastAckT[p] < FAST_RETRANSMIT_WINDOW) {
        this.raise(c, Ev.FAST_RETRANSMISSION);
        t.count(c, Ctr.FAST_RETRANSMISSION);
        t.count(c, Ctr.RETRANSMISSION);
        t.unanswered[e]++;
      } else if (notAdvanced && now - t.nextSeqT[e] < this.oooThreshold(c) &&
          nextseq !== ((seq + seglen + ((flags & TCP_FIN) !== 0 ? 1 : 0)) >>> 0)) {
        this.raise(c, Ev.OUT_OF_ORDER);
        t.count(c, Ctr.OUT_OF_ORDER);
      } else if (notAdvanced) {
        if (seglen > 0) {
          this.raise(c, Ev.RETRANSMISSION);
          t.count(c, Ctr.RETRANSMISSION);
        }
        t.unanswered[e]++;
      }
    }

    // remember the highest sequence number sent (probes do not advance it)
    const segEnd = (seq + seglen + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0)) >>> 0;
    if (!zwp && (flags & TCP_RST) === 0) {
      if (!fwdValid || seqGT(segEnd, nextseq)) {
        t.nextSeq[e] = segEnd;
        t.nextSeqT[e] = now;
      }
      if (!fwdValid || seq === t.maxSeqToBeAcked[e]) t.maxSeqToBeAcked[e] = t.nextSeq[e];
      t.epFlags[e] |= EF.SEQ_VALID;
    }
    t.window[e] = win;
    if ((flags & TCP_ACK) !== 0) {
      t.lastAck[e] = ack;
      t.lastAckT[e] = now;
      t.epFlags[e] |= EF.ACK_VALID;
    }
    t.lastSegFlags[e] = (keepalive ? LSF.KEEPALIVE : 0) | (zwp ? LSF.ZERO_WINDOW_PROBE : 0);
    if (seglen > 0) t.epFlags[e] |= EF.SENT_DATA;
    return ackUnseen;
  }

  /** Shift applied to endpoint q's window field: its wscale if both sides offered one, 0 if the handshake showed none, -1 unknown. */
  private windowShift(q: number): number {
    const t = this.table;
    const a = t.wscale[q], b = t.wscale[q ^ 1];
    if (a >= 0 && b >= 0) return a;
    if (a === -1 || b === -1) return -1;
    return 0;
  }

  /** Wireshark's out-of-order threshold: the handshake RTT, or 3 ms when unknown. */
  private oooThreshold(c: number): number {
    const t = this.table;
    return t.estT[c] > 0 && t.synT[c] > 0 ? t.estT[c] - t.synT[c] : OOO_DEFAULT_THRESHOLD;
  }

  /** A retransmitted SYN / SYN-ACK / FIN: note its interval since the previous one. */
  private noteResend(c: number, e: number, now: number): void {
    const t = this.table;
    const r = this.result;
    r.interval = now - t.ctrlT[e];
    const n = t.ctrlCount[e];
    if (n < 255) t.ctrlCount[e] = n + 1;
    r.ordinal = n + 1;
    if (n >= 1 && n <= MAX_INTERVALS) t.intervals[e * MAX_INTERVALS + n - 1] = r.interval;
    t.ctrlT[e] = now;
  }

  // =============================================================================================
  // RFC 793 inference
  // =============================================================================================

  /** A segment without RST from endpoint e (client row 2c, server row 2c+1) to p. */
  private onSegment(c: number, e: number, p: number, flags: number, seq: number, ack: number, len: number,
    now: number, ackUnseen: boolean): void {
    const t = this.table;
    const fromClient = (e & 1) === 0;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;

    // ---- its SYN ------------------------------------------------------------------------------
    if (syn && !hasAck) {
      if ((t.epFlags[e] & EF.SYN_SEEN) === 0) {
        t.epFlags[e] |= EF.SYN_SEEN;
        t.isn[e] = seq;
        t.ctrlT[e] = now;
        t.ctrlCount[e] = 1;
        if (fromClient) {
          t.connFlags[c] |= CF.SYN_SEEN;
          t.synT[c] = now;
          this.raise(c, Ev.SYN);
        } else if (t.state[p] === TcpState.SYN_SENT) {
          // the server's own SYN while the client's waits: both SYNs crossed
          t.connFlags[c] |= CF.SIMULTANEOUS;
          this.raise(c, Ev.SIMULTANEOUS_OPEN);
        } else {
          this.raise(c, Ev.SYN);
        }
        this.feed(e, EndpointEvent.SEND_SYN);
        if (len > 0) this.raise(c, Ev.SYN_WITH_DATA);
      } else if (seq === t.isn[e]) {
        this.noteResend(c, e, now);
        this.raise(c, Ev.SYN_RETRANSMIT);
        this.feed(e, EndpointEvent.SEND_SYN);
      }
    }

    // ---- its SYN-ACK --------------------------------------------------------------------------
    if (syn && hasAck) {
      // acceptable if it acknowledges the peer's SYN: ISS < ack ≤ SND.NXT (a SYN with data, TFO, moves SND.NXT)
      const peerSyn = (t.epFlags[p] & EF.SYN_SEEN) !== 0;
      const ackOk = !peerSyn || (seqGT(ack, t.isn[p]) && ((t.epFlags[p] & EF.SEQ_VALID) === 0 || seqLE(ack, t.nextSeq[p])));
      if ((t.epFlags[e] & EF.SYN_SEEN) === 0) {
        t.epFlags[e] |= EF.SYN_SEEN;
        t.isn[e] = seq;
        t.ctrlT[e] = now;
        t.ctrlCount[e] = 1;
        if (!fromClient) {
          t.connFlags[c] |= CF.SYNACK_SEEN;
          t.synAckT[c] = now;
        }
        this.raise(c, (t.connFlags[c] & CF.SIMULTANEOUS) !== 0 ? Ev.SIMULTANEOUS_SYNACK : Ev.SYN_ACK);
        this.feed(e, EndpointEvent.SEND_SYNACK);
        t.epFlags[e] |= EF.RCVD_PEER_SYN;
      } else if (t.state[e] === TcpState.SYN_SENT) {
        // simultaneous open: it now answers the peer's SYN with a SYN-ACK of its own ISN
        if (!fromClient) {
          t.connFlags[c] |= CF.SYNACK_SEEN;
          if (t.synAckT[c] === 0) t.synAckT[c] = now;
        }
        this.raise(c, Ev.SIMULTANEOUS_SYNACK);
        this.feed(e, EndpointEvent.SEND_SYNACK);
        t.epFlags[e] |= EF.RCVD_PEER_SYN;
      } else {
        this.noteResend(c, e, now);
        this.raise(c, Ev.SYNACK_RETRANSMIT);
        t.count(c, Ctr.SYNACK_RETRANSMIT);
        if (seq !== t.isn[e]) t.isn[e] = seq;
        this.feed(e, EndpointEvent.SEND_SYNACK);
      }
      if (ackOk) {
        if (peerSyn && (t.epFlags[p] & EF.SYN_ACKED) === 0) {
          t.epFlags[p] |= EF.SYN_ACKED;
          this.feed(p, EndpointEvent.RCV_ACK_OF_SYN);
        }
      } else {
        this.raise(c, Ev.SYNACK_BAD_ACK);
      }
    }

    // ---- what its ACK proves ------------------------------------------------------------------
    if (hasAck) {
      const pf = t.epFlags[p];
      // an ACK of exactly one octet beyond everything the peer was seen to send, from a peer that
      // has not closed, is taken as the peer's FIN that the capture missed (undone if the peer
      // later sends data there)
      if (ackUnseen && (pf & EF.SEQ_VALID) !== 0 && (pf & EF.FIN_SENT) === 0 && isSynchronized(t.state[p]) &&
          ack === ((t.nextSeq[p] + 1) >>> 0) && (t.lastSegFlags[p] & LSF.ZERO_WINDOW_PROBE) === 0) {
        t.epFlags[p] |= EF.FIN_SENT | EF.FIN_INFERRED;
        t.finSeq[p] = t.nextSeq[p];
        t.nextSeq[p] = ack;
        t.maxSeqToBeAcked[p] = ack;
        this.raise(c, Ev.FIN_UNSEEN);
        this.noteFirstFin(c, p);
        this.feed(p, EndpointEvent.SEND_FIN);
      } else if (ackUnseen) {
        zeekGap(t, c, p);
      }
      // it received the peer's SYN
      if ((t.epFlags[p] & EF.SYN_SEEN) !== 0 && (t.epFlags[e] & EF.RCVD_PEER_SYN) === 0 && seqGT(ack, t.isn[p])) {
        t.epFlags[e] |= EF.RCVD_PEER_SYN;
        this.feed(e, EndpointEvent.RCV_SYN);
        if ((t.epFlags[p] & EF.SYN_ACKED) === 0) {
          t.epFlags[p] |= EF.SYN_ACKED;
          this.feed(p, EndpointEvent.RCV_ACK_OF_SYN);
        }
      }
      // it received the peer's FIN: the peer's FIN is acknowledged
      if ((t.epFlags[p] & EF.FIN_SENT) !== 0 && (t.epFlags[e] & EF.RCVD_PEER_FIN) === 0 && seqGT(ack, t.finSeq[p])) {
        t.epFlags[e] |= EF.RCVD_PEER_FIN;
        t.epFlags[p] |= EF.FIN_ACKED;
        this.result.finAcked |= (p & 1) === 0 ? 1 : 2;
        this.raise(c, Ev.FIN_ACKED);
        this.feed(e, EndpointEvent.RCV_FIN);
        this.feed(p, EndpointEvent.RCV_ACK_OF_FIN);
      }
      // a side still unsynchronized in our view sends an ordinary ACK: it synchronized unseen
      if (!syn) {
        const s = t.state[e];
        if (s === TcpState.CLOSED || s === TcpState.LISTEN) {
          this.feed(e, EndpointEvent.PICKUP);
        } else if (s === TcpState.SYN_SENT && (t.epFlags[p] & EF.SYN_SEEN) === 0) {
          // its ACK proves a SYN-ACK the capture missed, which had acknowledged its SYN
          t.epFlags[e] |= EF.RCVD_PEER_SYN | EF.SYN_ACKED;
          this.feed(e, EndpointEvent.RCV_SYN);
        }
      }
    }

    // ---- its data -----------------------------------------------------------------------------
    if (len > 0 && !syn) {
      const ef = t.epFlags[e];
      if ((ef & EF.FIN_SENT) !== 0 && seqGT((seq + len) >>> 0, t.finSeq[e])) {
        if ((ef & EF.FIN_INFERRED) !== 0) this.undoInferredFin(c, e);
        else this.raise(c, Ev.DATA_AFTER_FIN);
      }
      // data from a side that has received (acknowledged) its peer's FIN and not closed itself:
      // the half-close is in use
      if ((t.epFlags[e] & (EF.RCVD_PEER_FIN | EF.FIN_SENT)) === EF.RCVD_PEER_FIN && (t.anomalies[c] & EVENT_ANOMALY[Ev.HALF_CLOSE]) === 0) {
        this.raise(c, Ev.HALF_CLOSE);
      }
    }

    // ---- its FIN ------------------------------------------------------------------------------
    if (fin) {
      const fs = (seq + len) >>> 0;
      const ef = t.epFlags[e];
      if ((ef & EF.FIN_SENT) === 0) {
        t.epFlags[e] |= EF.FIN_SENT;
        t.finSeq[e] = fs;
        t.finT[e] = now;
        if ((t.epFlags[p] & EF.FIN_SENT) === 0) {
          this.raise(c, Ev.FIN_ACTIVE);
          this.noteFirstFin(c, e);
        } else if ((t.epFlags[e] & EF.RCVD_PEER_FIN) !== 0) {
          this.raise(c, Ev.FIN_PASSIVE);
        } else {
          // it closes before it has received the peer's FIN: the FINs crossed
          t.connFlags[c] |= CF.SIMULTANEOUS_CLOSE;
          this.raise(c, Ev.SIMULTANEOUS_CLOSE);
        }
        this.feed(e, EndpointEvent.SEND_FIN);
      } else if ((ef & EF.FIN_INFERRED) !== 0 && fs === t.finSeq[e]) {
        // the FIN we had inferred, captured after all
        t.epFlags[e] &= ~EF.FIN_INFERRED;
        t.finT[e] = now;
      } else if (fs === t.finSeq[e]) {
        this.result.interval = now - t.finT[e];
        t.finT[e] = now;
        t.count(c, Ctr.FIN_RETRANSMIT);
        this.result.ordinal = t.counter(c, Ctr.FIN_RETRANSMIT) + 1;
        this.raise(c, Ev.FIN_RETRANSMIT);
        t.anomalies[c] |= EVENT_ANOMALY[Ev.RETRANSMISSION];
      } else {
        // a FIN at another place than before: believe the latest
        t.finSeq[e] = fs;
        t.epFlags[e] &= ~EF.FIN_INFERRED;
      }
    }
  }

  /** The first FIN of a connection tells who closed actively. */
  private noteFirstFin(c: number, e: number): void {
    const t = this.table;
    if ((t.epFlags[e ^ 1] & EF.FIN_SENT) !== 0) return;
    if ((e & 1) === 1) t.connFlags[c] |= CF.SERVER_CLOSED_FIRST;
    else t.connFlags[c] &= ~CF.SERVER_CLOSED_FIRST;
  }

  /**
   * The octet we took for endpoint e's unseen FIN was data after all (e sent more beyond it):
   * put both endpoints back where they would be without that FIN.
   */
  private undoInferredFin(c: number, e: number): void {
    const t = this.table;
    const p = e ^ 1;
    t.epFlags[e] &= ~(EF.FIN_SENT | EF.FIN_INFERRED | EF.FIN_ACKED);
    t.epFlags[p] &= ~EF.RCVD_PEER_FIN;
    const se = t.state[e], sp = t.state[p];
    // e: without its FIN it is still open (or merely received the peer's FIN)
    t.state[e] = se === TcpState.FIN_WAIT_1 || se === TcpState.FIN_WAIT_2 ? TcpState.ESTABLISHED
      : se === TcpState.CLOSING || se === TcpState.TIME_WAIT ? TcpState.CLOSE_WAIT : se;
    // p: it never received a FIN
    t.state[p] = sp === TcpState.CLOSE_WAIT ? TcpState.ESTABLISHED
      : sp === TcpState.LAST_ACK ? TcpState.FIN_WAIT_1
      : sp === TcpState.CLOSED && (t.epFlags[p] & EF.FIN_SENT) !== 0 && (t.epFlags[p] & EF.RST_SENT) === 0 ? TcpState.FIN_WAIT_2 : sp;
    if ((t.epFlags[p] & EF.FIN_SENT) === 0) t.connFlags[c] &= ~CF.SERVER_CLOSED_FIRST;
    else if ((p & 1) === 1) t.connFlags[c] |= CF.SERVER_CLOSED_FIRST;
    else t.connFlags[c] &= ~CF.SERVER_CLOSED_FIRST;
  }

  /** A RST from endpoint e. */
  private onReset(c: number, e: number, p: number, flags: number, seq: number, ack: number, len: number,
    now: number, prevSenderT: number): void {
    const t = this.table;
    const fromClient = (e & 1) === 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    if (len > 0) this.raise(c, Ev.RST_WITH_DATA);
    const se = t.state[e], sp = t.state[p];
    const cf = t.connFlags[c];

    // would the receiver accept it?
    let acceptable: boolean;
    if (sp === TcpState.SYN_SENT) {
      // RFC 793, SYN-SENT: only a RST whose ACK acknowledges the SYN (ISS < ack ≤ SND.NXT)
      acceptable = hasAck && (t.epFlags[p] & EF.SYN_SEEN) !== 0 && seqGT(ack, t.isn[p]) && seqLE(ack, t.nextSeq[p]);
    } else if ((t.epFlags[p] & EF.ACK_VALID) === 0 && (t.epFlags[e] & EF.SEQ_VALID) === 0) {
      acceptable = true; // nothing known to judge it by
    } else {
      // in the receive window: from what the receiver acknowledged last (or, if it never did,
      // the sender's next sequence number), as wide as the receiver's window
      const rcvNxt = (t.epFlags[p] & EF.ACK_VALID) !== 0 ? t.lastAck[p] : t.nextSeq[e];
      const shift = this.windowShift(p);
      const wnd = Math.max(1, t.window[p] * (1 << Math.max(0, shift)));
      acceptable = seqInWindow(seq, rcvNxt, wnd) ||
        ((t.epFlags[e] & EF.SEQ_VALID) !== 0 && seq === t.nextSeq[e]);
    }

    if ((t.epFlags[e] & EF.RST_SENT) !== 0 || ((cf & CF.RESET) !== 0 && se === TcpState.CLOSED && sp === TcpState.CLOSED)) {
      this.raise(c, Ev.RESET_REPEAT);
    } else if (!fromClient && sp === TcpState.SYN_SENT && acceptable) {
      // the SYN was answered by RST: nothing listens there
      t.connFlags[c] |= CF.REFUSED | CF.RESET | CF.RESET_BY_SERVER;
      this.raise(c, Ev.REFUSED);
    } else if (!isSynchronized(se) && !isSynchronized(sp)) {
      // a RST in the middle of the handshake that is not a refusal
      t.connFlags[c] |= CF.RESET | CF.HANDSHAKE_RESET | (fromClient ? 0 : CF.RESET_BY_SERVER);
      this.raise(c, Ev.HANDSHAKE_RESET);
    } else if ((t.epFlags[e] & EF.FIN_SENT) !== 0) {
      // it had closed and then got something it could not deliver (data after close()), or a
      // late segment after the whole exchange
      if ((t.epFlags[p] & EF.FIN_SENT) !== 0 && (se === TcpState.TIME_WAIT || se === TcpState.CLOSED) &&
          (sp === TcpState.TIME_WAIT || sp === TcpState.CLOSED)) {
        t.connFlags[c] |= CF.RESET_AFTER_FINS;
      } else {
        t.connFlags[c] |= CF.RESET | (fromClient ? 0 : CF.RESET_BY_SERVER);
      }
      this.raise(c, Ev.RESET_AFTER_CLOSE);
    } else if (!hasAck && (t.epFlags[p] & EF.ACK_VALID) !== 0 && seq === t.lastAck[p] && t.epLastT[p] >= prevSenderT &&
        t.packets[p] > 0) {
      // a bare RST whose sequence number is the ACK of the segment it answers, from a side that
      // never closed: what a host with no state for the connection sends (RFC 793 §3.4 "reset
      // generation", case 1) — it rebooted or lost the connection: half-open
      t.connFlags[c] |= CF.RESET | CF.HALF_OPEN | (fromClient ? 0 : CF.RESET_BY_SERVER);
      this.result.idle = prevSenderT > 0 ? now - prevSenderT : -1;
      this.raise(c, Ev.RESET_NO_STATE);
    } else {
      t.connFlags[c] |= CF.RESET | (fromClient ? 0 : CF.RESET_BY_SERVER);
      this.raise(c, Ev.RESET);
    }
    // the first reset decides who reset
    if ((cf & CF.RESET) !== 0) t.connFlags[c] = (t.connFlags[c] & ~CF.RESET_BY_SERVER) | (cf & CF.RESET_BY_SERVER);

    t.epFlags[e] |= EF.RST_SENT;
    this.feed(e, EndpointEvent.SEND_RST);
    if (acceptable) {
      t.epFlags[e] |= EF.RST_ACCEPTED;
      this.feed(p, EndpointEvent.RCV_RST);
    } else {
      this.raise(c, Ev.RESET_IGNORED);
    }
  }

  /**
   * After a packet's events: apply what was already known (an ACK of a SYN or FIN seen before
   * the endpoint reached the state that waits for it), detect the end of the handshake and of
   * the connection.
   */
  private settle(c: number, now: number): void {
    const t = this.table;
    for (let q = 2 * c; q <= 2 * c + 1; q++) {
      if (t.state[q] === TcpState.SYN_RCVD && (t.epFlags[q] & EF.SYN_ACKED) !== 0) this.feed(q, EndpointEvent.RCV_ACK_OF_SYN);
      const s = t.state[q];
      if ((s === TcpState.FIN_WAIT_1 || s === TcpState.CLOSING || s === TcpState.LAST_ACK) && (t.epFlags[q] & EF.FIN_ACKED) !== 0) {
        this.feed(q, EndpointEvent.RCV_ACK_OF_FIN);
      }
    }
    const sc = t.state[2 * c], ss = t.state[2 * c + 1];
    let cf = t.connFlags[c];
    if ((cf & CF.HANDSHAKE_DONE) === 0 && (cf & CF.SYN_SEEN) !== 0 && isSynchronized(sc) && isSynchronized(ss)) {
      cf |= CF.HANDSHAKE_DONE;
      t.estT[c] = now;
      this.result.rtt = now - t.synT[c];
      this.raise(c, Ev.HANDSHAKE_DONE);
    }
    const finished = (sc === TcpState.CLOSED || sc === TcpState.TIME_WAIT) && (ss === TcpState.CLOSED || ss === TcpState.TIME_WAIT);
    if (finished && (cf & CF.DONE) === 0) {
      cf |= CF.DONE;
      if ((cf & CF.RESET) === 0) this.raise(c, Ev.CLOSE_DONE);
    }
    t.connFlags[c] = cf;
  }

  // =============================================================================================
  // ending flows
  // =============================================================================================

  /** Emit and free every connection whose idle timeout has passed at capture time `now`. */
  expire(now: number): void {
    const t = this.table;
    for (let cls = 0; cls < IdleClass.COUNT; cls++) {
      const timeout = this.timeouts[cls];
      for (;;) {
        const c = t.idleHead[cls];
        if (c < 0 || now - t.lastT[c] <= timeout) break;
        if (cls === IdleClass.DONE) {
          // TIME_WAIT runs out: 2×MSL have passed
          for (let q = 2 * c; q <= 2 * c + 1; q++) t.state[q] = transition(t.state[q] as TcpState, EndpointEvent.TIMEOUT);
          this.endFlow(c, EndReason.CLOSED);
        } else {
          this.stats.expired++;
          t.connFlags[c] |= CF.EXPIRED;
          this.endFlow(c, EndReason.IDLE);
        }
      }
    }
  }

  /** Make room: emit the connection idle the longest. */
  private evictOne(): void {
    const t = this.table;
    let best = -1;
    for (let cls = 0; cls < IdleClass.COUNT; cls++) {
      const c = t.idleHead[cls];
      if (c >= 0 && (best < 0 || t.lastT[c] < t.lastT[best])) best = c;
    }
    if (best < 0) return;
    this.stats.evicted++;
    t.connFlags[best] |= CF.EVICTED;
    this.endFlow(best, EndReason.EVICTED);
  }

  /** Hand connection c to onFlowEnd, then free its row. */
  private endFlow(c: number, reason: EndReason): void {
    const t = this.table;
    // a side that kept resending with no answer at all: its peer is gone (half-open)
    if ((t.connFlags[c] & CF.DONE) === 0) {
      for (let q = 2 * c; q <= 2 * c + 1; q++) {
        if (t.unanswered[q] >= 2 && isSynchronized(t.state[q])) t.anomalies[c] |= EVENT_ANOMALY[Ev.PEER_GONE];
      }
    }
    if (this.onFlowEnd !== undefined) this.onFlowEnd(this.view.bind(c, reason));
    t.remove(c);
    t.unlinkIdle(c);
    t.unlinkAll(c);
    t.freeRow(c);
  }

  /** End of input: emit every remaining connection, in the order they started. */
  finish(): void {
    const t = this.table;
    while (t.allHead >= 0) this.endFlow(t.allHead, EndReason.END);
  }
}
