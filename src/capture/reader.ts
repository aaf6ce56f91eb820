/**
 * The pull reader: one big reusable buffer per input, filled straight from the source, and
 * frames handed out as views of it. When a record straddles the end of the buffer, only its
 * partial bytes move to the front (`copyWithin`) before the next read; the buffer grows only
 * for a unit bigger than itself (a 256 KiB record in a tiny test buffer, a large pcapng block).
 * Memory stays constant however large the file.
 *
 * `next()` is synchronous whenever the source is (files): it returns FRAME, END, or WAIT, and
 * after WAIT the caller awaits `wait()` (a stream had no bytes ready) and calls `next()` again.
 * That shape lets `readCaptureSet` merge several readers frame by frame.
 */
import { CaptureDecoder, sniffMagic } from './decoder.js';
import type { Frame } from './frame.js';
import type { CaptureInfo } from './info.js';
import { type ByteSource, GunzipSource } from './source.js';

export const FRAME = 1;
export const END = 0;
export const WAIT = -1;
/** What `CaptureReader.next()` returns: a frame is ready, the input is over, or await `wait()`. */
export const ReadStatus = { FRAME, END, WAIT } as const;
export type NextResult = typeof FRAME | typeof END | typeof WAIT;

/** Called with bytes read so far and the total when known (a file's size; compressed bytes for gzip). */
export type ProgressCallback = (done: number, total: number | undefined) => void;

export interface CaptureReaderOptions {
  /** buffer size in bytes (default 1 MiB); it grows only for a unit bigger than this */
  chunkSize?: number;
  progress?: ProgressCallback;
  /**
   * Called before the buffer is refilled, moved or replaced: every frame handed out so far is
   * about to become invalid (a consumer holding views of several frames, the annotated
   * pipeline's window, finishes with them here). Once per chunk, never per frame.
   */
  beforeRefill?: () => void;
}

/**
 * Default chunk: big enough that a read costs nothing per frame (one read per ~700 full-size
 * packets), small enough to stay in the caches between the kernel's copy and the parser's reads.
 * Measured on LONG (1.4 GB, read + decode + track, min of 6): 1 MiB 618 ms CPU, 2 MiB 652 ms
 * (system time 199 against 189 ms: the difference is in reading the headers back).
 */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

export class CaptureReader {
  private buf: Uint8Array;
  private pos = 0;
  private filled = 0;
  private eof = false;
  private sniffed = false;
  private pending: Promise<number> | null = null;
  private readonly decoder: CaptureDecoder;
  private readonly progress: ProgressCallback | undefined;
  private readonly beforeRefill: (() => void) | undefined;
  private finished = false;

  constructor(private source: ByteSource, readonly name: string, opts: CaptureReaderOptions = {}) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(opts.chunkSize ?? DEFAULT_CHUNK_SIZE, 1));
    this.decoder = new CaptureDecoder(name);
    this.progress = opts.progress;
    this.beforeRefill = opts.beforeRefill;
  }

  /** The current frame after next() returned FRAME (one object, overwritten by every call). */
  get frame(): Frame { return this.decoder.frame; }
  get info(): CaptureInfo { return this.decoder.info; }
  /** Frames read so far. */
  get frames(): number { return this.decoder.frames; }
  /** Bytes consumed from the (decompressed) input: the end of the last whole unit. */
  get bytes(): number { return this.decoder.base + this.pos; }
  /** Bytes taken from the underlying input so far (compressed bytes for gzip), as progress counts them. */
  get position(): number { return this.source.position; }
  /** Size of the underlying input when known (a file), as progress counts it. */
  get size(): number | undefined { return this.source.size; }

  /**
   * Advance to the next frame. FRAME: `frame` holds it (its bytes are valid until the next
   * call); END: the input is over; WAIT: await `wait()` and call again. Throws a TcpscopeError
   * on damaged input, after every frame before the damage.
   */
  next(): NextResult {
    if (this.pending !== null) return WAIT;
    const dec = this.decoder;
    for (;;) {
      if (this.sniffed) {
        const r = dec.step(this.buf, this.pos, this.filled);
        if (r >= 0) {
          this.pos = r;
          if (dec.produced) { dec.produced = false; return FRAME; }
          continue;
        }
      } else if (this.filled >= 2 || this.eof) {
        this.sniff();
        continue;
      }
      if (this.eof) {
        if (!this.finished) {
          this.finished = true;
          dec.finish(this.buf, this.pos, this.filled - this.pos);
        }
        return END;
      }
      if (this.refill()) return WAIT;
    }
  }

  /** After next() returned WAIT: resolves once more bytes (or the end) have arrived. */
  async wait(): Promise<void> {
    const p = this.pending;
    if (p === null) return;
    try {
      this.arrived(await p);
    } finally {
      this.pending = null;
    }
  }

  /**
   * Deliver every frame to `sink` until the input ends or `sink` returns false (then resolves
   * true). Yields to the event loop after every YIELD_MS of reading (looked at every
   * CHECK_FRAMES frames or CHECK_BYTES bytes, whichever comes first), so Ctrl-C, timers and
   * the progress line are served within a tenth of a second whatever the packet sizes are.
   */
  async run(sink: (frame: Frame) => boolean | void): Promise<boolean> {
    const frame = this.decoder.frame;
    let checkAt = this.bytes + CHECK_BYTES;
    // the check-and-yield path is taken once early (after FIRST_CHECK frames: by then V8 records
    // type feedback for this function), so the loop is optimised with feedback for it (first
    // taken 100 ms in, it threw the loop's code away and compiled it again up to three times)
    let countdown = FIRST_CHECK;
    let lastYield = -Infinity;
    for (;;) {
      const s = this.next();
      if (s === FRAME) {
        if (sink(frame) === false) return true;
        // then the rest of the window's whole records in the classic pcap reader's tight loop
        const pcap = this.decoder.pcap;
        if (pcap !== null) {
          const before = this.decoder.frames;
          let r: number;
          pcap.drainedTo = this.pos;
          try {
            r = pcap.drain(this.buf, this.pos, this.filled, sink);
          } finally {
            this.pos = pcap.drainedTo;
          }
          if (r < 0) return true;
          countdown -= this.decoder.frames - before;
          if (countdown <= 0) countdown = 1;
        }
      } else if (s === END) {
        return false;
      } else {
        await this.wait();
        lastYield = performance.now();
      }
      if (--countdown === 0 || this.bytes >= checkAt) {
        countdown = CHECK_FRAMES;
        checkAt = this.bytes + CHECK_BYTES;
        if (performance.now() - lastYield >= YIELD_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
    }
  }

  close(): void {
    this.source.close();
  }

  /** Make room and read; true when the read is pending (a stream with nothing ready yet). */
  private refill(): boolean {
    if (this.beforeRefill !== undefined) this.beforeRefill();
    const need = this.sniffed ? this.decoder.need : 2;
    let buf = this.buf;
    if (this.pos > 0) {
      // move the partial unit to the front: only its bytes are copied, never the packets before it
      if (this.filled > this.pos) buf.copyWithin(0, this.pos, this.filled);
      this.decoder.base += this.pos;
      this.filled -= this.pos;
      this.pos = 0;
    }
    // a damaged length must not make us allocate more than the file still holds: the read then
    // ends early and the decoder reports the unit as cut short
    const size = need > buf.length && this.info.compression === null ? this.source.size : undefined;
    const left = size === undefined ? Infinity : size - this.decoder.base;
    if (need > buf.length && left > buf.length) {
      let cap = buf.length * 2;
      while (cap < need) cap *= 2;
      if (cap > left) cap = left;
      const bigger = Buffer.allocUnsafeSlow(cap);
      bigger.set(buf.subarray(0, this.filled));
      this.buf = buf = bigger;
    }
    const r = this.source.read(buf, this.filled, buf.length - this.filled);
    if (typeof r === 'number') { this.arrived(r); return false; }
    this.pending = r;
    return true;
  }

  private arrived(n: number): void {
    if (n === 0) this.eof = true;
    else this.filled += n;
    if (this.progress !== undefined) this.progress(this.source.position, this.source.size);
  }

  /** First bytes in: a gzip magic puts a decompressor in front of the source. */
  private sniff(): void {
    this.sniffed = true;
    if (sniffMagic(this.buf, 0, this.filled) !== 'gzip') return;
    this.source = new GunzipSource(this.buf.slice(0, this.filled), this.source, this.name);
    this.decoder.info.compression = 'gzip';
    this.decoder.name = `${this.name} (decompressed)`;
    this.filled = 0;
    this.eof = false;
  }
}

// run(): how often the clock is looked at, and how long a read goes without yielding
const CHECK_FRAMES = 4096;
const FIRST_CHECK = 256;
const CHECK_BYTES = 4 * 1024 * 1024;
const YIELD_MS = 100;
