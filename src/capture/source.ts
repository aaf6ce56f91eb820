/**
 * Where capture bytes come from: a file (read synchronously into the reader's own buffer: the
 * fastest way to move bytes from the page cache into JavaScript), standard input (a file when
 * redirected, otherwise a stream), or a gzip decompressor in front of either.
 */
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { TcpscopeError } from '../errors.js';

/** A pull source of bytes. `read` is synchronous when it can be, a Promise when it must wait. */
export interface ByteSource {
  /** Read up to `length` bytes into `buf` at `offset`; 0 means end of input. */
  read(buf: Uint8Array, offset: number, length: number): number | Promise<number>;
  /** total bytes of the underlying input when known (a file's size), for progress */
  readonly size: number | undefined;
  /** bytes taken from the underlying input so far (compressed bytes for gzip) */
  readonly position: number;
  close(): void;
}

/** A regular file (or a redirected standard input), read with readSync. */
export class FileSource implements ByteSource {
  position = 0;
  private closed = false;
  /** -1 while parked by its pool (the descriptor closed to make room for another file's) */
  private fd: number;
  /** the pool's clock at this source's last read, to find the least recently used */
  lastUse = 0;

  /**
   * A source in a `pool` (a file of a capture set) reads at explicit positions and may be parked:
   * its descriptor closed and the file reopened by `path` at its next read, checked to be the
   * same file (`identity`: device and inode) so a part replaced meanwhile is an error, not a
   * silent splice of two files.
   */
  constructor(fd: number, private readonly name: string, private readonly ownsFd = true,
    private readonly pool?: FilePool, private readonly path?: string, private readonly identity?: Stats) {
    this.fd = fd;
    pool?.opened(this);
  }

  /** the file's size now (a capture still being written grows) */
  get size(): number | undefined {
    if (this.fd < 0) return this.identity?.size;
    try { return fstatSync(this.fd).size; } catch { return undefined; }
  }

  read(buf: Uint8Array, offset: number, length: number): number {
    let n: number;
    try {
      if (this.pool === undefined) {
        n = readSync(this.fd, buf, offset, length, null);
      } else {
        if (this.fd < 0) this.reopen();
        this.lastUse = this.pool.tick();
        n = readSync(this.fd, buf, offset, length, this.position);
      }
    } catch (e) {
      throw readError(e, this.name, this.position);
    }
    this.position += n;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd >= 0) this.release();
    this.pool?.closed(this);
  }

  /** Close the descriptor but keep the place: the next read reopens the file (FilePool). */
  park(): void {
    if (this.fd >= 0 && !this.closed) this.release();
  }

  private release(): void {
    const fd = this.fd;
    this.fd = -1;
    if (this.ownsFd) {
      try { closeSync(fd); } catch { /* already gone */ }
    }
  }

  private reopen(): void {
    const pool = this.pool as FilePool;
    const fd = pool.open(this.path as string, this.name, this);
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const was = this.identity as Stats;
    if (st.ino !== was.ino || st.dev !== was.dev) {
      closeSync(fd);
      throw new TcpscopeError('ENOENT_CAPTURE', 'was replaced by another file while it was being read', { file: this.name, offset: this.position });
    }
    this.fd = fd;
    pool.opened(this);
  }
}

/**
 * The descriptors of one capture set. Files whose packets overlap in time must all be read at
 * once (the merge needs each one's next packet), and a thousand of them would exceed the usual
 * limit of open files (`ulimit -n`, often 1024 or 256). The pool keeps at most `limit` open and
 * parks the least recently read one to open another; it also parks one and retries when the
 * system says EMFILE/ENFILE below that limit. A parked file costs a reopen at its next read: a
 * merge reads each file a buffer at a time, so that is one open per buffer at worst.
 */
export class FilePool {
  private readonly live = new Set<FileSource>();
  private clock = 0;

  /** `limit`: at most this many open; by default a quarter of the soft `ulimit -n`, at most 64. */
  constructor(private limit = defaultPoolLimit()) {}

  tick(): number { return ++this.clock; }

  /** Open `path` for a pooled source, making room first (and again on EMFILE) by parking others. */
  open(path: string, name: string, forSource?: FileSource): number {
    if (this.live.size >= this.limit) this.parkOldest(forSource);
    for (;;) {
      try {
        return openSync(path, 'r');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'EMFILE' || code === 'ENFILE') && this.live.size > 1) {
          // the system ran out first: leave the rest of the process (Node's own lazy module
          // loads, the output file) a few descriptors and stay below this from now on
          this.limit = Math.max(1, this.live.size - 4);
          while (this.live.size >= this.limit && this.parkOldest(forSource));
          continue;
        }
        throw new TcpscopeError('ENOENT_CAPTURE', describeErrno(e as NodeJS.ErrnoException), { file: name });
      }
    }
  }

  opened(s: FileSource): void {
    s.lastUse = this.tick();
    this.live.add(s);
  }

  closed(s: FileSource): void {
    this.live.delete(s);
  }

  /** Open descriptors now (for tests). */
  get openCount(): number { return this.live.size; }

  private parkOldest(except?: FileSource): boolean {
    let oldest: FileSource | null = null;
    for (const s of this.live) if (s !== except && (oldest === null || s.lastUse < oldest.lastUse)) oldest = s;
    if (oldest === null) return false;
    oldest.park();
    this.live.delete(oldest);
    return true;
  }
}

/** A Node Readable (a pipe on standard input, a decompressor), pulled chunk by chunk. */
export class StreamSource implements ByteSource {
  position = 0;
  readonly size: number | undefined = undefined;
  private chunk: Uint8Array | null = null;
  private chunkPos = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(private readonly stream: Readable, private readonly name: string, private readonly onError: (e: unknown, name: string, at: number) => TcpscopeError = readError) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  }

  read(buf: Uint8Array, offset: number, length: number): number | Promise<number> {
    if (this.chunk !== null) return this.copyOut(buf, offset, length);
    if (this.done) return 0;
    return this.iterator.next().then(
      (r) => {
        if (r.done) { this.done = true; return 0; }
        this.chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        this.chunkPos = 0;
        return this.copyOut(buf, offset, length);
      },
      (e: unknown) => { throw this.onError(e, this.name, this.position); },
    );
  }

  private copyOut(buf: Uint8Array, offset: number, length: number): number {
    const c = this.chunk as Uint8Array;
    const n = Math.min(length, c.length - this.chunkPos);
    buf.set(c.subarray(this.chunkPos, this.chunkPos + n), offset);
    this.chunkPos += n;
    this.position += n;
    if (this.chunkPos >= c.length) this.chunk = null;
    return n;
  }

  close(): void {
    this.done = true;
    this.chunk = null;
    this.stream.destroy();
  }
}

/**
 * node:zlib, loaded when first needed rather than by the library's import: only a gzip capture
 * needs it (the CLI's bin/bundle.js loads it anyway, for the code cache's CRC-32).
 */
export function loadZlib(): typeof import('node:zlib') {
  return createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib');
}

/**
 * Whether descriptor `fd` is a terminal. node:tty is loaded here, when a terminal is asked about,
 * not when the module loads: it loads node:net with it (and its streams), which most runs never use.
 */
export function isTerminal(fd: number): boolean {
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}

/**
 * gzip in front of another source: `prefix` (bytes already read from `raw` while sniffing the
 * magic) and the rest of `raw` are fed through zlib; the inflated bytes come out of `read`.
 * Concatenated gzip members (what `cat a.gz b.gz` makes) inflate as one stream.
 */
export class GunzipSource implements ByteSource {
  private readonly out: StreamSource;
  private readonly gunzip = loadZlib().createGunzip({ chunkSize: 256 * 1024 });
  private fed = 0;

  constructor(prefix: Uint8Array, private readonly raw: ByteSource, name: string) {
    this.out = new StreamSource(this.gunzip, name, (e) => gzipError(e, name, this.out.position, this.fed));
    void this.pump(Buffer.from(prefix));
  }

  get size(): number | undefined { return this.raw.size; }
  /** compressed bytes fed to zlib so far */
  get position(): number { return this.fed; }

  read(buf: Uint8Array, offset: number, length: number): number | Promise<number> {
    return this.out.read(buf, offset, length);
  }

  /** Feed the compressed input to zlib, respecting its back-pressure. */
  private async pump(prefix: Buffer): Promise<void> {
    const gz = this.gunzip;
    try {
      let chunk: Buffer = prefix;
      for (;;) {
        if (chunk.length > 0) {
          this.fed += chunk.length;
          if (!gz.write(chunk)) await waitDrain(gz);
        }
        if (gz.destroyed) return;
        const next = Buffer.allocUnsafe(1 << 20);
        const r = this.raw.read(next, 0, next.length);
        const n = typeof r === 'number' ? r : await r;
        if (n === 0) break;
        chunk = next.subarray(0, n);
      }
      gz.end();
    } catch (e) {
      gz.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): void {
    this.out.close();
    this.raw.close();
  }
}

function waitDrain(s: NodeJS.WritableStream & { destroyed: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) { resolve(); return; }
    const done = (): void => { s.off('drain', done); s.off('close', done); resolve(); };
    s.on('drain', done);
    s.on('close', done);
  });
}

function gzipError(e: unknown, name: string, inflated: number, fed: number): TcpscopeError {
  if (e instanceof TcpscopeError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message ?? '')) {
    // the offset (in the compressed file) where the stream stops, in the project's usual form
    return new TcpscopeError('BAD_GZIP', `the gzip stream ends early: the compressed file is truncated; the ${inflated} bytes inflated before that were read`, { file: name, offset: fed });
  }
  const what = `the gzip data is corrupt within its first ${fed} compressed bytes (${(err.message ?? String(e)).replace(/\.$/, '')})`;
  return new TcpscopeError('BAD_GZIP', `${what}; the ${inflated} bytes inflated before that were read`, { file: name });
}

function readError(e: unknown, name: string, at: number): TcpscopeError {
  if (e instanceof TcpscopeError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EISDIR') return new TcpscopeError('ENOENT_CAPTURE', 'is a directory, not a capture file', { file: name });
  return new TcpscopeError('ENOENT_CAPTURE', `read error: ${describeErrno(err)}`, { file: name, offset: at });
}

function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, not a capture file';
    case 'EIO': return 'input/output error';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'file name too long';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    default: return (err.message ?? String(err)).replace(/^[A-Z]+: /, '');
  }
}

/**
 * A quarter of the soft limit on open files (Linux's /proc/self/limits), at most 64, at least 2;
 * 64 where the limit cannot be read. The rest stays for the process: Node loads modules lazily.
 */
function defaultPoolLimit(): number {
  let soft = 256;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
    if (m !== null) soft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch { /* not Linux */ }
  return Math.max(2, Math.min(64, Math.floor(soft / 4)));
}

/**
 * Open `path` for reading ('-' = standard input). Throws a TcpscopeError (code ENOENT_CAPTURE)
 * saying why when it cannot be opened or is not a file. With a `pool` (the files of a capture
 * set), a regular file shares the pool's cap on open descriptors.
 */
export function openSource(path: string, name: string, pool?: FilePool): ByteSource {
  if (path === '-') return openStdin(name);
  let fd: number;
  if (pool !== undefined) {
    fd = pool.open(path, name);
  } else {
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new TcpscopeError('ENOENT_CAPTURE', describeErrno(e as NodeJS.ErrnoException), { file: name });
    }
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw new TcpscopeError('ENOENT_CAPTURE', describeErrno(e as NodeJS.ErrnoException), { file: name });
  }
  if (st.isDirectory()) {
    closeSync(fd);
    throw new TcpscopeError('ENOENT_CAPTURE', 'is a directory, not a capture file (give the files in it, or use tcpscope check DIR)', { file: name });
  }
  if (st.isFile()) return pool === undefined ? new FileSource(fd, name) : new FileSource(fd, name, true, pool, path, st);
  // a FIFO, character device or socket: stream it (on the descriptor already open: reopening a
  // FIFO would lose what the writer has put in it) so a slow writer never blocks the event loop
  return new StreamSource(createReadStream('', { fd, highWaterMark: 1 << 20 }), name);
}

function openStdin(name: string): ByteSource {
  if (isTerminal(0)) {
    throw new TcpscopeError('ENOENT_CAPTURE', 'is a terminal, not a capture: pipe one in (tcpdump -w - | tcpscope -r -) or give a file with -r FILE', { file: name });
  }
  let st: Stats | undefined;
  try { st = fstatSync(0); } catch { st = undefined; }
  if (st !== undefined && st.isFile()) return new FileSource(0, name, false);
  // `< DIR` opens a directory: reading it fails with EISDIR, which a stream would show as empty
  if (st !== undefined && st.isDirectory()) throw new TcpscopeError('ENOENT_CAPTURE', 'is a directory, not a capture', { file: name });
  return new StreamSource(process.stdin, name);
}
