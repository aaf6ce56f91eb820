/**
 * Writing classic pcap files (what `tcpdump -w` writes, and what tcpdump, tshark, Wireshark and
 * every libpcap program read).
 *
 * Layout (libpcap's savefile format, host byte order, here always little-endian):
 *   file header, 24 bytes: magic a1b2c3d4 (µs) or a1b23c4d (ns), version 2.4, thiszone 0,
 *                          sigfigs 0, snaplen, linktype (with libpcap's FCS extension bits)
 *   per packet, 16 bytes:  ts_sec, ts_usec|ts_nsec, caplen, len; then caplen bytes
 *
 * Records are gathered in one large preallocated buffer and written with one write(2) per
 * buffer-full: no allocation per packet, no syscall per packet (unless the caller asks for
 * packet-buffered output, tcpdump's -U). The buffer only ever holds whole records, so whatever
 * is on disk after a flush is a valid capture ending on a record boundary: stopping on SIGINT
 * and flushing loses nothing, and a crash loses at most the unflushed tail, never the file.
 */
import { closeSync, constants as fsConstants, openSync, writeSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { TcpscopeError } from '../errors.js';
import type { Frame } from './frame.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** libpcap's MAXIMUM_SNAPLEN: what a live capture takes by default and what `-s 0` means */
export const MAXIMUM_SNAPLEN = 262144;
/** one write(2) per this many bytes of records */
export const DEFAULT_WRITE_BUFFER = 1 << 20;

/** What goes in the file header. */
export interface PcapFileHeader {
  /** LINKTYPE_* value of every packet in the file */
  linktype: number;
  /** snapshot length the packets were captured with */
  snaplen: number;
  /** nanosecond time stamps (magic a1b23c4d) instead of microseconds */
  nano: boolean;
  /**
   * bytes of frame check sequence at the end of each packet, when the input said so: libpcap
   * keeps this in the upper bits of the header's link type (LT_FCS_DATALINK_EXT)
   */
  fcsLength?: number;
}

/** Where the bytes of a capture go: a file, standard output, or (in tests) memory. */
export interface ByteSink {
  /** name in error messages */
  readonly name: string;
  /** write `len` bytes of `buf` from index 0, all of them, or throw a TcpscopeError */
  write(buf: Uint8Array, len: number): void;
  close(): void;
}

/** The link-type word of the file header, FCS extension bits included. */
export function headerLinktype(h: PcapFileHeader): number {
  let lt = h.linktype & 0x03ffffff;
  if (h.fcsLength !== undefined && h.fcsLength > 0) {
    // LT_FCS_LENGTH_PRESENT, and the length in 16-bit words in the top four bits
    lt = (lt | 0x04000000 | (((h.fcsLength >>> 1) & 0xf) << 28)) >>> 0;
  }
  return lt;
}

/** Encode the 24-byte file header into `buf` at `off`. */
export function encodeFileHeader(h: PcapFileHeader, buf: Buffer, off = 0): number {
  buf.writeUInt32LE(h.nano ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, off);
  buf.writeUInt16LE(2, off + 4);
  buf.writeUInt16LE(4, off + 6);
  buf.writeInt32LE(0, off + 8); // thiszone: libpcap always writes 0 (time stamps are UTC)
  buf.writeUInt32LE(0, off + 12); // sigfigs
  buf.writeUInt32LE(h.snaplen >>> 0, off + 16);
  buf.writeUInt32LE(headerLinktype(h), off + 20);
  return off + PCAP_FILE_HEADER_LEN;
}

/**
 * A pcap file being written. `write(frame)` appends one record; `flush()` pushes everything
 * buffered to the sink; `close()` flushes and closes. `position` is the file offset the next
 * record will start at (buffered bytes included), which is what `-C` compares with its limit.
 */
export class PcapWriter {
  private readonly buf: Buffer;
  private used = 0;
  private flushed = 0;
  private closed = false;
  /** packets written */
  packets = 0;

  constructor(
    private readonly sink: ByteSink,
    readonly header: PcapFileHeader,
    opts: { bufferSize?: number; packetBuffered?: boolean } = {},
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(opts.bufferSize ?? DEFAULT_WRITE_BUFFER, 64 * 1024));
    this.packetBuffered = opts.packetBuffered ?? false;
    this.used = encodeFileHeader(header, this.buf, 0);
  }

  /** -U: write each packet out as soon as it is added */
  packetBuffered: boolean;

  get name(): string { return this.sink.name; }

  /** Bytes in the file once everything buffered is written (header included). */
  get position(): number { return this.flushed + this.used; }

  /**
   * Append `frame` as one record. The time stamp is truncated to microseconds unless the file
   * is nanosecond (as libpcap does when it reads nanoseconds at microsecond precision).
   */
  write(frame: Frame): void {
    const caplen = frame.caplen;
    const need = PCAP_RECORD_HEADER_LEN + caplen;
    if (this.used + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) { this.writeLarge(frame); return; }
    }
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(frame.tsSec >>> 0, o);
    b.writeUInt32LE(this.header.nano ? frame.tsNsec : Math.floor(frame.tsNsec / 1000), o + 4);
    b.writeUInt32LE(caplen, o + 8);
    b.writeUInt32LE(frame.wirelen >>> 0, o + 12);
    o += PCAP_RECORD_HEADER_LEN;
    // Buffer#copy takes any Uint8Array as its source and copies natively, without the view
    // object that `b.set(data.subarray(...))` would allocate for every packet
    Buffer.prototype.copy.call(frame.data, b, o, frame.offset, frame.offset + caplen);
    this.used = o + caplen;
    this.packets++;
    if (this.packetBuffered) this.flush();
  }

  /** Write everything buffered to the sink. */
  flush(): void {
    if (this.used === 0 || this.closed) return;
    const n = this.used;
    this.used = 0;
    this.sink.write(this.buf, n);
    this.flushed += n;
  }

  /** Flush and close the sink. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.sink.close();
    }
  }

  /** A record bigger than the whole buffer (a bufferSize smaller than the snap length). */
  private writeLarge(frame: Frame): void {
    const rec = Buffer.allocUnsafe(PCAP_RECORD_HEADER_LEN + frame.caplen);
    rec.writeUInt32LE(frame.tsSec >>> 0, 0);
    rec.writeUInt32LE(this.header.nano ? frame.tsNsec : Math.floor(frame.tsNsec / 1000), 4);
    rec.writeUInt32LE(frame.caplen, 8);
    rec.writeUInt32LE(frame.wirelen >>> 0, 12);
    Buffer.prototype.copy.call(frame.data, rec, PCAP_RECORD_HEADER_LEN, frame.offset, frame.offset + frame.caplen);
    this.sink.write(rec, rec.length);
    this.flushed += rec.length;
    this.packets++;
  }
}

/** strerror()-style text for a Node file-system error, as tcpdump prints it. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    ENOENT: 'No such file or directory',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    ENOSPC: 'No space left on device',
    EDQUOT: 'Disk quota exceeded',
    EROFS: 'Read-only file system',
    EFBIG: 'File too large',
    EIO: 'Input/output error',
    EMFILE: 'Too many open files',
    ENAMETOOLONG: 'File name too long',
    ELOOP: 'Too many levels of symbolic links',
    ETXTBSY: 'Text file busy',
  };
  if (err && typeof err.code === 'string' && known[err.code] !== undefined) return known[err.code]!;
  if (err && typeof err.errno === 'number') {
    const entry = getSystemErrorMap().get(err.errno);
    if (entry !== undefined) return entry[1].charAt(0).toUpperCase() + entry[1].slice(1);
  }
  return err instanceof Error ? err.message : String(e);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * A file descriptor as a ByteSink: a file we create (`FdSink.create`) or standard output
 * (`FdSink.stdout`). A reader that goes away (`tcpscope -w - | head -c 100`) is not an error:
 * `onClosed` runs (by default the process ends quietly with status 0, as tcpdump does).
 */
export class FdSink implements ByteSink {
  private open = true;
  /** the reader of a pipe went away (EPIPE) */
  broken = false;

  constructor(
    private readonly fd: number,
    readonly name: string,
    private readonly owned: boolean,
    private readonly onClosed: () => void = () => process.exit(0),
  ) {}

  /** Create (or truncate) `path` for writing, mode 0644 before the umask, as tcpdump does. */
  static create(path: string, onClosed?: () => void): FdSink {
    let fd: number;
    try {
      fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, 0o644);
    } catch (e) {
      throw new TcpscopeError('WRITE_FAILED', describeFsError(e), { file: path });
    }
    return new FdSink(fd, path, true, onClosed);
  }

  /** Standard output (`-w -`). */
  static stdout(onClosed?: () => void): FdSink {
    return new FdSink(1, 'standard output', false, onClosed);
  }

  write(buf: Uint8Array, len: number): void {
    if (!this.open || this.broken) return;
    let off = 0;
    while (off < len) {
      try {
        off += writeSync(this.fd, buf, off, len - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // standard output can be a non-blocking pipe: wait for the reader to make room
        if (code === 'EAGAIN') { Atomics.wait(sleeper, 0, 0, 1); continue; }
        if (code === 'EPIPE') { this.broken = true; this.onClosed(); return; }
        throw new TcpscopeError('WRITE_FAILED', describeFsError(e), { file: this.name });
      }
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    if (this.owned) {
      try {
        closeSync(this.fd);
      } catch (e) {
        // close(2) is where NFS and full disks report a failed write
        throw new TcpscopeError('WRITE_FAILED', describeFsError(e), { file: this.name });
      }
    }
  }
}

/** A ByteSink that keeps everything in memory (tests, and callers that post the bytes elsewhere). */
export class MemorySink implements ByteSink {
  private chunks: Buffer[] = [];
  closed = false;
  constructor(readonly name = 'memory') {}
  write(buf: Uint8Array, len: number): void {
    this.chunks.push(Buffer.from(buf.subarray(0, len)));
  }
  close(): void { this.closed = true; }
  /** everything written so far */
  bytes(): Buffer { return Buffer.concat(this.chunks); }
}
