/**
 * The flow table: every live connection's state as one fixed-size record in a single
 * ArrayBuffer (an array of structs), read through a few typed views.
 *
 * Why records in a buffer: a SYN flood puts a million connections in the table at once, and a
 * million JS objects with sixty fields (half of them doubles or 32-bit sequence numbers, which
 * V8 boxes) cost about a kilobyte each plus garbage-collector time. A record costs 512 bytes and
 * is never garbage. And why records rather than one typed array per field: a packet touches
 * ~40 fields of its connection; as records they sit in a few cache lines and behind five base
 * pointers, as separate arrays they are ~40 cache lines and 40 pointer loads (measured: 12 ns
 * against 230 ns per packet with 200 live connections, 0.18 µs against 1.7 µs with a million).
 *
 * Layout: a row of ROW_BYTES bytes per connection, its fields ordered by how often a packet
 * touches them (hot, warm, cold: see "Row layout by temperature" below). Each width has its
 * view and enum: D.* in the Float64 view (row base c·ROW_D), W.* in the Uint32 / Int32 / Float32
 * views (c·ROW_W), H.* in the Uint16 view (c·ROW_H), B.* in the Uint8 / Int8 views (c·ROW_BYTES).
 *
 * Lookup: open addressing with linear probing over a power-of-two array of slots, each one word
 * (row+1) << 8 | the hash's low 8 bits (0 = empty), keyed by a symmetric hash of the 4-tuple
 * (both directions hash alike; its bits above the low 8 pick the home slot) and compared word by
 * word; deletion shifts later entries back (no tombstones). The 8 bits in the slot let probing
 * pass other connections without reading their rows but for 1 in 256: with a million
 * connections each row is a cache miss (measured on a SYN flood of 1M connections, 3M packets:
 * lookups 1.85 -> 1.0 s when the slot first held the hash). One word instead of the pair (row+1,
 * full hash): the slots of two million connections are 16 MB, not 32 MB (this machine's whole
 * L3 cache); deleting reads the rows of the entries it shifts, rehashing walks the rows in
 * creation order. No string keys, nothing allocated per packet.
 *
 * Lists (intrusive, through row fields): one "all" list in creation order (what end of input
 * walks to emit the remaining flows in order) and three idle lists ordered by last activity,
 * one per timeout class. A connection moves to its list's tail when its class changes or its
 * last packet came in a later second of the tracker's clock, which only goes forward, so each
 * list is sorted by TOUCH_SEC and expiry only looks at connections touched a timeout ago.
 */
import { TcpscopeError } from '../errors.js';
import { EVENT_NAMES } from './events.js';
import { HASH_KEY_ADDR, HASH_KEY_FINAL, HASH_KEY_PORT } from './hash-seed.js';

/** Idle-list classes. Each has one timeout, so a list ordered by last activity expires from its head. */
export const enum IdleClass {
  /** the handshake has not completed */
  HANDSHAKE = 0,
  /** synchronized and not finished */
  OPEN = 1,
  /** both endpoints CLOSED or in TIME_WAIT: lingering for 2×MSL to absorb late segments */
  DONE = 2,
  COUNT = 3,
}

/*
 * Row layout by temperature (ROW_BYTES = 512, eight 64-byte cache lines' worth). Fields sit
 * where the packets that use them are. The "lines" below count from the row's start: the buffer
 * comes from malloc (calloc), whose large blocks start 16 bytes into a cache line, so in memory
 * a row spans 9 lines and its hot bytes 5 (the fields a fast-path segment touches used to be
 * spread over all 8-9 lines of a 496-byte row):
 *
 *   lines 0-3 (bytes   0-255) hot: what the fast path (an in-order segment between two
 *                                  established ends), `find4` and every packet's bookkeeping
 *                                  read or write, plus the small per-side bytes of the handshake
 *   lines 4-6 (bytes 256-443) warm: written once or a few times a connection (create, its SYNs,
 *                                  the handshake, the first FIN, the links, the history letters)
 *   line  7   (bytes 444-511) cold: rare events (counters of Zeek's scaled letters, RST and FIN
 *                                  positions, the event-counter row) and 16 spare bytes
 *
 * Within each group the widths follow one another (8-byte fields first, then 4, 2 and 1) so
 * every field stays naturally aligned; each enum indexes its own view from the row's start
 * (D.* in 8-byte units, W.* in 4-byte units, H.* in 2-byte units, B.* in bytes). A fast-path
 * packet touches the 4 hot lines instead of fields in all 8-9 lines of the 496-byte rows grouped
 * by width (README, "What made it fast"). Per-endpoint fields come in pairs: +0 for the client,
 * +1 for the server. `FIELDS` below lists every field with its size (test/track/row-layout.test.ts
 * checks that none overlap, each is aligned and inside the row, and the groups hold their lines).
 */

/** 8-byte fields (Float64 view): times in capture seconds (0 = not yet), counts that may pass 2^32. */
export const enum D {
  // ---- hot: bytes 0-119 ----
  SERIAL = 0,
  /**
   * the tracker's clock (the latest capture time seen so far, float seconds) at the connection's
   * last packet: what idle timeouts count from. Not the packet's own time stamp, so that a
   * capture whose time stamps step back cannot make a connection look older than it is, and the
   * idle lists (appended in clock order) stay sorted by it.
   */
  LAST_T,
  LAST_SEC,
  LAST_PKT,
  /** packet number of the last move to an idle-list tail (the list order; sharded trackers merge by it) */
  TOUCH_PKT,
  /** per endpoint: its last packet */
  EP_LAST_T,
  /** per endpoint: packets sent */
  PACKETS = EP_LAST_T + 2,
  /** per endpoint: TCP payload bytes sent */
  BYTES = PACKETS + 2,
  /** per endpoint: when nextSeq last advanced */
  NEXT_SEQ_T = BYTES + 2,
  /** per endpoint: when it last sent an ACK */
  LAST_ACK_T = NEXT_SEQ_T + 2,
  HOT_END = LAST_ACK_T + 2,
  // ---- warm: bytes 256-327 ----
  FIRST_SEC = 256 / 8,
  FIRST_PKT,
  /** first client SYN, first server SYN-ACK, handshake completion */
  SYN_T,
  SYNACK_T,
  EST_T,
  /** per endpoint: its last SYN / SYN-ACK (retransmission intervals) */
  CTRL_T,
  /** per endpoint: its last FIN */
  FIN_T = CTRL_T + 2,
  WARM_END = FIN_T + 2,
}

/** Retransmission intervals remembered per endpoint for the handshake (SYN / SYN-ACK backoff). */
export const MAX_INTERVALS = 4;

/** 4-byte fields (Uint32 view; Int32 / Float32 views where noted), indexed from the row's start in 4-byte units. */
export const enum W {
  // ---- hot: bytes 120-223 ----
  LAST_NSEC = D.HOT_END * 2,
  CONN_FLAGS,
  /** client and server address: 4 words each (IPv4 in the first) */
  C_ADDR,
  S_ADDR = C_ADDR + 4,
  /** whole second of the tracker's clock at the last move to an idle-list tail */
  TOUCH_SEC = S_ADDR + 4,
  /** Zeek's hist_seen mask (originator in the low 16 bits, responder in the high) */
  Z_HIST_SEEN,
  // per endpoint (+0 client, +1 server)
  /** highest sequence number sent + 1 (tshark's nextseq) */
  NEXT_SEQ,
  /** highest contiguous sequence number (tshark's maxseqtobeacked) */
  MAX_SEQ_TBA = NEXT_SEQ + 2,
  LAST_ACK = MAX_SEQ_TBA + 2,
  Z_LAST = LAST_ACK + 2,
  Z_ACK = Z_LAST + 2,
  /** (Int32) duplicate ACKs in a row (-1: an ACK of unseen data was already reported) */
  DUP_ACKS = Z_ACK + 2,
  /** (Int32) idle-list links, -1 = none */
  IDLE_PREV = DUP_ACKS + 2,
  IDLE_NEXT,
  HOT_END,
  // ---- warm: bytes 328-443 ----
  HASH = D.WARM_END * 2,
  FIRST_NSEC,
  /** (Int32) creation-list links, -1 = none */
  ALL_PREV,
  ALL_NEXT,
  ANOMALIES,
  // per endpoint
  ISN,
  /** (Int32) MSS offered, -1 = none */
  MSS = ISN + 2,
  Z_START = MSS + 2,
  Z_HIST_LAST_SYN = Z_START + 2,
  FIN_SEQ = Z_HIST_LAST_SYN + 2,
  /** (Float32) SYN / SYN-ACK retransmission intervals, MAX_INTERVALS per endpoint */
  INTERVALS = FIN_SEQ + 2,
  WARM_WORDS_END = INTERVALS + 2 * MAX_INTERVALS,
  // (B.HISTORY, 24 bytes, ends the warm group at byte 444)
  // ---- cold: bytes 444-495 ----
  COLD = WARM_WORDS_END + 24 / 4,
  /** row of the event-counter pool, 0 = none yet */
  COUNTER_ROW = COLD,
  // per endpoint
  Z_HIST_LAST_FIN,
  Z_HIST_LAST_RST = Z_HIST_LAST_FIN + 2,
  Z_RXMT = Z_HIST_LAST_RST + 2,
  Z_WIN0 = Z_RXMT + 2,
  Z_CHK = Z_WIN0 + 2,
  Z_GAP = Z_CHK + 2,
  END = Z_GAP + 2,
}

/** 2-byte fields (Uint16 view): all hot, bytes 224-239. */
export const enum H {
  C_PORT = W.HOT_END * 2,
  S_PORT,
  // per endpoint
  EP_FLAGS,
  WINDOW = EP_FLAGS + 2,
  /** retransmissions since the peer last sent anything (a vanished peer shows as a run of them) */
  UNANSWERED = WINDOW + 2,
  END = UNANSWERED + 2,
}

/** Zeek history letters kept per connection. */
export const HISTORY_MAX = 24;

/** 1-byte fields (Uint8 view; Int8 where noted). */
export const enum B {
  // ---- hot: bytes 240-254 ----
  FAMILY = H.END * 2,
  IDLE_CLASS,
  // per endpoint
  /** RFC 793 state (TcpState) */
  STATE,
  /** (Int8) window scale offered: -1 no SYN seen, -2 SYN without the option */
  WSCALE = STATE + 2,
  /** LSF bits of its previous segment */
  LAST_SEG = WSCALE + 2,
  Z_STATE = LAST_SEG + 2,
  // (handshake bytes, in the hot lines' spare room)
  Z_PREV_STATE = Z_STATE + 2,
  /** SYN / SYN-ACK transmissions */
  CTRL_COUNT = Z_PREV_STATE + 2,
  HIST_LEN = CTRL_COUNT + 2,
  HOT_END,
  // ---- warm: bytes 420-443 ----
  HISTORY = W.WARM_WORDS_END * 4,
  END = HISTORY + 24,
}

/** Bytes per row (eight cache lines) and the row strides in each view's units. */
export const ROW_BYTES = 512;
export const ROW_D = ROW_BYTES / 8;
export const ROW_W = ROW_BYTES / 4;
export const ROW_H = ROW_BYTES / 2;

/** Where the hot, warm and cold groups of a row begin (bytes; see the layout above). */
export const ROW_WARM = 256;
export const ROW_COLD = 444;

/**
 * Every field of a row: name, byte offset, size of one element, elements (pairs are 2, the
 * addresses 4 words, the intervals 2 × MAX_INTERVALS) and temperature. For the layout's tests
 * and for reading rows by name; the hot path indexes the views through the enums.
 */
export const FIELDS: readonly (readonly [name: string, offset: number, size: number, count: number, group: 'hot' | 'warm' | 'cold'])[] = [
  ['SERIAL', D.SERIAL * 8, 8, 1, 'hot'], ['LAST_T', D.LAST_T * 8, 8, 1, 'hot'], ['LAST_SEC', D.LAST_SEC * 8, 8, 1, 'hot'],
  ['LAST_PKT', D.LAST_PKT * 8, 8, 1, 'hot'], ['TOUCH_PKT', D.TOUCH_PKT * 8, 8, 1, 'hot'], ['EP_LAST_T', D.EP_LAST_T * 8, 8, 2, 'hot'],
  ['PACKETS', D.PACKETS * 8, 8, 2, 'hot'], ['BYTES', D.BYTES * 8, 8, 2, 'hot'], ['NEXT_SEQ_T', D.NEXT_SEQ_T * 8, 8, 2, 'hot'],
  ['LAST_ACK_T', D.LAST_ACK_T * 8, 8, 2, 'hot'],
  ['FIRST_SEC', D.FIRST_SEC * 8, 8, 1, 'warm'], ['FIRST_PKT', D.FIRST_PKT * 8, 8, 1, 'warm'], ['SYN_T', D.SYN_T * 8, 8, 1, 'warm'],
  ['SYNACK_T', D.SYNACK_T * 8, 8, 1, 'warm'], ['EST_T', D.EST_T * 8, 8, 1, 'warm'], ['CTRL_T', D.CTRL_T * 8, 8, 2, 'warm'],
  ['FIN_T', D.FIN_T * 8, 8, 2, 'warm'],
  ['LAST_NSEC', W.LAST_NSEC * 4, 4, 1, 'hot'], ['CONN_FLAGS', W.CONN_FLAGS * 4, 4, 1, 'hot'], ['C_ADDR', W.C_ADDR * 4, 4, 4, 'hot'],
  ['S_ADDR', W.S_ADDR * 4, 4, 4, 'hot'], ['TOUCH_SEC', W.TOUCH_SEC * 4, 4, 1, 'hot'], ['Z_HIST_SEEN', W.Z_HIST_SEEN * 4, 4, 1, 'hot'],
  ['NEXT_SEQ', W.NEXT_SEQ * 4, 4, 2, 'hot'], ['MAX_SEQ_TBA', W.MAX_SEQ_TBA * 4, 4, 2, 'hot'], ['LAST_ACK', W.LAST_ACK * 4, 4, 2, 'hot'],
  ['Z_LAST', W.Z_LAST * 4, 4, 2, 'hot'], ['Z_ACK', W.Z_ACK * 4, 4, 2, 'hot'], ['DUP_ACKS', W.DUP_ACKS * 4, 4, 2, 'hot'],
  ['IDLE_PREV', W.IDLE_PREV * 4, 4, 1, 'hot'], ['IDLE_NEXT', W.IDLE_NEXT * 4, 4, 1, 'hot'],
  ['HASH', W.HASH * 4, 4, 1, 'warm'], ['FIRST_NSEC', W.FIRST_NSEC * 4, 4, 1, 'warm'], ['ALL_PREV', W.ALL_PREV * 4, 4, 1, 'warm'],
  ['ALL_NEXT', W.ALL_NEXT * 4, 4, 1, 'warm'], ['ANOMALIES', W.ANOMALIES * 4, 4, 1, 'warm'], ['ISN', W.ISN * 4, 4, 2, 'warm'],
  ['MSS', W.MSS * 4, 4, 2, 'warm'], ['Z_START', W.Z_START * 4, 4, 2, 'warm'], ['Z_HIST_LAST_SYN', W.Z_HIST_LAST_SYN * 4, 4, 2, 'warm'],
  ['FIN_SEQ', W.FIN_SEQ * 4, 4, 2, 'warm'], ['INTERVALS', W.INTERVALS * 4, 4, 2 * MAX_INTERVALS, 'warm'],
  ['COUNTER_ROW', W.COUNTER_ROW * 4, 4, 1, 'cold'], ['Z_HIST_LAST_FIN', W.Z_HIST_LAST_FIN * 4, 4, 2, 'cold'],
  ['Z_HIST_LAST_RST', W.Z_HIST_LAST_RST * 4, 4, 2, 'cold'], ['Z_RXMT', W.Z_RXMT * 4, 4, 2, 'cold'], ['Z_WIN0', W.Z_WIN0 * 4, 4, 2, 'cold'],
  ['Z_CHK', W.Z_CHK * 4, 4, 2, 'cold'], ['Z_GAP', W.Z_GAP * 4, 4, 2, 'cold'],
  ['C_PORT', H.C_PORT * 2, 2, 1, 'hot'], ['S_PORT', H.S_PORT * 2, 2, 1, 'hot'], ['EP_FLAGS', H.EP_FLAGS * 2, 2, 2, 'hot'],
  ['WINDOW', H.WINDOW * 2, 2, 2, 'hot'], ['UNANSWERED', H.UNANSWERED * 2, 2, 2, 'hot'],
  ['FAMILY', B.FAMILY, 1, 1, 'hot'], ['IDLE_CLASS', B.IDLE_CLASS, 1, 1, 'hot'], ['STATE', B.STATE, 1, 2, 'hot'],
  ['WSCALE', B.WSCALE, 1, 2, 'hot'], ['LAST_SEG', B.LAST_SEG, 1, 2, 'hot'], ['Z_STATE', B.Z_STATE, 1, 2, 'hot'],
  ['Z_PREV_STATE', B.Z_PREV_STATE, 1, 2, 'hot'], ['CTRL_COUNT', B.CTRL_COUNT, 1, 2, 'hot'], ['HIST_LEN', B.HIST_LEN, 1, 1, 'hot'],
  ['HISTORY', B.HISTORY, 1, HISTORY_MAX, 'warm'],
];

/** Bits of the CONN_FLAGS field. */
export const enum CF {
  MIDSTREAM = 1 << 0,
  SYN_SEEN = 1 << 1,
  SYNACK_SEEN = 1 << 2,
  HANDSHAKE_DONE = 1 << 3,
  SIMULTANEOUS = 1 << 4,
  REFUSED = 1 << 5,
  /** a RST ended it */
  RESET = 1 << 6,
  RESET_BY_SERVER = 1 << 7,
  /** the first FIN came from the server */
  SERVER_CLOSED_FIRST = 1 << 8,
  /** both endpoints are CLOSED or TIME_WAIT */
  DONE = 1 << 9,
  PORT_REUSE = 1 << 10,
  EVICTED = 1 << 11,
  /** the first SYN-ACK arrived before any SYN (the client's SYN was not captured) */
  SYNACK_FIRST = 1 << 12,
  /** a RST from a side with no state for the connection ended it */
  HALF_OPEN = 1 << 13,
  /** a RST came after both sides had closed with FINs */
  RESET_AFTER_FINS = 1 << 14,
  /** a RST ended the handshake without being a refusal */
  HANDSHAKE_RESET = 1 << 15,
  /** simultaneous close (both FINs crossed) */
  SIMULTANEOUS_CLOSE = 1 << 16,
  /** the close was reported (CLOSE_DONE raised once) */
  CLOSE_REPORTED = 1 << 17,
  /** it was emitted because it stayed idle past its timeout */
  EXPIRED = 1 << 18,
  /** the client's SYN (<< 1: the server's SYN or SYN-ACK) was an ECN-setup one (RFC 3168 6.1.1) */
  ECN_SETUP = 1 << 19,
  /** the snap length cut the options of the client's SYN (<< 1: the server's): what is missing is unknown */
  OPTS_CUT = 1 << 21,
  /**
   * the server's SYN-ACK was inferred, not captured: the client's ACK proved it (the server goes
   * LISTEN → SYN_RCVD → ESTABLISHED on that ACK; the handshake stays `one-sided`)
   */
  SYNACK_INFERRED = 1 << 23,
  /**
   * the client's SYN (<< 1: the server's SYN-ACK) carried none of AE, CWR, ECE: it declined ECN
   * (RFC 3168 6.1.1 "not willing to use ECN"; AccECN's forms set some of them)
   */
  ECN_DECLINED = 1 << 24,
}

/** Bits of the EP_FLAGS field (per endpoint). */
export const enum EF {
  /** a SYN (or SYN-ACK) from this endpoint was seen: ISN is valid */
  SYN_SEEN = 1 << 0,
  /** it sent a FIN (seen, or proven by the peer's ACK): FIN_SEQ is valid */
  FIN_SENT = 1 << 1,
  /** the peer acknowledged this endpoint's SYN */
  SYN_ACKED = 1 << 2,
  /** the peer acknowledged this endpoint's FIN */
  FIN_ACKED = 1 << 3,
  /** this endpoint acknowledged the peer's SYN */
  RCVD_PEER_SYN = 1 << 4,
  /** this endpoint acknowledged the peer's FIN */
  RCVD_PEER_FIN = 1 << 5,
  /** NEXT_SEQ / MAX_SEQ_TBA are valid (a segment from it was analysed) */
  SEQ_VALID = 1 << 6,
  /** LAST_ACK is valid (it sent a segment with ACK) */
  ACK_VALID = 1 << 7,
  /** it sent a RST */
  RST_SENT = 1 << 8,
  /** its FIN was inferred from the peer's ACK, not captured */
  FIN_INFERRED = 1 << 9,
  /** it sent the first fragment of a fragmented segment: its length is not known */
  FRAG_PENDING = 1 << 10,
  /** it offered SACK (sackOK) on its SYN */
  SACK_OK = 1 << 11,
  /** it sent TCP timestamps on its SYN */
  TIMESTAMPS = 1 << 12,
  /** it sent payload at least once */
  SENT_DATA = 1 << 13,
  /** its RST was accepted by the peer */
  RST_ACCEPTED = 1 << 14,
  /** its ACK moved forward while none of its peer's packets had been captured (Ev.PEER_UNSEEN) */
  ACKED_UNSEEN_PEER = 1 << 15,
}

/** Bits of LAST_SEG (what the endpoint's previous segment was, for tshark's *_ACK rules). */
export const enum LSF {
  KEEPALIVE = 1,
  ZERO_WINDOW_PROBE = 2,
  /** it filled the peer's window (WINDOW_FULL): the next one that does continues the run */
  WINDOW_FULL = 4,
}

/** Event counters kept per flow (the flow record's `events`), allocated only for flows that need them. */
export const enum Ctr {
  RETRANSMISSION = 0,
  FAST_RETRANSMISSION,
  SPURIOUS_RETRANSMISSION,
  OUT_OF_ORDER,
  LOST_SEGMENT,
  ACK_UNSEEN,
  DUP_ACK,
  KEEPALIVE,
  KEEPALIVE_ACK,
  ZERO_WINDOW,
  ZERO_WINDOW_PROBE,
  WINDOW_UPDATE,
  WINDOW_FULL,
  BAD_CHECKSUM,
  FIN_RETRANSMIT,
  SYNACK_RETRANSMIT,
  // the irregular events no other field of the flow record tells of (qa5b G4)
  ZERO_WINDOW_PROBE_ACK,
  SYN_WITH_DATA,
  SYNACK_BAD_ACK,
  FIN_UNSEEN,
  DATA_AFTER_FIN,
  RST_WITH_DATA,
  RESET_REPEAT,
  ECN_ECHO,
  CWR,
  /** Ev.ACK_NOT_ACCEPTABLE: segments the opening receiver discards */
  ACK_NOT_ACCEPTABLE,
  COUNT,
}

export const COUNTER_NAMES: readonly string[] = [
  'retransmission', 'fast-retransmission', 'spurious-retransmission', 'out-of-order',
  'previous-segment-lost', 'ack-unseen', 'duplicate-ack', 'keepalive', 'keepalive-ack',
  'zero-window', 'zero-window-probe', 'window-update', 'window-full', 'bad-checksum',
  'fin-retransmit', 'synack-retransmit',
  'zero-window-probe-ack', 'syn-with-data', 'synack-bad-ack', 'fin-unseen', 'data-after-fin',
  'rst-with-data', 'reset-repeat', 'ecn-echo', 'cwr', 'ack-not-acceptable',
];

/**
 * The counter of each event kind a flow counts (its name is the event's), -1 for the kinds it
 * does not: the tracker's raise() counts through it, so an event can never be said on a packet
 * and left out of its flow's `events` (as happened when each call site chose raise or note).
 */
export const EVENT_COUNTER: Int8Array = (() => {
  const a = new Int8Array(EVENT_NAMES.length).fill(-1);
  for (let k = 0; k < COUNTER_NAMES.length; k++) {
    const ev = EVENT_NAMES.indexOf(COUNTER_NAMES[k]);
    if (ev < 0) throw new Error(`counter ${COUNTER_NAMES[k]} names no event`);
    a[ev] = k;
  }
  return a;
})();

/**
 * Rows and hash slots a new table starts with: few, on purpose. The JIT warm-up's tracker
 * (warmup.ts, ~10 connections) then grows the rows and the hash once, so the tracker's hot
 * functions are compiled with type feedback for the growth branches, and V8 has already seen the
 * fields holding the views change. Started at 1024 rows, the real input's first growth came
 * after optimisation: it threw away `create` (no feedback) and `find` (its code assumed the
 * views never change) and compiled both again. Growing from 8 copies ~8 rows more in all.
 */
const INITIAL_ROWS = 8;
const INITIAL_SLOTS = 16;
/** low bits of the 4-tuple's hash kept in its slot beside the row (see `slots`) */
const TAG_BITS = 8;
const TAG_MASK = (1 << TAG_BITS) - 1;

/**
 * Growth of the row buffer. Up to DOUBLING_ROWS rows (2 MB) it doubles; from there it goes to
 * RESERVE_ROWS rows (4M rows, 2 GB of address space) at once; past that it doubles again. Why not
 * double all the way: each growth copies every row into a fresh buffer, and the copy faults in
 * every page of the new one while the old one is still held, so doubling to a million rows copied
 * ~500 MB, touched every page of every generation (system time) and held two generations at the
 * peak (measured on 1M rows of 496 B: 600 ms CPU and 890 MB peak RSS doubling, 275 ms and 553 MB
 * growing 16-fold; a SYN flood of 2M connections peaked at 1.58 GB going from 1M to 4M rows, 1.12
 * GB going to 4M rows from 65,536). Why not an intermediate step: the buffer a growth leaves
 * behind is freed only at a full collection, which a tracker's small JavaScript heap seldom
 * starts; a `check --jobs 4` worker held a 32 MB one to the end of FLOOD (4 workers: ~120 MB).
 * Why the wide step costs little: a fresh ArrayBuffer that large is mapped, not committed: the
 * rows not yet used cost address space, not memory (RSS counts the pages touched), and V8's
 * garbage collector ran as often. Where the address space is short (strict overcommit,
 * `ulimit -v`), the allocation fails: the table then tries the next smaller step, down to
 * doubling, and only when even that fails does the run stop with a RESOURCE_LIMIT error (never a
 * RangeError's stack trace).
 */
const DOUBLING_ROWS = 4096;
const RESERVE_ROWS = 1 << 22;
/**
 * The most rows a table can hold: a typed array spans at most 2^32 bytes in this Node, so a
 * larger buffer would be granted but not viewable. A full table at this size stops the run with
 * RESOURCE_LIMIT (and the advice to cap it with --max-flows), as a refused allocation does.
 */
export const MAX_ROWS = Math.floor(2 ** 32 / ROW_BYTES);

/** How the table gets a row buffer (a parameter so that tests can make it fail). */
export type RowBufferAllocator = (bytes: number) => ArrayBuffer;

const newRowBuffer: RowBufferAllocator = (bytes) => new ArrayBuffer(bytes);

/**
 * The row capacities to try, in order, when a table of `capacity` rows is full: the wide step,
 * then halves of it down to doubling (see DOUBLING_ROWS), none beyond MAX_ROWS (no step at all
 * once there).
 */
export function growthSteps(capacity: number): number[] {
  const least = Math.min(capacity * 2, MAX_ROWS);
  let rows = Math.min(capacity < DOUBLING_ROWS ? least : Math.max(RESERVE_ROWS, least), MAX_ROWS);
  const steps: number[] = [];
  if (least <= capacity) return steps;
  for (; rows > least; rows = Math.floor(rows / 2)) steps.push(rows);
  steps.push(least);
  return steps;
}

export class FlowTable {
  /** the views over the row buffer (replaced when the table grows: reload them after `allocRow`) */
  f64!: Float64Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  f32!: Float32Array;
  u16!: Uint16Array;
  u8!: Uint8Array;
  i8!: Int8Array;

  /** event counters, Ctr.COUNT per row of the pool */
  counters = new Uint32Array(Ctr.COUNT * 256);
  private counterRows = 1; // row 0 unused (0 means "none")
  private freeCounterRows: number[] = [];

  /** rows allocated */
  capacity = 0;
  /** live connections */
  size = 0;
  /** highest number of live connections at once */
  peak = 0;
  private freeHead = -1;
  private nextUnused = 0;
  /**
   * Rows below this still hold a connection forgotten by `clear` (which zeroes nothing): each is
   * zeroed when it is handed out again, as a freed row is.
   */
  private dirtyRows = 0;

  /** after `find` returned a row: 0 when the key's source is the row's client, 1 when its server */
  foundSide = 0;

  /**
   * hash slots, one word each: (row+1) << 8 | the hash's low 8 bits (0 = empty); a slot's home is
   * the hash's bits above those. One word, not a (row+1, hash) pair: a million connections' slots
   * are 8 MB instead of 16 (FLOOD2's two million: 16 MB instead of 32, this machine's whole L3).
   */
  private slots = new Uint32Array(INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;

  readonly idleHead = new Int32Array([-1, -1, -1]);
  readonly idleTail = new Int32Array([-1, -1, -1]);
  allHead = -1;
  allTail = -1;

  private readonly allocBuffer: RowBufferAllocator;

  constructor(initialRows = INITIAL_ROWS, allocBuffer: RowBufferAllocator = newRowBuffer) {
    this.allocBuffer = allocBuffer;
    this.useBuffer(allocBuffer(Math.max(INITIAL_ROWS, initialRows) * ROW_BYTES), false);
  }

  /** Make `buf` the row buffer (copying the rows in use into it when `keep`). */
  private useBuffer(buf: ArrayBuffer, keep: boolean): void {
    const u8 = new Uint8Array(buf);
    // only the rows ever used: the rest of the old buffer is still zero, as the new one is
    if (keep && this.nextUnused > 0) u8.set(this.u8.subarray(0, this.nextUnused * ROW_BYTES));
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f32 = new Float32Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u8 = u8;
    this.i8 = new Int8Array(buf);
    // `| 0`: the wide step's buffer is 2^31 bytes, past int32, so the plain quotient is a double,
    // and a double stored in this small-integer field changes the table's hidden class: every
    // optimised function that reads the table was thrown away once (MANY: 18 deoptimisations)
    this.capacity = (buf.byteLength / ROW_BYTES) | 0;
    // the rows past those copied are zero in the new buffer
    this.dirtyRows = keep ? Math.min(this.dirtyRows, this.nextUnused) : 0;
  }

  /** Every row is in use: move to a larger buffer (the first of `growthSteps` the system grants). */
  private grow(): void {
    for (const rows of growthSteps(this.capacity)) {
      const buf = this.tryAlloc(rows * ROW_BYTES);
      if (buf === null) continue; // refused: try a smaller step
      this.useBuffer(buf, true);
      return;
    }
    throw new TcpscopeError('RESOURCE_LIMIT',
      `out of memory for the connection table at ${this.size} live connections; cap it with --max-flows N`, { exitStatus: 2 });
  }

  // ---- rows ---------------------------------------------------------------------------------

  /** A fresh zeroed row (not yet in the hash or any list). May grow the table: reload the views after. */
  allocRow(): number {
    let c: number;
    if (this.freeHead >= 0) {
      c = this.freeHead;
      this.freeHead = this.i32[c * ROW_W + W.ALL_NEXT];
      this.u8.fill(0, c * ROW_BYTES, (c + 1) * ROW_BYTES);
    } else {
      // a row never used is still zero (a new ArrayBuffer is zeroed, growth copies only used rows)
      if (this.nextUnused === this.capacity) this.grow();
      c = this.nextUnused++;
      if (c < this.dirtyRows) this.u8.fill(0, c * ROW_BYTES, (c + 1) * ROW_BYTES);
    }
    const w = c * ROW_W;
    const i32 = this.i32;
    i32[w + W.IDLE_PREV] = -1;
    i32[w + W.IDLE_NEXT] = -1;
    i32[w + W.ALL_PREV] = -1;
    i32[w + W.ALL_NEXT] = -1;
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
    return c;
  }

  /** Return a row to the free list (after it left the hash and the lists). */
  freeRow(c: number): void {
    const w = c * ROW_W;
    const r = this.u32[w + W.COUNTER_ROW];
    if (r !== 0) {
      this.counters.fill(0, r * Ctr.COUNT, r * Ctr.COUNT + Ctr.COUNT);
      this.freeCounterRows.push(r);
      this.u32[w + W.COUNTER_ROW] = 0;
    }
    this.i32[w + W.ALL_NEXT] = this.freeHead;
    this.freeHead = c;
    this.size--;
  }

  /** Bump counter `k` of connection `c` (allocating its counter row on first use). */
  count(c: number, k: number): void {
    const at = c * ROW_W + W.COUNTER_ROW;
    let r = this.u32[at];
    if (r === 0) {
      r = this.freeCounterRows.length > 0 ? this.freeCounterRows.pop()! : this.counterRows++;
      if ((r + 1) * Ctr.COUNT > this.counters.length) {
        const grown = new Uint32Array(this.counters.length * 2);
        grown.set(this.counters);
        this.counters = grown;
      }
      this.u32[at] = r;
    }
    this.counters[r * Ctr.COUNT + k]++;
  }

  /** Counter `k` of connection `c`. */
  counter(c: number, k: number): number {
    const r = this.u32[c * ROW_W + W.COUNTER_ROW];
    return r === 0 ? 0 : this.counters[r * Ctr.COUNT + k];
  }

  // ---- readable accessors (for printers and tests; the tracker uses the views) --------------

  /** RFC 793 state of the client (side 0) or server (side 1). */
  state(c: number, side: number): number { return this.u8[c * ROW_BYTES + B.STATE + side]; }
  connFlags(c: number): number { return this.u32[c * ROW_W + W.CONN_FLAGS]; }
  epFlags(c: number, side: number): number { return this.u16[c * ROW_H + H.EP_FLAGS + side]; }
  anomalies(c: number): number { return this.u32[c * ROW_W + W.ANOMALIES]; }
  serial(c: number): number { return this.f64[c * ROW_D + D.SERIAL]; }
  /** SND.NXT of a side whose SYN was captured: past what it sent, or ISS+1 before any more was seen */
  sendNext(c: number, side: number): number {
    return (this.epFlags(c, side) & EF.SEQ_VALID) !== 0 ? this.u32[c * ROW_W + W.NEXT_SEQ + side] : (this.u32[c * ROW_W + W.ISN + side] + 1) >>> 0;
  }

  // ---- hash ---------------------------------------------------------------------------------

  /**
   * The row whose 4-tuple matches `key` in either direction, or -1. `key` holds the source
   * address words 0–3, source port 4, destination address words 5–8, destination port 9.
   * Which direction matched is left in `foundSide` (the sender's side, without comparing again).
   */
  find(h: number, fam: number, key: Uint32Array): number {
    const slots = this.slots;
    const mask = this.slotMask;
    const u32 = this.u32, u16 = this.u16, u8 = this.u8;
    const tag = h & TAG_MASK;
    let i = (h >>> TAG_BITS) & mask;
    for (;;) {
      const v = slots[i];
      if (v === 0) return -1;
      if ((v & TAG_MASK) === tag) {
        const c = (v >>> TAG_BITS) - 1;
        const w = c * ROW_W;
        if (u8[c * ROW_BYTES + B.FAMILY] === fam) {
          const hp = c * ROW_H;
          const cp = u16[hp + H.C_PORT], sp = u16[hp + H.S_PORT];
          if (cp === key[4] && sp === key[9] && u32[w + W.C_ADDR] === key[0] && u32[w + W.S_ADDR] === key[5] &&
              u32[w + W.C_ADDR + 1] === key[1] && u32[w + W.C_ADDR + 2] === key[2] && u32[w + W.C_ADDR + 3] === key[3] &&
              u32[w + W.S_ADDR + 1] === key[6] && u32[w + W.S_ADDR + 2] === key[7] && u32[w + W.S_ADDR + 3] === key[8]) {
            this.foundSide = 0;
            return c;
          }
          if (cp === key[9] && sp === key[4] && u32[w + W.C_ADDR] === key[5] && u32[w + W.S_ADDR] === key[0] &&
              u32[w + W.C_ADDR + 1] === key[6] && u32[w + W.C_ADDR + 2] === key[7] && u32[w + W.C_ADDR + 3] === key[8] &&
              u32[w + W.S_ADDR + 1] === key[1] && u32[w + W.S_ADDR + 2] === key[2] && u32[w + W.S_ADDR + 3] === key[3]) {
            this.foundSide = 1;
            return c;
          }
        }
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * find() for an IPv4 4-tuple given as numbers (addresses as unsigned 32-bit): an IPv4 row's
   * other address words are 0, so the addresses' first words and the ports decide.
   */
  find4(h: number, src: number, sport: number, dst: number, dport: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    const u32 = this.u32, u16 = this.u16, u8 = this.u8;
    const tag = h & TAG_MASK;
    let i = (h >>> TAG_BITS) & mask;
    for (;;) {
      const v = slots[i];
      if (v === 0) return -1;
      // the tag rules out 255 of 256 other connections without reading their rows
      if ((v & TAG_MASK) === tag) {
        const c = (v >>> TAG_BITS) - 1;
        if (u8[c * ROW_BYTES + B.FAMILY] === 4) {
          const hp = c * ROW_H, w = c * ROW_W;
          const cp = u16[hp + H.C_PORT], sp = u16[hp + H.S_PORT];
          const ca = u32[w + W.C_ADDR], sa = u32[w + W.S_ADDR];
          if (cp === sport && sp === dport && ca === src && sa === dst) {
            this.foundSide = 0;
            return c;
          }
          if (cp === dport && sp === sport && ca === dst && sa === src) {
            this.foundSide = 1;
            return c;
          }
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Put row `c` (its HASH field already set, not yet in the all list) into the hash. */
  insert(c: number): void {
    if ((this.size + 1) * 2 > this.slotMask + 1) this.rehash((this.slotMask + 1) * 2);
    this.place(this.slots, this.slotMask, c, this.u32[c * ROW_W + W.HASH]);
  }

  private place(slots: Uint32Array, mask: number, c: number, h: number): void {
    let i = (h >>> TAG_BITS) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = (((c + 1) << TAG_BITS) | (h & TAG_MASK)) >>> 0;
  }

  /**
   * Take row `c` out of the hash (backward-shift deletion keeps probe chains whole). A slot
   * does not hold its entry's home: each entry looked at past the gap has its row's HASH read.
   */
  remove(c: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    const u32 = this.u32;
    const h = u32[c * ROW_W + W.HASH];
    const want = (((c + 1) << TAG_BITS) | (h & TAG_MASK)) >>> 0;
    let i = (h >>> TAG_BITS) & mask;
    while (slots[i] !== want) {
      if (slots[i] === 0) return; // not in the hash
      i = (i + 1) & mask;
    }
    let j = i;
    for (;;) {
      slots[i] = 0;
      for (;;) {
        j = (j + 1) & mask;
        const v = slots[j];
        if (v === 0) return;
        const home = (u32[((v >>> TAG_BITS) - 1) * ROW_W + W.HASH] >>> TAG_BITS) & mask;
        // the entry at j may move back to i unless its home lies cyclically in (i, j]
        const inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!inRange) break;
      }
      slots[i] = slots[j];
      i = j;
    }
  }

  /**
   * Grow the hash to `n` slots. A slot keeps only 8 bits of its hash, so the rows are walked
   * for theirs, in creation order (the all list holds exactly the rows in the hash: a row is
   * inserted before it is linked and removed before it is unlinked), which reads the rows
   * mostly in address order instead of one random row per slot.
   */
  private rehash(n: number): void {
    const slots = new Uint32Array(n);
    const mask = n - 1;
    const u32 = this.u32, i32 = this.i32;
    for (let c = this.allHead; c >= 0; c = i32[c * ROW_W + W.ALL_NEXT]) this.place(slots, mask, c, u32[c * ROW_W + W.HASH]);
    this.slots = slots;
    this.slotMask = mask;
  }

  /**
   * Forget every connection at once (after the last ones were reported at end of input): the
   * rows, the hash and the lists start empty, as new. The rows used are not zeroed here but as
   * each is handed out again (`dirtyRows`): at a million connections writing zeros over them is
   * ~500 MB written at the end of the run, and a fresh buffer instead (what this did before) is a
   * new reservation that V8 counts as external memory: on a 20,000-connection capture it set off
   * a scavenge and a full collection (~8 ms) just before the process exits.
   */
  clear(): void {
    this.slots.fill(0);
    if (this.nextUnused > this.dirtyRows) this.dirtyRows = this.nextUnused;
    this.counters.fill(0);
    this.counterRows = 1;
    this.freeCounterRows = [];
    this.freeHead = -1;
    this.nextUnused = 0;
    this.size = 0;
    this.idleHead.fill(-1);
    this.idleTail.fill(-1);
    this.allHead = -1;
    this.allTail = -1;
  }

  /** A new zeroed row buffer of `bytes`, or null when the allocator refuses it (a RangeError). */
  private tryAlloc(bytes: number): ArrayBuffer | null {
    try {
      return this.allocBuffer(bytes);
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
  }

  // ---- lists --------------------------------------------------------------------------------

  /** Move `c` to the tail of idle list `cls` (unlinking it from wherever it was). */
  touch(c: number, cls: number): void {
    const i32 = this.i32;
    const w = c * ROW_W;
    const at = c * ROW_BYTES + B.IDLE_CLASS;
    const cur = this.u8[at];
    if (cur === cls && this.idleTail[cls] === c) return;
    if (i32[w + W.IDLE_PREV] !== -1 || i32[w + W.IDLE_NEXT] !== -1 || this.idleHead[cur] === c) this.unlinkIdle(c);
    this.u8[at] = cls;
    const t = this.idleTail[cls];
    i32[w + W.IDLE_PREV] = t;
    i32[w + W.IDLE_NEXT] = -1;
    if (t >= 0) i32[t * ROW_W + W.IDLE_NEXT] = c; else this.idleHead[cls] = c;
    this.idleTail[cls] = c;
  }

  unlinkIdle(c: number): void {
    const i32 = this.i32;
    const w = c * ROW_W;
    const cls = this.u8[c * ROW_BYTES + B.IDLE_CLASS];
    const p = i32[w + W.IDLE_PREV], n = i32[w + W.IDLE_NEXT];
    if (p >= 0) i32[p * ROW_W + W.IDLE_NEXT] = n; else if (this.idleHead[cls] === c) this.idleHead[cls] = n;
    if (n >= 0) i32[n * ROW_W + W.IDLE_PREV] = p; else if (this.idleTail[cls] === c) this.idleTail[cls] = p;
    i32[w + W.IDLE_PREV] = -1;
    i32[w + W.IDLE_NEXT] = -1;
  }

  /** Append `c` to the creation-order list. */
  linkAll(c: number): void {
    const i32 = this.i32;
    const w = c * ROW_W;
    i32[w + W.ALL_PREV] = this.allTail;
    i32[w + W.ALL_NEXT] = -1;
    if (this.allTail >= 0) i32[this.allTail * ROW_W + W.ALL_NEXT] = c; else this.allHead = c;
    this.allTail = c;
  }

  unlinkAll(c: number): void {
    const i32 = this.i32;
    const w = c * ROW_W;
    const p = i32[w + W.ALL_PREV], n = i32[w + W.ALL_NEXT];
    if (p >= 0) i32[p * ROW_W + W.ALL_NEXT] = n; else this.allHead = n;
    if (n >= 0) i32[n * ROW_W + W.ALL_PREV] = p; else this.allTail = p;
    i32[w + W.ALL_PREV] = -1;
    i32[w + W.ALL_NEXT] = -1;
  }
}

// ---- hashing --------------------------------------------------------------------------------

/*
 * Symmetric 4-tuple hash: the same for both directions of a connection. Each endpoint (address,
 * port) is mixed on its own under the process's random keys (hash-seed.ts), then the two are
 * combined with commutative operations (sum and xor) and a keyed final mix. Why keyed, and why
 * the port enters after the address has been multiplied and folded: the 4-tuples come from the
 * capture's author. The former mix, `imul(addr ^ port << 16, K)`, let (addr ^ k << 16, k) cancel
 * to one 32-bit hash for every k, and a capture of such SYNs made every lookup walk all of them
 * (qa5 F1: 32k SYNs, 0.38 -> 9.4 s, growing ~x5 per doubling). Now two endpoints only collide
 * when their folded address products agree in the high 16 bits, which depends on the key's bits
 * where the addresses differ: the author cannot aim at it. Collisions left cost a key comparison.
 */

/** one endpoint's keyed mix: the address multiplied and folded, then the port, multiplied again */
function endpointMix(addr: number, port: number): number {
  let x = Math.imul(addr ^ HASH_KEY_ADDR, 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x ^ port ^ HASH_KEY_PORT, 0x85ebca6b);
  return x ^ (x >>> 13);
}

/** the two endpoints' mixes combined commutatively (so both directions agree), then the keyed final mix */
function combineEndpoints(ea: number, eb: number): number {
  let h = ((ea + eb) ^ Math.imul(ea ^ eb, 0xc2b2ae35) ^ HASH_KEY_FINAL) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Symmetric 4-tuple hash of `key` (see FlowTable.find). IPv6: the four address words go through
 * the keyed multiply-fold one after another before the port (no word can cancel another).
 */
export function flowHash(fam: number, key: Uint32Array): number {
  // IPv4: one address word per side
  if (fam === 4) return flowHash4(key[0], key[4], key[5], key[9]);
  return (combineEndpoints(endpointMix(addr6Mix(key[0], key[1], key[2], key[3]), key[4]),
    endpointMix(addr6Mix(key[5], key[6], key[7], key[8]), key[9])) ^ fam) >>> 0;
}

/** an IPv6 address's four words folded into one under the key (endpointMix then takes it as the address) */
function addr6Mix(w0: number, w1: number, w2: number, w3: number): number {
  let x = Math.imul(w0 ^ HASH_KEY_FINAL, 0x9e3779b1);
  x = Math.imul((x ^ (x >>> 16)) ^ w1, 0x85ebca6b);
  x = Math.imul((x ^ (x >>> 13)) ^ w2, 0xc2b2ae35);
  x = Math.imul((x ^ (x >>> 16)) ^ w3, 0x27d4eb2f);
  return x ^ (x >>> 15);
}

/** flowHash of an IPv4 4-tuple given as numbers: source address and port, destination address and port. */
export function flowHash4(src: number, sport: number, dst: number, dport: number): number {
  return combineEndpoints(endpointMix(src, sport), endpointMix(dst, dport));
}
