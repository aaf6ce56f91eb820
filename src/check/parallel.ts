/**
 * `tcpscope check` on several cores: the connections are sharded over worker threads by their
 * 4-tuple, and the answer is exactly the one a single tracker gives.
 *
 * The reading thread reads the captures (one, or several merged in time order), applies the
 * filter, decodes each frame just far enough to hash its 4-tuple (flowKeyHash: the same
 * symmetric hash the flow table uses, so both directions land on the same shard) and appends
 * the frame's bytes to that shard's batch. Each worker tracks its shard (shard-worker.ts).
 *
 * Why the shards agree with one tracker: a connection's packets all reach the same shard, in
 * capture order, so its state machine and analysis run exactly as they would alone. What a
 * tracker decides from other connections is only when idle ones end; the tracker decides that
 * per connection on its clock (the latest capture time seen), at most once per second of it
 * (tracker.ts, expire). The reading thread sees every packet, so it keeps that clock, sends it
 * with each frame and tells every shard when to run the expiry: each shard then ends exactly the
 * connections one tracker would have ended at that moment.
 *
 * And why the output is the same, in the same order: each worker answers each batch with the
 * packet numbers that started a connection (the reading thread numbers connections in that
 * order, as one tracker does) and the connections that ended, each with where one tracker would
 * have ended it (the packet whose expiry check or port reuse ended it, its idle list and place
 * in that list, or at end of input its first packet). The reading thread merges the workers'
 * answers by that, rebuilds each record from the raw flow-table row the worker sends, and hands
 * it on; the judge and the outputs never know there were several trackers.
 *
 * A worker that fails says so itself through the shared counters (shard-worker.ts,
 * reportFailure), because the reading thread waits for room in a worker's queue with
 * Atomics.wait, inside the synchronous read, where a Worker's 'error' and 'exit' events never
 * come. A worker that dies without running any of its code (V8 out of memory, terminate(), a
 * fatal error in its thread) cannot: the reading thread asks Node whether its thread has
 * stopped (threadStopped: an answer it gives without the event loop) at every batch and every
 * 50 ms it waits, and once it has, leaves the read and awaits the worker's own events for why.
 *
 * A failed worker stops the read (its error is the run's, as an input error is on one thread),
 * but not the other workers: they are sent what was read, told the input is over, and every
 * connection they track is reported, as one tracker reports every connection read before an
 * error. The merger then waits for no answer from the dead worker (the connections it had
 * already ended are reported; those it still held are lost with it).
 *
 * Not sharded: `--max-flows` (a cap on one table: evicting from it depends on every
 * connection), which runs on one core.
 */
import { createRequire } from 'node:module';
import type { MessagePort, ResourceLimits, Worker } from 'node:worker_threads';
import { type CaptureSetFile } from '../capture/index.js';
import { readTrackedCaptures } from '../pipeline.js';
import type { Frame } from '../capture/frame.js';
import { decodePacket, Layer, LinkTypeGuard, Packet, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/index.js';
import { EVENT_NAMES } from '../track/events.js';
import { FlowView } from '../track/flow.js';
import { Ctr, D, FlowTable, ROW_BYTES, W } from '../track/table.js';
import { type ChecksumPolicy, flowKeyHash } from '../track/tracker.js';
import type { Evidence } from './evidence.js';
import { type ErrorCode, TcpscopeError } from '../errors.js';
import {
  ByteWriter, ENTRY_FRAME, ENTRY_TICK, EVIDENCE_EVENT, EVIDENCE_NSEC, EVIDENCE_PACKET, EVIDENCE_SEC, EVIDENCE_SIZE, FRAME_CAPLEN, FRAME_CLOCK, FRAME_HEADER, FRAME_LINKTYPE, FRAME_NUMBER,
  FRAME_TS_NSEC, FRAME_TS_SEC, FRAME_WIRELEN, type FromShard, RECORD_CLASS, RECORD_FULL, RECORD_HEADER, RECORD_K1, RECORD_K5,
  RECORD_MASK, RECORD_PHASE, RECORD_REASON, RECORD_SERIAL, type ShardInit, type ShardResult, type ShardTestInit, TICK_CLOCK,
  TICK_PACKET, TICK_SIZE,
} from './shard-protocol.js';

export interface ShardedTrackOptions {
  /** capture files, read as one capture in time order */
  captures: string[];
  /** filter expression ('' for none) */
  filter: string;
  /** worker threads (≥ 1) */
  jobs: number;
  mslSeconds?: number;
  checksums?: ChecksumPolicy;
  /** conditions the policy judges: a connection showing one comes whole (with its view and evidence) */
  failMask: number;
  /** every connection comes whole */
  everyRecord: boolean;
  /** conditions whose evidence packets are collected */
  evidenceMask: number;
  /**
   * Each connection as it ends, in the order one tracker would end it: its view (valid only
   * during the call; null when it did not come whole), its conditions and its evidence.
   */
  onFlowEnd: (flow: FlowView | null, conditions: number, evidence: Evidence[]) => void;
  /** the worker script (default: shard-worker.js beside this module) */
  workerUrl?: URL;
  /** kept up to date while reading (what was read before an error is still known) */
  counts?: { packets: number; frames: number };
  /** after each chunk read: input bytes so far, their total when known, frames read (a progress line) */
  progress?: (done: number, total: number | undefined, frames: number) => void;
  /** as TrackCapturesOptions (src/pipeline.ts): a damaged file, an unreadable one */
  onDamaged?: (error: TcpscopeError) => void;
  onUnreadable?: 'stop' | 'skip';
  /**
   * tests only: part sizes for every worker; for worker `faultWorker` (default 0) a fault it
   * injects itself, V8 heap limits (`resourceLimits`), and what the reading thread does the
   * first time it waits for room in that worker's queue after the fault's batch (`whenFull`):
   * terminate the worker (Worker.terminate: none of its code runs), or release its 'hang' or
   * 'oom' fault
   */
  test?: ShardTestInit & {
    faultWorker?: number; whenFull?: 'terminate' | 'release'; resourceLimits?: ResourceLimits;
    /** how long workers are given to come online (default STALL_MS, a minute) */
    startTimeoutMs?: number;
    /** this worker's 'online' event is not heard: it is taken for one that never started */
    neverOnline?: number;
  };
  /** tests only: filled in as the run goes */
  stats?: { endWaits: number };
}

export interface ShardedTrackSummary {
  /** packets that passed the filter */
  packets: number;
  /** frames read, matching or not */
  frames: number;
  files: CaptureSetFile[];
  /** with onUnreadable 'skip': the files left out, each with its error */
  leftOut: TcpscopeError[];
}

/** frames per batch (over all shards): big enough that a message costs nothing per frame */
const BATCH_FRAMES = 8192;
/** batches a worker may have waiting before the reader waits for it */
const MAX_INFLIGHT = 4;
/** how long the reading thread sleeps at a time while it waits for room (then it looks at the workers again) */
const WAIT_SLICE_MS = 50;
/**
 * a worker whose queue has not moved for this long is taken for dead (the last resort: a thread
 * that stops is noticed at once, see threadStopped; this catches one alive but stuck)
 */
const STALL_MS = 60_000;
/** how long a stopped worker's 'error' and 'exit' events (what says why it stopped) are awaited */
const EXIT_EVENTS_MS = 5_000;
const NO_EVIDENCE: Evidence[] = [];

/** Track the captures' connections over `jobs` worker threads; resolves once every connection has been handed to onFlowEnd. */
export async function trackCapturesSharded(opts: ShardedTrackOptions): Promise<ShardedTrackSummary> {
  const n = Math.max(1, Math.floor(opts.jobs));
  const filter = opts.filter !== '' ? (await import('../filter/index.js')).compileFilter(opts.filter) : null;
  const checksums = opts.checksums ?? 'control';
  // batches waiting per worker, the doorbell (answers posted), end-of-input parts waiting per worker
  const shared = new SharedArrayBuffer(4 * (2 * n + 1));
  const counters = new Int32Array(shared);
  const url = opts.workerUrl ?? defaultWorkerUrl();
  // node:worker_threads loaded here, not at start-up: a one-thread run never needs it (README, Start-up)
  const { MessageChannel, Worker, receiveMessageOnPort } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  const spareBatches: ArrayBuffer[][] = Array.from({ length: n }, () => []);
  const merger = new Merger(n, opts.onFlowEnd, counters, ports, spareBatches, opts.stats);
  const ring = (): void => {
    Atomics.add(counters, n, 1);
    Atomics.notify(counters, n);
  };
  // which workers have exited ('exit' event), and who awaits the next exit
  const exited: boolean[] = new Array<boolean>(n).fill(false);
  let onExit: (() => void) | null = null;
  const faultWorker = opts.test?.faultWorker ?? 0;
  let whenFull = opts.test?.whenFull;
  // (a 'hang' or 'oom' fault waits for the reading thread to say it waits: without whenFull, forever)
  const waits = opts.test?.fault?.kind === 'hang' || opts.test?.fault?.kind === 'oom';
  if (waits && whenFull === undefined) throw new Error(`test option: a '${opts.test!.fault!.kind}' fault needs whenFull`);
  const release = whenFull === undefined ? undefined : new SharedArrayBuffer(4);
  try {
    for (let i = 0; i < n; i++) {
      const limits = i === faultWorker ? opts.test?.resourceLimits : undefined;
      const worker = new Worker(url, limits === undefined ? undefined : { resourceLimits: limits });
      const { port1, port2 } = new MessageChannel();
      const init: ShardInit = {
        type: 'init', index: i, workers: n, inflight: shared, port: port2, mslSeconds: opts.mslSeconds, checksums,
        failMask: opts.failMask, everyRecord: opts.everyRecord, evidenceMask: opts.evidenceMask,
      };
      if (opts.test !== undefined) {
        const { faultWorker: _w, fault, whenFull: _f, resourceLimits: _l, ...sizes } = opts.test;
        init.test = faultWorker === i ? { ...sizes, fault, release } : sizes;
      }
      worker.postMessage(init, [port2]);
      // what a worker that died without a word (it reports its own failures: shard-worker.ts,
      // reportFailure) tells through its events: noted, and the doorbell rung; the reading thread
      // throws it where it looks (between reads, while waiting for the last answers, and after
      // leaving the read for a worker whose thread stopped: see threadStopped)
      worker.on('error', (e) => {
        merger.note(workerError(i, e), i);
        ring();
      });
      // killed, or exited by its own hand before its last answer: the answers it owes never come
      worker.on('exit', (code) => {
        exited[i] = true;
        if (code !== 0 && !merger.answeredAll(i)) {
          merger.note(new TcpscopeError('INTERNAL', `shard worker ${i} stopped (exit status ${code}) before its last answer, without saying why`, { exitStatus: 2 }), i);
          ring();
        }
        onExit?.();
      });
      workers.push(worker);
      ports.push(port1);
    }

    // every worker's loop running before the read (its 'online' event): from then on
    // threadStopped answers for it (a worker that dies before says so through its events here;
    // one that never comes online, after STALL_MS, as a stuck one does while reading)
    const online: boolean[] = new Array<boolean>(n).fill(false);
    let startTimer: ReturnType<typeof setTimeout> | undefined;
    const startTimeoutMs = opts.test?.startTimeoutMs ?? STALL_MS;
    await Promise.race([
      Promise.all(workers.map((w, i) => new Promise<void>((resolve) => {
        if (i !== opts.test?.neverOnline) w.once('online', () => { online[i] = true; threadStopped(w); resolve(); });
        w.once('exit', () => resolve());
      }))),
      new Promise<void>((resolve) => {
        startTimer = setTimeout(() => {
          // a worker neither online nor exited (one that exited said why through its events)
          const stuck = online.findIndex((up, i) => !up && !exited[i]);
          merger.note(new TcpscopeError('INTERNAL', `shard worker ${stuck} did not start within ${startTimeoutMs / 1000} s`, { exitStatus: 2 }), stuck);
          resolve();
        }, startTimeoutMs);
      }),
    ]);
    clearTimeout(startTimer);

    const drain = (): void => {
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) merger.accept(m.message as FromShard);
      }
      merger.check();
    };

    // ---- batches --------------------------------------------------------------------------
    const writers = Array.from({ length: n }, () => new ByteWriter(256 * 1024));
    let seq = 0;
    let inBatch = 0;
    // batches sent to each worker: a failure can stop a dispatch half way (seq is not yet counted)
    const sent = new Array<number>(n).fill(0);
    const dispatch = (): void => {
      for (let k = 0; k < n; k++) {
        // a dead worker takes nothing more; one already sent this batch is not sent it again
        if (merger.isDead(k) || sent[k] > seq) continue;
        // a worker whose thread has stopped takes no more
        if (threadStopped(workers[k])) throw new WorkerStopped(k);
        // wait for room: at most MAX_INFLIGHT batches queued per worker (a batch takes
        // milliseconds: one that has not moved for a minute means the worker is stuck)
        let since = Date.now();
        for (let last = -2; ;) {
          const queued = Atomics.load(counters, k);
          if (queued < 0) { drain(); merger.fail(`shard worker ${k} stopped`, k); }
          if (queued < MAX_INFLIGHT) break;
          drain();
          if (threadStopped(workers[k])) throw new WorkerStopped(k);
          if (whenFull !== undefined && k === faultWorker && seq > (opts.test?.fault?.atBatch ?? -1)) {
            testWhenFull(workers[k], whenFull, release!);
            whenFull = undefined;
          }
          if (queued !== last) { last = queued; since = Date.now(); }
          else if (Date.now() - since > STALL_MS) merger.fail(`shard worker ${k} stopped answering`, k);
          Atomics.wait(counters, k, queued, WAIT_SLICE_MS);
        }
        const { buf, used } = writers[k].take(spareBatches[k].pop());
        Atomics.add(counters, k, 1);
        workers[k].postMessage({ type: 'batch', seq, buf, used }, [buf]);
        sent[k]++;
      }
      seq++;
      inBatch = 0;
      drain();
    };

    /**
     * A worker's thread stopped without a word: await its events, which say why (out of memory,
     * or only its exit status), and throw that (the run goes on with the other workers).
     */
    const stopped = async ({ index }: WorkerStopped): Promise<never> => {
      if (!exited[index]) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, EXIT_EVENTS_MS);
          onExit = () => { if (exited[index]) { clearTimeout(timer); resolve(); } };
        });
        onExit = null;
      }
      drain();
      return merger.fail(`shard worker ${index} stopped, without saying why`, index);
    };
    /**
     * What a worker's failure (or a stopped thread) thrown at `e` leaves: the run goes on with
     * the other workers (the failure is thrown at the end); anything else is thrown now.
     */
    const survive = async (e: unknown): Promise<void> => {
      if (e instanceof WorkerStopped) {
        try { await stopped(e); } catch (f) { if (!merger.isFailure(f)) throw f; }
        return;
      }
      if (!merger.isFailure(e)) throw e;
    };

    // ---- reading --------------------------------------------------------------------------
    const pkt = new Packet();
    const counts = opts.counts ?? { packets: 0, frames: 0 };
    let packets = 0;
    let frames = 0;
    // the clock and the expiry moments of one tracker over every packet (tracker.ts, track)
    let clock = 0;
    let nextCheck = -Infinity;
    // a DataView over the reader's current chunk (frames are views into it)
    let fromData: Uint8Array | null = null;
    let fromView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
    const linkGuard = new LinkTypeGuard(opts.captures.length === 1 ? opts.captures[0] : undefined);
    const onFrame = (frame: Frame): boolean => {
      counts.frames = ++frames;
      if (filter !== null && !filter.matches(frame)) return true;
      // as trackCaptures: a link type the decoders do not know stops the run (never a silent pass)
      linkGuard.check(frame);
      counts.packets = ++packets;
      const now = frame.tsSec + frame.tsNsec * 1e-9;
      if (now > clock) clock = now;
      if (clock >= nextCheck) {
        for (let k = 0; k < n; k++) {
          const w = writers[k];
          w.room(TICK_SIZE);
          w.view.setUint8(w.at, ENTRY_TICK);
          w.view.setFloat64(w.at + TICK_CLOCK, clock, true);
          w.view.setFloat64(w.at + TICK_PACKET, frame.number, true);
          w.at += TICK_SIZE;
        }
        nextCheck = clock + 1;
      }
      decodePacket(frame, pkt);
      const h = flowKeyHash(pkt);
      if (h >= 0) {
        // the bytes the tracker reads: all but the payload of a segment whose checksum it does not verify
        let len = frame.caplen;
        if (pkt.layer >= Layer.Transport && pkt.payloadLength > 0 && (checksums === 'off' ||
            (checksums === 'control' && (pkt.tcpFlags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0))) {
          len = Math.min(len, pkt.payloadOffset - frame.offset);
        }
        const w = writers[h % n];
        w.room(FRAME_HEADER + len);
        const v = w.view;
        const at = w.at;
        v.setUint8(at, ENTRY_FRAME);
        v.setFloat64(at + FRAME_NUMBER, frame.number, true);
        v.setFloat64(at + FRAME_TS_SEC, frame.tsSec, true);
        v.setUint32(at + FRAME_TS_NSEC, frame.tsNsec, true);
        v.setFloat64(at + FRAME_CLOCK, clock, true);
        v.setUint32(at + FRAME_CAPLEN, len, true);
        v.setUint32(at + FRAME_WIRELEN, frame.wirelen, true);
        v.setUint16(at + FRAME_LINKTYPE, frame.linktype, true);
        const from = frame.data, o = at + FRAME_HEADER, s = frame.offset;
        if (len <= 128) {
          // a header's worth: four bytes at a time through DataViews (a byte loop was ~4 ns a
          // byte, most of the reading thread's own time on FLOOD; subarray + set allocates)
          if (from !== fromData) {
            fromData = from;
            fromView = new DataView(from.buffer, from.byteOffset, from.byteLength);
          }
          const src = fromView;
          let i = 0;
          for (; i + 4 <= len; i += 4) v.setInt32(o + i, src.getInt32(s + i));
          for (; i < len; i++) v.setUint8(o + i, src.getUint8(s + i));
        } else {
          w.bytes.set(from.subarray(s, s + len), o);
        }
        w.at = o + len;
      }
      if (++inBatch >= BATCH_FRAMES) dispatch();
      return true;
    };

    let files: CaptureSetFile[] = [];
    let leftOut: TcpscopeError[] = [];
    let readError: unknown = null;
    try {
      // a worker that failed before the read (one that never started) stops it before it begins
      merger.check();
      ({ files, leftOut } = await readTrackedCaptures(opts, filter, onFrame, () => frames));
    } catch (e) {
      // as one tracker: the connections read so far are still reported, then the error stands
      // (a worker's failure included: the other workers' connections are all reported)
      if (e instanceof WorkerStopped || merger.isFailure(e)) await survive(e);
      else readError = e;
    }
    // the last (partial) batch to every live worker; a worker failing meanwhile is one more dead
    for (;;) {
      try {
        merger.check();
        dispatch();
        break;
      } catch (e) {
        await survive(e);
      }
    }
    merger.endOfInput(seq);
    for (let k = 0; k < n; k++) if (!merger.isDead(k)) workers[k].postMessage({ type: 'finish', seq });
    while (!merger.complete) {
      const posted = Atomics.load(counters, n);
      try {
        drain();
      } catch (e) {
        await survive(e);
      }
      if (merger.complete) break;
      Atomics.wait(counters, n, posted, 20);
      // let a worker's 'error' event in, should one have died
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // a worker's failure first (it stopped the read), as before; else the read's own error
    merger.rethrow();
    if (readError !== null) throw readError;
    return { packets, frames, files, leftOut };
  } finally {
    for (const w of workers) void w.terminate();
    for (const p of ports) p.close();
  }
}

/** Tests only (ShardedTrackOptions.test.whenFull): the reading thread waits for room in the faulty worker's queue. */
function testWhenFull(w: Worker, what: 'terminate' | 'release', release: SharedArrayBuffer): void {
  if (what === 'terminate') {
    void w.terminate();
  } else {
    const word = new Int32Array(release);
    Atomics.store(word, 0, 1);
    Atomics.notify(word, 0);
  }
}

/** Thrown out of the read when a worker's thread has stopped (see threadStopped). */
class WorkerStopped {
  constructor(readonly index: number) {}
}

/**
 * Whether a worker's thread has stopped, known without the event loop (its 'exit' event comes
 * only through the event loop, which the reading thread does not run while it waits for room).
 * Node answers a worker's loop idle time from the worker's own state under a lock: -1 once its
 * thread has stopped (node_worker.cc, LoopIdleTime). eventLoopUtilization passes it on as `idle`
 * once it has read the loop's start time, which it does on the first call after the worker's
 * loop started: the reading thread makes that call when the worker comes online, before it reads
 * (a worker that dies before then is seen through its events there). Costs one call into C++
 * per worker and batch, and one per 50 ms slept.
 */
function threadStopped(w: Worker): boolean {
  return w.performance.eventLoopUtilization().idle < 0;
}

/** A worker's 'error' event as the run's error: the resource it ran out of, if that is what it was. */
function workerError(index: number, e: Error & { code?: string }): Error {
  // a worker that cannot even start for want of file descriptors (a low `ulimit -n`) is the
  // user's limit, not tcpscope's fault: say which limit and the two ways out
  if (/\bE[MN]FILE\b/.test(e.message)) {
    return new TcpscopeError('RESOURCE_LIMIT', `shard worker ${index} could not start: too many open files (ulimit -n); raise the limit or use --jobs 1`, { exitStatus: 2 });
  }
  // V8 stopped the worker at its heap limit. A worker's JavaScript heap hardly grows with the
  // connections (they live in typed arrays: FLOOD's million fit a worker with an 8 MB heap), and
  // one thread needs a bigger heap than a worker: neither --max-flows nor fewer --jobs is the
  // way out, a bigger limit is (Node applies --max-old-space-size to the workers too)
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new TcpscopeError('RESOURCE_LIMIT', `shard worker ${index} ran out of memory: its JavaScript heap reached V8's limit; raise it with NODE_OPTIONS=--max-old-space-size=MB`, { exitStatus: 2 });
  }
  return new Error(`shard worker ${index}: ${e.message}`);
}

/** Given by bin/bundle.js to the modules of a bundle; undeclared (typeof 'undefined') in dist/. */
declare const __TCPSCOPE_BUNDLE__: { workerUrl: URL } | undefined;

/**
 * shard-worker.js beside this module; when this module runs from its TypeScript source (the
 * tests), the compiled worker in dist/ (a worker thread cannot load TypeScript).
 */
function defaultWorkerUrl(): URL {
  // in the CLI's bundle (scripts/bundle.mjs) the worker is the shard worker's own bundle
  if (typeof __TCPSCOPE_BUNDLE__ !== 'undefined') return __TCPSCOPE_BUNDLE__.workerUrl;
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/check/shard-worker.js', here) : new URL('./shard-worker.js', here);
}

/** One ended connection in a worker's answer to a batch. */
interface Entry {
  k1: number;
  k5: number;
  phase: number;
  cls: number;
  /** the worker */
  index: number;
  view: DataView;
  words: Int32Array;
  at: number;
}

/** A part of one worker's end-of-input entries, merged from `at` on. */
interface EndPart {
  result: ShardResult;
  view: DataView;
  words: Int32Array;
  /** entries not yet handed on */
  left: number;
  at: number;
}

/**
 * Puts the workers' answers back in one tracker's order: connection numbers from the packets
 * that started them, ended connections by where one tracker would have ended them. Hands each
 * answer's buffer back to its worker once merged, and each batch's buffer to the reader.
 */
class Merger {
  /** batches sent (known once reading is over) */
  batches = Infinity;
  complete = false;
  private failure: Error | null = null;
  /** the failure is a worker's own report (a later one does not replace it) */
  private failureReported = false;
  /**
   * every failure thrown, to tell them from the input's errors where they are caught; the first
   * one stopped the read (check() throws only while this is empty: the run then goes on without
   * the dead, and what is noted later is thrown by rethrow() at the end)
   */
  private readonly thrown = new Set<unknown>();
  /** workers that failed: no answer is awaited from them */
  private readonly dead: boolean[];
  private live: number;
  private nextSeq = 0;
  private readonly pending = new Map<number, ShardResult[]>();
  /** per worker: its connections' numbers in one tracker's order, by the worker's own serials */
  private readonly ids: ShardSerials[];
  private nextId = 1;
  /** per worker: where the merge of one batch's created lists is */
  private readonly createdHeads: Int32Array;
  /** end-of-input parts not yet wholly handed on, per worker, and whether its last part came */
  private readonly endParts: EndPart[][];
  private readonly endDone: boolean[];
  private readonly table = new FlowTable(16);
  private readonly view = new FlowView({ table: this.table });

  constructor(
    private readonly n: number,
    private readonly onFlowEnd: ShardedTrackOptions['onFlowEnd'],
    private readonly counters: Int32Array,
    /** the workers' ports (answers' buffers go back on them) */
    private readonly ports: MessagePort[],
    /** batch buffers handed back, per worker (the reader fills them again) */
    private readonly spareBatches: ArrayBuffer[][],
    private readonly stats: { endWaits: number } | undefined,
  ) {
    this.endParts = Array.from({ length: n }, () => []);
    this.endDone = new Array<boolean>(n).fill(false);
    this.dead = new Array<boolean>(n).fill(false);
    this.live = n;
    this.ids = Array.from({ length: n }, () => new ShardSerials());
    this.createdHeads = new Int32Array(n);
  }

  /** Remember worker `index`'s failure (the first is thrown by the next check()); the worker is dead from now on. */
  note(failure: string | Error, index: number): void {
    this.failure ??= typeof failure === 'string' ? new Error(failure) : failure;
    this.markDead(index);
  }

  /** Remember worker `index`'s failure and throw the first one remembered. */
  fail(message: string, index: number): never {
    this.note(message, index);
    return this.throwFailure();
  }

  /** Throw a worker's failure if none has been thrown yet (on the reading thread, where it stops the read). */
  check(): void {
    if (this.failure !== null && this.thrown.size === 0) this.throwFailure();
  }

  private throwFailure(): never {
    const failure = this.failure as Error;
    this.thrown.add(failure);
    throw failure;
  }

  /** Whether `e` is the workers' failure (thrown by check or fail), not the input's. */
  isFailure(e: unknown): boolean {
    return this.thrown.has(e);
  }

  /** At the end, once the live workers' connections are all handed on: throw the first failure. */
  rethrow(): void {
    if (this.failure !== null) throw this.failure;
  }

  isDead(index: number): boolean {
    return this.dead[index];
  }

  /** No answer is awaited from worker `index` any more: merge what the others have sent without it. */
  private markDead(index: number): void {
    if (index < 0 || index >= this.n || this.dead[index]) return;
    this.dead[index] = true;
    this.live--;
    this.mergeBatches();
    this.mergeEnd();
  }

  /** Batches every live worker has answered, in order. */
  private mergeBatches(): void {
    // (with every worker dead, a batch is complete with no answer, but only once their number is known)
    if (this.live === 0 && this.batches === Infinity) return;
    while (this.nextSeq < this.batches) {
      const got = this.pending.get(this.nextSeq) ?? [];
      if (!this.answeredByLive(got)) return;
      this.pending.delete(this.nextSeq++);
      this.batch(got);
    }
  }

  /** The input is over after `batches` batches: merge what needs no more answers (every worker may be dead). */
  endOfInput(batches: number): void {
    this.batches = batches;
    this.mergeBatches();
    this.mergeEnd();
  }

  private answeredByLive(got: ShardResult[]): boolean {
    let live = 0;
    for (const r of got) if (!this.dead[r.index]) live++;
    return live === this.live;
  }

  /** Whether worker `index` has sent its last part (it owes nothing more). */
  answeredAll(index: number): boolean {
    return this.endDone[index];
  }

  accept(m: FromShard): void {
    if (m.type === 'failure') {
      // the first worker's own error, in place of any the reading thread noted while waiting for
      // it (a worker taken for stalled, or one that exited after saying why)
      if (!this.failureReported) {
        this.failureReported = true;
        const e = m.code !== undefined
          ? new TcpscopeError(m.code as ErrorCode, m.message, { exitStatus: m.exitStatus, file: m.file, offset: m.offset })
          : new Error(`shard worker ${m.index}: ${m.message}`);
        // where it was thrown, for TCPSCOPE_DEBUG (the CLI prints an internal error's stack then)
        if (m.stack !== undefined) e.stack = m.stack;
        // (if the read already stopped for the noted one, the run's end throws this one instead)
        this.failure = e;
      }
      this.markDead(m.index);
      this.check();
      return;
    }
    // a dead worker's answers that come after its death are dropped: the batches they answer may
    // have been merged without them (their connections would end without having been numbered)
    if (this.dead[m.index]) return;
    if (m.batchBuf !== null) this.spareBatches[m.index].push(m.batchBuf);
    if (m.seq >= 0) {
      let got = this.pending.get(m.seq);
      if (got === undefined) this.pending.set(m.seq, got = []);
      got.push(m);
      this.mergeBatches();
    } else {
      this.endParts[m.index].push({ result: m, view: new DataView(m.buf), words: new Int32Array(m.buf), left: m.records, at: 0 });
      if (m.done) {
        this.endDone[m.index] = true;
        if (this.stats !== undefined) this.stats.endWaits += m.endWaits;
      }
    }
    this.mergeEnd();
  }

  /** Every worker's answer to one batch: number the new connections, hand on the ended ones in order. */
  private batch(results: ShardResult[]): void {
    // each worker's list of the packets that started its connections is in order: merged, they
    // are one tracker's order of creation, which numbers the connections
    const heads = this.createdHeads;
    heads.fill(0);
    const views = results.map((r) => new DataView(r.buf));
    for (;;) {
      let best = -1;
      let bestPacket = Infinity;
      for (let k = 0; k < results.length; k++) {
        const r = results[k];
        const i = heads[r.index];
        if (i >= r.createdCount) continue;
        const packet = views[k].getFloat64(r.createdAt + 8 * i, true);
        if (packet < bestPacket) { best = r.index; bestPacket = packet; }
      }
      if (best < 0) break;
      heads[best]++;
      this.ids[best].add(this.nextId++);
    }
    const entries: Entry[] = [];
    for (let k = 0; k < results.length; k++) {
      const r = results[k];
      if (r.records === 0) continue;
      const view = views[k];
      const words = new Int32Array(r.buf);
      for (let i = 0, at = 0; i < r.records; i++) {
        entries.push({
          k1: view.getFloat64(at + RECORD_K1, true), k5: view.getFloat64(at + RECORD_K5, true),
          phase: view.getUint8(at + RECORD_PHASE), cls: view.getUint8(at + RECORD_CLASS), index: r.index, view, words, at,
        });
        at = entryEnd(view, at);
      }
    }
    if (entries.length > 1) entries.sort(byEndOrder);
    for (const e of entries) this.emit(e.index, e.view, e.words, e.at);
    for (const r of results) this.giveBack(r);
  }

  /** End-of-input entries: by first packet over all workers, as far as every worker's parts allow. */
  private mergeEnd(): void {
    if (this.complete || this.nextSeq < this.batches) return;
    const n = this.n;
    const heads: EndPart[] = new Array<EndPart>(n);
    for (;;) {
      let best = -1;
      let bestK5 = Infinity;
      for (let i = 0; i < n; i++) {
        const parts = this.endParts[i];
        // a part wholly handed on goes back to its worker (see shard-worker.ts, END_PARTS_AHEAD)
        while (parts.length > 0 && parts[0].left === 0) this.release(i, parts.shift()!);
        if (parts.length === 0) {
          if (!this.endDone[i] && !this.dead[i]) return; // its next entries are still to come
          continue;
        }
        const head = heads[i] = parts[0];
        const k5 = head.view.getFloat64(head.at + RECORD_K5, true);
        if (best < 0 || k5 < bestK5) { best = i; bestK5 = k5; }
      }
      if (best < 0) {
        this.complete = true;
        return;
      }
      const head = heads[best];
      this.emit(best, head.view, head.words, head.at);
      head.at = entryEnd(head.view, head.at);
      head.left--;
    }
  }

  /** A part of end-of-input entries wholly handed on: its worker may send another. */
  private release(index: number, part: EndPart): void {
    if (part.result.done) return;
    Atomics.sub(this.counters, this.n + 1 + index, 1);
    Atomics.notify(this.counters, this.n + 1 + index);
    this.giveBack(part.result);
  }

  /** Hand an answer's buffer back to its worker, for its next answer. */
  private giveBack(r: ShardResult): void {
    if (r.done) return;
    this.ports[r.index].postMessage(r.buf, [r.buf]);
  }

  private emit(index: number, v: DataView, words: Int32Array, at: number): void {
    const serial = v.getFloat64(at + RECORD_SERIAL, true);
    const id = this.ids[index].take(serial);
    if (id < 0) throw new Error(`parallel check: connection ${serial} of shard ${index} ended without having started`);
    const reason = v.getUint8(at + RECORD_REASON);
    const full = v.getUint8(at + RECORD_FULL) === 1;
    const mask = v.getUint32(at + RECORD_MASK, true);
    if (!full) {
      this.onFlowEnd(null, mask, NO_EVIDENCE);
      return;
    }
    const t = this.table;
    let p = at + RECORD_HEADER;
    // the row, word by word (entries are 8-aligned: no view made per entry)
    const rowWords = t.i32;
    for (let i = 0, w = p >> 2; i < ROW_WORDS; i++) rowWords[i] = words[w + i];
    p += ROW_BYTES;
    t.f64[D.SERIAL] = id;
    let any = false;
    for (let k = 0; k < Ctr.COUNT; k++) {
      const c = v.getUint32(p, true);
      t.counters[Ctr.COUNT + k] = c;
      if (c !== 0) any = true;
      p += 4;
    }
    t.u32[W.COUNTER_ROW] = any ? 1 : 0;
    const count = v.getUint8(p);
    p += 1;
    const evidence: Evidence[] = [];
    for (let i = 0; i < count; i++) {
      evidence.push({
        event: EVENT_NAMES[v.getUint8(p + EVIDENCE_EVENT)], packet: v.getFloat64(p + EVIDENCE_PACKET, true),
        sec: v.getFloat64(p + EVIDENCE_SEC, true), nsec: v.getUint32(p + EVIDENCE_NSEC, true),
      });
      p += EVIDENCE_SIZE;
    }
    this.onFlowEnd(this.view.bind(0, reason), mask, evidence);
  }
}

/**
 * The connection numbers of one worker's connections (one tracker's numbering), looked up by the
 * worker's own serials (1, 2, ... as its connections started): in chunks, each dropped once
 * every connection in it has ended, so what is kept follows the live connections (a Map keyed by
 * first packet did that too, at ~4× the memory and a hash lookup per connection).
 */
export class ShardSerials {
  private readonly chunks: (Float64Array | null)[] = [];
  /** connections of each chunk not yet ended */
  private readonly live: number[] = [];
  private count = 0;

  /** The number of the worker's next connection. */
  add(id: number): void {
    const c = this.count >>> SERIAL_CHUNK_BITS;
    if (c === this.chunks.length) {
      this.chunks.push(new Float64Array(SERIAL_CHUNK));
      this.live.push(0);
    }
    this.chunks[c]![this.count & SERIAL_CHUNK_MASK] = id;
    this.live[c]++;
    this.count++;
  }

  /** The number of the worker's connection `serial`, which has ended (-1 if it never started). */
  take(serial: number): number {
    const i = serial - 1;
    if (!(i >= 0 && i < this.count)) return -1;
    const c = i >>> SERIAL_CHUNK_BITS;
    const chunk = this.chunks[c];
    if (chunk === null) return -1;
    // a chunk whose connections have all ended (and that is full) is not needed again
    if (--this.live[c] === 0 && (c + 1) * SERIAL_CHUNK <= this.count) this.chunks[c] = null;
    return chunk[i & SERIAL_CHUNK_MASK];
  }

  /** Chunks still held (those with a connection not yet ended, and the one being filled). */
  get chunksHeld(): number {
    let held = 0;
    for (const c of this.chunks) if (c !== null) held++;
    return held;
  }
}

const SERIAL_CHUNK_BITS = 12;
const SERIAL_CHUNK = 1 << SERIAL_CHUNK_BITS;
const SERIAL_CHUNK_MASK = SERIAL_CHUNK - 1;

/** Where the entry after the one at `at` starts (entries start 8-aligned). */
function entryEnd(v: DataView, at: number): number {
  if (v.getUint8(at + RECORD_FULL) !== 1) return at + RECORD_HEADER;
  const ev = at + RECORD_HEADER + ROW_BYTES + 4 * Ctr.COUNT;
  return (ev + 1 + v.getUint8(ev) * EVIDENCE_SIZE + 7) & ~7;
}

const ROW_WORDS = ROW_BYTES / 4;

function byEndOrder(a: Entry, b: Entry): number {
  return (a.k1 - b.k1) || (a.phase - b.phase) || (a.cls - b.cls) || (a.k5 - b.k5);
}
