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
 * The common segment (in-order data or a new ACK between two established ends, flagged by no
 * rule) takes a fast path that does exactly the bookkeeping of steps 3–5 in one pass.
 *
 * Connections end (their flow record is handed to `onFlowEnd`, and their row is freed) when
 * they have been finished for 2×MSL of capture time, when they stay idle past their timeout,
 * when a new connection takes their 4-tuple, when `maxFlows` forces an eviction, or at
 * `finish()`. No flow record is ever dropped.
 *
 * Addressing (see table.ts): connection row `c`; side `s` 0 for the client, 1 for the server;
 * the packet's sender is side `s` and its peer `p = s ^ 1`.
 */
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { TCP_ACK, TCP_AE, TCP_CWR, TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN, isEcnSetup } from '../decode/packet.js';
import { tcpChecksumOk } from './checksum.js';
import { EVENT_ANOMALY, Ev } from './events.js';
import { FlowView, timeBetween } from './flow.js';
import { PacketResult, RetryOf } from './result.js';
import { seqDiff, seqGT, seqInWindow, seqLE, seqLT } from './seq.js';
import { EndpointEvent, isSynchronized, TcpState, transition } from './states.js';
import { B, CF, Ctr, D, EF, EVENT_COUNTER, FlowTable, flowHash, flowHash4, H, IdleClass, LSF, MAX_INTERVALS, ROW_BYTES, ROW_D, ROW_H, ROW_W, W } from './table.js';
import { ZState, zeekChecksumError, zeekGap, zeekPlainSegment, zeekSegment } from './zeek.js';

export type ChecksumPolicy = 'off' | 'control' | 'all';

export interface TrackerOptions {
  /** maximum segment lifetime in seconds; TIME_WAIT (and the linger of finished connections) lasts 2×MSL. Default 60 (Linux). */
  mslSeconds?: number;
  /** cap on live connections; the longest idle is evicted (and reported) to make room. 0 = no cap. */
  maxFlows?: number;
  /**
   * Which checksums are verified: 'all' (every IPv4 header and TCP segment), 'control' (every
   * IPv4 header, and the TCP checksum of segments without payload or with SYN/FIN/RST: those
   * that move states; summing every payload byte would cost more than the rest of the tracker),
   * or 'off' (-K). Default 'control'.
   */
  checksums?: ChecksumPolicy;
  /** a handshake silent this long is over. Default 135 s (Linux gives up a SYN after ~131 s). */
  handshakeIdleSeconds?: number;
  /** an open connection silent this long is reported and dropped. Default 8100 s (2 h 15 min: longer than a default keep-alive cycle). */
  openIdleSeconds?: number;
  /** called with each connection as it ends; the view is valid only during the call */
  onFlowEnd?: (flow: FlowView) => void;
  /**
   * Run the idle expiry from `track()` (default true: at most once per second of capture time).
   * False when someone else decides when it runs (a sharded tracker: the thread that sees every
   * packet calls `expire()` at the moments a single tracker would, and sets `now` before each
   * `track()`, so each shard ends its connections exactly as one tracker over all of them would).
   */
  selfExpiry?: boolean;
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
  /** still open when the run stopped at its packet limit (`-c N`) */
  LIMIT = 5,
}
export { END_REASON_NAMES } from './flow.js';

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
/** analyze()'s answer when an ACK covers a hole in the peer's captured sequence space... */
const ACK_UNSEEN_HOLE = 1;
/** ...or only sequence space beyond everything the peer was seen to send (no hole before it) */
const ACK_UNSEEN_AT_END = 2;
/** Zeek distrusts an ACK of 0 that jumps further than this (TOO_LARGE_SEQ_DELTA). */
const TOO_LARGE_SEQ_DELTA = 1048576;

/** Slots of Tracker.seg. */
const SEG_NOW = 0;
const SEG_SEQ = 1;
const SEG_ACK = 2;
const SEG_PREV_T = 3;
/** the sender's acknowledgement number before this segment, -1 when it had sent none (analyze overwrites LAST_ACK) */
const SEG_PREV_ACK = 4;

/**
 * A side's packets after which its ACKs, moving over data or a FIN of a peer whose packets were
 * never captured, are reported as `peer-unseen` (Ev.PEER_UNSEEN). A capture that starts in the
 * middle of a conversation can show one side's first ACKs before any packet of the other, so
 * one ACK is not enough; four packets (a handshake and a first exchange of one side) with the
 * peer still silent is a capture of one direction, not an unlucky start.
 */
const PEER_UNSEEN_MIN_PACKETS = 4;

export class Tracker {
  readonly table: FlowTable;
  readonly stats: TrackerStats = { packets: 0, tcpPackets: 0, connections: 0, evicted: 0, expired: 0, peakConnections: 0, badChecksums: 0 };
  /** the result of the last `track()` (reused) */
  readonly result = new PacketResult();

  private readonly timeouts: Float64Array;
  private readonly maxFlows: number;
  private readonly checksumMode: number; // 0 off, 1 control, 2 all
  private readonly onFlowEnd: ((flow: FlowView) => void) | undefined;
  private readonly view: FlowView;
  private nextSerial = 1;
  private nextExpiryCheck = -Infinity;
  private readonly selfExpiry: boolean;
  /**
   * The tracker's clock: the latest capture time seen (it never goes back). Started as -0, not
   * 0: a double from the start, so the first fractional time does not change the tracker's
   * shape (and discard the optimised code that reads it).
   */
  now = -0;
  /** number of the packet being tracked */
  private packetNumber = 0;
  /** the current segment's 4-tuple: source address words 0–3, port 4, destination 5–8, port 9 */
  private readonly key = new Uint32Array(10);
  /**
   * The current segment's wide numbers (capture time, seq, ack, the sender's previous packet
   * time), read by the per-segment methods from here rather than passed as arguments: sequence
   * numbers above 2^30 and times are not small integers, and V8 would box each one per call.
   */
  private readonly seg = new Float64Array(5);

  constructor(opts: TrackerOptions = {}) {
    this.table = new FlowTable();
    const msl = opts.mslSeconds ?? DEFAULT_MSL;
    this.timeouts = new Float64Array([
      opts.handshakeIdleSeconds ?? DEFAULT_HANDSHAKE_IDLE,
      opts.openIdleSeconds ?? DEFAULT_OPEN_IDLE,
      2 * msl,
    ]);
    this.maxFlows = opts.maxFlows ?? 0;
    const cm = opts.checksums ?? 'control';
    this.checksumMode = cm === 'off' ? 0 : cm === 'all' ? 2 : 1;
    this.onFlowEnd = opts.onFlowEnd;
    this.selfExpiry = opts.selfExpiry ?? true;
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
    this.stats.packets++;
    const f = pkt.frame;
    const now = f.tsSec + f.tsNsec * 1e-9;
    this.packetNumber = f.number;
    if (now > this.now) this.now = now;
    if (this.selfExpiry && this.now >= this.nextExpiryCheck) {
      this.expire(this.now);
      this.nextExpiryCheck = this.now + 1;
    }
    const fam = this.readKey(pkt);
    if (fam === 0) return r;
    this.stats.tcpPackets++;
    const t = this.table;

    const flags = pkt.tcpFlags;
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const seq = pkt.seq;
    const ack = pkt.ack;
    // payload length from the IP length (decodeTcp sets it even when the options were cut by the snap length)
    const len = pkt.payloadLength;

    const key = this.key;
    // IPv4 (the common case) is hashed and looked up from the packet's fields: the key array is
    // filled only to create a connection (4 comparisons a direction instead of 10)
    let h: number, c: number;
    if (fam === 4) {
      const src = pkt.src4, dst = pkt.dst4, sport = pkt.srcPort, dport = pkt.dstPort;
      h = flowHash4(src, sport, dst, dport);
      c = t.find4(h, src, sport, dst, dport);
    } else {
      h = flowHash(fam, key);
      c = t.find(h, fam, key);
    }
    // find() compared the key both ways: the direction that matched is the sender's side
    let s = c >= 0 ? t.foundSide : 0;
    let reused = false;
    if (c >= 0 && syn && !hasAck && !rst && this.startsNewIncarnation(c, s, seq)) {
      r.reusedFrom = t.f64[c * ROW_D + D.SERIAL];
      r.retryOf = retryOf(t.u32[c * ROW_W + W.CONN_FLAGS]);
      this.endFlow(c, EndReason.REUSED);
      c = -1;
      reused = true;
    }
    if (c < 0) {
      if (this.maxFlows > 0 && t.size >= this.maxFlows) this.evictOne();
      if (fam === 4) this.readKey4(pkt);
      c = this.create(h, fam, flags, ack, f);
      s = this.senderSide(c);
      if (reused) {
        // a 4-tuple whose connection was established and ended (Wireshark's reused ports, what
        // TIME_WAIT guards), or one whose connection never was: connect() tried again
        if (r.retryOf !== RetryOf.NONE) {
          this.raise(c, Ev.CONNECT_RETRY);
        } else {
          t.u32[c * ROW_W + W.CONN_FLAGS] |= CF.PORT_REUSE;
          this.raise(c, Ev.PORT_REUSE);
        }
      }
    }
    const p = s ^ 1;
    const f64 = t.f64, u32 = t.u32, u16 = t.u16, u8 = t.u8;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    r.tcp = true;
    r.conn = c;
    r.connId = f64[d + D.SERIAL];
    r.fromClient = s === 0;
    r.clientBefore = u8[b + B.STATE];
    r.serverBefore = u8[b + B.STATE + 1];

    // ---- bookkeeping ------------------------------------------------------------------------
    const prevSenderT = f64[d + D.EP_LAST_T + s];
    const seg = this.seg;
    seg[SEG_NOW] = now;
    seg[SEG_SEQ] = seq;
    seg[SEG_ACK] = ack;
    seg[SEG_PREV_T] = prevSenderT;
    f64[d + D.PACKETS + s]++;
    f64[d + D.BYTES + s] += len;
    f64[d + D.LAST_T] = this.now;
    // the flow's end is the latest time seen, not the last packet's: a capture's clock can step back (as Zeek's network_time, it never goes back)
    if (f.tsSec > f64[d + D.LAST_SEC] || f.tsSec === f64[d + D.LAST_SEC] && f.tsNsec > u32[w + W.LAST_NSEC]) { f64[d + D.LAST_SEC] = f.tsSec; u32[w + W.LAST_NSEC] = f.tsNsec; }
    f64[d + D.LAST_PKT] = f.number;
    f64[d + D.EP_LAST_T + s] = now;
    // the peer of a side that keeps resending without answer is heard from again
    u16[hh + H.UNANSWERED + p] = 0;

    // ---- checksums ----------------------------------------------------------------------------
    if (this.checksumMode !== 0) {
      // the IPv4 header always (cheap); the TCP checksum of control segments, or of all with 'all'
      // (decodeIpv4 summed the header: ipv4HeaderChecksumOk(pkt) without reading it again)
      const ipOk = !pkt.ipChecksumBad;
      const tcpOk = !ipOk || (this.checksumMode === 1 && len !== 0 && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) || tcpChecksumOk(pkt);
      if (!ipOk || !tcpOk) {
        this.stats.badChecksums++;
        if (!tcpOk && ipOk) zeekChecksumError(t, c, s);
        this.raise(c, Ev.BAD_CHECKSUM);
        this.finishPacket(c);
        return r;
      }
    }

    // ---- the common case: in-order data or a new ACK between two established ends ------------
    if (this.fastSegment(c, s, flags, len, pkt.window, pkt.moreFragments)) {
      this.finishEstablished(c);
      return r;
    }

    // ---- Zeek's view --------------------------------------------------------------------------
    zeekSegment(t, c, s, flags, seg, len, pkt.window);

    // ---- a segment its receiver, still opening, discards --------------------------------------
    // (after Zeek's view: Zeek's update_history and state machine read every segment, with no
    // acceptability test.) Not a SYN (the SYN-ACK has its own test), not a RST (onReset judges it)
    if (hasAck && !syn && !rst && (u8[b + B.STATE + p] === TcpState.SYN_SENT ||
        u8[b + B.STATE + p] === TcpState.SYN_RCVD) && this.openingAckUnacceptable(c, p, ack)) {
      // RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (SYN-RECEIVED, fifth check): the receiver
      // sends a reset and discards the segment, so it proves nothing about either side: no
      // state, sequence space or RTT is taken from it; counted, and said
      this.raise(c, Ev.ACK_NOT_ACCEPTABLE);
      this.finishPacket(c);
      return r;
    }

    // ---- a fragmented segment: its true length is unknown until the peer acknowledges it ------
    if (pkt.moreFragments) u16[hh + H.EP_FLAGS + s] |= EF.FRAG_PENDING;
    if (hasAck && (u16[hh + H.EP_FLAGS + p] & (EF.FRAG_PENDING | EF.SEQ_VALID)) === (EF.FRAG_PENDING | EF.SEQ_VALID) &&
        seqGT(ack, u32[w + W.NEXT_SEQ + p])) {
      u32[w + W.NEXT_SEQ + p] = ack;
      u32[w + W.MAX_SEQ_TBA + p] = ack;
      u16[hh + H.EP_FLAGS + p] &= ~EF.FRAG_PENDING;
    }

    // ---- options offered on SYNs --------------------------------------------------------------
    if (syn) {
      t.i32[w + W.MSS + s] = pkt.optMss;
      t.i8[b + B.WSCALE + s] = pkt.optWscale >= 0 ? Math.min(pkt.optWscale, 14) : -2;
      if (pkt.optSackPermitted) u16[hh + H.EP_FLAGS + s] |= EF.SACK_OK;
      if (pkt.optHasTimestamp) u16[hh + H.EP_FLAGS + s] |= EF.TIMESTAMPS;
      // ECN-setup SYN: ECE and CWR; ECN-setup SYN-ACK: ECE without CWR (RFC 3168 6.1.1). As the
      // options, the latest SYN counts (a SYN resent without ECN drops the offer)
      const ecnSetup = isEcnSetup(flags);
      const declined = (flags & (TCP_AE | TCP_CWR | TCP_ECE)) === 0;
      const cf = u32[w + W.CONN_FLAGS] & ~((CF.ECN_SETUP | CF.OPTS_CUT | CF.ECN_DECLINED) << s);
      u32[w + W.CONN_FLAGS] = cf | (ecnSetup ? CF.ECN_SETUP << s : 0) | (pkt.optCut ? CF.OPTS_CUT << s : 0) |
        (declined ? CF.ECN_DECLINED << s : 0);
    }

    // ---- tshark's sequence analysis -----------------------------------------------------------
    // (kept only for onPeerUnseen, which runs while none of the peer's packets was captured)
    if (f64[d + D.PACKETS + p] === 0) seg[SEG_PREV_ACK] = (u16[hh + H.EP_FLAGS + s] & EF.ACK_VALID) !== 0 ? u32[w + W.LAST_ACK + s] : -1;
    const ackUnseen = this.analyze(c, s, flags, rst ? 0 : len, pkt.window);

    // ---- ECN signals, once both SYNs set ECN up (from the flags byte already read) ------------
    if ((flags & (TCP_ECE | TCP_CWR)) !== 0 && !syn) {
      const cf = u32[w + W.CONN_FLAGS];
      if ((cf & (CF.ECN_SETUP | CF.ECN_SETUP << 1)) === (CF.ECN_SETUP | CF.ECN_SETUP << 1)) {
        if ((flags & TCP_ECE) !== 0) this.raise(c, Ev.ECN_ECHO);
        if ((flags & TCP_CWR) !== 0) this.raise(c, Ev.CWR);
      } else if ((cf & (CF.SYN_SEEN | CF.SYNACK_SEEN)) === (CF.SYN_SEEN | CF.SYNACK_SEEN) &&
          (cf & (CF.ECN_DECLINED | CF.ECN_DECLINED << 1)) !== 0 &&
          (u32[w + W.ANOMALIES] & EVENT_ANOMALY[Ev.ECN_UNNEGOTIATED]) === 0) {
        // both handshake segments seen, and one of them declined ECN: neither side may send ECT,
        // so no router can mark CE and no ECE or CWR has anything to answer (RFC 3168 §6.1.1).
        // Other combinations (AccECN's, a SYN-ACK reflecting the SYN's bits) or a handshake not
        // seen: unknown, nothing said. Once per connection
        this.raise(c, Ev.ECN_UNNEGOTIATED);
      }
    }

    // ---- RFC 793 states -----------------------------------------------------------------------
    if (rst) this.onReset(c, s, flags, len);
    else this.onSegment(c, s, flags, len, ackUnseen);

    this.settle(c);
    this.finishPacket(c);
    return r;
  }

  /** Record event `ev` on the current packet, its flow's anomalies and, if flows count it, its counter. */
  private raise(c: number, ev: number): void {
    this.result.add(ev);
    this.table.u32[c * ROW_W + W.ANOMALIES] |= EVENT_ANOMALY[ev];
    const k = EVENT_COUNTER[ev];
    if (k >= 0) this.table.count(c, k);
  }

  /** After the states settle: fill the result, file the connection in its idle list. */
  private finishPacket(c: number): void {
    const t = this.table;
    const r = this.result;
    const b = c * ROW_BYTES;
    const sc = t.u8[b + B.STATE], ss = t.u8[b + B.STATE + 1];
    r.clientAfter = sc;
    r.serverAfter = ss;
    const cls = (t.u32[c * ROW_W + W.CONN_FLAGS] & CF.DONE) !== 0 ? IdleClass.DONE
      : isSynchronized(sc) || isSynchronized(ss) ? IdleClass.OPEN : IdleClass.HANDSHAKE;
    this.touchIdle(c, cls);
  }

  /**
   * finishPacket after the fast path, which changes no state: both ends stay ESTABLISHED (and
   * the connection is not DONE), so it is OPEN and the states need not be read back.
   */
  private finishEstablished(c: number): void {
    const r = this.result;
    r.clientAfter = TcpState.ESTABLISHED;
    r.serverAfter = TcpState.ESTABLISHED;
    this.touchIdle(c, IdleClass.OPEN);
  }

  /**
   * Row c was just seen: keep it in idle class `cls`'s list. The idle lists only need to be
   * ordered to the second: a connection is moved to its list's tail when its class changes or at
   * most once per second of the tracker's clock.
   */
  private touchIdle(c: number, cls: IdleClass): void {
    const t = this.table;
    const sec = Math.floor(this.now);
    const w = c * ROW_W;
    if (t.u8[c * ROW_BYTES + B.IDLE_CLASS] !== cls || t.u32[w + W.TOUCH_SEC] !== sec || t.idleHead[cls] === -1) {
      t.u32[w + W.TOUCH_SEC] = sec;
      t.f64[c * ROW_D + D.TOUCH_PKT] = this.packetNumber;
      t.touch(c, cls);
    }
  }

  /**
   * The IP version of a TCP segment the tracker follows, 0 when it is not one. An IPv6 segment's
   * 4-tuple is read into `key` (an IPv4 one only when a connection is created: readKey4).
   */
  private readKey(pkt: Packet): number {
    if (pkt.ipProto !== 6 || pkt.l4Offset < 0 || pkt.fragmentOffset !== 0 || pkt.malformed !== '') return 0;
    const f = pkt.frame;
    // the fixed 20-byte header must be there (options may be cut by the snap length)
    if (pkt.l4Offset + 20 > f.offset + f.caplen || pkt.tcpHeaderLength < 20) return 0;
    if (pkt.ipVersion === 4) return 4;
    if (pkt.ipVersion === 6) {
      const key = this.key;
      key[4] = pkt.srcPort;
      key[9] = pkt.dstPort;
      const dv = f.data;
      for (let k = 0; k < 4; k++) {
        const o = pkt.src6Offset + 4 * k;
        key[k] = (dv[o] << 24) | (dv[o + 1] << 16) | (dv[o + 2] << 8) | dv[o + 3];
        const q = pkt.dst6Offset + 4 * k;
        key[5 + k] = (dv[q] << 24) | (dv[q + 1] << 16) | (dv[q + 2] << 8) | dv[q + 3];
      }
      return 6;
    }
    return 0;
  }

  /** An IPv4 segment's 4-tuple into `key` (source address word 0, port 4, destination 5, port 9). */
  private readKey4(pkt: Packet): void {
    const key = this.key;
    key[0] = pkt.src4; key[1] = 0; key[2] = 0; key[3] = 0; key[4] = pkt.srcPort;
    key[5] = pkt.dst4; key[6] = 0; key[7] = 0; key[8] = 0; key[9] = pkt.dstPort;
  }

  /** 0 if the current segment comes from row c's client endpoint, 1 from its server. */
  private senderSide(c: number): number {
    const t = this.table;
    const key = this.key;
    const w = c * ROW_W;
    const u32 = t.u32;
    return t.u16[c * ROW_H + H.C_PORT] === key[4] && u32[w + W.C_ADDR] === key[0] && u32[w + W.C_ADDR + 1] === key[1] &&
      u32[w + W.C_ADDR + 2] === key[2] && u32[w + W.C_ADDR + 3] === key[3] ? 0 : 1;
  }

  /**
   * A pure SYN on a known 4-tuple: does it open a new connection? Yes when the old one is
   * finished (closed, reset, refused: every state CLOSED or TIME_WAIT), or when the sender
   * already had a different ISN (a new connection attempt; the old one was abandoned). A SYN
   * with the old ISN is a retransmission, and a SYN from the server while the client's SYN
   * waits is a simultaneous open.
   */
  private startsNewIncarnation(c: number, s: number, seq: number): boolean {
    const t = this.table;
    if ((t.u32[c * ROW_W + W.CONN_FLAGS] & CF.DONE) !== 0) return true;
    if ((t.u16[c * ROW_H + H.EP_FLAGS + s] & EF.SYN_SEEN) !== 0) return seq !== t.u32[c * ROW_W + W.ISN + s];
    const b = c * ROW_BYTES;
    // a side whose SYN we never saw: in the opening phase a SYN from the passive side is a
    // simultaneous open; once the connection is synchronized, a SYN is a new connection
    if (s === 1 && t.u8[b + B.STATE] === TcpState.SYN_SENT && !isSynchronized(t.u8[b + B.STATE + 1])) return false;
    return isSynchronized(t.u8[b + B.STATE + s]) || (t.u32[c * ROW_W + W.CONN_FLAGS] & CF.MIDSTREAM) !== 0;
  }

  /** Start a connection for the current segment. */
  private create(h: number, fam: number, flags: number, ack: number, frame: Frame): number {
    const t = this.table;
    const c = t.allocRow(); // may grow the table: views are read after this
    const f64 = t.f64, u32 = t.u32, u16 = t.u16, u8 = t.u8;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    const key = this.key;
    const syn = (flags & TCP_SYN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    // client = the side that sent the first SYN: the sender of a SYN, the receiver of a SYN-ACK;
    // with no SYN at all, the first sender (the capture began mid-connection)
    const src = syn && hasAck ? 5 : 0, dst = 5 - src;
    for (let k = 0; k < 4; k++) {
      u32[w + W.C_ADDR + k] = key[src + k];
      u32[w + W.S_ADDR + k] = key[dst + k];
    }
    u16[hh + H.C_PORT] = key[src + 4];
    u16[hh + H.S_PORT] = key[dst + 4];
    u32[w + W.HASH] = h;
    u32[w + W.TOUCH_SEC] = 0xffffffff; // not in an idle list yet
    u8[b + B.FAMILY] = fam;
    f64[d + D.SERIAL] = this.nextSerial++;
    f64[d + D.FIRST_SEC] = frame.tsSec;
    u32[w + W.FIRST_NSEC] = frame.tsNsec;
    f64[d + D.FIRST_PKT] = frame.number;
    t.i32[w + W.MSS] = t.i32[w + W.MSS + 1] = -1;
    t.i8[b + B.WSCALE] = t.i8[b + B.WSCALE + 1] = -1;
    if (syn && !hasAck) {
      u8[b + B.STATE] = TcpState.CLOSED;
      u8[b + B.STATE + 1] = TcpState.LISTEN;
    } else if (syn && hasAck) {
      // the client's SYN was not captured: it is waiting in SYN_SENT with ISN ack−1
      u8[b + B.STATE] = TcpState.SYN_SENT;
      u8[b + B.STATE + 1] = TcpState.LISTEN;
      u16[hh + H.EP_FLAGS] |= EF.SYN_SEEN | EF.SEQ_VALID;
      u32[w + W.ISN] = (ack - 1) >>> 0;
      u32[w + W.NEXT_SEQ] = ack;
      u32[w + W.MAX_SEQ_TBA] = ack;
      u32[w + W.CONN_FLAGS] |= CF.SYNACK_FIRST | CF.MIDSTREAM;
      this.raise(c, Ev.MIDSTREAM);
    } else {
      // picked up mid-connection: both sides are presumed synchronized
      u8[b + B.STATE] = transition(TcpState.CLOSED, EndpointEvent.PICKUP);
      u8[b + B.STATE + 1] = transition(TcpState.CLOSED, EndpointEvent.PICKUP);
      u32[w + W.CONN_FLAGS] |= CF.MIDSTREAM;
      this.raise(c, Ev.MIDSTREAM);
    }
    t.insert(c);
    t.linkAll(c);
    this.stats.connections++;
    if (t.size > this.stats.peakConnections) this.stats.peakConnections = t.size;
    return c;
  }

  /** Apply endpoint event `ev` to side `s` of connection `c` through the transition function. */
  private feed(c: number, s: number, ev: EndpointEvent): void {
    const u8 = this.table.u8;
    const at = c * ROW_BYTES + B.STATE + s;
    u8[at] = transition(u8[at] as TcpState, ev);
  }

  // =============================================================================================
  // tshark's tcp.analysis (packet-tcp.c tcp_analyze_sequence_number), rule by rule
  // =============================================================================================

  /**
   * Returns ACK_UNSEEN_HOLE or ACK_UNSEEN_AT_END when the segment's ACK covers sequence space
   * of the peer that was never captured (0 when it does not).
   */
  private analyze(c: number, s: number, flags: number, seglen: number, win: number): number {
    const t = this.table;
    const seg = this.seg;
    const now = seg[SEG_NOW], seq = seg[SEG_SEQ], ack = seg[SEG_ACK];
    const f64 = t.f64, u32 = t.u32, i32 = t.i32, u16 = t.u16, u8 = t.u8;
    const p = s ^ 1;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    const ctl = flags & (TCP_SYN | TCP_FIN | TCP_RST);
    const ef = u16[hh + H.EP_FLAGS + s];
    const fwdValid = (ef & EF.SEQ_VALID) !== 0;
    const nextseq = u32[w + W.NEXT_SEQ + s];
    const fwdAckValid = (ef & EF.ACK_VALID) !== 0;
    const lastAck = u32[w + W.LAST_ACK + s];
    const lastWin = u16[hh + H.WINDOW + s];
    const revKnown = f64[d + D.PACKETS + p] > 0;
    const revWin = u16[hh + H.WINDOW + p];
    let zwp = false, keepalive = false, windowFull = false;
    let ackUnseen = 0;

    fwd: {
      // ZERO WINDOW PROBE: one byte at the next expected sequence number while the peer's window is 0
      if (seglen === 1 && fwdValid && seq === nextseq && revKnown && revWin === 0) {
        zwp = true;
        this.raise(c, Ev.ZERO_WINDOW_PROBE);
        break fwd;
      }
      // ZERO WINDOW: a window of 0 on a segment without SYN/FIN/RST
      if (win === 0 && ctl === 0) {
        this.raise(c, Ev.ZERO_WINDOW);
      }
      // LOST SEGMENT: it starts beyond everything seen so far in this direction
      if (fwdValid && seqGT(seq, nextseq) && (flags & TCP_RST) === 0) {
        this.raise(c, Ev.LOST_SEGMENT);
      }
      // KEEP-ALIVE: 0 or 1 byte starting one before the next expected sequence number. While
      // the peer advertises a zero window the same shape is a window probe (Linux probes so).
      if ((seglen === 0 || seglen === 1) && fwdValid && seq === ((nextseq - 1) >>> 0) && ctl === 0) {
        if (revKnown && revWin === 0) {
          zwp = true;
          this.raise(c, Ev.ZERO_WINDOW_PROBE);
        } else {
          keepalive = true;
          this.raise(c, Ev.KEEPALIVE);
        }
      }
      // WINDOW UPDATE: no data, same seq/ack as before, a new non-zero window
      if (seglen === 0 && win !== 0 && win !== lastWin && fwdValid && seq === nextseq && fwdAckValid &&
          ack === lastAck && ctl === 0) {
        this.raise(c, Ev.WINDOW_UPDATE);
      }
      // WINDOW FULL: the data reaches exactly the right edge of the peer's advertised window
      if (seglen > 0 && ctl === 0 && (u16[hh + H.EP_FLAGS + p] & EF.ACK_VALID) !== 0) {
        const shift = windowShift(t.i8, b, p);
        if (shift >= 0 && ((seq + seglen) >>> 0) === ((u32[w + W.LAST_ACK + p] + revWin * (1 << shift)) >>> 0)) {
          windowFull = true;
          this.raise(c, Ev.WINDOW_FULL);
          // its previous segment filled the window too: the same run (said once, on its first)
          if ((u8[b + B.LAST_SEG + s] & LSF.WINDOW_FULL) !== 0) this.result.windowStillFull = true;
        }
      }
      const sameAck = seglen === 0 && fwdValid && seq === nextseq && fwdAckValid && ack === lastAck && ctl === 0;
      // KEEP-ALIVE ACK: repeats its last ACK and window right after the peer's keep-alive
      if (sameAck && win !== 0 && win === lastWin && (u8[b + B.LAST_SEG + p] & LSF.KEEPALIVE) !== 0) {
        this.raise(c, Ev.KEEPALIVE_ACK);
        break fwd;
      }
      // ZERO WINDOW PROBE ACK: repeats its last ACK and its zero window right after a probe
      if (sameAck && win === 0 && lastWin === 0 && (u8[b + B.LAST_SEG + p] & LSF.ZERO_WINDOW_PROBE) !== 0) {
        this.raise(c, Ev.ZERO_WINDOW_PROBE_ACK);
        break fwd;
      }
      // DUPLICATE ACK: no data, same seq, ack and (non-zero) window as its previous segment
      if (sameAck && win !== 0 && win === lastWin) {
        const n = i32[w + W.DUP_ACKS + s] + 1;
        i32[w + W.DUP_ACKS + s] = n;
        this.result.dupAckNum = n;
        this.raise(c, Ev.DUP_ACK);
      }
    }
    // a new acknowledgement number resets the duplicate-ACK count
    if ((flags & TCP_ACK) !== 0 && (!fwdAckValid || ack !== lastAck)) i32[w + W.DUP_ACKS + s] = 0;

    // ACKED UNSEEN SEGMENT: the ACK covers the peer's sequence space beyond the highest point up
    // to which the peer's segments were captured without a hole (MAX_SEQ_TBA). Reported once per
    // hole: as tshark does, the mark then moves up to the peer's next sequence number, so the
    // next ACK neither repeats the report nor is compared with a mark left before the hole. One
    // difference: when the ACK runs ahead of everything the peer was seen to send (the segment
    // after the hole not captured yet), the mark moves up to the ACK itself, so the segment that
    // then starts there extends it as any in-order segment does. tshark leaves its mark at the
    // peer's nextseq there, which stays behind once that segment arrives, and so reports the
    // same hole a second time at the ACK of the segment after it, data that was captured
    // (real-zero-window.pcap: tshark 47 and 49, 127 for the hole ACKed at 125, ...)
    // With none of the peer's packets captured (one direction only: its sequence numbers known
    // from this side's ACKs) its nextseq never moves, so every ACK would run ahead of it: that
    // is said once per connection (peer-unseen says why), not once per ACK.
    if ((flags & (TCP_ACK | TCP_RST)) === TCP_ACK && (u16[hh + H.EP_FLAGS + p] & EF.SEQ_VALID) !== 0 &&
        seqGT(ack, u32[w + W.MAX_SEQ_TBA + p]) &&
        (revKnown || (u32[w + W.ANOMALIES] & EVENT_ANOMALY[Ev.ACK_UNSEEN]) === 0)) {
      const peerNext = u32[w + W.NEXT_SEQ + p];
      // no hole before the peer's nextseq: only what lies beyond it is unseen (onSegment may
      // take that octet as a missed FIN)
      ackUnseen = u32[w + W.MAX_SEQ_TBA + p] === peerNext ? ACK_UNSEEN_AT_END : ACK_UNSEEN_HOLE;
      u32[w + W.MAX_SEQ_TBA + p] = seqGT(ack, peerNext) ? ack : peerNext;
      this.raise(c, Ev.ACK_UNSEEN);
    }

    // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER: data (or a FIN) that does
    // not advance the sequence number. SYNs are left to the handshake logic (syn-retransmit).
    if ((seglen > 0 || (flags & TCP_FIN) !== 0) && (flags & TCP_SYN) === 0 && !keepalive && !zwp) {
      let notAdvanced = fwdValid && seqLT(seq, nextseq);
      // more than one byte starting one before nextseq is new data after a probe, not a resend
      if (seglen > 1 && fwdValid && ((nextseq - 1) >>> 0) === seq) notAdvanced = false;
      // everything in it was already acknowledged
      const spurious = seglen > 0 && (u16[hh + H.EP_FLAGS + p] & EF.ACK_VALID) !== 0 &&
        seqLE((seq + seglen) >>> 0, u32[w + W.LAST_ACK + p]);
      // which kind of resend it is, out of line: taken by few segments (see classifyResend)
      if (spurious || notAdvanced) this.classifyResend(c, s, flags, seglen, spurious);
    }

    // remember the highest sequence number sent (probes do not advance it)
    if (!zwp && (flags & TCP_RST) === 0) {
      const segEnd = (seq + seglen + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0)) >>> 0;
      if (!fwdValid || seqGT(segEnd, nextseq)) {
        u32[w + W.NEXT_SEQ + s] = segEnd;
        f64[d + D.NEXT_SEQ_T + s] = now;
      }
      if (!fwdValid || seq === u32[w + W.MAX_SEQ_TBA + s]) u32[w + W.MAX_SEQ_TBA + s] = u32[w + W.NEXT_SEQ + s];
      u16[hh + H.EP_FLAGS + s] |= EF.SEQ_VALID;
    }
    u16[hh + H.WINDOW + s] = win;
    if ((flags & TCP_ACK) !== 0) {
      u32[w + W.LAST_ACK + s] = ack;
      f64[d + D.LAST_ACK_T + s] = now;
      u16[hh + H.EP_FLAGS + s] |= EF.ACK_VALID;
    }
    u8[b + B.LAST_SEG + s] = (keepalive ? LSF.KEEPALIVE : 0) | (zwp ? LSF.ZERO_WINDOW_PROBE : 0) | (windowFull ? LSF.WINDOW_FULL : 0);
    if (seglen > 0) u16[hh + H.EP_FLAGS + s] |= EF.SENT_DATA;
    return ackUnseen;
  }

  /**
   * The kind of a segment that does not advance its sender's sequence number (`notAdvanced`) or
   * that the peer has already acknowledged (`spurious`), for analyze(). Kept out of analyze so
   * its code stays out of the hot function's optimised graph: few segments get here (Wireshark's
   * order of tests: spurious, fast retransmission, out-of-order, retransmission).
   */
  private classifyResend(c: number, s: number, flags: number, seglen: number, spurious: boolean): void {
    const t = this.table;
    const seg = this.seg;
    const now = seg[SEG_NOW], seq = seg[SEG_SEQ];
    const f64 = t.f64, u32 = t.u32, i32 = t.i32, u16 = t.u16;
    const p = s ^ 1;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H;
    const nextseq = u32[w + W.NEXT_SEQ + s];
    const revAckValid = (u16[hh + H.EP_FLAGS + p] & EF.ACK_VALID) !== 0;
    const revAck = u32[w + W.LAST_ACK + p];
    if (spurious) {
      this.raise(c, Ev.SPURIOUS_RETRANSMISSION);
      // a retransmission too, in the flow's count (README's events row)
      t.count(c, Ctr.RETRANSMISSION);
      u32[w + W.ANOMALIES] |= EVENT_ANOMALY[Ev.RETRANSMISSION];
      u16[hh + H.UNANSWERED + s]++;
    } else if (i32[w + W.DUP_ACKS + p] >= 2 && revAckValid && revAck === seq &&
        now - f64[d + D.LAST_ACK_T + p] < FAST_RETRANSMIT_WINDOW) {
      this.raise(c, Ev.FAST_RETRANSMISSION);
      t.count(c, Ctr.RETRANSMISSION);
      u16[hh + H.UNANSWERED + s]++;
    } else if (now - f64[d + D.NEXT_SEQ_T + s] < this.oooThreshold(c) &&
        nextseq !== ((seq + seglen + ((flags & TCP_FIN) !== 0 ? 1 : 0)) >>> 0)) {
      this.raise(c, Ev.OUT_OF_ORDER);
    } else {
      if (seglen > 0) this.raise(c, Ev.RETRANSMISSION);
      u16[hh + H.UNANSWERED + s]++;
    }
  }

  /**
   * The common case in one pass: an in-order segment (data, or an ACK that moves the
   * acknowledgement) between two ESTABLISHED endpoints that no analysis rule would flag. It does
   * exactly what the full path (zeekSegment, analyze, onSegment, settle) does for such a segment;
   * when any rule might apply it changes nothing and returns false.
   */
  private fastSegment(c: number, s: number, flags: number, len: number, win: number, moreFragments: boolean): boolean {
    const t = this.table;
    // (ECE/CWR take the full path, where the ECN events are raised: the same one test)
    if ((flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK | TCP_ECE | TCP_CWR)) !== TCP_ACK || win === 0 || moreFragments) return false;
    const seg = this.seg;
    const seq = seg[SEG_SEQ], ack = seg[SEG_ACK];
    const u8 = t.u8, u16 = t.u16, u32 = t.u32;
    const p = s ^ 1;
    const w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    if (u8[b + B.STATE + s] !== TcpState.ESTABLISHED || u8[b + B.STATE + p] !== TcpState.ESTABLISHED) return false;
    const ef = u16[hh + H.EP_FLAGS + s], pf = u16[hh + H.EP_FLAGS + p];
    const known = EF.SEQ_VALID | EF.ACK_VALID;
    // sequence state known both ways, no fragment pending, the peer's SYN (if seen) received
    if ((ef & (known | EF.FRAG_PENDING)) !== known || (pf & (known | EF.FRAG_PENDING)) !== known) return false;
    if ((pf & EF.SYN_SEEN) !== 0 && (ef & EF.RCVD_PEER_SYN) === 0) return false;
    if ((u32[w + W.CONN_FLAGS] & (CF.HANDSHAKE_DONE | CF.SYN_SEEN)) === CF.SYN_SEEN) return false;
    // in order; an ACK-only segment must move the acknowledgement (else: dup ACK, window update, keep-alive ACK)
    if (seq !== u32[w + W.NEXT_SEQ + s]) return false;
    const lastAck = u32[w + W.LAST_ACK + s];
    if (len === 0 && ack === lastAck) return false;
    // not a probe, not already acknowledged (spurious), not acking unseen data, not filling the window
    const revWin = u16[hh + H.WINDOW + p];
    if (revWin === 0) return false;
    const end = (seq + len) >>> 0;
    const peerAck = u32[w + W.LAST_ACK + p];
    if (len > 0 && seqLE(end, peerAck)) return false;
    if (seqGT(ack, u32[w + W.MAX_SEQ_TBA + p])) return false;
    if (len > 0) {
      const shift = windowShift(t.i8, b, p);
      if (shift >= 0 && end === ((peerAck + revWin * (1 << shift)) >>> 0)) return false;
    }
    // Zeek: both ESTABLISHED, last_seq moving forward
    if (u8[b + B.Z_STATE + s] !== ZState.ESTABLISHED || u8[b + B.Z_STATE + p] !== ZState.ESTABLISHED) return false;
    const dLast = seqDiff(end, u32[w + W.Z_LAST + s]);
    if (len > 0 && dLast <= 0) return false;

    // commit: Zeek's history letter (D or A, once per direction), ack and last_seq
    const mask = len > 0 ? 0x10 : 0x20;
    if ((u32[w + W.Z_HIST_SEEN] & (s === 0 ? mask : mask << 16)) === 0) zeekPlainSegment(t, c, s, len > 0);
    const dAck = seqDiff(ack, u32[w + W.Z_ACK + p]);
    if (dAck > 0 && !(ack === 0 && dAck > TOO_LARGE_SEQ_DELTA)) u32[w + W.Z_ACK + p] = ack;
    if (dLast > 0) u32[w + W.Z_LAST + s] = end;
    // tshark's per-direction state
    const f64 = t.f64;
    const d = c * ROW_D;
    const now = seg[SEG_NOW];
    if (ack !== lastAck) t.i32[w + W.DUP_ACKS + s] = 0;
    if (len > 0) {
      u32[w + W.NEXT_SEQ + s] = end;
      f64[d + D.NEXT_SEQ_T + s] = now;
      u16[hh + H.EP_FLAGS + s] = ef | EF.SENT_DATA;
    }
    if (seq === u32[w + W.MAX_SEQ_TBA + s]) u32[w + W.MAX_SEQ_TBA + s] = u32[w + W.NEXT_SEQ + s];
    u16[hh + H.WINDOW + s] = win;
    u32[w + W.LAST_ACK + s] = ack;
    f64[d + D.LAST_ACK_T + s] = now;
    u8[b + B.LAST_SEG + s] = 0;
    return true;
  }

  /**
   * Wireshark's out-of-order threshold: the handshake RTT, or 3 ms when unknown — also when the
   * capture clock stepped back during the handshake (timeBetween says -1), where the difference
   * would be negative and no segment could ever be out of order.
   */
  private oooThreshold(c: number): number {
    const f64 = this.table.f64;
    const d = c * ROW_D;
    const rtt = timeBetween(f64[d + D.SYN_T], f64[d + D.EST_T]);
    return rtt >= 0 ? rtt : OOO_DEFAULT_THRESHOLD;
  }

  /** A retransmitted SYN / SYN-ACK: note its interval since the previous one. */
  private noteResend(c: number, s: number): void {
    const t = this.table;
    const now = this.seg[SEG_NOW];
    const r = this.result;
    const d = c * ROW_D, b = c * ROW_BYTES;
    r.interval = now - t.f64[d + D.CTRL_T + s];
    const n = t.u8[b + B.CTRL_COUNT + s];
    if (n < 255) t.u8[b + B.CTRL_COUNT + s] = n + 1;
    r.ordinal = n + 1;
    if (n >= 1 && n <= MAX_INTERVALS) t.f32[c * ROW_W + W.INTERVALS + s * MAX_INTERVALS + n - 1] = r.interval;
    t.f64[d + D.CTRL_T + s] = now;
  }

  // =============================================================================================
  // RFC 793 inference
  //
  // Which endpoint events (states.ts) a segment proves, and when. An event is fed only when the
  // packets prove it: "the endpoint received its peer's SYN or FIN" is known when the endpoint's
  // own ACK covers it (its reply is the evidence), while "the peer acknowledged our SYN or FIN"
  // is taken from the peer's ACK as soon as it is seen (nothing answers it). One inference from
  // order: an ACK of a FIN from a side whose own FIN went out before it on the same path reaches
  // the FIN's sender after that FIN, so a sender still in FIN_WAIT_1 is fed RCV_FIN first
  // (crossed FINs: FIN_WAIT_1 → CLOSING → TIME_WAIT). With one direction captured, one side's
  // ACKs prove what the other sent (inferSynAck, inferPeerFin), reported as inferred.
  // =============================================================================================

  /** A segment without RST from side s to its peer. */
  private onSegment(c: number, s: number, flags: number, len: number, ackUnseen: number): void {
    const t = this.table;
    const seg = this.seg;
    const now = seg[SEG_NOW], seq = seg[SEG_SEQ], ack = seg[SEG_ACK];
    const f64 = t.f64, u32 = t.u32, u16 = t.u16, u8 = t.u8;
    const p = s ^ 1;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const hasAck = (flags & TCP_ACK) !== 0;
    const se = hh + H.EP_FLAGS + s, pe = hh + H.EP_FLAGS + p; // endpoint flag slots

    // ---- its SYN ------------------------------------------------------------------------------
    if (syn && !hasAck) {
      if ((u16[se] & EF.SYN_SEEN) === 0) {
        u16[se] |= EF.SYN_SEEN;
        u32[w + W.ISN + s] = seq;
        f64[d + D.CTRL_T + s] = now;
        u8[b + B.CTRL_COUNT + s] = 1;
        if (s === 0) {
          u32[w + W.CONN_FLAGS] |= CF.SYN_SEEN;
          f64[d + D.SYN_T] = now;
          this.raise(c, Ev.SYN);
        } else if (u8[b + B.STATE + p] === TcpState.SYN_SENT) {
          // the server's own SYN while the client's waits: both SYNs crossed. Then it was no
          // listener but an active open too (RFC 793 fig. 13): CLOSED → SYN_SENT, not LISTEN
          u32[w + W.CONN_FLAGS] |= CF.SIMULTANEOUS;
          if (u8[b + B.STATE + s] === TcpState.LISTEN) {
            this.feed(c, s, EndpointEvent.CROSS_SYN);
            this.result.serverBefore = u8[b + B.STATE + s];
          }
          this.raise(c, Ev.SIMULTANEOUS_OPEN);
        } else {
          this.raise(c, Ev.SYN);
        }
        this.feed(c, s, EndpointEvent.SEND_SYN);
        if (len > 0) this.raise(c, Ev.SYN_WITH_DATA);
      } else if (seq === u32[w + W.ISN + s]) {
        this.noteResend(c, s);
        this.raise(c, Ev.SYN_RETRANSMIT);
        this.feed(c, s, EndpointEvent.SEND_SYN);
      }
    }

    // ---- its SYN-ACK --------------------------------------------------------------------------
    if (syn && hasAck) {
      // acceptable if it acknowledges the peer's SYN: ISS < ack ≤ SND.NXT (a SYN with data, TFO, moves SND.NXT)
      const peerSyn = (u16[pe] & EF.SYN_SEEN) !== 0;
      const ackOk = !peerSyn || (seqGT(ack, u32[w + W.ISN + p]) &&
        ((u16[pe] & EF.SEQ_VALID) === 0 || seqLE(ack, u32[w + W.NEXT_SEQ + p])));
      if ((u16[se] & EF.SYN_SEEN) === 0) {
        u16[se] |= EF.SYN_SEEN;
        u32[w + W.ISN + s] = seq;
        f64[d + D.CTRL_T + s] = now;
        u8[b + B.CTRL_COUNT + s] = 1;
        if (s === 1) {
          u32[w + W.CONN_FLAGS] |= CF.SYNACK_SEEN;
          f64[d + D.SYNACK_T] = now;
        }
        this.raise(c, (u32[w + W.CONN_FLAGS] & CF.SIMULTANEOUS) !== 0 ? Ev.SIMULTANEOUS_SYNACK : Ev.SYN_ACK);
        this.feed(c, s, EndpointEvent.SEND_SYNACK);
        u16[se] |= EF.RCVD_PEER_SYN;
      } else {
        this.onSynAckAgain(c, s);
      }
      if (ackOk) {
        if (peerSyn && (u16[pe] & EF.SYN_ACKED) === 0) {
          u16[pe] |= EF.SYN_ACKED;
          this.feed(c, p, EndpointEvent.RCV_ACK_OF_SYN);
        }
      } else {
        this.raise(c, Ev.SYNACK_BAD_ACK);
      }
    }

    // ---- what its ACK proves ------------------------------------------------------------------
    if (hasAck) {
      const pf = u16[pe];
      // an ACK of exactly one octet beyond everything the peer was seen to send, from a peer that
      // has not closed, is taken as the peer's FIN that the capture missed (undone if the peer
      // later sends data there)
      if (ackUnseen !== 0 && (pf & EF.SEQ_VALID) !== 0 && (pf & EF.FIN_SENT) === 0 && isSynchronized(u8[b + B.STATE + p]) &&
          ack === ((u32[w + W.NEXT_SEQ + p] + 1) >>> 0) && (u8[b + B.LAST_SEG + p] & LSF.ZERO_WINDOW_PROBE) === 0) {
        const onlyFin = ackUnseen === ACK_UNSEEN_AT_END;
        u16[pe] |= EF.FIN_SENT | EF.FIN_INFERRED;
        u32[w + W.FIN_SEQ + p] = u32[w + W.NEXT_SEQ + p];
        u32[w + W.NEXT_SEQ + p] = ack;
        u32[w + W.MAX_SEQ_TBA + p] = ack;
        // the octet beyond what was seen is that FIN: with no hole before it, analyze's "ACKs
        // data never showed" was not true (no data was missed, only the FIN)
        if (onlyFin) this.withdrawAckUnseen();
        this.raise(c, Ev.FIN_UNSEEN);
        this.noteFirstFin(c, p);
        this.feed(c, p, EndpointEvent.SEND_FIN);
      } else if (ackUnseen !== 0) {
        zeekGap(t, c, p);
      }
      // none of the peer's packets captured (one direction only): what its ACKs prove
      if (f64[d + D.PACKETS + p] === 0) this.onPeerUnseen(c, s, ack, fin, len);
      // it received the peer's SYN
      if ((u16[pe] & EF.SYN_SEEN) !== 0 && (u16[se] & EF.RCVD_PEER_SYN) === 0 && seqGT(ack, u32[w + W.ISN + p])) {
        u16[se] |= EF.RCVD_PEER_SYN;
        this.feed(c, s, EndpointEvent.RCV_SYN);
        if ((u16[pe] & EF.SYN_ACKED) === 0) {
          u16[pe] |= EF.SYN_ACKED;
          this.feed(c, p, EndpointEvent.RCV_ACK_OF_SYN);
        }
      }
      // an ACK covering the peer's FIN: this side received it, and the peer's FIN is acknowledged
      if ((u16[pe] & EF.FIN_SENT) !== 0 && seqGT(ack, u32[w + W.FIN_SEQ + p])) {
        if ((u16[se] & EF.RCVD_PEER_FIN) === 0) {
          u16[se] |= EF.RCVD_PEER_FIN;
          this.feed(c, s, EndpointEvent.RCV_FIN);
        }
        if ((u16[pe] & EF.FIN_ACKED) === 0) {
          // crossed FINs (RFC 793 fig. 14): this side's own FIN went out before this ACK on the
          // same path, so the peer, still in FIN_WAIT_1, received that FIN first and passed
          // through CLOSING before this ACK of its FIN arrived
          if ((u16[se] & (EF.FIN_SENT | EF.FIN_INFERRED)) === EF.FIN_SENT && (u16[pe] & EF.RCVD_PEER_FIN) === 0 &&
              u8[b + B.STATE + p] === TcpState.FIN_WAIT_1) {
            u16[pe] |= EF.RCVD_PEER_FIN;
            this.feed(c, p, EndpointEvent.RCV_FIN);
            this.result.passThrough(p, TcpState.CLOSING);
          }
          u16[pe] |= EF.FIN_ACKED;
          this.result.finAcked |= p === 0 ? 1 : 2;
          this.raise(c, Ev.FIN_ACKED);
          this.feed(c, p, EndpointEvent.RCV_ACK_OF_FIN);
        }
      }
      // a side still unsynchronized in our view sends an ordinary ACK: it synchronized unseen
      // (not a side that has closed: its late segments revive nothing)
      if (!syn) {
        const st = u8[b + B.STATE + s];
        if (st === TcpState.LISTEN || (st === TcpState.CLOSED && (u16[se] & (EF.FIN_SENT | EF.RST_SENT)) === 0 &&
            (u32[w + W.CONN_FLAGS] & (CF.DONE | CF.RESET)) === 0)) {
          this.feed(c, s, EndpointEvent.PICKUP);
        } else if (st === TcpState.SYN_SENT && (u16[pe] & EF.SYN_SEEN) === 0) {
          // its ACK proves a SYN-ACK the capture missed, which had acknowledged its SYN
          u16[se] |= EF.RCVD_PEER_SYN | EF.SYN_ACKED;
          this.feed(c, s, EndpointEvent.RCV_SYN);
          if (u8[b + B.STATE + p] === TcpState.LISTEN) this.inferSynAck(c, p);
        }
      }
    }

    // ---- its data -----------------------------------------------------------------------------
    if (len > 0 && !syn) {
      if ((u16[se] & EF.FIN_SENT) !== 0 && seqGT((seq + len) >>> 0, u32[w + W.FIN_SEQ + s])) {
        if ((u16[se] & EF.FIN_INFERRED) !== 0) this.undoInferredFin(c, s);
        else this.raise(c, Ev.DATA_AFTER_FIN);
      }
      // data from a side that has received (acknowledged) its peer's FIN and not closed itself:
      // the half-close is in use
      if ((u16[se] & (EF.RCVD_PEER_FIN | EF.FIN_SENT)) === EF.RCVD_PEER_FIN &&
          (u32[w + W.ANOMALIES] & EVENT_ANOMALY[Ev.HALF_CLOSE]) === 0) {
        this.raise(c, Ev.HALF_CLOSE);
      }
    }

    // ---- its FIN ------------------------------------------------------------------------------
    if (fin) {
      const fs = (seq + len) >>> 0;
      const ef = u16[se];
      if ((ef & EF.FIN_SENT) === 0) {
        u16[se] |= EF.FIN_SENT;
        u32[w + W.FIN_SEQ + s] = fs;
        f64[d + D.FIN_T + s] = now;
        if ((u16[pe] & EF.FIN_SENT) === 0) {
          this.raise(c, Ev.FIN_ACTIVE);
          this.noteFirstFin(c, s);
        } else if ((u16[se] & EF.RCVD_PEER_FIN) !== 0) {
          this.raise(c, Ev.FIN_PASSIVE);
        } else {
          // it closes before it has received the peer's FIN: the FINs crossed
          u32[w + W.CONN_FLAGS] |= CF.SIMULTANEOUS_CLOSE;
          this.raise(c, Ev.SIMULTANEOUS_CLOSE);
        }
        this.feed(c, s, EndpointEvent.SEND_FIN);
      } else {
        this.onFinAgain(c, s, fs);
      }
    }
  }

  /**
   * The client's ACK proves a SYN-ACK the capture does not have (a filter keeping the client's
   * packets alone, or a lost one): the server, presumed listening, had received the SYN and sent
   * that SYN-ACK (LISTEN → SYN_RCVD), and this ACK of it completes its side of the handshake
   * (→ ESTABLISHED), taken as soon as it is seen, as every ACK of a SYN or FIN is. Reported as
   * inferred; the handshake stays `one-sided` (its SYN-ACK and round trip were not seen), so no
   * `handshake-complete` either (settle).
   */
  private inferSynAck(c: number, p: number): void {
    const t = this.table;
    const r = this.result;
    t.u16[c * ROW_H + H.EP_FLAGS + p] |= EF.RCVD_PEER_SYN | EF.SYN_ACKED;
    t.u32[c * ROW_W + W.CONN_FLAGS] |= CF.SYNACK_INFERRED;
    this.feed(c, p, EndpointEvent.SEND_SYNACK);
    r.passThrough(p, TcpState.SYN_RCVD);
    this.feed(c, p, EndpointEvent.RCV_ACK_OF_SYN);
    r.inferred |= p === 0 ? 1 : 2;
  }

  /**
   * Side s, in SYN_RCVD after its SYN-ACK, ACKs what its peer (in SYN_SENT, none of its packets
   * captured) sent after the handshake: the peer received the SYN-ACK and answered it with the
   * ACK that completed s's side (onPeerUnseen). The server-only view's counterpart of
   * inferSynAck; the handshake itself stays as seen (its SYN and final ACK were not).
   */
  private inferHandshakeEnd(c: number, s: number): void {
    const t = this.table;
    const p = s ^ 1;
    const hh = c * ROW_H;
    // the peer: the SYN-ACK acknowledged its SYN and brought s's SYN (SYN_SENT → ESTABLISHED,
    // the state SYN_RCVD of RCV_SYN's rule left at once, as for any client: not shown)
    t.u16[hh + H.EP_FLAGS + p] |= EF.RCVD_PEER_SYN | EF.SYN_ACKED;
    this.feed(c, p, EndpointEvent.RCV_SYN);
    this.feed(c, p, EndpointEvent.RCV_ACK_OF_SYN);
    // s: the peer's ACK of its SYN arrived
    t.u16[hh + H.EP_FLAGS + s] |= EF.SYN_ACKED;
    this.feed(c, s, EndpointEvent.RCV_ACK_OF_SYN);
    this.result.inferred |= 3;
  }

  /**
   * An ACK from side s while none of its peer's packets has been captured (onSegment), with the
   * segment's FIN bit and payload length. What it can prove:
   *  - its ACK moved forward over data or a FIN of the peer: the peer is there and sending, only
   *    its direction is missing from the capture. Reported once (PEER_UNSEEN) from the sender's
   *    PEER_UNSEEN_MIN_PACKETS-th packet on; withdrawn at the end if the peer shows up after all.
   *  - the peer's FIN after s's own (s closed first): an ACK one octet beyond s's previous ACK
   *    covers the FIN the peer answered with (inferPeerFin).
   *  - the peer's FIN before s's (the peer closed first): s's own FIN that acknowledges exactly
   *    one octet more than s did before, on that FIN or on a pure ACK just before it
   *    (inferPeerActiveClose).
   *  - that an inferred FIN of the peer was data: an ACK beyond it (withdrawOneSidedFin).
   */
  private onPeerUnseen(c: number, s: number, ack: number, fin: boolean, len: number): void {
    const t = this.table;
    const hh = c * ROW_H, w = c * ROW_W, b = c * ROW_BYTES;
    const p = s ^ 1;
    const se = hh + H.EP_FLAGS + s, pe = hh + H.EP_FLAGS + p;
    const prevAck = this.seg[SEG_PREV_ACK];
    const advanced = prevAck >= 0 && seqGT(ack, prevAck);
    if (advanced) t.u16[se] |= EF.ACKED_UNSEEN_PEER;
    // an ACK beyond the peer's FIN we had inferred: the peer sent more after that octet, so it
    // was one octet of data, not a FIN (a FIN is the last thing a sender sends); undo the
    // inference before this ACK is read again as what it now is
    if ((t.u16[pe] & (EF.FIN_INFERRED | EF.RST_SENT)) === EF.FIN_INFERRED && (t.u16[se] & EF.RST_SENT) === 0 &&
        seqGT(ack, (t.u32[w + W.FIN_SEQ + p] + 1) >>> 0)) {
      this.withdrawOneSidedFin(c, s);
    }
    // a side in SYN_RCVD (its SYN-ACK seen) whose ACK moves over what the peer sent after its
    // SYN: the peer had received the SYN-ACK (SYN_SENT → ESTABLISHED) and its acceptable ACK had
    // taken this side to ESTABLISHED (RFC 9293 §3.10.7.4, SYN-RECEIVED): both inferred
    if (advanced && t.u8[b + B.STATE + s] === TcpState.SYN_RCVD && t.u8[b + B.STATE + p] === TcpState.SYN_SENT) {
      this.inferHandshakeEnd(c, s);
    }
    if ((t.u16[se] & EF.ACKED_UNSEEN_PEER) !== 0 && t.f64[c * ROW_D + D.PACKETS + s] >= PEER_UNSEEN_MIN_PACKETS &&
        (t.u32[w + W.ANOMALIES] & EVENT_ANOMALY[Ev.PEER_UNSEEN]) === 0) {
      this.raise(c, Ev.PEER_UNSEEN);
    }
    // its own FIN out and not acknowledged (nothing of the peer seen), the peer open, and this
    // ACK exactly one octet beyond the last one: the octet is the peer's FIN. One octet of data
    // sent after a FIN was received would look the same, which a half-close seldom does (and an
    // ACK beyond it later withdraws the inference)
    if (advanced && ack === ((prevAck + 1) >>> 0) && t.u8[b + B.STATE + s] === TcpState.FIN_WAIT_1 &&
        t.u8[b + B.STATE + p] === TcpState.ESTABLISHED &&
        (t.u16[se] & (EF.FIN_SENT | EF.RST_SENT | EF.RCVD_PEER_FIN)) === EF.FIN_SENT &&
        (t.u16[pe] & (EF.FIN_SENT | EF.RST_SENT)) === 0) {
      this.inferPeerFin(c, s, prevAck);
      return;
    }
    if ((t.u16[pe] & (EF.FIN_SENT | EF.RST_SENT)) !== 0) return;
    // The peer closed first. While the peer's FIN is unknown its FIN_SEQ slot is free, and holds
    // here where a FIN of the peer would be if s's latest segment was a pure ACK that moved one
    // octet (that ACK's previous value), or s's current ACK when it was not (never one below it,
    // so no candidate). s's own first FIN (no data on it, s and the peer both open) that
    // acknowledges one octet more than s did before, on the FIN itself or on that pure ACK just
    // before it with nothing sent between, acknowledges the peer's FIN: s had received it
    // (ESTABLISHED → CLOSE-WAIT, RFC 9293 §3.10.7.4 "eighth, check the FIN bit") and its CLOSE
    // now sends its FIN (CLOSE-WAIT → LAST-ACK, §3.10.4). The same octet as data would mean the
    // peer sent one last byte and s closed first; a later ACK of s beyond the octet shows that,
    // and withdraws the inference (above).
    if (!fin) {
      t.u32[w + W.FIN_SEQ + p] = advanced && len === 0 && ack === ((prevAck + 1) >>> 0) ? prevAck : ack;
      return;
    }
    if (len === 0 && prevAck >= 0 && t.u8[b + B.STATE + s] === TcpState.ESTABLISHED &&
        t.u8[b + B.STATE + p] === TcpState.ESTABLISHED &&
        (t.u16[se] & (EF.FIN_SENT | EF.RST_SENT | EF.RCVD_PEER_FIN)) === 0 &&
        (advanced ? ack === ((prevAck + 1) >>> 0)
          : ack === prevAck && (t.u16[se] & EF.ACKED_UNSEEN_PEER) !== 0 && t.u32[w + W.FIN_SEQ + p] === ((ack - 1) >>> 0))) {
      this.inferPeerActiveClose(c, s, (ack - 1) >>> 0);
    }
  }

  /**
   * The peer's FIN at `finSeq`, sent before side s closed, proven by s's FIN that acknowledges it
   * while none of the peer's packets was captured (onPeerUnseen): the peer closed actively
   * (ESTABLISHED → FIN_WAIT_1) and s received that FIN (→ CLOSE_WAIT) before its own CLOSE. Only
   * the peer's FIN is set here: onSegment then applies s's ACK of it as for a captured one (s →
   * CLOSE_WAIT, the peer → FIN_WAIT_2) and s's FIN as a passive close (s → LAST_ACK). Reported as
   * inferred, both sides (s's CLOSE_WAIT rests on the octet being a FIN).
   */
  private inferPeerActiveClose(c: number, s: number, finSeq: number): void {
    const t = this.table;
    const r = this.result;
    const p = s ^ 1;
    t.u16[c * ROW_H + H.EP_FLAGS + p] |= EF.FIN_SENT | EF.FIN_INFERRED;
    t.u32[c * ROW_W + W.FIN_SEQ + p] = finSeq;
    t.f64[c * ROW_D + D.FIN_T + p] = this.seg[SEG_NOW];
    this.noteFirstFin(c, p);
    this.feed(c, p, EndpointEvent.SEND_FIN);
    r.passThrough(p, TcpState.FIN_WAIT_1);
    r.passThrough(s, TcpState.CLOSE_WAIT);
    r.inferred |= 3;
    this.raise(c, Ev.FIN_UNSEEN);
  }

  /**
   * Side s's ACK goes beyond the FIN of its peer that an earlier ACK of s had us infer, none of
   * the peer's packets captured (onPeerUnseen): that octet was data. The states go back to what
   * the packets still prove: the peer open (ESTABLISHED, as both inferences required), s open or,
   * its own FIN sent, in FIN_WAIT_1 (the ACK of its FIN had been inferred from the peer's FIN
   * too); who closed first is s if it did. The packet says so (FIN_INFERENCE_WITHDRAWN); the
   * earlier packets' records keep what was said then. What this ACK itself proves is applied
   * after (it may prove the peer's FIN one octet further: inferPeerFin).
   */
  private withdrawOneSidedFin(c: number, s: number): void {
    const t = this.table;
    const u16 = t.u16;
    const p = s ^ 1;
    const hh = c * ROW_H;
    const pf = u16[hh + H.EP_FLAGS + p], sf = u16[hh + H.EP_FLAGS + s];
    u16[hh + H.EP_FLAGS + p] = pf & ~(EF.FIN_SENT | EF.FIN_INFERRED | EF.FIN_ACKED | EF.RCVD_PEER_FIN);
    u16[hh + H.EP_FLAGS + s] = sf & ~(EF.RCVD_PEER_FIN | EF.FIN_ACKED);
    const sFin = (sf & EF.FIN_SENT) !== 0;
    // the peer: its FIN, and its receipt of s's FIN (inferred with it), taken back: open again
    this.feed(c, p, EndpointEvent.UNDO_SEND_FIN);
    if ((pf & EF.RCVD_PEER_FIN) !== 0) this.feed(c, p, EndpointEvent.UNDO_RCV_FIN);
    // s: it never received that FIN, nor (inferred from it) the ACK of its own
    if ((sf & EF.FIN_ACKED) !== 0) this.feed(c, s, EndpointEvent.UNDO_ACK_OF_FIN);
    if ((sf & EF.RCVD_PEER_FIN) !== 0) this.feed(c, s, EndpointEvent.UNDO_RCV_FIN);
    const at = c * ROW_W + W.CONN_FLAGS;
    if (sFin && s === 1) t.u32[at] |= CF.SERVER_CLOSED_FIRST;
    else t.u32[at] &= ~CF.SERVER_CLOSED_FIRST;
    // a `connection closed` said on the inferred FIN was wrong too: the real close says it again
    t.u32[at] &= ~CF.CLOSE_REPORTED;
    this.result.inferred |= 3;
    this.raise(c, Ev.FIN_INFERENCE_WITHDRAWN);
  }

  /**
   * The peer's FIN at `finSeq`, proven by side s's ACK of it while none of the peer's packets
   * was captured (onPeerUnseen). s had closed first, so the peer's FIN answers s's: the peer had
   * received s's FIN (ESTABLISHED → CLOSE_WAIT) and sent its own (→ LAST_ACK), which acknowledged
   * s's FIN (s: FIN_WAIT_1 → FIN_WAIT_2); onSegment then applies this ACK of the peer's FIN as
   * for a captured one (s → TIME_WAIT, the peer → CLOSED). All of it reported as inferred.
   */
  private inferPeerFin(c: number, s: number, finSeq: number): void {
    const t = this.table;
    const r = this.result;
    const p = s ^ 1;
    const hh = c * ROW_H;
    t.u16[hh + H.EP_FLAGS + p] |= EF.RCVD_PEER_FIN;
    this.feed(c, p, EndpointEvent.RCV_FIN);
    r.passThrough(p, TcpState.CLOSE_WAIT);
    t.u16[hh + H.EP_FLAGS + p] |= EF.FIN_SENT | EF.FIN_INFERRED;
    t.u32[c * ROW_W + W.FIN_SEQ + p] = finSeq;
    t.f64[c * ROW_D + D.FIN_T + p] = this.seg[SEG_NOW];
    this.feed(c, p, EndpointEvent.SEND_FIN);
    r.passThrough(p, TcpState.LAST_ACK);
    t.u16[hh + H.EP_FLAGS + s] |= EF.FIN_ACKED;
    this.feed(c, s, EndpointEvent.RCV_ACK_OF_FIN);
    r.passThrough(s, TcpState.FIN_WAIT_2);
    r.inferred |= 3;
    this.raise(c, Ev.FIN_UNSEEN);
  }

  /**
   * A SYN-ACK from a side that has sent its SYN already (onSegment): the second half of a
   * simultaneous open, or a retransmitted SYN-ACK. Out of line: once per connection at most in
   * the usual capture, so its code stays out of onSegment's optimised graph.
   */
  private onSynAckAgain(c: number, s: number): void {
    const t = this.table;
    const w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES, d = c * ROW_D;
    const se = hh + H.EP_FLAGS + s;
    if (t.u8[b + B.STATE + s] === TcpState.SYN_SENT) {
      // simultaneous open: it now answers the peer's SYN with a SYN-ACK of its own ISN
      if (s === 1) {
        t.u32[w + W.CONN_FLAGS] |= CF.SYNACK_SEEN;
        if (t.f64[d + D.SYNACK_T] === 0) t.f64[d + D.SYNACK_T] = this.seg[SEG_NOW];
      }
      this.raise(c, Ev.SIMULTANEOUS_SYNACK);
      this.feed(c, s, EndpointEvent.SEND_SYNACK);
      t.u16[se] |= EF.RCVD_PEER_SYN;
    } else {
      this.noteResend(c, s);
      this.raise(c, Ev.SYNACK_RETRANSMIT);
      t.u32[w + W.ISN + s] = this.seg[SEG_SEQ];
      this.feed(c, s, EndpointEvent.SEND_SYNACK);
    }
  }

  /**
   * A FIN from a side that has sent one already (onSegment), ending at `fs`: the FIN we had
   * inferred, captured after all; a retransmission; or a FIN at another place. Out of line, as
   * onSynAckAgain.
   */
  private onFinAgain(c: number, s: number, fs: number): void {
    const t = this.table;
    const f64 = t.f64, u32 = t.u32, u16 = t.u16;
    const now = this.seg[SEG_NOW];
    const d = c * ROW_D, w = c * ROW_W;
    const se = c * ROW_H + H.EP_FLAGS + s;
    const ef = u16[se];
    if ((ef & EF.FIN_INFERRED) !== 0 && fs === u32[w + W.FIN_SEQ + s]) {
      // the FIN we had inferred, captured after all
      u16[se] &= ~EF.FIN_INFERRED;
      f64[d + D.FIN_T + s] = now;
    } else if (fs === u32[w + W.FIN_SEQ + s]) {
      this.result.interval = now - f64[d + D.FIN_T + s];
      f64[d + D.FIN_T + s] = now;
      this.raise(c, Ev.FIN_RETRANSMIT);
      this.result.ordinal = t.counter(c, Ctr.FIN_RETRANSMIT) + 1;
      if ((ef & (EF.FIN_ACKED | EF.RST_SENT)) === EF.FIN_ACKED && (u16[se - s + (s ^ 1)] & EF.RST_SENT) === 0) {
        // its FIN was acknowledged, yet it sends it again: that ACK never reached it, so it is
        // still waiting in the state before (LAST_ACK, CLOSING or FIN_WAIT_1). Not after a RST
        // from either side: a reset endpoint is CLOSED whatever it sends afterwards
        u16[se] &= ~EF.FIN_ACKED;
        this.feed(c, s, EndpointEvent.RESEND_FIN);
      }
    } else {
      // a FIN at another place than before: believe the latest
      u32[w + W.FIN_SEQ + s] = fs;
      u16[se] &= ~EF.FIN_INFERRED;
    }
  }

  /**
   * Drop ACK_UNSEEN from this packet's events (what its annotation says): the only sequence
   * space its ACK covered beyond what was captured is the peer's FIN, which onSegment infers and
   * reports instead (FIN_UNSEEN), so "ACKs data the capture never showed" would be false. The
   * connection's count and anomaly stay: `ack-unseen` means an ACK covered data or a FIN the
   * capture never showed (capture loss), as check's conditions say.
   */
  private withdrawAckUnseen(): void {
    const r = this.result;
    let k = 0;
    for (let i = 0; i < r.eventCount; i++) if (r.events[i] !== Ev.ACK_UNSEEN) r.events[k++] = r.events[i];
    r.eventCount = k;
  }

  /** The first FIN of a connection tells who closed actively. */
  private noteFirstFin(c: number, s: number): void {
    const t = this.table;
    if ((t.u16[c * ROW_H + H.EP_FLAGS + (s ^ 1)] & EF.FIN_SENT) !== 0) return;
    const at = c * ROW_W + W.CONN_FLAGS;
    if (s === 1) t.u32[at] |= CF.SERVER_CLOSED_FIRST;
    else t.u32[at] &= ~CF.SERVER_CLOSED_FIRST;
  }

  /**
   * The octet we took for side s's unseen FIN was data after all (s sent more beyond it): put
   * both endpoints back where they would be without that FIN.
   */
  private undoInferredFin(c: number, s: number): void {
    const t = this.table;
    const u8 = t.u8, u16 = t.u16, u32 = t.u32;
    const p = s ^ 1;
    const hh = c * ROW_H, b = c * ROW_BYTES, w = c * ROW_W;
    u16[hh + H.EP_FLAGS + s] &= ~(EF.FIN_SENT | EF.FIN_INFERRED | EF.FIN_ACKED);
    u16[hh + H.EP_FLAGS + p] &= ~EF.RCVD_PEER_FIN;
    const ss = u8[b + B.STATE + s], sp = u8[b + B.STATE + p];
    const pSent = (u16[hh + H.EP_FLAGS + p] & EF.FIN_SENT) !== 0;
    const reset = ((u16[hh + H.EP_FLAGS + s] | u16[hh + H.EP_FLAGS + p]) & EF.RST_SENT) !== 0;
    // s: without its FIN it is still open (or merely received the peer's FIN); a CLOSED that a
    // RST reached stays so
    if (ss !== TcpState.CLOSED || !reset) this.feed(c, s, EndpointEvent.UNDO_SEND_FIN);
    // p: it never received a FIN (a CLOSED p is walked back only if it closed by its own FIN)
    if (sp !== TcpState.CLOSED || (pSent && !reset)) this.feed(c, p, EndpointEvent.UNDO_RCV_FIN);
    if (!pSent) u32[w + W.CONN_FLAGS] &= ~CF.SERVER_CLOSED_FIRST;
    else if (p === 1) u32[w + W.CONN_FLAGS] |= CF.SERVER_CLOSED_FIRST;
    else u32[w + W.CONN_FLAGS] &= ~CF.SERVER_CLOSED_FIRST;
    // said on this packet, as withdrawOneSidedFin does (there with the result's `inferred` set:
    // the annotation tells the two apart by it); a `connection closed` said on the inferred FIN
    // was wrong, the real close says it again
    u32[w + W.CONN_FLAGS] &= ~CF.CLOSE_REPORTED;
    this.raise(c, Ev.FIN_INFERENCE_WITHDRAWN);
  }

  /**
   * Whether an ACK `ack` sent to side p, in SYN_SENT or SYN_RCVD, is one p cannot accept: known
   * only when p's own SYN (or SYN-ACK) was captured, so that its ISS and SND.NXT are (a client
   * whose ISN was inferred from a SYN-ACK's ack, or a side whose SYN the capture lost, is never
   * judged). RFC 9293 §3.10.7.3, SYN-SENT: unacceptable if SEG.ACK =< ISS or SEG.ACK > SND.NXT;
   * §3.10.7.4, SYN-RECEIVED: acceptable only if SND.UNA < SEG.ACK =< SND.NXT, where SND.UNA is
   * still ISS (its SYN unacknowledged). The same range for both; SND.NXT is ISS+1, or beyond it
   * when the SYN carried data (TFO). The one test for every segment in those states, a RST's
   * included (onReset).
   */
  private openingAckUnacceptable(c: number, p: number, ack: number): boolean {
    const t = this.table;
    const w = c * ROW_W;
    const pf = t.u16[c * ROW_H + H.EP_FLAGS + p];
    if ((pf & EF.SYN_SEEN) === 0 || (p === 0 && (t.u32[w + W.CONN_FLAGS] & CF.SYNACK_FIRST) !== 0)) return false;
    return !seqGT(ack, t.u32[w + W.ISN + p]) || seqGT(ack, t.sendNext(c, p));
  }

  /** A RST from side s. */
  private onReset(c: number, s: number, flags: number, len: number): void {
    const t = this.table;
    const seg = this.seg;
    const now = seg[SEG_NOW], seq = seg[SEG_SEQ], ack = seg[SEG_ACK], prevSenderT = seg[SEG_PREV_T];
    const f64 = t.f64, u32 = t.u32, u16 = t.u16, u8 = t.u8;
    const p = s ^ 1;
    const d = c * ROW_D, w = c * ROW_W, hh = c * ROW_H, b = c * ROW_BYTES;
    const hasAck = (flags & TCP_ACK) !== 0;
    if (len > 0) this.raise(c, Ev.RST_WITH_DATA);
    const ss = u8[b + B.STATE + s], sp = u8[b + B.STATE + p];
    const sf = u16[hh + H.EP_FLAGS + s], pf = u16[hh + H.EP_FLAGS + p];
    const cf = u32[w + W.CONN_FLAGS];
    const byServer = s === 1 ? CF.RESET_BY_SERVER : 0;

    // would the receiver accept it?
    let acceptable: boolean;
    if (sp === TcpState.SYN_SENT) {
      // RFC 9293 §3.10.7.3, SYN-SENT: only a RST whose ACK acknowledges the SYN, the range every
      // segment to an opening side is judged by (openingAckUnacceptable); without an ACK, or to a
      // side whose SYN was not captured, it is not taken as a refusal
      acceptable = hasAck && (pf & EF.SYN_SEEN) !== 0 && !this.openingAckUnacceptable(c, p, ack);
    } else if ((pf & EF.ACK_VALID) === 0 && (sf & EF.SEQ_VALID) === 0) {
      acceptable = true; // nothing known to judge it by
    } else {
      // in the receive window: from what the receiver acknowledged last (or, if it never did,
      // the sender's next sequence number), as wide as the receiver's window
      const rcvNxt = (pf & EF.ACK_VALID) !== 0 ? u32[w + W.LAST_ACK + p] : u32[w + W.NEXT_SEQ + s];
      const shift = windowShift(t.i8, b, p);
      const wnd = Math.max(1, u16[hh + H.WINDOW + p] * (1 << Math.max(0, shift)));
      acceptable = seqInWindow(seq, rcvNxt, wnd) || ((sf & EF.SEQ_VALID) !== 0 && seq === u32[w + W.NEXT_SEQ + s]);
    }

    if ((sf & EF.RST_SENT) !== 0 || ((cf & CF.RESET) !== 0 && ss === TcpState.CLOSED && sp === TcpState.CLOSED)) {
      this.raise(c, Ev.RESET_REPEAT);
    } else if (s === 1 && sp === TcpState.SYN_SENT && acceptable) {
      // the SYN was answered by RST: nothing listens there
      u32[w + W.CONN_FLAGS] |= CF.REFUSED | CF.RESET | CF.RESET_BY_SERVER;
      this.raise(c, Ev.REFUSED);
    } else if (!acceptable) {
      // a RST its receiver would not accept (outside its window; in SYN_SENT, one whose ACK does
      // not acknowledge the SYN), in the handshake or after a FIN as well: the receiver's stack
      // drops it (RFC 793 §3.4 "reset processing"; RFC 5961 §3.2 at most answers with a
      // challenge ACK), so nothing is aborted and neither side changes state, whoever sent it (a
      // blind or stale RST): reported, then ignored. Zeek's own state (zeek.ts) still counts it,
      // as Zeek does
      this.raise(c, Ev.RESET_IGNORED);
      return;
    } else if (!isSynchronized(ss) && !isSynchronized(sp)) {
      // a RST in the middle of the handshake that is not a refusal
      u32[w + W.CONN_FLAGS] |= CF.RESET | CF.HANDSHAKE_RESET | byServer;
      this.raise(c, Ev.HANDSHAKE_RESET);
    } else if ((sf & EF.FIN_SENT) !== 0 && (pf & EF.FIN_SENT) !== 0 &&
        (ss === TcpState.TIME_WAIT || ss === TcpState.CLOSED) && (sp === TcpState.TIME_WAIT || sp === TcpState.CLOSED)) {
      // both FINs sent and acknowledged: every byte was delivered and both sides are done, so
      // this aborts nothing. Typically the side that went LAST_ACK → CLOSED, with no state left,
      // answers a late segment with a bare RST (RFC 793 §3.4, "reset generation" case 1) into
      // the peer's TIME_WAIT, which RFC 1337 says to ignore (Linux, by default, ends its
      // TIME_WAIT on it: the states below follow that). Reported, not the `reset` anomaly; the
      // close stays `fin` and reset_by null
      u32[w + W.CONN_FLAGS] |= CF.RESET_AFTER_FINS;
      this.raise(c, Ev.RESET_AFTER_FULL_CLOSE);
    } else if ((sf & EF.FIN_SENT) !== 0) {
      // it had closed and then got something it could not deliver (data after close())
      u32[w + W.CONN_FLAGS] |= CF.RESET | byServer;
      this.raise(c, Ev.RESET_AFTER_CLOSE);
    } else if (!hasAck && (pf & EF.ACK_VALID) !== 0 && seq === u32[w + W.LAST_ACK + p] &&
        f64[d + D.EP_LAST_T + p] >= prevSenderT && f64[d + D.PACKETS + p] > 0) {
      // a bare RST whose sequence number is the ACK of the segment it answers, from a side that
      // never closed: what a host with no state for the connection sends (RFC 793 §3.4 "reset
      // generation", case 1) — it rebooted or lost the connection: half-open
      u32[w + W.CONN_FLAGS] |= CF.RESET | CF.HALF_OPEN | byServer;
      this.result.idle = prevSenderT > 0 ? now - prevSenderT : -1;
      this.raise(c, Ev.RESET_NO_STATE);
    } else {
      u32[w + W.CONN_FLAGS] |= CF.RESET | byServer;
      this.raise(c, Ev.RESET);
    }
    // the first reset decides who reset
    if ((cf & CF.RESET) !== 0) u32[w + W.CONN_FLAGS] = (u32[w + W.CONN_FLAGS] & ~CF.RESET_BY_SERVER) | (cf & CF.RESET_BY_SERVER);

    u16[hh + H.EP_FLAGS + s] |= EF.RST_SENT;
    this.feed(c, s, EndpointEvent.SEND_RST);
    if (acceptable) {
      u16[hh + H.EP_FLAGS + s] |= EF.RST_ACCEPTED;
      this.feed(c, p, EndpointEvent.RCV_RST);
    } else {
      this.raise(c, Ev.RESET_IGNORED);
    }
  }

  /**
   * After a packet's events: apply what was already known (an ACK of a SYN or FIN seen before
   * the endpoint reached the state that waits for it), detect the end of the handshake and of
   * the connection.
   */
  private settle(c: number): void {
    const t = this.table;
    const now = this.seg[SEG_NOW];
    const u8 = t.u8, u16 = t.u16, u32 = t.u32, f64 = t.f64;
    const b = c * ROW_BYTES, hh = c * ROW_H, w = c * ROW_W, d = c * ROW_D;
    for (let s = 0; s <= 1; s++) {
      const ef = u16[hh + H.EP_FLAGS + s];
      if (u8[b + B.STATE + s] === TcpState.SYN_RCVD && (ef & EF.SYN_ACKED) !== 0) {
        // simultaneous open (RFC 793 fig. 13): a side still in SYN_SENT before this packet passed
        // through SYN_RCVD (its SYN-ACK answers the peer's SYN) on its way to ESTABLISHED
        if ((u32[w + W.CONN_FLAGS] & CF.SIMULTANEOUS) !== 0 && (s === 0 ? this.result.clientBefore : this.result.serverBefore) === TcpState.SYN_SENT) {
          this.result.passThrough(s, TcpState.SYN_RCVD);
        }
        this.feed(c, s, EndpointEvent.RCV_ACK_OF_SYN);
      }
      const st = u8[b + B.STATE + s];
      if ((st === TcpState.FIN_WAIT_1 || st === TcpState.CLOSING || st === TcpState.LAST_ACK) && (ef & EF.FIN_ACKED) !== 0) {
        this.feed(c, s, EndpointEvent.RCV_ACK_OF_FIN);
      }
    }
    const sc = u8[b + B.STATE], ss = u8[b + B.STATE + 1];
    let cf = u32[w + W.CONN_FLAGS];
    // (not when the SYN-ACK was inferred: that handshake is one-sided, its round trip unknown)
    if ((cf & (CF.HANDSHAKE_DONE | CF.SYN_SEEN | CF.SYNACK_INFERRED)) === CF.SYN_SEEN && isSynchronized(sc) && isSynchronized(ss)) {
      cf |= CF.HANDSHAKE_DONE;
      f64[d + D.EST_T] = now;
      // no round trip in a simultaneous open (the SYNs crossed): no RTT to report
      if ((cf & CF.SIMULTANEOUS) === 0) this.result.rtt = now - f64[d + D.SYN_T];
      this.raise(c, Ev.HANDSHAKE_DONE);
    }
    const finished = (sc === TcpState.CLOSED || sc === TcpState.TIME_WAIT) && (ss === TcpState.CLOSED || ss === TcpState.TIME_WAIT);
    if (finished) {
      cf |= CF.DONE;
      if ((cf & (CF.RESET | CF.CLOSE_REPORTED)) === 0) {
        cf |= CF.CLOSE_REPORTED;
        this.raise(c, Ev.CLOSE_DONE);
      }
    } else {
      // a retransmitted FIN can show a side was still waiting after all
      cf &= ~CF.DONE;
    }
    u32[w + W.CONN_FLAGS] = cf;
  }

  // =============================================================================================
  // ending flows
  // =============================================================================================

  /**
   * Emit and free every connection whose idle timeout has passed at clock time `now`: each one
   * silent for longer than its class's timeout, and no other. Each list is sorted by the second
   * of the last touch (TOUCH_SEC ≤ LAST_T < TOUCH_SEC + 1), so the walk stops at the first
   * connection touched less than a timeout ago and looks at most at one second's worth of
   * connections that are not due yet. Whether a connection ends here depends on it alone, not on
   * its neighbours in the list: what lets sharded trackers end exactly the same connections.
   */
  expire(now: number): void {
    const t = this.table;
    for (let cls = 0; cls < IdleClass.COUNT; cls++) {
      const timeout = this.timeouts[cls];
      let c = t.idleHead[cls];
      while (c >= 0 && t.u32[c * ROW_W + W.TOUCH_SEC] <= now - timeout) {
        const next = t.i32[c * ROW_W + W.IDLE_NEXT];
        if (!(now - t.f64[c * ROW_D + D.LAST_T] > timeout)) { c = next; continue; }
        if (cls === IdleClass.DONE) {
          // TIME_WAIT runs out: 2×MSL have passed
          for (let s = 0; s <= 1; s++) this.feed(c, s, EndpointEvent.TIMEOUT);
          this.endFlow(c, EndReason.CLOSED);
        } else {
          this.stats.expired++;
          t.u32[c * ROW_W + W.CONN_FLAGS] |= CF.EXPIRED;
          this.endFlow(c, EndReason.IDLE);
        }
        c = next;
      }
    }
  }

  /** Make room: emit the connection idle the longest. */
  private evictOne(): void {
    const t = this.table;
    let best = -1;
    for (let cls = 0; cls < IdleClass.COUNT; cls++) {
      const c = t.idleHead[cls];
      if (c >= 0 && (best < 0 || t.f64[c * ROW_D + D.LAST_T] < t.f64[best * ROW_D + D.LAST_T])) best = c;
    }
    if (best < 0) return;
    this.stats.evicted++;
    t.u32[best * ROW_W + W.CONN_FLAGS] |= CF.EVICTED;
    this.endFlow(best, EndReason.EVICTED);
  }

  /** Hand connection c to onFlowEnd, then free its row. */
  private endFlow(c: number, reason: EndReason): void {
    const t = this.table;
    this.reportFlow(c, reason);
    t.remove(c);
    t.unlinkIdle(c);
    t.unlinkAll(c);
    t.freeRow(c);
  }

  /** Hand connection c to onFlowEnd (its row stays as it is). */
  private reportFlow(c: number, reason: EndReason): void {
    const t = this.table;
    const w = c * ROW_W;
    // a side that kept resending with no answer at all: its peer is gone (half-open)
    if ((t.u32[w + W.CONN_FLAGS] & CF.DONE) === 0) {
      for (let s = 0; s <= 1; s++) {
        if (t.u16[c * ROW_H + H.UNANSWERED + s] >= 2 && isSynchronized(t.u8[c * ROW_BYTES + B.STATE + s])) {
          t.u32[w + W.ANOMALIES] |= EVENT_ANOMALY[Ev.PEER_GONE];
        }
      }
    }
    // one direction only, said while the peer was silent: not so if the peer showed up later
    if ((t.u32[w + W.ANOMALIES] & EVENT_ANOMALY[Ev.PEER_UNSEEN]) !== 0 &&
        t.f64[c * ROW_D + D.PACKETS] > 0 && t.f64[c * ROW_D + D.PACKETS + 1] > 0) {
      t.u32[w + W.ANOMALIES] &= ~EVENT_ANOMALY[Ev.PEER_UNSEEN];
    }
    if (this.onFlowEnd !== undefined) this.onFlowEnd(this.view.bind(c, reason));
  }

  /**
   * End of input: emit every remaining connection, in the order they started. They are all
   * reported first and then forgotten at once (unlinking each from the hash and the lists would
   * touch every row again: a second at a million connections). `reason` is LIMIT when the run
   * stopped at its packet limit: those connections were cut short by the user, not by the capture.
   */
  finish(reason: EndReason.END | EndReason.LIMIT = EndReason.END): void {
    const t = this.table;
    for (let c = t.allHead; c >= 0; c = t.i32[c * ROW_W + W.ALL_NEXT]) this.reportFlow(c, reason);
    t.clear();
  }
}

const shardKey = new Uint32Array(10);

/**
 * The symmetric 4-tuple hash of a TCP segment (the same for both directions, the same the flow
 * table uses), or -1 when the packet is not a TCP segment the tracker would follow. For sharding
 * connections over workers: `flowKeyHash(pkt) % workers` sends every packet of a connection to
 * the same worker. (Connection ids are per tracker: merge sharded records by `start`.)
 */
export function flowKeyHash(pkt: Packet): number {
  if (pkt.ipProto !== 6 || pkt.l4Offset < 0 || pkt.fragmentOffset !== 0 || pkt.malformed !== '') return -1;
  const f = pkt.frame;
  if (pkt.l4Offset + 20 > f.offset + f.caplen || pkt.tcpHeaderLength < 20) return -1;
  if (pkt.ipVersion === 4) return flowHash4(pkt.src4, pkt.srcPort, pkt.dst4, pkt.dstPort);
  if (pkt.ipVersion !== 6) return -1;
  const key = shardKey;
  key[4] = pkt.srcPort;
  key[9] = pkt.dstPort;
  const dv = f.data;
  for (let k = 0; k < 4; k++) {
    const o = pkt.src6Offset + 4 * k, q = pkt.dst6Offset + 4 * k;
    key[k] = (dv[o] << 24) | (dv[o + 1] << 16) | (dv[o + 2] << 8) | dv[o + 3];
    key[5 + k] = (dv[q] << 24) | (dv[q + 1] << 16) | (dv[q + 2] << 8) | dv[q + 3];
  }
  return flowHash(6, key);
}

/**
 * How a connection that a new SYN replaces had ended, from its flags: NONE when it had been
 * established (a handshake completed, inferred, or a midstream pickup: the new SYN reuses its
 * 4-tuple), else refused, reset in the handshake, or never established.
 */
function retryOf(cf: number): RetryOf {
  if ((cf & (CF.HANDSHAKE_DONE | CF.MIDSTREAM | CF.SYNACK_INFERRED)) !== 0) return RetryOf.NONE;
  if ((cf & CF.REFUSED) !== 0) return RetryOf.REFUSED;
  if ((cf & CF.HANDSHAKE_RESET) !== 0) return RetryOf.HANDSHAKE_RESET;
  return RetryOf.NOT_ESTABLISHED;
}

/** Shift applied to side q's window field: its wscale if both sides offered one, 0 if the handshake showed none, -1 unknown. */
function windowShift(i8: Int8Array, b: number, q: number): number {
  const a = i8[b + B.WSCALE + q], o = i8[b + B.WSCALE + (q ^ 1)];
  if (a >= 0 && o >= 0) return a;
  if (a === -1 || o === -1) return -1;
  return 0;
}
