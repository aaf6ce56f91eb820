/**
 * A resumable push parser: feed a capture in chunks of any size, get frames as they complete.
 *
 *     const parser = new CaptureParser((frame) => { ... }, { name: 'socket' });
 *     socket.on('data', (chunk) => parser.push(chunk));
 *     socket.on('end', () => parser.end());
 *
 * Frames are views: of the pushed chunk when a record lies wholly inside it (the usual case, no
 * copy), or of the parser's own carry buffer when a record straddles chunks (only that record's
 * bytes are copied). Either way a frame is valid only during the callback, and the caller may
 * reuse its chunk as soon as `push` returns.
 */
import { TcpscopeError } from '../errors.js';
import { CaptureDecoder } from './decoder.js';
import type { Frame } from './frame.js';
import type { CaptureInfo } from './info.js';

/** Called for each frame; return `false` to stop reading. */
export type FrameSink = (frame: Frame) => boolean | void;

export interface CaptureParserOptions {
  /** how the input is named in error messages (default "input") */
  name?: string;
}

export class CaptureParser {
  private readonly decoder: CaptureDecoder;
  /** bytes of a unit that began in an earlier chunk */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** absolute offset of the next byte not yet consumed (carry[0] when carryLen > 0) */
  private consumed = 0;
  private stoppedFlag = false;
  private ended = false;

  constructor(private readonly onFrame: FrameSink, opts: CaptureParserOptions = {}) {
    this.decoder = new CaptureDecoder(opts.name ?? 'input');
  }

  /** Frames delivered so far. */
  get frames(): number { return this.decoder.frames; }
  /** Bytes consumed so far: everything up to the end of the last whole record or block. */
  get bytes(): number { return this.consumed; }
  /** The callback asked to stop; further pushes are ignored. */
  get stopped(): boolean { return this.stoppedFlag; }
  /** The capture's format and interfaces, as far as read. */
  get info(): CaptureInfo { return this.decoder.info; }

  /**
   * Parse `chunk`, delivering every frame it completes. Returns false once the callback has
   * asked to stop. Throws a TcpscopeError (after delivering every frame before the problem)
   * when the input is damaged.
   */
  push(chunk: Uint8Array): boolean {
    if (this.stoppedFlag) return false;
    if (this.ended) throw new TcpscopeError('INTERNAL', 'CaptureParser.push after end()');
    const dec = this.decoder;
    let pos = 0;
    const end = chunk.length;
    // first finish a unit that began in an earlier chunk, copying only the bytes it needs
    while (this.carryLen > 0) {
      const want = dec.need - this.carryLen;
      const take = want < end - pos ? want : end - pos;
      this.ensureCarry(this.carryLen + take);
      this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen < dec.need) return true;
      dec.base = this.consumed;
      const used = this.drain(this.carry, 0, this.carryLen);
      this.consumed += used;
      if (this.stoppedFlag) return false;
      if (used === this.carryLen) this.carryLen = 0;
      else {
        // the unit's header is here but its body is still to come: keep what is left
        this.carry.copyWithin(0, used, this.carryLen);
        this.carryLen -= used;
      }
    }
    // then parse straight out of the chunk
    dec.base = this.consumed - pos;
    const used = this.drain(chunk, pos, end);
    this.consumed += used - pos;
    if (this.stoppedFlag) return false;
    if (used < end) {
      this.ensureCarry(Math.max(dec.need, end - used));
      this.carry.set(chunk.subarray(used, end), 0);
      this.carryLen = end - used;
    }
    return true;
  }

  /**
   * The input is complete. Throws a TcpscopeError when it ended inside a record or block, or
   * held no capture at all.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stoppedFlag) return;
    this.decoder.base = this.consumed;
    this.decoder.finish(this.carry, 0, this.carryLen);
  }

  /** Step through b[pos..end) delivering frames; returns where it stopped. */
  private drain(b: Uint8Array, pos: number, end: number): number {
    const dec = this.decoder;
    const frame = dec.frame;
    const sink = this.onFrame;
    for (;;) {
      const next = dec.step(b, pos, end);
      if (next < 0) return pos;
      pos = next;
      if (dec.produced) {
        dec.produced = false;
        if (sink(frame) === false) { this.stoppedFlag = true; return pos; }
      }
    }
  }

  private ensureCarry(size: number): void {
    if (this.carry.length >= size) return;
    let cap = Math.max(this.carry.length * 2, 65536);
    while (cap < size) cap *= 2;
    const bigger = new Uint8Array(cap);
    bigger.set(this.carry.subarray(0, this.carryLen));
    this.carry = bigger;
  }
}
