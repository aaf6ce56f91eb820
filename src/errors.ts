/**
 * Coded errors. Packet-level problems are data (truncated/invalid marks that print); these are
 * for things that stop a run: a file that cannot be read, options that make no sense, a filter
 * that does not parse. Each has a stable `code`; the CLI maps codes to an exit status and prints
 * `tcpscope: <message>` without a stack trace.
 */

export type ErrorCode =
  | 'ENOENT_CAPTURE' // capture file missing or unreadable
  | 'BAD_MAGIC' // not a pcap/pcapng file
  | 'BAD_HEADER' // a file or block header that makes no sense
  | 'TRUNCATED_FILE' // a record runs past the end of the file
  | 'RECORD_TOO_BIG' // a record length beyond the limit
  | 'UNKNOWN_LINKTYPE' // a link type we cannot decode
  | 'BAD_GZIP' // compressed input that does not inflate
  | 'FILTER_SYNTAX' // filter expression does not parse
  | 'FILTER_INVALID' // filter expression parses but means nothing (bad address, qualifier, link type)
  | 'FILTER_UNSUPPORTED' // filter expression uses a construct we do not support
  | 'FILTER_REJECTS_ALL' // libpcap's optimizer reduces the filter to "reject every packet"
  | 'BAD_OPTION' // command-line usage error
  | 'WRITE_FAILED' // -w file cannot be written
  | 'LIVE_UNAVAILABLE' // native libpcap module missing
  | 'LIVE_PERMISSION' // no permission to capture
  | 'LIVE_FAILED' // libpcap reported an error
  | 'POLICY' // a check policy file that is wrong
  | 'RESOURCE_LIMIT' // the system refused a resource the run needs (open files, threads)
  | 'INTERNAL';

export class TcpscopeError extends Error {
  readonly code: ErrorCode;
  /** file the problem is in, when there is one */
  readonly file: string | undefined;
  /** byte offset in that file, when known */
  readonly offset: number | undefined;
  /** exit status the CLI should use */
  readonly exitStatus: number;

  constructor(code: ErrorCode, message: string, opts: { file?: string; offset?: number; exitStatus?: number } = {}) {
    super(message);
    this.name = 'TcpscopeError';
    this.code = code;
    this.file = opts.file;
    this.offset = opts.offset;
    this.exitStatus = opts.exitStatus ?? 1;
  }

  /** The one line the CLI prints: `FILE: what is wrong (at byte offset N)` (without the `tcpscope: ` prefix). */
  describe(): string {
    let s = this.file !== undefined ? `${printableName(this.file)}: ${this.message}` : this.message;
    if (this.offset !== undefined) s += ` (at byte offset ${this.offset})`;
    return s;
  }
}

export function isTcpscopeError(e: unknown): e is TcpscopeError {
  return e instanceof TcpscopeError;
}

/**
 * A file name as the one-line error shows it: control characters (a newline in a name would
 * split the line, an escape sequence would drive the terminal) as `\xNN`; everything else,
 * non-ASCII letters included, as it is.
 */
export function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
