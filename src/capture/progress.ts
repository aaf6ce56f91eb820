/**
 * The progress line of a long read: one line on a terminal's standard error, redrawn in place
 * (`\r` … erase to end of line) at most a few times a second, and erased when the read ends so
 * that nothing of it stays on the screen or in the scrollback.
 *
 * It is fed by the readers' progress hook (`ReadOptions.progress`, called after every chunk
 * read, a few MiB), so it costs nothing per frame; it draws nothing during the first second,
 * so that short reads never flash a line. Whether to show it at all (a terminal, a regular
 * file, no output of our own on the same terminal) is the caller's decision: see
 * `wantsProgressLine`.
 */

import { fstatSync } from 'node:fs';
import { isTerminal } from './source.js';

export interface ProgressLineOptions {
  /** where the line goes (process.stderr.write) */
  write: (text: string) => void;
  /** terminal width in columns, read at each draw (the user may resize); the line is cut to fit */
  columns?: () => number | undefined;
  /** clock in milliseconds (Date.now); a parameter so tests can drive it */
  now?: () => number;
  /** nothing is drawn until the read has lasted this long (ms) */
  startAfterMs?: number;
  /** minimum time between two draws (ms) */
  intervalMs?: number;
}

const ERASE_LINE = '\r\x1b[K';

export class ProgressLine {
  private readonly write: (text: string) => void;
  private readonly columns: () => number | undefined;
  private readonly now: () => number;
  private readonly startAfterMs: number;
  private readonly intervalMs: number;
  private readonly started: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private ended = false;

  constructor(opts: ProgressLineOptions) {
    this.write = opts.write;
    this.columns = opts.columns ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.startAfterMs = opts.startAfterMs ?? 1000;
    this.intervalMs = opts.intervalMs ?? 250;
    this.started = this.now();
  }

  /** True once a line has been drawn (and not yet erased). */
  get visible(): boolean {
    return this.drawn;
  }

  /**
   * Bytes of the input read so far, its size when known, and the packets read: redraws the line
   * when the read has lasted long enough and the last draw is old enough.
   */
  update(done: number, total: number | undefined, packets: number): void {
    if (this.ended) return;
    const t = this.now();
    const elapsed = t - this.started;
    if (elapsed < this.startAfterMs || t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    let text = formatProgress(done, total, packets, elapsed / 1000);
    const width = this.columns();
    // one column short of the width: a line that fills the last column wraps on some terminals
    if (width !== undefined && width > 1 && text.length > width - 1) text = text.slice(0, width - 1);
    this.write(ERASE_LINE + text);
    this.drawn = true;
  }

  /** The read is over (or failed, or was interrupted): erase the line if one is showing. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.drawn) this.write(ERASE_LINE);
    this.drawn = false;
  }
}

/** `tcpscope: 42% of 1,234.5 MB · 12,345,678 packets · 215.3 MB/s` */
export function formatProgress(done: number, total: number | undefined, packets: number, seconds: number): string {
  const mb = (n: number): string => (n / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const rate = seconds > 0 ? done / seconds : 0;
  let s = 'tcpscope: ';
  if (total !== undefined && total > 0) s += `${Math.min(100, Math.floor((done / total) * 100))}% of ${mb(total)} MB`;
  else s += `${mb(done)} MB`;
  s += ` · ${packets.toLocaleString('en-US')} packet${packets === 1 ? '' : 's'} · ${mb(rate)} MB/s`;
  return s;
}

/** What standard output is: a terminal, a pipe or socket (someone reads it, maybe onto the terminal), or a file (/dev/null included). */
export type StdoutKind = 'tty' | 'pipe' | 'file';

/** The kind of file descriptor `fd` is (1: standard output). */
export function stdoutKind(fd = 1): StdoutKind {
  try {
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isSocket()) return 'pipe';
    if (st.isCharacterDevice() && isTerminal(fd)) return 'tty';
    return 'file';
  } catch {
    return 'pipe'; // unknown: the cautious answer
  }
}

/**
 * Whether a read should show a progress line: standard error is a terminal, the input is made of
 * regular files (the size is known), it is not a live capture, and nothing of ours can reach the
 * same terminal meanwhile. Our standard output must then be unused during the read (`-w FILE`,
 * `--count`: what they print comes after the line is erased) or go to a file
 * (`> out.txt`, `> /dev/null`). Never with standard output on the terminal (packet lines, or
 * `-w -`) nor into a pipe: `| less`, `| grep`, `| jq` put their output on the same terminal, and
 * a line redrawn in place beneath them would be torn apart or paint over a pager's screen.
 */
export function wantsProgressLine(opts: { stderrIsTTY: boolean; stdout: StdoutKind; stdoutUsed: boolean; regularFiles: boolean }): boolean {
  return opts.stderrIsTTY && opts.regularFiles && (!opts.stdoutUsed || opts.stdout === 'file');
}

/**
 * The process's progress line on standard error for a read of `regularFiles` (true when every
 * input is a regular file), or null when wantsProgressLine says no given what standard error and
 * standard output are and whether our standard output is in use during the read.
 */
export function stderrProgressLine(regularFiles: boolean, stdoutUsed: boolean): ProgressLine | null {
  const wanted = wantsProgressLine({ stderrIsTTY: process.stderr.isTTY === true, stdout: stdoutKind(), stdoutUsed, regularFiles });
  return wanted ? new ProgressLine({ write: (s) => { process.stderr.write(s); }, columns: () => process.stderr.columns }) : null;
}
