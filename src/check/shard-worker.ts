/**
 * One shard of a parallel check (see parallel.ts): a worker thread that tracks the connections
 * whose 4-tuple hashes to it. It gets batches of frames (and the moments to run the idle expiry)
 * from the reading thread, tracks them exactly as the single-threaded check would, collects the
 * evidence, and answers each batch with the connections that ended in it, as raw flow-table
 * rows (the reading thread rebuilds the records and judges them, in one tracker's order).
 */
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { newFrame } from '../capture/frame.js';
import { decodePacket, Packet } from '../decode/index.js';
import type { FlowView } from '../track/flow.js';
import { B, Ctr, D, ROW_BYTES, ROW_D } from '../track/table.js';
import { END_REASON_NAMES, Tracker } from '../track/tracker.js';
import { EVENT_CODES } from '../track/events.js';
import { conditionMask } from './conditions.js';
import { EvidenceCollector } from './evidence.js';
import {
  ByteWriter, ENTRY_FRAME, ENTRY_TICK, EVIDENCE_EVENT, EVIDENCE_NSEC, EVIDENCE_PACKET, EVIDENCE_SEC, EVIDENCE_SIZE, FRAME_CAPLEN,
  FRAME_CLOCK, FRAME_HEADER, FRAME_LINKTYPE, FRAME_NUMBER, FRAME_TS_NSEC, FRAME_TS_SEC, FRAME_WIRELEN, PHASE_END, PHASE_EXPIRY,
  PHASE_REUSE, RECORD_CLASS, RECORD_FULL, RECORD_HEADER, RECORD_K1, RECORD_K5, RECORD_MASK, RECORD_MAX, RECORD_PHASE,
  RECORD_REASON, RECORD_SERIAL, TICK_CLOCK, TICK_PACKET, TICK_SIZE,
  type ShardBatch, type ShardFailure, type ShardInit, type ShardResult, type ToShard,
} from './shard-protocol.js';
import { isTcpscopeError, TcpscopeError } from '../errors.js';

/** end-of-input records are sent in parts of this many, so neither side holds them all */
const END_PART = 4096;
/** end-of-input parts a worker may have waiting for the reading thread */
const END_PARTS_AHEAD = 4;
class Shard {
  private readonly tracker: Tracker;
  private readonly evidence: EvidenceCollector;
  private readonly frame = newFrame();
  private readonly pkt = new Packet();
  private readonly records = new ByteWriter(64 * 1024);
  private created = new Float64Array(1024);
  private createdCount = 0;
  private recordCount = 0;
  private readonly inflight: Int32Array;
  /** this worker's count of end-of-input parts not yet merged */
  private readonly endSlot: number;
  private readonly port: MessagePort;
  // what ended connections are ordered by (see shard-protocol.ts)
  private phase = PHASE_REUSE;
  private k1 = 0;
  private readonly endPart: number;
  private readonly endPartsAhead: number;
  /** times this worker waited for room for an end-of-input part (reported on its last part) */
  private endWaits = 0;

  constructor(private readonly init: ShardInit) {
    this.inflight = new Int32Array(init.inflight);
    this.endSlot = init.workers + 1 + init.index;
    this.port = init.port;
    this.endPart = init.test?.endPart ?? END_PART;
    this.endPartsAhead = init.test?.endPartsAhead ?? END_PARTS_AHEAD;
    this.evidence = new EvidenceCollector(init.evidenceMask);
    this.tracker = new Tracker({
      mslSeconds: init.mslSeconds,
      checksums: init.checksums,
      selfExpiry: false,
      onFlowEnd: (view) => this.ended(view),
    });
  }

  batch(m: ShardBatch): void {
    injectFault(this.init, m.seq);
    const view = new DataView(m.buf);
    const bytes = new Uint8Array(m.buf);
    const frame = this.frame, pkt = this.pkt, tracker = this.tracker;
    frame.data = bytes;
    let at = 0;
    while (at < m.used) {
      const kind = bytes[at];
      if (kind === ENTRY_TICK) {
        this.phase = PHASE_EXPIRY;
        this.k1 = view.getFloat64(at + TICK_PACKET, true);
        const clock = view.getFloat64(at + TICK_CLOCK, true);
        if (clock > tracker.now) tracker.now = clock;
        tracker.expire(clock);
        at += TICK_SIZE;
        continue;
      }
      if (kind !== ENTRY_FRAME) throw new Error(`shard: bad batch entry ${kind} at ${at}`);
      frame.number = view.getFloat64(at + FRAME_NUMBER, true);
      frame.tsSec = view.getFloat64(at + FRAME_TS_SEC, true);
      frame.tsNsec = view.getUint32(at + FRAME_TS_NSEC, true);
      const clock = view.getFloat64(at + FRAME_CLOCK, true);
      frame.caplen = view.getUint32(at + FRAME_CAPLEN, true);
      frame.wirelen = view.getUint32(at + FRAME_WIRELEN, true);
      frame.linktype = view.getUint16(at + FRAME_LINKTYPE, true);
      frame.offset = at + FRAME_HEADER;
      at = frame.offset + frame.caplen;
      decodePacket(frame, pkt);
      // the clock of the whole capture (this shard sees only some of its packets)
      if (clock > tracker.now) tracker.now = clock;
      this.phase = PHASE_REUSE;
      this.k1 = frame.number;
      const before = tracker.stats.connections;
      const r = tracker.track(pkt);
      if (tracker.stats.connections !== before) this.noteCreated(frame.number);
      this.evidence.observe(frame, r);
    }
    this.send(m.seq, false, m.buf);
    Atomics.sub(this.inflight, this.init.index, 1);
    Atomics.notify(this.inflight, this.init.index);
  }

  finish(): void {
    injectFault(this.init, -1);
    this.phase = PHASE_END;
    this.k1 = Infinity;
    this.tracker.finish();
    this.send(-1, true, null);
  }

  private noteCreated(n: number): void {
    if (this.createdCount === this.created.length) {
      const bigger = new Float64Array(this.created.length * 2);
      bigger.set(this.created);
      this.created = bigger;
    }
    this.created[this.createdCount++] = n;
  }

  /** A connection ended: its entry (see shard-protocol.ts). */
  private ended(view: FlowView): void {
    const t = this.tracker.table;
    const c = view.row;
    const d = c * ROW_D;
    const mask = conditionMask(view.anomalyMask, view.handshake, view.close);
    const full = this.init.everyRecord || (mask & this.init.failMask) !== 0;
    const w = this.records;
    w.room(RECORD_MAX);
    const v = w.view;
    let at = w.at;
    const first = t.f64[d + D.FIRST_PKT];
    v.setFloat64(at + RECORD_K1, this.k1, true);
    v.setFloat64(at + RECORD_K5, this.phase === PHASE_EXPIRY ? t.f64[d + D.TOUCH_PKT] : this.phase === PHASE_END ? first : 0, true);
    v.setFloat64(at + RECORD_SERIAL, t.f64[d + D.SERIAL], true);
    v.setUint8(at + RECORD_PHASE, this.phase);
    v.setUint8(at + RECORD_CLASS, this.phase === PHASE_EXPIRY ? t.u8[c * ROW_BYTES + B.IDLE_CLASS] : 0);
    v.setUint8(at + RECORD_REASON, END_REASON_NAMES.indexOf(view.endReason));
    v.setUint8(at + RECORD_FULL, full ? 1 : 0);
    v.setUint32(at + RECORD_MASK, mask, true);
    at += RECORD_HEADER;
    if (full) {
      w.bytes.set(t.u8.subarray(c * ROW_BYTES, (c + 1) * ROW_BYTES), at);
      at += ROW_BYTES;
      for (let k = 0; k < Ctr.COUNT; k++) { v.setUint32(at, t.counter(c, k), true); at += 4; }
      const ev = this.evidence.take(c);
      v.setUint8(at, ev.length);
      at += 1;
      for (const e of ev) {
        v.setUint8(at + EVIDENCE_EVENT, EVENT_CODES[e.event]);
        v.setFloat64(at + EVIDENCE_PACKET, e.packet, true);
        v.setFloat64(at + EVIDENCE_SEC, e.sec, true);
        v.setUint32(at + EVIDENCE_NSEC, e.nsec, true);
        at += EVIDENCE_SIZE;
      }
    } else {
      this.evidence.clear(c);
    }
    // the next entry 8-aligned, so the reader copies the row by words
    w.at = (at + 7) & ~7;
    this.recordCount++;
    if (this.phase === PHASE_END && this.recordCount >= this.endPart) {
      // at most END_PARTS_AHEAD parts waiting for the reading thread: it merges every worker's
      // parts in order, so a fast worker must not pile up all its connections in memory
      const slot = this.endSlot;
      const ahead = this.endPartsAhead;
      if (Atomics.load(this.inflight, slot) >= ahead) this.endWaits++;
      for (let queued; (queued = Atomics.load(this.inflight, slot)) >= ahead;) Atomics.wait(this.inflight, slot, queued, 1000);
      Atomics.add(this.inflight, slot, 1);
      this.send(-1, false, null);
    }
  }

  /** Answer a batch (or send a part of the end-of-input entries), handing its buffer back. */
  private send(seq: number, done: boolean, batchBuf: ArrayBuffer | null): void {
    // the created packet numbers after the entries, 8-aligned
    const w = this.records;
    const count = this.createdCount;
    w.room(7 + 8 * count);
    const createdAt = (w.at + 7) & ~7;
    for (let i = 0; i < count; i++) w.view.setFloat64(createdAt + 8 * i, this.created[i], true);
    w.at = createdAt + 8 * count;
    // go on in a buffer the reader has handed back, if one is waiting
    const back = receiveMessageOnPort(this.port);
    const { buf } = w.take(back === undefined ? undefined : back.message as ArrayBuffer);
    const msg: ShardResult = {
      type: 'result', index: this.init.index, seq, buf, records: this.recordCount, createdAt, createdCount: count,
      batchBuf, done, endWaits: done ? this.endWaits : 0,
    };
    this.createdCount = 0;
    this.recordCount = 0;
    this.port.postMessage(msg, batchBuf === null ? [buf] : [buf, batchBuf]);
    // the reading thread's doorbell: it sleeps on it while waiting for answers
    const bell = this.init.workers;
    Atomics.add(this.inflight, bell, 1);
    Atomics.notify(this.inflight, bell);
  }
}

let shard: Shard | null = null;
let index = -1;
let workers = 0;
let port: MessagePort | null = null;
let inflight: Int32Array | null = null;

parentPort!.on('message', (m: ToShard) => {
  try {
    if (m.type === 'init') {
      index = m.index;
      workers = m.workers;
      port = m.port;
      inflight = new Int32Array(m.inflight);
      // no JIT warm-up here (warmup.ts): measured on FLOOD's first 300k packets, --jobs 2, CPU
      // (user + system) medians of 10 alternated runs, 3.70 s with warmUpTracking() in each
      // worker vs 3.66 s without (noise ±0.2 s; the warm-up itself is ~18 ms of one thread's CPU)
      shard = new Shard(m);
    } else if (m.type === 'batch') {
      shard!.batch(m);
    } else {
      shard!.finish();
      port!.close();
      parentPort!.close();
    }
  } catch (e) {
    reportFailure(e);
  }
});

// A throw outside the handler above (a callback, a bug in start-up) would reach the reading
// thread only as the Worker's 'error' event, which it cannot see while it waits for room in a
// synchronous read (parallel.ts, dispatch): say it the same way, then stop.
let reported = false;
process.on('uncaughtException', (e) => {
  reportFailure(e);
  process.exit(1);
});
// and process.exit with a failing status from anywhere (the code it runs, or a module it loads)
process.on('exit', (code) => {
  if (code !== 0 && !reported) reportFailure(new Error(`exited with status ${code}`));
});

/**
 * Tell the reading thread what went wrong, without its event loop: the failure on the port (it
 * drains that with receiveMessageOnPort), this worker's queue marked failed (-1, which its wait
 * for room looks at) and the doorbell rung (its wait for answers).
 */
function reportFailure(e: unknown): void {
  reported = true;
  const failure: ShardFailure = { type: 'failure', index, message: e instanceof Error ? e.message : String(e) };
  // the stack only for debugging (src/cli/main.ts prints it then): never in the one-line error
  if (process.env.TCPSCOPE_DEBUG && e instanceof Error && e.stack !== undefined) failure.stack = e.stack;
  if (isTcpscopeError(e)) {
    failure.code = e.code;
    failure.exitStatus = e.exitStatus;
    failure.file = e.file;
    failure.offset = e.offset;
  }
  try {
    port?.postMessage(failure);
  } catch {
    // the port is closed (the run is over): nobody is waiting
  }
  if (inflight !== null) {
    Atomics.store(inflight, index, -1);
    Atomics.notify(inflight, index);
    Atomics.add(inflight, workers, 1);
    Atomics.notify(inflight, workers);
  }
}

/** The test fault for this message, if one is set (ShardInit.test). */
function injectFault(init: ShardInit, seq: number): void {
  const fault = init.test?.fault;
  if (fault === undefined || fault.atBatch !== seq) return;
  switch (fault.kind) {
    case 'error': throw new Error(`injected fault at batch ${seq}`);
    case 'limit': throw new TcpscopeError('RESOURCE_LIMIT', `injected resource limit at batch ${seq}`, { exitStatus: 2 });
    case 'uncaught': setImmediate(() => { throw new Error(`injected uncaught fault at batch ${seq}`); }); return;
    case 'exit': process.exit(3);
    // as if killed from outside: none of its own code runs on the way out
    case 'killed': process.removeAllListeners('exit'); process.exit(9);
  }
  // 'hang' and 'oom': once the reading thread waits for this worker (it sets `release` then)
  Atomics.wait(new Int32Array(init.test!.release!), 0, 0);
  if (fault.kind === 'oom') {
    // until V8 stops this worker at its heap limit (ShardedTrackOptions.test.resourceLimits)
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1024).fill(hoard.length));
  }
}
