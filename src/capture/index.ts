/**
 * Capture readers. PLACEHOLDER: a minimal classic-pcap reader so the rest of the pipeline can be
 * built; the streaming pcap/pcapng/gzip/stdin readers replace it behind the same `readCapture`.
 */
import { readFileSync } from 'node:fs';
import { TcpscopeError } from '../errors.js';
import { type Frame, newFrame } from './frame.js';

export type { Frame } from './frame.js';
export { LINKTYPE, newFrame } from './frame.js';

export interface ReadOptions {
  /** name to use for the source in error messages (defaults to the path) */
  displayName?: string;
}

export interface ReadSummary {
  /** frames delivered */
  frames: number;
  /** bytes consumed from the (decompressed) input */
  bytes: number;
}

/** Called for each frame; return `false` to stop reading. */
export type FrameSink = (frame: Frame) => boolean | void;

/**
 * Read the capture at `source` (a path, or `-` for standard input) and call `onFrame` for every
 * frame in order. Rejects with a TcpscopeError (naming the file and byte offset) when the input
 * goes bad, after every good frame before the problem has been delivered.
 */
export async function readCapture(source: string, onFrame: FrameSink, opts: ReadOptions = {}): Promise<ReadSummary> {
  const name = opts.displayName ?? source;
  let buf: Buffer;
  try {
    buf = readFileSync(source === '-' ? 0 : source);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TcpscopeError('ENOENT_CAPTURE', err.code === 'ENOENT' ? 'No such file or directory' : err.message, { file: name });
  }
  if (buf.length < 24) throw new TcpscopeError('BAD_MAGIC', 'not a pcap or pcapng capture (file too short)', { file: name, offset: 0 });
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magic === 0xa1b2c3d4) { le = true; nano = false; }
  else if (magic === 0xd4c3b2a1) { le = false; nano = false; }
  else if (magic === 0xa1b23c4d) { le = true; nano = true; }
  else if (magic === 0x4d3cb2a1) { le = false; nano = true; }
  else throw new TcpscopeError('BAD_MAGIC', `not a pcap capture (magic 0x${magic.toString(16)})`, { file: name, offset: 0 });
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20) & 0x0fffffff;
  const frame = newFrame();
  frame.data = buf;
  frame.linktype = linktype;
  let off = 24;
  let n = 0;
  while (off < buf.length) {
    if (off + 16 > buf.length) throw new TcpscopeError('TRUNCATED_FILE', 'record header runs past the end of the file', { file: name, offset: off });
    const caplen = u32(off + 8);
    if (caplen > 262144) throw new TcpscopeError('RECORD_TOO_BIG', `record length ${caplen} exceeds 262144`, { file: name, offset: off });
    if (off + 16 + caplen > buf.length) throw new TcpscopeError('TRUNCATED_FILE', `record of ${caplen} bytes runs past the end of the file`, { file: name, offset: off });
    frame.tsSec = u32(off);
    frame.tsNsec = nano ? u32(off + 4) : u32(off + 4) * 1000;
    frame.caplen = caplen;
    frame.wirelen = u32(off + 12);
    frame.offset = off + 16;
    frame.fileOffset = off;
    frame.number = ++n;
    off += 16 + caplen;
    if (onFrame(frame) === false) break;
  }
  return { frames: n, bytes: off };
}
