#!/usr/bin/env node
// Synthetic but protocol-correct pcap of many interleaved TCP/IPv4 flows over Ethernet: the
// benchmark's workloads, for a clone that does not have the corpus's gen-flows.py.
//
//   node bench/gen-flows.mjs OUT.pcap [--flows N] [--seed S] [--payload BYTES] [--only KIND[,KIND]] [--rate FLOWS_PER_S]
//
// Same options, flow kinds, packet shapes and random draws as ../shared/bench/gen-flows.py: it
// runs Python's own generator (MT19937 seeded as random.seed(int) does, random(), getrandbits,
// randrange, choice, choices, uniform, expovariate) so for a given seed it writes the same
// capture, byte for byte, except where V8's Math.log and the C library's log() differ in the
// last bit of an inter-arrival time (a microsecond time stamp can then differ by one).
//
// Memory: packets are kept as their header bytes in one arena plus a payload length (the bulk
// payloads are zeros, written from a shared zero block), so the 1.4 GB LONG capture needs
// ~100 MB and the 3-million-packet FLOOD ~300 MB.
import { closeSync, openSync, writeSync } from 'node:fs';

// ---- Python's random.Random ------------------------------------------------------------------

class PyRandom {
  constructor(seed) {
    this.mt = new Uint32Array(624);
    this.mti = 625;
    // random.seed(int): init_by_array over the absolute value's 32-bit words, least significant first
    let n = BigInt(Math.abs(seed));
    const key = [];
    do { key.push(Number(n & 0xffffffffn)); n >>= 32n; } while (n > 0n);
    this.initByArray(key);
  }

  initGenrand(s) {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = 624;
  }

  initByArray(key) {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1, j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++; j++;
      if (i >= 624) { mt[0] = mt[623]; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) { mt[0] = mt[623]; i = 1; }
    }
    mt[0] = 0x80000000;
  }

  genrand() {
    const mt = this.mt;
    if (this.mti >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  random() {
    const a = this.genrand() >>> 5, b = this.genrand() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** getrandbits(k) for 0 < k ≤ 32 */
  getrandbits(k) {
    return k === 0 ? 0 : this.genrand() >>> (32 - k);
  }

  randbelow(n) {
    const k = 32 - Math.clz32(n); // n.bit_length()
    if (k > 32) throw new Error('randbelow: n too large');
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  randrange(start, stop) {
    return stop === undefined ? this.randbelow(start) : start + this.randbelow(stop - start);
  }

  choice(seq) { return seq[this.randbelow(seq.length)]; }

  /** choices(population, weights)[0]: bisect_right over the cumulative weights */
  choiceWeighted(population, cum) {
    const x = this.random() * cum[cum.length - 1];
    let lo = 0, hi = population.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < cum[mid]) hi = mid; else lo = mid + 1;
    }
    return population[lo];
  }

  uniform(a, b) { return a + (b - a) * this.random(); }

  expovariate(lambd) { return -Math.log(1 - this.random()) / lambd; }
}

// ---- packets ---------------------------------------------------------------------------------

const KINDS = [['normal', 60], ['close3', 10], ['halfclose', 6], ['abort', 6], ['refused', 6], ['unanswered', 4], ['simclose', 3], ['open', 5]];
const F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10;
// mss 1460, sackOK, TS val 1000 ecr 0, nop, wscale 7
const SYN_OPTS = Uint8Array.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 1, 3, 3, 7]);
const LATE = new TextEncoder().encode("late data after the peer's FIN");

/** Packets as parallel arrays: time, where the header bytes sit in the arena, how long, and the zero bytes after them. */
class PacketStore {
  constructor() {
    this.n = 0;
    this.cap = 1 << 16;
    this.t = new Float64Array(this.cap);
    this.off = new Float64Array(this.cap);
    this.len = new Uint16Array(this.cap);
    this.zeros = new Uint16Array(this.cap);
    this.arena = new Uint8Array(1 << 22);
    this.used = 0;
  }

  grow() {
    this.cap *= 2;
    for (const k of ['t', 'off', 'len', 'zeros']) {
      const a = new this[k].constructor(this.cap);
      a.set(this[k]);
      this[k] = a;
    }
  }

  /** Room for `n` more arena bytes; returns where they go. */
  reserve(n) {
    if (this.used + n > this.arena.length) {
      const a = new Uint8Array(this.arena.length * 2);
      a.set(this.arena.subarray(0, this.used));
      this.arena = a;
    }
    const at = this.used;
    this.used += n;
    return at;
  }
}

function sum16(b, from, to, acc) {
  let s = acc;
  let i = from;
  for (; i + 1 < to; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < to) s += b[i] << 8;
  return s;
}

function fold(s) {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}

/** One Ethernet/IPv4/TCP frame into the store: header bytes (and a non-zero payload) in the arena, `zeros` zero bytes after them. */
function frame(store, t, src, dst, sport, dport, seq, ack, flags, win, data, zeros, opts, ipid) {
  if (store.n === store.cap) store.grow();
  const thl = 20 + opts.length;
  const dlen = data.length;
  const hdr = 14 + 20 + thl + dlen;
  const at = store.reserve(hdr);
  const b = store.arena;
  // Ethernet
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0], at);
  // IPv4
  const ip = at + 14;
  const total = 20 + thl + dlen + zeros;
  b[ip] = 0x45; b[ip + 1] = 0; b[ip + 2] = total >> 8; b[ip + 3] = total & 255;
  b[ip + 4] = (ipid >> 8) & 255; b[ip + 5] = ipid & 255; b[ip + 6] = 0x40; b[ip + 7] = 0;
  b[ip + 8] = 64; b[ip + 9] = 6; b[ip + 10] = 0; b[ip + 11] = 0;
  b.set(src, ip + 12); b.set(dst, ip + 16);
  // TCP
  const tcp = ip + 20;
  b[tcp] = sport >> 8; b[tcp + 1] = sport & 255; b[tcp + 2] = dport >> 8; b[tcp + 3] = dport & 255;
  const s32 = seq >>> 0, a32 = ack >>> 0;
  b[tcp + 4] = s32 >>> 24; b[tcp + 5] = (s32 >>> 16) & 255; b[tcp + 6] = (s32 >>> 8) & 255; b[tcp + 7] = s32 & 255;
  b[tcp + 8] = a32 >>> 24; b[tcp + 9] = (a32 >>> 16) & 255; b[tcp + 10] = (a32 >>> 8) & 255; b[tcp + 11] = a32 & 255;
  b[tcp + 12] = (thl / 4) << 4; b[tcp + 13] = flags; b[tcp + 14] = win >> 8; b[tcp + 15] = win & 255;
  b[tcp + 16] = 0; b[tcp + 17] = 0; b[tcp + 18] = 0; b[tcp + 19] = 0;
  b.set(opts, tcp + 20);
  b.set(data, tcp + thl);
  // TCP checksum over the pseudo header, the header and the payload (the zeros add nothing, but
  // an odd-length data part followed by zeros is summed as if padded, exactly as the bytes are)
  const tcpLen = thl + dlen + zeros;
  let s = sum16(b, ip + 12, ip + 20, 6 + tcpLen);
  s = sum16(b, tcp, tcp + thl + dlen, s);
  const c = fold(s);
  b[tcp + 16] = c >> 8; b[tcp + 17] = c & 255;
  const ic = fold(sum16(b, ip, ip + 20, 0));
  b[ip + 10] = ic >> 8; b[ip + 11] = ic & 255;
  const k = store.n++;
  store.t[k] = t;
  store.off[k] = at;
  store.len[k] = hdr;
  store.zeros[k] = zeros;
}

/** One flow of a randomly drawn kind; returns the kind. Same draws, in the same order, as gen-flows.py. */
function flowPackets(store, rng, i, t0, payload, kinds, cum) {
  const kind = rng.choiceWeighted(kinds, cum);
  const c = Uint8Array.from([10, (i >> 16) & 255, (i >> 8) & 255, (i & 255) || 1]);
  const sv = Uint8Array.from([192, 0, 2, 1 + (i % 200)]);
  const cp = 1024 + rng.randrange(60000), sp = rng.choice([443, 3000, 5432, 8443, 9443]);
  const x = rng.getrandbits(32), y = rng.getrandbits(32);
  const rtt = rng.uniform(0.0002, 0.05);
  let t = t0;
  let idC = rng.getrandbits(16), idS = rng.getrandbits(16);
  const none = new Uint8Array(0);
  const c2s = (flags, seq, ack, data = none, dt = 0, opts = none, zeros = 0) => {
    t += dt;
    idC++;
    frame(store, t, c, sv, cp, sp, seq, ack, flags, 64240, data, zeros, opts, idC & 0xffff);
  };
  const s2c = (flags, seq, ack, data = none, dt = 0, opts = none, zeros = 0) => {
    t += dt;
    idS++;
    frame(store, t, sv, c, sp, cp, seq, ack, flags, 65160, data, zeros, opts, idS & 0xffff);
  };

  c2s(S, x, 0, none, 0, SYN_OPTS);
  if (kind === 'unanswered') {
    c2s(S, x, 0, none, 1.0, SYN_OPTS);
    c2s(S, x, 0, none, 2.0, SYN_OPTS);
    return kind;
  }
  if (kind === 'refused') {
    s2c(R | A, 0, x + 1, none, rtt);
    return kind;
  }
  s2c(S | A, y, x + 1, none, rtt / 2, SYN_OPTS);
  c2s(A, x + 1, y + 1, none, rtt / 2);
  const reqLen = rng.randrange(20, 200);
  const req = new Uint8Array(reqLen);
  for (let k = 0; k < reqLen; k++) req[k] = rng.randrange(32, 127);
  const respLen = rng.randrange(0, payload + 1);
  c2s(P | A, x + 1, y + 1, req, 0.0001);
  let cs = x + 1 + reqLen, ss = y + 1;
  s2c(A, ss, cs, none, rtt / 2);
  let sent = 0;
  while (sent < respLen) {
    const n = Math.min(1448, respLen - sent);
    s2c(A | (sent + n === respLen ? P : 0), ss, cs, none, 0.00005, none, n);
    ss += n;
    sent += n;
  }
  if (respLen) c2s(A, cs, ss, none, rtt / 2);
  if (kind === 'open') return kind;
  if (kind === 'abort') {
    s2c(R | A, ss, cs, none, 0.001);
    return kind;
  }
  if (kind === 'normal') {
    c2s(F | A, cs, ss, none, 0.001);
    s2c(A, ss, cs + 1, none, rtt / 2);
    s2c(F | A, ss, cs + 1, none, 0.0005);
    c2s(A, cs + 1, ss + 1, none, rtt / 2);
  } else if (kind === 'close3') {
    c2s(F | A, cs, ss, none, 0.001);
    s2c(F | A, ss, cs + 1, none, rtt / 2);
    c2s(A, cs + 1, ss + 1, none, rtt / 2);
  } else if (kind === 'halfclose') {
    c2s(F | A, cs, ss, none, 0.001);
    s2c(A, ss, cs + 1, none, rtt / 2);
    s2c(P | A, ss, cs + 1, LATE, 0.01);
    c2s(A, cs + 1, ss + 30, none, rtt / 2);
    ss += 30;
    s2c(F | A, ss, cs + 1, none, 0.001);
    c2s(A, cs + 1, ss + 1, none, rtt / 2);
  } else if (kind === 'simclose') {
    c2s(F | A, cs, ss, none, 0.001);
    s2c(F | A, ss, cs, none, 0.00001);
    c2s(A, cs + 1, ss + 1, none, rtt / 2);
    s2c(A, ss + 1, cs + 1, none, 0.00001);
  }
  return kind;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function generate(out, { flows = 10000, seed = 1, payload = 6000, only = '', rate = 2000 } = {}) {
  const wanted = only === '' ? null : only.split(',');
  const kinds = KINDS.filter(([k]) => wanted === null || wanted.includes(k));
  if (kinds.length === 0) throw new Error(`--only ${only}: no such flow kind (${KINDS.map(([k]) => k).join(', ')})`);
  const names = kinds.map(([k]) => k);
  const cum = [];
  for (const [, w] of kinds) cum.push((cum.length > 0 ? cum[cum.length - 1] : 0) + w);
  const rng = new PyRandom(seed);
  const store = new PacketStore();
  const counts = {};
  let t = 1_700_000_000.0;
  for (let i = 1; i <= flows; i++) {
    t += rng.expovariate(rate);
    const kind = flowPackets(store, rng, i, t, payload, names, cum);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  // stable sort by time, as Python's list.sort
  const n = store.n;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const times = store.t;
  const sorted = Array.from(order).sort((a, b) => times[a] - times[b] || a - b);

  const fd = openSync(out, 'w');
  const buf = Buffer.alloc(1 << 22);
  let at = 0;
  const flush = () => { let o = 0; while (o < at) o += writeSync(fd, buf, o, at - o); at = 0; };
  // file header: little-endian, microseconds, v2.4, snaplen 262144, Ethernet
  buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6);
  buf.writeInt32LE(0, 8); buf.writeUInt32LE(0, 12); buf.writeUInt32LE(262144, 16); buf.writeUInt32LE(1, 20);
  at = 24;
  for (const k of sorted) {
    const len = store.len[k] + store.zeros[k];
    if (at + 16 + len > buf.length) flush();
    const ts = times[k];
    let sec = Math.trunc(ts);
    let usec = roundHalfEven((ts - sec) * 1e6);
    if (usec === 1000000) { sec += 1; usec = 0; }
    buf.writeUInt32LE(sec, at); buf.writeUInt32LE(usec, at + 4); buf.writeUInt32LE(len, at + 8); buf.writeUInt32LE(len, at + 12);
    at += 16;
    buf.set(store.arena.subarray(store.off[k], store.off[k] + store.len[k]), at);
    at += store.len[k];
    buf.fill(0, at, at + store.zeros[k]);
    at += store.zeros[k];
  }
  flush();
  closeSync(fd);
  const summary = Object.keys(counts).sort().map((k) => `${k}=${counts[k]}`).join(' ');
  return { packets: n, flows, counts, line: `${out}: ${n} packets, ${flows} flows: ${summary}` };
}

function parseArgs(argv) {
  const o = { flows: 10000, seed: 1, payload: 6000, only: '', rate: 2000 };
  let out = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--flows') o.flows = parseInt(val(), 10);
    else if (a === '--seed') o.seed = parseInt(val(), 10);
    else if (a === '--payload') o.payload = parseInt(val(), 10);
    else if (a === '--only') o.only = val();
    else if (a === '--rate') o.rate = parseFloat(val());
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else out = a;
  }
  if (out === null) throw new Error('usage: gen-flows.mjs OUT.pcap [--flows N] [--seed S] [--payload BYTES] [--only KIND[,KIND]] [--rate FLOWS_PER_S]');
  return { out, o };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { out, o } = parseArgs(process.argv.slice(2));
    console.log(generate(out, o).line);
  } catch (e) {
    process.stderr.write(`gen-flows: ${e.message}\n`);
    process.exit(2);
  }
}
