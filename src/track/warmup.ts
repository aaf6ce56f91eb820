/**
 * JIT warm-up for a cold run: a short built-in capture of the usual connection lives (handshake,
 * data, retransmissions, duplicate ACKs, reordering, zero window and probes, keep-alives, closes
 * from either side, half and simultaneous closes, resets, a refused and an unanswered SYN, a
 * SYN-ACK resent, port reuse, a connection picked up midstream) read by the pcap parser, decoded,
 * tracked by a throwaway Tracker and written as flow records into a scratch buffer, once per
 * process, before the real input.
 *
 * Why: V8 optimises a hot function with the type feedback its branches have gathered so far. A
 * branch first taken after that (the first FIN, SYN retransmission or duplicate ACK of a capture
 * can come tens of thousands of packets in) throws the optimised code away, runs the function in
 * the interpreter again and compiles it again: the tracker's big functions were compiled two or
 * three times per run. After this warm-up (~170 packets, a few milliseconds) every branch has
 * feedback when V8 first optimises. Measured with callgrind on `--json -r MANY` (224k packets):
 * the warm-up of a few corpus captures took the whole run from 4.26 to 3.79 G instructions.
 *
 * Nothing of it is visible: its tracker, flows and buffer are its own (the only shared state it
 * touches is the flow records' piece caches, which it fills with pieces every capture has).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { sniffMagic } from '../capture/decoder.js';
import { CaptureParser } from '../capture/parser.js';
import { encodeFileHeader, PCAP_FILE_HEADER_LEN } from '../capture/writer.js';
import { decodePacket, inCksum, Packet, pseudoSum4 } from '../decode/index.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../decode/packet.js';
import { putUint } from '../bytes.js';
import { MAX_FLOW_JSON } from './flow.js';
import { Tracker } from './tracker.js';

let warmed = false;

/**
 * Inputs smaller than this (bytes of regular files) are tracked without the warm-up: on them it
 * costs more than it saves. Measured with `check` (CPU, median of 9, code-cached bundle): a
 * 2 KB capture 167 ms with it vs 155 without, 110 KB 172 vs 168, 1.06 MB 273 vs 284 (a wash),
 * 3.6 MB 341 vs 338, 10.8 MB 438 vs 474.
 */
export const WARM_UP_MIN_BYTES = 1 << 20;
/** what a gzip-compressed capture's size is counted as, times its size (pcaps inflate 3-10x) */
const GZIP_INFLATION = 8;

/**
 * Whether a run over these inputs gets the warm-up: when they are big, or of unknown size
 * (standard input, FIFOs, directories, anything that cannot be stat'ed), never for a few small
 * regular files. Live capture always warms up (the caller does not ask). Asked once where a run
 * starts (warmUpFor, or `check`, which passes its answer on as trackCaptures' `warmUp`).
 */
export function warmUpPays(paths: readonly string[]): boolean {
  let total = 0;
  let pays = false;
  for (const path of paths) {
    if (path === '-') { pays = true; break; }
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) { pays = true; break; }
      size = st.size;
    } catch {
      pays = true;
      break;
    }
    // gzip is known by its magic, as the readers know it, not by a `.gz` name; the first bytes are
    // read only when that decides (the file alone is short of the threshold, inflated it is not)
    if (total + size < WARM_UP_MIN_BYTES && total + size * GZIP_INFLATION >= WARM_UP_MIN_BYTES && isGzip(path)) size *= GZIP_INFLATION;
    total += size;
    if (total >= WARM_UP_MIN_BYTES) { pays = true; break; }
  }
  return pays;
}

/** Whether a file begins with gzip's magic (false when it cannot be read: the reader will say why). */
function isGzip(path: string): boolean {
  const head = new Uint8Array(2);
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    return sniffMagic(head, 0, readSync(fd, head, 0, 2, 0)) === 'gzip';
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The warm-up when a run over `paths` (or a live capture: always) gets it (warmUpPays). */
export function warmUpFor(paths: readonly string[], live = false): void {
  if (live || warmUpPays(paths)) warmUpTracking();
}

/** Whether this process has run the warm-up. */
export function warmedUp(): boolean {
  return warmed;
}

/**
 * Passes over the warm-up capture. Two, because V8 gives a function its feedback vector (where
 * the branches' type feedback is kept) only after it has run for a while (lazy feedback
 * allocation: about 8x its bytecode size in executed bytecode): the tracker's big functions get
 * theirs part-way through the first pass, so whatever the capture shows them before that (the SYN
 * retransmissions, the port reuse) is not recorded, and `onSegment` and `finish` were deoptimised
 * and compiled again on MANY. The second pass records every path; a third gets the warm-up's own
 * helpers optimised (TurboFan work for nothing).
 */
const WARM_UP_PASSES = 2;

/** Run the warm-up (once per process; later calls return at once). Returns the flows of one pass. */
export function warmUpTracking(): number {
  if (warmed) return 0;
  warmed = true;
  const scratch = Buffer.allocUnsafe(MAX_FLOW_JSON);
  const capture = warmUpCapture();
  // numbers of every width (2 to 10 digits, and past 2^30: not small integers to V8): the
  // capture's records left putUint's digit count without feedback for the middle widths and with
  // small integers only, so MANY's first packet number past 99,999 (and a later 10-digit number)
  // threw away the record writer's optimised putUint and putNumber. Before the capture: its
  // records then run with this feedback already there (32 rounds: V8 keeps no feedback for a
  // function until it has run a few hundred bytes of bytecode, ~50 calls of digitCount)
  for (let round = 0; round < 32; round++) for (let n = 10; n <= 1e10; n *= 10) putUint(scratch, 0, Math.min(n, 4294967295));
  let flows = 0;
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
    flows = 0;
    const tracker = new Tracker({
      onFlowEnd: (f) => {
        flows++;
        f.writeJson(scratch, 0);
      },
    });
    const pkt = new Packet();
    const parser = new CaptureParser((frame) => {
      decodePacket(frame, pkt);
      tracker.track(pkt);
    });
    parser.push(capture);
    parser.end();
    tracker.finish();
  }
  return flows;
}

// ---- the capture --------------------------------------------------------------------------------

const CLIENT = 0x0a000001; // 10.0.0.1
const SERVER = 0x0a000002; // 10.0.0.2
const A = TCP_ACK, AP = TCP_ACK | TCP_PSH, S = TCP_SYN, SA = TCP_SYN | TCP_ACK, FA = TCP_FIN | TCP_ACK, R = TCP_RST, RA = TCP_RST | TCP_ACK;
/** MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (what Linux offers) */
const SYN_OPTIONS = [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

/** One connection's packets, with the sequence numbers each side is at. */
class Conn {
  nxt = [0, 0];
  constructor(private readonly cap: CaptureBuilder, private readonly port: number, isnC: number, isnS: number) {
    this.nxt = [isnC, isnS];
  }

  /** A segment from side 0 (client) or 1 (server); `seq` defaults to where that side is. */
  send(side: number, flags: number, len = 0, o: { dt?: number; seq?: number; ack?: number; win?: number } = {}): this {
    const seq = o.seq ?? this.nxt[side];
    const ack = (flags & TCP_ACK) !== 0 ? o.ack ?? this.nxt[side ^ 1] : 0;
    this.cap.segment(side === 0, this.port, seq, ack, flags, o.win ?? 502, len, (flags & TCP_SYN) !== 0 ? SYN_OPTIONS : [], o.dt ?? 0.001);
    if (o.seq === undefined) this.nxt[side] = (seq + len + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0)) >>> 0;
    return this;
  }

  handshake(): this { return this.send(0, S).send(1, SA).send(0, A); }
}

/**
 * The warm-up capture: a classic pcap file image. Some initial sequence numbers are past 2^31 (and
 * two wrap past 2^32): sequence arithmetic then has feedback for numbers that are not small
 * integers, as real ISNs (random 32-bit) are half the time. With only small ISNs here, V8 compiled
 * it for small integers, and the first large one on a path the capture had not yet taken (FLOOD:
 * a SYN retransmission's keep-alive test in `analyze`) threw the compiled code away.
 */
export function warmUpCapture(): Uint8Array {
  const cap = new CaptureBuilder();
  // an ordinary connection: data both ways, closed by the client
  new Conn(cap, 40001, 1000, 5000).handshake().send(0, AP, 100).send(1, A).send(1, AP, 1400).send(1, AP, 1400).send(0, A)
    .send(0, FA).send(1, A).send(1, FA).send(0, A);
  // retransmission, duplicate ACKs and a fast retransmission, reordering, then a reset
  const r = new Conn(cap, 40002, 0x80000000 + 2000, 6000).handshake();
  const at = r.nxt[0];
  r.send(0, AP, 100).send(0, AP, 100).send(0, AP, 100, { seq: at, dt: 0.3 }).send(1, A);
  const hole = r.nxt[0];
  r.send(0, AP, 100, { seq: (hole + 100) >>> 0 }).send(1, A, 0, { dt: 0.0001 }).send(1, A, 0, { dt: 0.0001 }).send(1, A, 0, { dt: 0.0001 })
    .send(0, AP, 100, { seq: hole, dt: 0.0001 }).send(0, AP, 100, { seq: (hole + 100) >>> 0 });
  r.nxt[0] = (hole + 200) >>> 0;
  r.send(1, A).send(0, AP, 50).send(0, RA);
  // a zero window with probes and a window update; the server closes first
  const z = new Conn(cap, 40003, 3000, 0xc0000000 + 7000).handshake().send(0, AP, 1000).send(1, A, 0, { win: 0 }).send(0, A, 1, { dt: 0.2 });
  z.nxt[0] = (z.nxt[0] - 1) >>> 0;
  z.send(1, A, 0, { win: 0 }).send(1, A, 0, { win: 502 }).send(0, AP, 200).send(1, A).send(1, FA).send(0, A).send(0, FA).send(1, A);
  // keep-alive and its answer, then the server resets
  const k = new Conn(cap, 40004, 0xffffffc0, 8000).handshake().send(0, AP, 10).send(1, A);
  k.send(0, A, 0, { seq: (k.nxt[0] - 1) >>> 0, dt: 1 }).send(1, A).send(0, A, 1, { seq: (k.nxt[0] - 1) >>> 0, dt: 1 }).send(1, A).send(1, R);
  // refused, and unanswered with retransmissions
  new Conn(cap, 40005, 5000, 0).send(0, S).send(1, RA);
  new Conn(cap, 40006, 0xf0000000, 0).send(0, S).send(0, S, 0, { seq: 0xf0000000, dt: 1 }).send(0, S, 0, { seq: 0xf0000000, dt: 2 });
  // the first 4-tuple again with a new ISN (port reuse), a SYN-ACK resent, reset by the client
  new Conn(cap, 40001, 90000, 95000).send(0, S).send(1, SA).send(1, SA, 0, { seq: 95000, dt: 1 }).send(0, A).send(0, RA);
  // a half-close: the server sends after the client's FIN
  new Conn(cap, 40007, 7000, 0xfffffff0).handshake().send(0, FA).send(1, A).send(1, AP, 300).send(0, A).send(1, FA).send(0, A);
  // two segments swapped in flight, then a simultaneous close (the FINs cross)
  const s = new Conn(cap, 40008, 8000, 10000).handshake();
  const first = s.nxt[0];
  s.send(0, AP, 100, { seq: (first + 100) >>> 0 }).send(0, AP, 100, { seq: first, dt: 0.0001 });
  s.nxt[0] = (first + 200) >>> 0;
  s.send(1, A);
  const beforeFin = s.nxt[0];
  s.send(0, FA).send(1, FA, 0, { ack: beforeFin, dt: 0 });
  s.send(0, A).send(1, A);
  // picked up midstream, with an ACK of data never seen, then a RST without ACK
  const m = new Conn(cap, 40009, 9000, 11000).send(0, AP, 100).send(1, AP, 100);
  m.nxt[0] = (m.nxt[0] + 500) >>> 0;
  m.send(1, A).send(0, R);
  return cap.bytes();
}

/** A classic pcap file of Ethernet/IPv4/TCP frames with correct checksums, built in memory. */
class CaptureBuilder {
  private readonly parts: Uint8Array[] = [];
  private t = 1_700_000_000;
  private ident = 1;

  constructor() {
    const h = Buffer.alloc(PCAP_FILE_HEADER_LEN);
    encodeFileHeader({ linktype: 1, snaplen: 262144, nano: false }, h); // Ethernet
    this.parts.push(h);
  }

  segment(fromClient: boolean, port: number, seq: number, ack: number, flags: number, win: number, len: number, opts: number[], dt: number): void {
    this.t += dt;
    const optLen = (opts.length + 3) & ~3;
    const tcpLen = 20 + optLen + len;
    const f = Buffer.alloc(14 + 20 + tcpLen);
    f.writeUInt16BE(0x0800, 12);
    // IPv4
    const src = fromClient ? CLIENT : SERVER, dst = fromClient ? SERVER : CLIENT;
    f[14] = 0x45;
    f.writeUInt16BE(20 + tcpLen, 16);
    f.writeUInt16BE(this.ident++ & 0xffff, 18);
    f.writeUInt16BE(0x4000, 20);
    f[22] = 64;
    f[23] = 6;
    f.writeUInt32BE(src, 26);
    f.writeUInt32BE(dst, 30);
    f.writeUInt16BE(inCksum(f, 14, 20), 24);
    // TCP
    const o = 34;
    f.writeUInt16BE(fromClient ? port : 80, o);
    f.writeUInt16BE(fromClient ? 80 : port, o + 2);
    f.writeUInt32BE(seq >>> 0, o + 4);
    f.writeUInt32BE(ack >>> 0, o + 8);
    f[o + 12] = ((20 + optLen) / 4) << 4;
    f[o + 13] = flags;
    f.writeUInt16BE(win, o + 14);
    for (let i = 0; i < opts.length; i++) f[o + 20 + i] = opts[i];
    f.fill(0x61, o + 20 + optLen);
    f.writeUInt16BE(inCksum(f, o, tcpLen, pseudoSum4(src, dst, 6, tcpLen)), o + 16);
    const rec = Buffer.alloc(16);
    const sec = Math.floor(this.t);
    rec.writeUInt32LE(sec, 0);
    rec.writeUInt32LE(Math.round((this.t - sec) * 1e6), 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    this.parts.push(rec, f);
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}
