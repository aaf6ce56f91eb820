/**
 * tcpdump's relative-sequence table: per connection, the sequence numbers tcpdump subtracts to
 * print `seq 1:11, ack 1` instead of absolute numbers.
 *
 * The rules are tcpdump's own (print-tcp.c), reproduced exactly because `--plain` must be
 * byte-identical to it:
 *  - only segments with ACK set consult the table (and nothing does with -S); a segment without
 *    ACK (the first SYN, a bare RST) prints absolute numbers;
 *  - one entry covers both directions. The key orders the endpoints by port (the lower source
 *    port first; equal ports: the lower address first): `rev` says this segment runs against
 *    that order;
 *  - an entry is (re)created when none exists or the segment has SYN set: it records
 *    seq and ack−1 (swapped when `rev`) and the segment itself prints absolute numbers;
 *  - otherwise seq and ack are printed minus the recorded values, modulo 2^32;
 *  - entries are never removed (tcpdump keeps them for the whole run), and IPv4 and IPv6
 *    connections live in separate tables.
 * SACK blocks are printed relative to the same entry (tcpdump subtracts `thack`, or `thseq` when
 * `rev`), so the lookup also hands back the entry's two numbers.
 *
 * tcpdump's own table is a 919-bucket chained hash with linear chains, which is why it slows down
 * on many connections. This one is open addressing over typed arrays with numeric hashing: no
 * allocation per packet, no string keys, resized by doubling at half load.
 *
 * It is per-connection state, so it lives in src/track; the printer is handed an instance.
 */
import { HASH_KEY_FINAL } from './hash-seed.js';

const EMPTY = 0;
const USED = 1;

/** Result of a lookup, overwritten by every call (no allocation). */
export interface SeqLookup {
  /** seq and ack to print (relative, or absolute when the entry was just made) */
  seq: number;
  ack: number;
  /** the entry's recorded numbers, for SACK blocks */
  thSeq: number;
  thAck: number;
  /** the segment runs against the key's order */
  rev: boolean;
}

/**
 * One open-addressing table. Each slot is one stretch of `stride` words of a single array: the key
 * words, then seq, ack and the slot's state, so a lookup reads one place in memory (a v4 slot is
 * 32 bytes, a v6 slot 64; typed arrays' memory comes from malloc, 16-byte aligned, so a slot is
 * one or two cache lines). Kept apart (keys, seqs, acks, states in four arrays) they were four
 * lines at four places per lookup: with 2,000 connections that was ~2.4 simulated L1 misses
 * a lookup in `--plain` and ~3.6 in annotated output, where the tracker's rows compete for the
 * cache (callgrind --cache-sim, LONG's first 150k packets).
 */
class SeqMap {
  private cap: number;
  private mask: number;
  private count = 0;
  /** words per slot: the key, seq, ack, state, padded to 8 or 16 (32 or 64 bytes) */
  private readonly stride: number;
  /** offsets of seq, ack and state within a slot */
  private readonly seqAt: number;
  private readonly ackAt: number;
  private readonly stateAt: number;
  private slots: Uint32Array;

  constructor(private readonly words: number, initialCapacity = 1024) {
    this.cap = initialCapacity;
    this.mask = initialCapacity - 1;
    this.stride = words + 3 <= 8 ? 8 : 16;
    this.seqAt = words;
    this.ackAt = words + 1;
    this.stateAt = words + 2;
    this.slots = new Uint32Array(initialCapacity * this.stride);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Slot holding `key` (first `words` entries of `key`), or the empty slot where it would go, as
   * ~slot. A slot is named by the offset of its first word in `slots` (slot index × stride).
   */
  find(key: Uint32Array, hash: number): number {
    const w = this.words;
    const stride = this.stride;
    const slots = this.slots;
    const state = this.stateAt;
    let i = hash & this.mask;
    for (;;) {
      const base = i * stride;
      if (slots[base + state] === EMPTY) return ~base;
      let k = 0;
      while (k < w && slots[base + k] === key[k]) k++;
      if (k === w) return base;
      i = (i + 1) & this.mask;
    }
  }

  /**
   * `find` for the IPv4 table (3 key words, stride 8), the key as three numbers: the lookup every
   * printed IPv4 segment makes, kept small because in annotated output the tracker's code runs
   * between two packets' lines and evicts the printer's from the instruction cache (the generic
   * loop over `words`, the key array and the hash loop made lookup4 ~5 KB of machine code).
   */
  find3(k0: number, k1: number, k2: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const base = i * 8;
      if (slots[base + 5] === EMPTY) return ~base;
      if (slots[base] === k0 && slots[base + 1] === k1 && slots[base + 2] === k2) return base;
      i = (i + 1) & mask;
    }
  }

  /** Claim the empty slot `slot` (from `find`) for `key`; may move everything (resize). Returns the slot. */
  insert(slot: number, key: Uint32Array, hash: number): number {
    if ((this.count + 1) * 2 > this.cap) {
      this.grow();
      slot = ~this.find(key, hash);
    }
    const slots = this.slots;
    for (let k = 0; k < this.words; k++) slots[slot + k] = key[k];
    slots[slot + this.stateAt] = USED;
    this.count++;
    return slot;
  }

  getSeq(slot: number): number { return this.slots[slot + this.seqAt]; }
  getAck(slot: number): number { return this.slots[slot + this.ackAt]; }
  set(slot: number, seq: number, ack: number): void {
    this.slots[slot + this.seqAt] = seq;
    this.slots[slot + this.ackAt] = ack;
  }

  private grow(): void {
    const w = this.words;
    const stride = this.stride;
    const old = this.slots;
    const oldCap = this.cap;
    this.cap = oldCap * 2;
    this.mask = this.cap - 1;
    this.slots = new Uint32Array(this.cap * stride);
    const key = new Uint32Array(w);
    for (let from = 0; from < oldCap * stride; from += stride) {
      if (old[from + this.stateAt] !== USED) continue;
      for (let k = 0; k < w; k++) key[k] = old[from + k];
      const to = ~this.find(key, hashWords(key, w));
      this.slots.set(old.subarray(from, from + stride), to);
    }
  }
}

/**
 * Mix `n` key words into a well-spread 32-bit hash (murmur3-style: mixWord per word, then
 * finishHash), started from the process's random key (hash-seed.ts): the words are addresses and
 * ports the capture's author chose, and with a fixed start an author who knows the mix can aim
 * thousands of them at one slot (qa5 F1). Slot order is never printed, so any key prints alike.
 */
function hashWords(key: Uint32Array, n: number): number {
  let h = HASH_KEY_FINAL | 0;
  for (let k = 0; k < n; k++) h = mixWord(h, key[k]);
  return finishHash(h);
}

/** the hash's last step over the mixed words (MurmurHash3's fmix32) */
function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mix one key word into the hash (hashWords' step) */
function mixWord(h: number, word: number): number {
  let x = Math.imul(word, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  h ^= Math.imul(x, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** hashWords of a 3-word key given as numbers (the same value: `grow` rehashes with hashWords) */
function hash3(k0: number, k1: number, k2: number): number {
  return finishHash(mixWord(mixWord(mixWord(HASH_KEY_FINAL | 0, k0), k1), k2));
}

export class TcpdumpSeqTable {
  private readonly v4 = new SeqMap(3);
  private readonly v6 = new SeqMap(9);
  private readonly key4 = new Uint32Array(3);
  private readonly key6 = new Uint32Array(9);
  /** the last lookup's answer */
  readonly result: SeqLookup = { seq: 0, ack: 0, thSeq: 0, thAck: 0, rev: false };

  /** number of connections recorded (both tables) */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /**
   * An IPv4 segment with ACK set: addresses as unsigned 32-bit numbers. Fills and returns `result`.
   * `syn`: the segment has SYN set (starts the entry afresh).
   */
  lookup4(src: number, dst: number, sport: number, dport: number, seq: number, ack: number, syn: boolean): SeqLookup {
    // tcpdump orders by port, then by address bytes (memcmp of network order = numeric order)
    const rev = sport > dport || (sport === dport && src >>> 0 > dst >>> 0);
    // unsigned, as the slots' Uint32Array holds them (a signed address would never match)
    const k0 = (rev ? dst : src) >>> 0;
    const k1 = (rev ? src : dst) >>> 0;
    const k2 = (rev ? (dport << 16) | sport : (sport << 16) | dport) >>> 0;
    const hash = hash3(k0, k1, k2);
    const slot = this.v4.find3(k0, k1, k2, hash);
    if (slot < 0) {
      // a new entry: its key goes in from the array, as lookup6's (once per connection)
      const key = this.key4;
      key[0] = k0;
      key[1] = k1;
      key[2] = k2;
      return this.record(this.v4, this.v4.insert(~slot, key, hash), rev, seq, ack);
    }
    return this.relative(this.v4, slot, rev, seq, ack, syn);
  }

  /** An IPv6 segment with ACK set: the 16-byte addresses at `srcOff`/`dstOff` in `d`. */
  lookup6(d: Uint8Array, srcOff: number, dstOff: number, sport: number, dport: number, seq: number, ack: number, syn: boolean): SeqLookup {
    let rev = sport > dport;
    if (sport === dport) {
      for (let i = 0; i < 16; i++) {
        const a = d[srcOff + i];
        const b = d[dstOff + i];
        if (a !== b) { rev = a > b; break; }
      }
    }
    const key = this.key6;
    const first = rev ? dstOff : srcOff;
    const second = rev ? srcOff : dstOff;
    for (let w = 0; w < 4; w++) {
      const a = first + w * 4;
      const b = second + w * 4;
      key[w] = ((d[a] << 24) | (d[a + 1] << 16) | (d[a + 2] << 8) | d[a + 3]) >>> 0;
      key[4 + w] = ((d[b] << 24) | (d[b + 1] << 16) | (d[b + 2] << 8) | d[b + 3]) >>> 0;
    }
    key[8] = (rev ? (dport << 16) | sport : (sport << 16) | dport) >>> 0;
    return this.apply(this.v6, key, 9, rev, seq, ack, syn);
  }

  private apply(map: SeqMap, key: Uint32Array, words: number, rev: boolean, seq: number, ack: number, syn: boolean): SeqLookup {
    const hash = hashWords(key, words);
    const slot = map.find(key, hash);
    if (slot < 0) return this.record(map, map.insert(~slot, key, hash), rev, seq, ack);
    return this.relative(map, slot, rev, seq, ack, syn);
  }

  /** An entry (re)made at `slot`: record seq and ack−1 (swapped when `rev`), print absolute numbers. */
  private record(map: SeqMap, slot: number, rev: boolean, seq: number, ack: number): SeqLookup {
    const r = this.result;
    if (rev) map.set(slot, (ack - 1) >>> 0, seq);
    else map.set(slot, seq, (ack - 1) >>> 0);
    r.seq = seq;
    r.ack = ack;
    r.thSeq = map.getSeq(slot);
    r.thAck = map.getAck(slot);
    r.rev = rev;
    return r;
  }

  /** The entry at `slot` exists: relative numbers, unless a SYN starts the conversation afresh. */
  private relative(map: SeqMap, slot: number, rev: boolean, seq: number, ack: number, syn: boolean): SeqLookup {
    if (syn) return this.record(map, slot, rev, seq, ack);
    const r = this.result;
    const thSeq = map.getSeq(slot);
    const thAck = map.getAck(slot);
    r.seq = (seq - (rev ? thAck : thSeq)) >>> 0;
    r.ack = (ack - (rev ? thSeq : thAck)) >>> 0;
    r.thSeq = thSeq;
    r.thAck = thAck;
    r.rev = rev;
    return r;
  }
}
