/**
 * Buffered output to a file descriptor. Text is gathered in a string and written with one
 * writeSync per ~64 KiB, which is what makes printing a million lines cheap. A closed pipe
 * (`tcpscope ... | head -1`) ends the process quietly with status 0, as tcpdump does.
 */
import { writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;

export class Output {
  private buf = '';
  /** true once the reader of the other end has gone away (EPIPE) */
  closed = false;

  constructor(readonly fd: number, private readonly onClosed: () => void = defaultOnClosed) {}

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  /** Write everything buffered so far. */
  flush(): void {
    if (this.buf.length === 0 || this.closed) { this.buf = ''; return; }
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
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
