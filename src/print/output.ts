/**
 * Buffered output to a file descriptor. Each string is encoded as UTF-8 straight into one
 * preallocated 64 KiB buffer, which goes out with one writeSync when full: printing a million
 * lines allocates nothing and costs one encode per line. (Gathering the text in a JS string and
 * encoding it at flush time is as fast for pure ASCII, but a single non-Latin-1 character, an
 * arrow in an annotation, turns the whole gathered string into a two-byte one and makes every
 * flush 3-5 times slower; encoding each write on its own keeps that cost to the strings that
 * have such a character.) A closed pipe (`tcpscope ... | head -1`) ends the process quietly
 * with status 0, as tcpdump does.
 */
import { writeSync } from 'node:fs';

const SIZE = 1 << 16;

export class Output {
  /**
   * The buffer, for printers that write bytes themselves (src/bytes.ts): `reserve(n)`,
   * then bytes at buf[len..], then `len` moved past them. Nothing else may hold on to it.
   */
  readonly buf: Buffer;
  /** bytes waiting in buf */
  len = 0;
  /** true once the reader of the other end has gone away (EPIPE) */
  closed = false;
  /**
   * `sideRoom` bytes beside `buf` in the same memory, for text made ahead of its place in the
   * output (the annotated pipeline's window writes each frame's annotation here before the
   * frame's tcpdump line is printed) and copied in with `putSide`, a memmove that allocates
   * nothing. Empty without side room.
   */
  readonly side: Buffer;
  /** buf and side as one array (copyWithin works inside one array only) */
  private readonly whole: Uint8Array;

  constructor(readonly fd: number, private readonly onClosed: () => void = defaultOnClosed, sideRoom = 0) {
    if (sideRoom > 0) {
      const memory = new ArrayBuffer(SIZE + sideRoom);
      this.buf = Buffer.from(memory, 0, SIZE);
      this.side = Buffer.from(memory, SIZE, sideRoom);
      this.whole = new Uint8Array(memory);
    } else {
      this.buf = Buffer.allocUnsafeSlow(SIZE);
      this.side = this.buf.subarray(0, 0);
      this.whole = this.side;
    }
  }

  /** Append side[start, end) (at most 64 KiB) to what is buffered. */
  putSide(start: number, end: number): void {
    const n = end - start;
    if (this.len + n > SIZE) this.flush();
    this.whole.copyWithin(this.len, SIZE + start, SIZE + end);
    this.len += n;
  }

  write(s: string): void {
    // a UTF-16 unit never takes more than 3 bytes of UTF-8 (a surrogate pair takes 4 for 2)
    if (this.len + s.length * 3 > SIZE) {
      this.flush();
      if (s.length * 3 > SIZE) {
        const data = Buffer.from(s, 'utf8');
        this.writeAll(data, data.length);
        return;
      }
    }
    this.len += this.buf.write(s, this.len);
  }

  /**
   * Room for `n` more bytes at `len` (at most 64 KiB): what is buffered goes out first when the
   * buffer has less left.
   */
  reserve(n: number): void {
    if (this.len + n > SIZE) this.flush();
  }

  /** Write everything buffered so far. */
  flush(): void {
    const n = this.len;
    this.len = 0;
    if (n > 0) this.writeAll(this.buf, n);
  }

  /** Write data[0, stop) whole (a pipe may take it in parts). */
  private writeAll(data: Buffer, stop: number): void {
    if (this.closed) return;
    let off = 0;
    while (off < stop) {
      try {
        off += writeSync(this.fd, data, off, stop - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { sleepBriefly(); continue; }
        if (code === 'EPIPE') { this.closed = true; this.onClosed(); return; }
        throw e;
      }
    }
  }
}

function defaultOnClosed(): void {
  process.exit(0);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A non-blocking pipe is full: wait a millisecond for the reader (there is no poll() to call). */
function sleepBriefly(): void {
  Atomics.wait(sleeper, 0, 0, 1);
}
