/**
 * Several capture files read as one capture in time order: tcpdump's rotated `-C`/`-G` output,
 * captures taken on several interfaces at once, or any list of files. A k-way merge by time
 * stamp over one pull reader per file, so a connection that spans two files reaches the tracker
 * as one stream. Frames stay views of each reader's buffer.
 *
 * Files are probed first (their first time stamp), then opened only when the merge reaches
 * that time: rotated parts, which do not overlap, are read one or two at a time, so a directory
 * of a thousand parts costs two buffers and two file descriptors, not a thousand. Files that do
 * overlap (one per interface, say) are all read at once: their buffers shrink with their number
 * (SET_BUFFER_BUDGET over all of them) and a FilePool keeps at most 64 descriptors open (fewer
 * under a low `ulimit -n`), parking the least recently read file, so any number of them stays within `ulimit -n`.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TcpscopeError } from '../errors.js';
import { sniffMagic } from './decoder.js';
import { type Frame, newFrame } from './frame.js';
import type { CaptureInfo } from './info.js';
import type { FrameSink } from './parser.js';
import { CaptureReader, END, FRAME, WAIT, type ProgressCallback } from './reader.js';
import { FilePool, loadZlib, openSource } from './source.js';

export interface CaptureSetOptions {
  /** buffer size per open file (default 1 MiB, smaller for sets of more than 64 files) */
  chunkSize?: number;
  /** bytes read so far over all files, and their total size when known */
  progress?: ProgressCallback;
  /**
   * called with each file's header information as the merge opens it; a file without packets
   * (`packets` false) has no place in time: it is announced after the merge, in list order
   */
  onOpen?: (path: string, info: CaptureInfo, packets: boolean) => void;
  /** the frames delivered so far are about to become invalid (any file's buffer is refilled) */
  beforeRefill?: () => void;
  /**
   * A file whose header was good went bad further on (a record cut short or too long): with
   * this callback, as tcpdump -V does, the file is given up at that point, `error` (naming the
   * file and the byte offset) is passed here, and the other files are read on. Without it the
   * whole read rejects with that error. A file that is not a capture at all (its header
   * unreadable) ends the list there, as tcpdump -V ends at it: the files listed before it are
   * read, then the read rejects with its error. One that cannot be opened rejects the read
   * before any frame.
   */
  onDamaged?: (error: TcpscopeError) => void;
  /**
   * A file that cannot be read as a capture at all (it cannot be opened, or its header is not a
   * capture's), found when the set is probed, before any frame: 'stop' (tcpdump -V, the printed
   * modes) reads the files listed before it, then rejects with its error, and reads none after
   * it; 'skip' (`check`) leaves it out, reads all the others and lists it in the summary's
   * `leftOut`. Without it the read rejects with its error before any frame.
   */
  onUnreadable?: 'stop' | 'skip';
}

export interface CaptureSetFile {
  path: string;
  /** frames this file contributed */
  frames: number;
  /** first time stamp (seconds, nanoseconds), or null for a file without packets */
  first: { sec: number; nsec: number } | null;
  info: CaptureInfo | null;
  /** the damage the file was given up at (only with `onDamaged`) */
  damaged?: TcpscopeError;
}

export interface CaptureSetSummary {
  /** frames delivered, over all files */
  frames: number;
  /** bytes consumed, over all files (decompressed) */
  bytes: number;
  /** the callback asked to stop */
  stopped: boolean;
  /** the files in the order their first packets came (files without packets last) */
  files: CaptureSetFile[];
  /** with onUnreadable 'skip': the files left out, in list order, each with its error */
  leftOut: TcpscopeError[];
}

interface Member {
  file: CaptureSetFile;
  /** position in time order: breaks ties so equal time stamps keep file order */
  order: number;
  reader: CaptureReader | null;
  /** current frame's time stamp */
  sec: number;
  nsec: number;
}

const PROBE_CHUNK = 64 * 1024;
/** read buffers of one set in all: 1 MiB each up to 64 files, then smaller, never under 64 KiB */
const SET_BUFFER_BUDGET = 64 * 1024 * 1024;

/** The read buffer for each file of a set of `n`: 64 overlapping parts of 1 GB must not take 64 GB. */
function setChunkSize(n: number): number {
  return Math.max(PROBE_CHUNK, Math.min(1024 * 1024, Math.floor(SET_BUFFER_BUDGET / Math.max(n, 1))));
}

/**
 * Read `paths` as one capture, calling `onFrame` for every frame in time-stamp order (frames
 * within one file keep their file order). `frame.number` counts over the whole set;
 * `frame.fileOffset` and `frame.ifIndex` refer to the frame's own file. `-` (standard input)
 * may be one of the paths. Rejects with a TcpscopeError naming the file when any file goes
 * bad, after every frame before that point in time has been delivered.
 */
export async function readCaptureSet(paths: string[], onFrame: FrameSink, opts: CaptureSetOptions = {}): Promise<CaptureSetSummary> {
  const chunkSize = opts.chunkSize ?? setChunkSize(paths.length);
  const pool = new FilePool();
  const members: Member[] = [];
  let totalSize: number | undefined = 0;
  let doneBefore = 0; // input bytes of the files already finished
  const progress = opts.progress;
  const report = progress === undefined ? undefined : (): void => {
    let done = doneBefore;
    for (const m of members) if (m.reader !== null) done += m.reader.position;
    progress(done, totalSize);
  };

  // onUnreadable 'stop' (tcpdump -V's reading): the first file of the list whose header cannot be read
  let unreadable: unknown = null;
  const leftOut: TcpscopeError[] = [];
  try {
    // probe: the first time stamp of each file (standard input stays open: it cannot be reread).
    // A file that is not a capture at all fails here, before any frame is delivered (see
    // onUnreadable: as tcpdump -V fails at such a file after printing those listed before it,
    // 'stop' reads the files before it and rejects after them; 'skip' leaves it out)
    for (const path of paths) {
      const name = path === '-' ? 'standard input' : path;
      const keep = path === '-';
      let source: ReturnType<typeof openSource>;
      try {
        source = openSource(path, name, pool);
      } catch (e) {
        if (opts.onUnreadable === 'skip' && e instanceof TcpscopeError) { leftOut.push(e); continue; }
        throw e;
      }
      const reader = new CaptureReader(source, name, { chunkSize: keep ? chunkSize : PROBE_CHUNK, progress: keep ? report : undefined, beforeRefill: opts.beforeRefill });
      const size = reader.size;
      if (totalSize !== undefined) totalSize = size === undefined ? undefined : totalSize + size;
      const file: CaptureSetFile = { path, frames: 0, first: null, info: null };
      try {
        const s = await advance(reader);
        file.info = reader.info;
        if (s === FRAME) file.first = { sec: reader.frame.tsSec, nsec: reader.frame.tsNsec };
      } catch (e) {
        if (!isDamage(e) || reader.info.interfaces.length === 0) {
          // not a capture at all (its header unreadable)
          if (keep) reader.close();
          if (opts.onUnreadable === 'skip' && e instanceof TcpscopeError) { leftOut.push(e); continue; }
          if (opts.onUnreadable !== 'stop') throw e;
          unreadable = e;
          break;
        }
        // damaged before its first packet, after a good header: a file without packets whose
        // damage is reported where empty files are announced
        if (opts.onDamaged === undefined) throw e;
        file.info = reader.info;
        file.damaged = e;
      } finally {
        if (!keep) reader.close();
      }
      members.push({ file, order: 0, reader: keep && file.first !== null ? reader : null, sec: file.first?.sec ?? Infinity, nsec: file.first?.nsec ?? 0 });
      if (keep && file.first === null) reader.close();
    }
    members.sort((a, b) => (a.sec - b.sec) || (a.nsec - b.nsec));
    members.forEach((m, i) => { m.order = i; });
    const files = members.map((m) => m.file);
    const pending = members.filter((m) => m.file.first !== null);

    const heap: Member[] = [];
    const merged = newFrame();
    let frames = 0;
    let bytes = 0;
    let p = 0;
    let stopped = false;
    const finish = (m: Member): void => {
      const r = m.reader as CaptureReader;
      bytes += r.bytes;
      doneBefore += r.position;
      r.close();
      m.reader = null;
    };
    for (;;) {
      // open every file whose first packet is due no later than the earliest open one
      while (p < pending.length && (heap.length === 0 || !before(heap[0], pending[p]))) {
        const m = pending[p++];
        if (m.reader === null) {
          m.reader = new CaptureReader(openSource(m.file.path, m.file.path, pool), m.file.path, { chunkSize, progress: report, beforeRefill: opts.beforeRefill });
          if ((await advance(m.reader)) !== FRAME) { finish(m); continue; } // emptied since the probe
        }
        opts.onOpen?.(m.file.path, m.reader.info, true);
        m.sec = m.reader.frame.tsSec;
        m.nsec = m.reader.frame.tsNsec;
        heapPush(heap, m);
      }
      if (heap.length === 0) break;
      const top = heap[0];
      const reader = top.reader as CaptureReader;
      copyFrame(reader.frame, merged);
      merged.number = ++frames;
      top.file.frames++;
      if (onFrame(merged) === false) { stopped = true; break; }
      // synchronous for files: an await only when a stream has nothing ready
      let s: typeof FRAME | typeof END | typeof WAIT;
      try {
        s = reader.next();
        if (s === WAIT) s = await advance(reader);
      } catch (e) {
        if (opts.onDamaged === undefined || !isDamage(e)) throw e;
        // tcpdump -V: this file ends here, the others go on
        top.file.damaged = e;
        s = END;
        opts.onDamaged(e);
      }
      if (s === FRAME) {
        top.sec = reader.frame.tsSec;
        top.nsec = reader.frame.tsNsec;
        heapSiftDown(heap, 0);
      } else {
        finish(top);
        heapPop(heap);
      }
    }
    for (const m of members) if (m.reader !== null) finish(m);
    // tcpdump -V opens (and announces) a file that has a header but no packets too
    if (!stopped) {
      for (const m of members) {
        if (m.file.first !== null || m.file.info === null) continue;
        opts.onOpen?.(m.file.path, m.file.info, false);
        if (m.file.damaged !== undefined) opts.onDamaged?.(m.file.damaged);
      }
    }
    if (unreadable !== null && !stopped) throw unreadable;
    return { frames, bytes, stopped, files, leftOut };
  } finally {
    for (const m of members) m.reader?.close();
  }
}

/** A file's records went bad after its header (what tcpdump -V reads past), not an I/O failure. */
function isDamage(e: unknown): e is TcpscopeError {
  return e instanceof TcpscopeError && (e.code === 'TRUNCATED_FILE' || e.code === 'RECORD_TOO_BIG' || e.code === 'BAD_HEADER' || e.code === 'BAD_GZIP');
}

/** next() until a frame or the end, waiting on streams. */
async function advance(reader: CaptureReader): Promise<typeof FRAME | typeof END> {
  for (;;) {
    const s = reader.next();
    if (s !== WAIT) return s;
    await reader.wait();
  }
}

function copyFrame(from: Frame, to: Frame): void {
  to.data = from.data;
  to.offset = from.offset;
  to.caplen = from.caplen;
  to.wirelen = from.wirelen;
  to.tsSec = from.tsSec;
  to.tsNsec = from.tsNsec;
  to.linktype = from.linktype;
  to.ifIndex = from.ifIndex;
  to.fileOffset = from.fileOffset;
}

/** a's current frame comes strictly before b's */
function before(a: Member, b: Member): boolean {
  return a.sec < b.sec || (a.sec === b.sec && (a.nsec < b.nsec || (a.nsec === b.nsec && a.order < b.order)));
}

function heapPush(h: Member[], m: Member): void {
  h.push(m);
  let i = h.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(h[i], h[parent])) break;
    [h[i], h[parent]] = [h[parent], h[i]];
    i = parent;
  }
}

function heapPop(h: Member[]): void {
  const last = h.pop() as Member;
  if (h.length === 0) return;
  h[0] = last;
  heapSiftDown(h, 0);
}

function heapSiftDown(h: Member[], i: number): void {
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    const r = l + 1;
    const c = r < n && before(h[r], h[l]) ? r : l;
    if (!before(h[c], h[i])) return;
    [h[i], h[c]] = [h[c], h[i]];
    i = c;
  }
}

export interface CaptureDirListing {
  /** capture files (pcap, pcapng, or gzip of either), in natural name order (part2 before part10) */
  captures: string[];
  /** other files, skipped */
  skipped: string[];
}

// made on first use: building an Intl.Collator costs ~6 ms, paid by every start-up when made at load
let naturalOrder: Intl.Collator | null = null;

/**
 * A name that says "capture file": such a file in a directory is read whatever its bytes, so a
 * damaged or empty one is the usual one-line error and status (a CI run must not pass because a
 * capture it was given could not be read), never skipped.
 */
const CAPTURE_NAME = /\.(?:pcap|pcapng|cap)(?:\.gz)?$/i;

/**
 * The captures in a directory: every regular file (not hidden, not in subdirectories) named as a
 * capture (CAPTURE_NAME), or otherwise whose first bytes are a pcap or pcapng header,
 * gzip-compressed or not, in natural name order.
 * readCaptureSet puts their packets in time order, so rotated parts merge into one capture
 * whatever their names.
 */
export function listCaptureDir(dir: string): CaptureDirListing {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TcpscopeError('ENOENT_CAPTURE', code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message, { file: dir });
  }
  naturalOrder ??= new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
  names.sort(naturalOrder.compare);
  const captures: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    let isFile = false;
    try { isFile = statSync(path).isFile(); } catch { isFile = false; }
    if (!isFile) continue;
    (CAPTURE_NAME.test(name) || looksLikeCapture(path) ? captures : skipped).push(path);
  }
  return { captures, skipped };
}

/**
 * Expand command-line capture arguments: a directory becomes the captures in it (an error when
 * it has none), anything else stays as given.
 */
export function expandCapturePaths(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let dir = false;
    if (a !== '-') {
      try { dir = statSync(a).isDirectory(); } catch { dir = false; }
    }
    if (!dir) { out.push(a); continue; }
    const { captures, skipped } = listCaptureDir(a);
    if (captures.length === 0) {
      throw new TcpscopeError('ENOENT_CAPTURE', `no capture files in this directory${skipped.length ? ` (${skipped.length} other file${skipped.length === 1 ? '' : 's'} skipped)` : ''}`, { file: a });
    }
    out.push(...captures);
  }
  return out;
}

/** pcap/pcapng by magic; for gzip, the magic of what the first bytes inflate to. */
function looksLikeCapture(path: string): boolean {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return false; }
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const kind = sniffMagic(head, 0, n);
    if (kind === 'pcap' || kind === 'pcapng') return true;
    if (kind !== 'gzip') return false;
    try {
      const zlib = loadZlib();
      const inner = zlib.gunzipSync(head.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      const k = sniffMagic(inner, 0, inner.length);
      return k === 'pcap' || k === 'pcapng';
    } catch {
      return false;
    }
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
