/**
 * The flow table: every live connection's state in typed-array columns (struct of arrays).
 *
 * Why columns and not one object per connection: a SYN flood puts a million connections in the
 * table at once, and a million JS objects with sixty fields (half of them doubles or 32-bit
 * sequence numbers, which V8 boxes) cost about a kilobyte each plus garbage-collector time.
 * Columns cost ~450 bytes per connection, are never garbage, and read fast.
 *
 * Indexing: connection `c` is a row; its two endpoints are rows `2c` (client) and `2c + 1`
 * (server) of the endpoint columns. Rows are recycled through a free list when a connection is
 * emitted, and the columns double when full.
 *
 * Lookup: open addressing with linear probing over a power-of-two Int32Array of row+1 (0 =
 * empty), keyed by a symmetric hash of the 4-tuple (both directions hash alike) and compared
 * word by word; deletion shifts later entries back (no tombstones). No string keys, nothing
 * allocated per packet.
 *
 * Lists (intrusive, through Int32Array links): one "all" list in creation order (what end of
 * input walks to emit the remaining flows in order) and three idle lists ordered by last
 * activity, one per timeout class, so expiry only ever looks at list heads.
 */

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

/** Bits of `connFlags`. */
export const enum CF {
  MIDSTREAM = 1 << 0,
  SYN_SEEN = 1 << 1,
  SYNACK_SEEN = 1 << 2,
  HANDSHAKE_DONE = 1 << 3,
  SIMULTANEOUS = 1 << 4,
  REFUSED = 1 << 5,
  /** an accepted RST ended it */
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
  /** the capture ended (or the flow was cut) while the RST was the last word */
  HALF_OPEN = 1 << 13,
  /** a RST came after both sides had closed with FINs */
  RESET_AFTER_FINS = 1 << 14,
  /** a RST ended the handshake without being a refusal */
  HANDSHAKE_RESET = 1 << 15,
  /** simultaneous close (both FINs crossed) */
  SIMULTANEOUS_CLOSE = 1 << 16,
  /** the connection was emitted because a new one took its 4-tuple */
  SUPERSEDED = 1 << 17,
  /** it was emitted because it stayed idle past its timeout */
  EXPIRED = 1 << 18,
}

/** Bits of `epFlags` (per endpoint). */
export const enum EF {
  /** a SYN (or SYN-ACK) from this endpoint was seen: `isn` is valid */
  SYN_SEEN = 1 << 0,
  /** it sent a FIN (seen, or proven by the peer's ACK): `finSeq` is valid */
  FIN_SENT = 1 << 1,
  /** the peer acknowledged this endpoint's SYN */
  SYN_ACKED = 1 << 2,
  /** the peer acknowledged this endpoint's FIN */
  FIN_ACKED = 1 << 3,
  /** this endpoint acknowledged the peer's SYN */
  RCVD_PEER_SYN = 1 << 4,
  /** this endpoint acknowledged the peer's FIN */
  RCVD_PEER_FIN = 1 << 5,
  /** `nextSeq`/`maxSeqToBeAcked` are valid (a segment from it was analysed) */
  SEQ_VALID = 1 << 6,
  /** `lastAck` is valid (it sent a segment with ACK) */
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
}

/** Bits of `lastSegFlags` (what the endpoint's previous segment was, for tshark's *_ACK rules). */
export const enum LSF {
  KEEPALIVE = 1,
  ZERO_WINDOW_PROBE = 2,
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
  COUNT,
}

export const COUNTER_NAMES: readonly string[] = [
  'retransmission', 'fast-retransmission', 'spurious-retransmission', 'out-of-order',
  'previous-segment-lost', 'ack-unseen', 'duplicate-ack', 'keepalive', 'keepalive-ack',
  'zero-window', 'zero-window-probe', 'window-update', 'window-full', 'bad-checksum',
  'fin-retransmit', 'synack-retransmit',
];

/** Retransmission intervals remembered per endpoint for the handshake (SYN / SYN-ACK backoff). */
export const MAX_INTERVALS = 4;
/** Zeek history letters kept per connection. */
export const HISTORY_MAX = 24;

const INITIAL_ROWS = 1024;

type ColumnCtor = Uint8ArrayConstructor | Int8ArrayConstructor | Uint16ArrayConstructor | Int16ArrayConstructor |
  Uint32ArrayConstructor | Int32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;

/** [field, constructor, values per connection row] */
const COLUMNS: ReadonlyArray<readonly [string, ColumnCtor, number]> = [
  // ---- per connection -------------------------------------------------------------------
  ['hash', Uint32Array, 1],
  ['serial', Float64Array, 1],
  ['family', Uint8Array, 1],
  ['cAddr', Uint32Array, 4],
  ['sAddr', Uint32Array, 4],
  ['cPort', Uint16Array, 1],
  ['sPort', Uint16Array, 1],
  ['idlePrev', Int32Array, 1],
  ['idleNext', Int32Array, 1],
  ['idleClass', Uint8Array, 1],
  ['allPrev', Int32Array, 1],
  ['allNext', Int32Array, 1],
  ['firstSec', Float64Array, 1],
  ['firstNsec', Uint32Array, 1],
  ['lastSec', Float64Array, 1],
  ['lastNsec', Uint32Array, 1],
  /** capture time of the last packet, seconds (float) */
  ['lastT', Float64Array, 1],
  ['firstPkt', Float64Array, 1],
  ['lastPkt', Float64Array, 1],
  /** first client SYN, first server SYN-ACK, handshake completion (capture seconds; 0 = not yet) */
  ['synT', Float64Array, 1],
  ['synAckT', Float64Array, 1],
  ['estT', Float64Array, 1],
  ['connFlags', Uint32Array, 1],
  ['anomalies', Uint32Array, 1],
  /** row+1 in the counter pool, 0 = none yet */
  ['counterRow', Int32Array, 1],
  // Zeek emulation
  ['zHistSeen', Uint32Array, 1],
  ['history', Uint8Array, HISTORY_MAX],
  ['histLen', Uint8Array, 1],
  // ---- per endpoint (two rows per connection: client, server) ---------------------------
  ['state', Uint8Array, 2],
  ['epFlags', Uint16Array, 2],
  ['isn', Uint32Array, 2],
  ['finSeq', Uint32Array, 2],
  ['nextSeq', Uint32Array, 2],
  ['maxSeqToBeAcked', Uint32Array, 2],
  ['lastAck', Uint32Array, 2],
  ['window', Uint16Array, 2],
  ['wscale', Int8Array, 2],
  ['mss', Int32Array, 2],
  ['nextSeqT', Float64Array, 2],
  ['lastAckT', Float64Array, 2],
  ['epLastT', Float64Array, 2],
  /** time of its last SYN / SYN-ACK, for retransmission intervals */
  ['ctrlT', Float64Array, 2],
  ['ctrlCount', Uint8Array, 2],
  /** time of its last FIN (first or resent) */
  ['finT', Float64Array, 2],
  ['intervals', Float32Array, 2 * MAX_INTERVALS],
  ['dupAcks', Int32Array, 2],
  ['lastSegFlags', Uint8Array, 2],
  ['packets', Float64Array, 2],
  ['bytes', Float64Array, 2],
  /** retransmissions since the peer last sent anything (a vanished peer shows as a run of them) */
  ['unanswered', Uint16Array, 2],
  // Zeek endpoint emulation
  ['zState', Uint8Array, 2],
  ['zPrevState', Uint8Array, 2],
  ['zStart', Uint32Array, 2],
  ['zLast', Uint32Array, 2],
  ['zAck', Uint32Array, 2],
  ['zHistLastSyn', Uint32Array, 2],
  ['zHistLastFin', Uint32Array, 2],
  ['zHistLastRst', Uint32Array, 2],
  ['zRxmt', Uint32Array, 2],
  ['zWin0', Uint32Array, 2],
  ['zChk', Uint32Array, 2],
  ['zGap', Uint32Array, 2],
];

export class FlowTable {
  // Column declarations (allocated by allocate(); see COLUMNS for their meaning).
  hash!: Uint32Array; serial!: Float64Array; family!: Uint8Array;
  cAddr!: Uint32Array; sAddr!: Uint32Array; cPort!: Uint16Array; sPort!: Uint16Array;
  idlePrev!: Int32Array; idleNext!: Int32Array; idleClass!: Uint8Array;
  allPrev!: Int32Array; allNext!: Int32Array;
  firstSec!: Float64Array; firstNsec!: Uint32Array; lastSec!: Float64Array; lastNsec!: Uint32Array;
  lastT!: Float64Array; firstPkt!: Float64Array; lastPkt!: Float64Array;
  synT!: Float64Array; synAckT!: Float64Array; estT!: Float64Array;
  connFlags!: Uint32Array; anomalies!: Uint32Array; counterRow!: Int32Array;
  zHistSeen!: Uint32Array; history!: Uint8Array; histLen!: Uint8Array;
  state!: Uint8Array; epFlags!: Uint16Array; isn!: Uint32Array; finSeq!: Uint32Array;
  nextSeq!: Uint32Array; maxSeqToBeAcked!: Uint32Array; lastAck!: Uint32Array;
  window!: Uint16Array; wscale!: Int8Array; mss!: Int32Array;
  nextSeqT!: Float64Array; lastAckT!: Float64Array; epLastT!: Float64Array; ctrlT!: Float64Array; finT!: Float64Array;
  ctrlCount!: Uint8Array; intervals!: Float32Array; dupAcks!: Int32Array; lastSegFlags!: Uint8Array;
  packets!: Float64Array; bytes!: Float64Array; unanswered!: Uint16Array;
  zState!: Uint8Array; zPrevState!: Uint8Array; zStart!: Uint32Array; zLast!: Uint32Array;
  zAck!: Uint32Array; zHistLastSyn!: Uint32Array; zHistLastFin!: Uint32Array; zHistLastRst!: Uint32Array;
  zRxmt!: Uint32Array; zWin0!: Uint32Array; zChk!: Uint32Array; zGap!: Uint32Array;

  /** event counters, Ctr.COUNT per row of the pool */
  counters = new Uint32Array(Ctr.COUNT * 256);
  private counterRows = 1; // row 0 unused (0 means "none")
  private freeCounterRows: number[] = [];

  /** rows allocated in the columns */
  capacity = 0;
  /** live connections */
  size = 0;
  /** highest number of live connections at once */
  peak = 0;
  private freeHead = -1;
  private nextUnused = 0;

  /** hash slots: row+1, 0 = empty */
  private slots = new Int32Array(2048);
  private slotMask = 2047;

  readonly idleHead = new Int32Array([-1, -1, -1]);
  readonly idleTail = new Int32Array([-1, -1, -1]);
  allHead = -1;
  allTail = -1;

  constructor(initialRows = INITIAL_ROWS) {
    this.allocate(Math.max(16, initialRows));
  }

  private allocate(rows: number): void {
    const self = this as unknown as Record<string, ArrayLike<number> & { set(a: ArrayLike<number>): void }>;
    for (const [name, Ctor, width] of COLUMNS) {
      const next = new Ctor(rows * width);
      const prev = self[name];
      if (prev !== undefined) next.set(prev);
      self[name] = next;
    }
    this.capacity = rows;
  }

  // ---- rows ---------------------------------------------------------------------------------

  /** A fresh zeroed row (not yet in the hash or any list). */
  allocRow(): number {
    let c: number;
    if (this.freeHead >= 0) {
      c = this.freeHead;
      this.freeHead = this.allNext[c];
    } else {
      if (this.nextUnused === this.capacity) this.allocate(this.capacity * 2);
      c = this.nextUnused++;
    }
    this.clearRow(c);
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
    return c;
  }

  private clearRow(c: number): void {
    const self = this as unknown as Record<string, { fill(v: number, s: number, e: number): void }>;
    for (const [name, , width] of COLUMNS) self[name].fill(0, c * width, c * width + width);
    this.idlePrev[c] = this.idleNext[c] = this.allPrev[c] = this.allNext[c] = -1;
  }

  /** Return a row to the free list (after it left the hash and the lists). */
  freeRow(c: number): void {
    const r = this.counterRow[c];
    if (r !== 0) { this.counters.fill(0, r * Ctr.COUNT, r * Ctr.COUNT + Ctr.COUNT); this.freeCounterRows.push(r); }
    this.counterRow[c] = 0;
    this.allNext[c] = this.freeHead;
    this.freeHead = c;
    this.size--;
  }

  /** Bump counter `k` of connection `c` (allocating its counter row on first use). */
  count(c: number, k: number): void {
    let r = this.counterRow[c];
    if (r === 0) {
      r = this.freeCounterRows.length > 0 ? this.freeCounterRows.pop()! : this.counterRows++;
      if ((r + 1) * Ctr.COUNT > this.counters.length) {
        const grown = new Uint32Array(this.counters.length * 2);
        grown.set(this.counters);
        this.counters = grown;
      }
      this.counterRow[c] = r;
    }
    this.counters[r * Ctr.COUNT + k]++;
  }

  /** Counter `k` of connection `c`. */
  counter(c: number, k: number): number {
    const r = this.counterRow[c];
    return r === 0 ? 0 : this.counters[r * Ctr.COUNT + k];
  }

  // ---- hash ---------------------------------------------------------------------------------

  /** Find the row whose 4-tuple matches (in either direction); -1 if none. Key words: see `keyMatches`. */
  find(h: number, fam: number, a0: number, a1: number, a2: number, a3: number, ap: number,
    b0: number, b1: number, b2: number, b3: number, bp: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    let i = h & mask;
    for (;;) {
      const v = slots[i];
      if (v === 0) return -1;
      const c = v - 1;
      if (this.hash[c] === h && this.family[c] === fam) {
        const k = c * 4;
        const ca = this.cAddr, sa = this.sAddr;
        if (this.cPort[c] === ap && this.sPort[c] === bp && ca[k] === a0 && sa[k] === b0 &&
            ca[k + 1] === a1 && ca[k + 2] === a2 && ca[k + 3] === a3 &&
            sa[k + 1] === b1 && sa[k + 2] === b2 && sa[k + 3] === b3) return c;
        if (this.cPort[c] === bp && this.sPort[c] === ap && ca[k] === b0 && sa[k] === a0 &&
            ca[k + 1] === b1 && ca[k + 2] === b2 && ca[k + 3] === b3 &&
            sa[k + 1] === a1 && sa[k + 2] === a2 && sa[k + 3] === a3) return c;
      }
      i = (i + 1) & mask;
    }
  }

  /** Put row `c` (its hash column already set) into the hash. */
  insert(c: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const slots = this.slots;
    const mask = this.slotMask;
    let i = this.hash[c] & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = c + 1;
  }

  /** Take row `c` out of the hash (backward-shift deletion keeps probe chains whole). */
  remove(c: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let i = this.hash[c] & mask;
    while (slots[i] !== c + 1) {
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
        const home = this.hash[v - 1] & mask;
        // move v back to i unless its home lies cyclically in (i, j]
        const inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!inRange) break;
      }
      slots[i] = slots[j];
      i = j;
    }
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = new Int32Array(n);
    this.slotMask = n - 1;
    const mask = this.slotMask;
    for (let k = 0; k < old.length; k++) {
      const v = old[k];
      if (v === 0) continue;
      let i = this.hash[v - 1] & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = v;
    }
  }

  // ---- lists --------------------------------------------------------------------------------

  /** Move `c` to the tail of idle list `cls` (unlinking it from wherever it was). */
  touch(c: number, cls: number): void {
    const prev = this.idlePrev, next = this.idleNext;
    const cur = this.idleClass[c];
    if (this.idleTail[cls] === c && cur === cls) return;
    if (prev[c] !== -1 || next[c] !== -1 || this.idleHead[cur] === c) this.unlinkIdle(c);
    this.idleClass[c] = cls;
    const t = this.idleTail[cls];
    prev[c] = t;
    next[c] = -1;
    if (t >= 0) next[t] = c; else this.idleHead[cls] = c;
    this.idleTail[cls] = c;
  }

  unlinkIdle(c: number): void {
    const prev = this.idlePrev, next = this.idleNext;
    const cls = this.idleClass[c];
    const p = prev[c], n = next[c];
    if (p >= 0) next[p] = n; else if (this.idleHead[cls] === c) this.idleHead[cls] = n;
    if (n >= 0) prev[n] = p; else if (this.idleTail[cls] === c) this.idleTail[cls] = p;
    prev[c] = next[c] = -1;
  }

  /** Append `c` to the creation-order list. */
  linkAll(c: number): void {
    this.allPrev[c] = this.allTail;
    this.allNext[c] = -1;
    if (this.allTail >= 0) this.allNext[this.allTail] = c; else this.allHead = c;
    this.allTail = c;
  }

  unlinkAll(c: number): void {
    const p = this.allPrev[c], n = this.allNext[c];
    if (p >= 0) this.allNext[p] = n; else this.allHead = n;
    if (n >= 0) this.allPrev[n] = p; else this.allTail = p;
    this.allPrev[c] = this.allNext[c] = -1;
  }

  /** Approximate bytes held by the table (columns, counters, hash). */
  memoryBytes(): number {
    const self = this as unknown as Record<string, { byteLength: number }>;
    let n = this.slots.byteLength + this.counters.byteLength;
    for (const [name] of COLUMNS) n += self[name].byteLength;
    return n;
  }
}

// ---- hashing --------------------------------------------------------------------------------

/** Mix one endpoint (address words and port) into 32 bits. */
function mixEndpoint(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ port, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Symmetric 4-tuple hash: the same for both directions of a connection. */
export function flowHash(fam: number, a0: number, a1: number, a2: number, a3: number, ap: number,
  b0: number, b1: number, b2: number, b3: number, bp: number): number {
  let h = (mixEndpoint(a0, a1, a2, a3, ap) + mixEndpoint(b0, b1, b2, b3, bp) + fam) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
