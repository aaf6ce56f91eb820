/**
 * What the reading thread and the shard workers of a parallel check say to each other, byte by
 * byte (see parallel.ts for the why). Everything travels in transferred ArrayBuffers: no
 * per-packet or per-connection objects are cloned between threads.
 *
 * Batch (reader → worker), a sequence of entries:
 *   TICK   u8 kind, f64 clock, f64 packet number: run the idle expiry at `clock`, as a single
 *          tracker would have done just before that packet
 *   FRAME  u8 kind, f64 number, f64 tsSec, u32 tsNsec, f64 clock, u32 caplen, u32 wirelen,
 *          u16 linktype, then caplen bytes (for a data segment whose checksum is not verified,
 *          only up to the end of its TCP header: the tracker reads nothing after it)
 *
 * Result (worker → reader): one entry per ended connection, in the order it ended, then (at
 * `createdAt`, 8-aligned) f64 × created: the packet numbers that started a connection, in order.
 * An entry:
 *   f64 k1 (packet number it ended at; Infinity at end of input), f64 k5 (TOUCH_PKT for an
 *   idle expiry, its first packet at end of input, 0 for port reuse), f64 serial (the worker's
 *   own number for the connection: 1, 2, ... in the order its connections started),
 *   u8 phase, u8 idle class, u8 end reason, u8 full, u32 condition mask,
 *   and when full: the flow-table row (ROW_BYTES), its event counters (u32 × Ctr.COUNT), u8
 *   evidence count, and per evidence u8 event, f64 packet, f64 sec, u32 nsec; then padding to the
 *   next multiple of 8 bytes (the row starts 8-aligned, so the reader copies it by words).
 * Sorting every worker's entries by (k1, phase, class, k5) gives the order in which one tracker
 * would have ended them.
 *
 * Buffers go round instead of being allocated per message: a worker hands each batch's buffer
 * back with its answer (the reader fills it again), and the reader hands each answer's buffer
 * back once merged, on the worker's port (the worker takes it with receiveMessageOnPort when it
 * starts its next answer). A fresh ArrayBuffer costs a zero-filled allocation and a page fault
 * per 4 KB on first write, which was most of the reading thread's copying time; and one that
 * goes away waits for a collection that a worker, whose JavaScript heap hardly moves, seldom
 * runs.
 */
import type { MessagePort } from 'node:worker_threads';
import { Ctr, ROW_BYTES } from '../track/table.js';

// Where each field is, from its entry's first byte (the layouts above; a batch entry's first byte
// is its kind, ENTRY_TICK or ENTRY_FRAME). The bundler folds these to numbers.
export const ENTRY_TICK = 1;
export const ENTRY_FRAME = 2;
export const TICK_CLOCK = 1;
export const TICK_PACKET = TICK_CLOCK + 8;
export const TICK_SIZE = TICK_PACKET + 8;
export const FRAME_NUMBER = 1;
export const FRAME_TS_SEC = FRAME_NUMBER + 8;
export const FRAME_TS_NSEC = FRAME_TS_SEC + 8;
export const FRAME_CLOCK = FRAME_TS_NSEC + 4;
export const FRAME_CAPLEN = FRAME_CLOCK + 8;
export const FRAME_WIRELEN = FRAME_CAPLEN + 4;
export const FRAME_LINKTYPE = FRAME_WIRELEN + 4;
/** bytes of a FRAME entry before its captured bytes */
export const FRAME_HEADER = FRAME_LINKTYPE + 2;

/** How a connection's end is ordered among the others ended by the same packet. */
export const PHASE_EXPIRY = 0;
export const PHASE_REUSE = 1;
export const PHASE_END = 2;

// A result entry's header, then (when full) the row at RECORD_HEADER
export const RECORD_K1 = 0;
export const RECORD_K5 = RECORD_K1 + 8;
export const RECORD_SERIAL = RECORD_K5 + 8;
export const RECORD_PHASE = RECORD_SERIAL + 8;
export const RECORD_CLASS = RECORD_PHASE + 1;
export const RECORD_REASON = RECORD_CLASS + 1;
export const RECORD_FULL = RECORD_REASON + 1;
export const RECORD_MASK = RECORD_FULL + 1;
export const RECORD_HEADER = RECORD_MASK + 4;
// one piece of evidence
export const EVIDENCE_EVENT = 0;
export const EVIDENCE_PACKET = EVIDENCE_EVENT + 1;
export const EVIDENCE_SEC = EVIDENCE_PACKET + 8;
export const EVIDENCE_NSEC = EVIDENCE_SEC + 8;
export const EVIDENCE_SIZE = EVIDENCE_NSEC + 4;
/** the largest full record: row, counters, evidence count and six pieces of evidence, padded */
export const RECORD_MAX = RECORD_HEADER + ROW_BYTES + 4 * Ctr.COUNT + 1 + 6 * EVIDENCE_SIZE + 7;

/** Settings every worker gets once. */
export interface ShardInit {
  type: 'init';
  /**
   * this worker's index, the number of workers, the shared counters (Int32: batches waiting, one
   * per worker; then the reading thread's doorbell, bumped at every answer; then end-of-input
   * parts not yet merged, one per worker), and the port its answers go to (and on which the
   * reader hands back the answers' buffers, each posted alone and transferred)
   */
  index: number;
  workers: number;
  inflight: SharedArrayBuffer;
  port: MessagePort;
  mslSeconds: number | undefined;
  checksums: 'off' | 'control' | 'all';
  /** conditions judged by the policy: a connection showing one is sent whole */
  failMask: number;
  /** send every connection whole (an output lists passing ones too) */
  everyRecord: boolean;
  /** conditions whose evidence packets are collected */
  evidenceMask: number;
  /** settings and faults only the tests use (never set by the CLI) */
  test?: ShardTestInit;
}

/** What a test may change in a worker: the end-of-input part sizes, and a fault to inject. */
export interface ShardTestInit {
  /** end-of-input records per part (default 4096) */
  endPart?: number;
  /** end-of-input parts a worker may have waiting for the reading thread (default 4) */
  endPartsAhead?: number;
  /**
   * make this worker fail when it gets batch `atBatch` (-1: at end of input): throw an Error or
   * a TcpscopeError (RESOURCE_LIMIT) inside its message handler, throw outside it (uncaught),
   * call process.exit(3), or end with status 9 running none of its own code on the way out (as
   * a worker killed from outside); or wait until `release` is set (by the reading thread, once
   * it waits for room in this worker's queue) and then go on ('hang': the reading thread
   * terminates it instead) or fill its JavaScript heap until V8 stops it ('oom')
   */
  fault?: { kind: 'error' | 'limit' | 'uncaught' | 'exit' | 'killed' | 'hang' | 'oom'; atBatch: number };
  /** an Int32 the 'hang' and 'oom' faults wait on (0: wait) */
  release?: SharedArrayBuffer;
}

export interface ShardBatch {
  type: 'batch';
  seq: number;
  buf: ArrayBuffer;
  used: number;
}

export interface ShardFinish {
  type: 'finish';
  seq: number;
}

export type ToShard = ShardInit | ShardBatch | ShardFinish;

/** A worker's answer to one batch (or one part of its end-of-input records). */
export interface ShardResult {
  type: 'result';
  index: number;
  /** the batch answered (-1: end-of-input records) */
  seq: number;
  /** the ended connections' entries, then the created packet numbers */
  buf: ArrayBuffer;
  records: number;
  /** byte offset of the packet numbers that started a connection (f64 each, in order) */
  createdAt: number;
  createdCount: number;
  /** the answered batch's buffer, handed back to be filled again (null at end of input) */
  batchBuf: ArrayBuffer | null;
  /** the last part of the end-of-input records */
  done: boolean;
  /** on the last part: how many times the worker waited for room for an end-of-input part */
  endWaits: number;
}

/**
 * A worker's error, as data (an Error does not cross threads with its type): a TcpscopeError
 * keeps its code and exit status and is rebuilt on the reading thread; any other is its message.
 */
export interface ShardFailure {
  type: 'failure';
  index: number;
  message: string;
  code?: string;
  exitStatus?: number;
  file?: string;
  offset?: number;
  /** the worker's stack, only when TCPSCOPE_DEBUG is set */
  stack?: string;
}

export type FromShard = ShardResult | ShardFailure;

/** A growable byte buffer written through a DataView. */
export class ByteWriter {
  buf: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
  at = 0;

  constructor(size: number) {
    this.buf = new ArrayBuffer(size);
    this.view = new DataView(this.buf);
    this.bytes = new Uint8Array(this.buf);
  }

  /** Make room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n <= this.buf.byteLength) return;
    let size = this.buf.byteLength * 2;
    while (size < this.at + n) size *= 2;
    const bigger = new ArrayBuffer(size);
    const bytes = new Uint8Array(bigger);
    bytes.set(this.bytes.subarray(0, this.at));
    this.buf = bigger;
    this.view = new DataView(bigger);
    this.bytes = bytes;
  }

  /**
   * Hand the buffer over (it is transferred) and go on in `next` (a buffer handed back, its
   * contents stale) or else a fresh one of the same size.
   */
  take(next?: ArrayBuffer): { buf: ArrayBuffer; used: number } {
    const out = { buf: this.buf, used: this.at };
    this.buf = next ?? new ArrayBuffer(out.buf.byteLength);
    this.view = new DataView(this.buf);
    this.bytes = new Uint8Array(this.buf);
    this.at = 0;
    return out;
  }
}
