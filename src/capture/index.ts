/**
 * Capture readers: classic pcap and pcapng, from a file, standard input or a gzip-compressed
 * copy of either, as a stream of frames that are views into a reusable buffer.
 *
 * - `readCapture(path, onFrame)` reads one capture (the usual entry point).
 * - `readCaptureSet(paths, onFrame)` reads several files as one capture in time order.
 * - `CaptureParser` takes chunks you push (a socket, a stream of your own).
 * - `CaptureReader` pulls frames one at a time from a `ByteSource`.
 *
 * Every reader reuses one Frame object and hands out views: copy what you keep. Damaged input
 * ends the read with a TcpscopeError whose `describe()` names the file, what is wrong, what
 * was expected and the byte offset, after every good frame before the damage was delivered.
 */
import type { TcpscopeError } from '../errors.js';
import type { CaptureInfo } from './info.js';
import type { FrameSink } from './parser.js';
import { CaptureReader, END, FRAME, type NextResult, type ProgressCallback } from './reader.js';
import { openSource } from './source.js';
import { readCaptureSet, type CaptureSetFile, type CaptureSetOptions } from './set.js';

export type { Frame } from './frame.js';
export { LINKTYPE, newFrame } from './frame.js';
export type { CaptureFormat, CaptureInfo, InterfaceInfo } from './info.js';
export { CaptureParser, type CaptureParserOptions, type FrameSink } from './parser.js';
export { CaptureReader, DEFAULT_CHUNK_SIZE, ReadStatus, type CaptureReaderOptions, type NextResult, type ProgressCallback } from './reader.js';
export { FileSource, GunzipSource, StreamSource, openSource, type ByteSource } from './source.js';
export { sniffMagic, type Magic } from './decoder.js';
export {
  expandCapturePaths,
  listCaptureDir,
  readCaptureSet,
  type CaptureDirListing,
  type CaptureSetFile,
  type CaptureSetOptions,
  type CaptureSetSummary,
} from './set.js';

export interface ReadOptions {
  /** name to use for the source in error messages (default: the path, or "standard input" for `-`) */
  displayName?: string;
  /**
   * Progress: called after each read (every chunk, a few MiB) with the bytes read so far and
   * the total when known (the file's size; for gzip both count compressed bytes).
   */
  progress?: ProgressCallback;
  /** read buffer size in bytes (default DEFAULT_CHUNK_SIZE, 1 MiB) */
  chunkSize?: number;
  /** the frames delivered so far are about to become invalid (CaptureReaderOptions.beforeRefill) */
  beforeRefill?: () => void;
  /**
   * Called once the capture's header has been read: before the first frame, or at the end
   * for a capture without packets. Where tcpdump prints "reading from file …, link-type …".
   */
  onHeader?: (info: CaptureInfo) => void;
}

export interface ReadSummary {
  /** frames delivered */
  frames: number;
  /** bytes consumed from the (decompressed) input */
  bytes: number;
  /** the callback asked to stop before the end */
  stopped: boolean;
  /** format, byte order, interfaces (link types, snap lengths, time-stamp resolutions) */
  info: CaptureInfo;
  /** the first frame's time stamp (seconds, nanoseconds), or null for a capture without packets */
  first: { sec: number; nsec: number } | null;
}

/** What readCaptureFiles passes on to readCaptureSet (or, for one file, readCapture). */
export type CaptureFilesOptions = Pick<CaptureSetOptions, 'progress' | 'onOpen' | 'onDamaged' | 'onUnreadable'>;

/**
 * Read `paths` as one capture and list the files as readCaptureSet does: one file goes through
 * readCapture (bigger reads, no merge), several through readCaptureSet's time-order merge. With
 * one file, `onOpen` is called with its header before its first frame (`packets` true) and damage rejects the read (there is no other
 * file to read on), as does an unreadable header whatever `onUnreadable` says.
 */
export async function readCaptureFiles(paths: string[], onFrame: FrameSink, opts: CaptureFilesOptions = {}): Promise<{ files: CaptureSetFile[]; leftOut: TcpscopeError[] }> {
  if (paths.length !== 1) {
    const set = await readCaptureSet(paths, onFrame, opts);
    return { files: set.files, leftOut: set.leftOut };
  }
  const path = paths[0];
  const onOpen = opts.onOpen;
  const one = await readCapture(path, onFrame, { progress: opts.progress, onHeader: onOpen === undefined ? undefined : (info) => onOpen(path, info, true) });
  return { files: [{ path, frames: one.frames, first: one.first, info: one.info }], leftOut: [] };
}

/**
 * Read the capture at `source` (a path, or `-` for standard input) and call `onFrame` for every
 * frame in file order; return `false` from it to stop. pcap and pcapng are recognised by their
 * magic numbers, gzip compression too (and inflated on the fly).
 *
 * Resolves with a summary. Rejects with a TcpscopeError (`describe()`:
 * `FILE: what is wrong (at byte offset N)`) when the file is missing or damaged, after every
 * good frame before the problem has been delivered.
 */
export async function readCapture(source: string, onFrame: FrameSink, opts: ReadOptions = {}): Promise<ReadSummary> {
  const name = opts.displayName ?? (source === '-' ? 'standard input' : source);
  const reader = new CaptureReader(openSource(source, name), name, { chunkSize: opts.chunkSize, progress: opts.progress, beforeRefill: opts.beforeRefill });
  let stopped = false;
  let first: { sec: number; nsec: number } | null = null;
  try {
    // the header (and onHeader) before the first frame, whose time stamp the summary keeps; then the plain loop
    let s: NextResult;
    try {
      s = reader.next();
      while (s !== FRAME && s !== END) { await reader.wait(); s = reader.next(); }
    } catch (e) {
      // libpcap opens a file with its header (pcapng: up to the first interface): damage in the
      // first record comes after the open, so tcpdump's "reading from file" line comes first
      if (reader.info.interfaces.length > 0) opts.onHeader?.(reader.info);
      throw e;
    }
    opts.onHeader?.(reader.info);
    if (s === FRAME) {
      first = { sec: reader.frame.tsSec, nsec: reader.frame.tsNsec };
      if (onFrame(reader.frame) === false) stopped = true;
      else stopped = await reader.run(onFrame);
    }
  } finally {
    reader.close();
  }
  return { frames: reader.frames, bytes: reader.bytes, stopped, info: reader.info, first };
}
