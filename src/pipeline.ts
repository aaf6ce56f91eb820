/**
 * The offline/live pipeline: source → filter → decode → tracker → printers/writers.
 * The CLI builds RunOptions; everything packet-shaped happens here and below.
 */
import { readCapture } from './capture/index.js';
import type { Frame } from './capture/frame.js';
import { decodePacket, Packet } from './decode/index.js';
import { TcpscopeError } from './errors.js';
import { compileFilter } from './filter/index.js';
import type { PrintOptions } from './print/options.js';
import { Output } from './print/output.js';
import { TcpdumpPrinter } from './print/tcpdump/index.js';

export interface RunOptions {
  /** -r: capture file, '-' for standard input */
  read?: string;
  /** -i: live interface */
  interface?: string;
  /** -D */
  listInterfaces: boolean;
  /** -w: output capture file */
  write?: string;
  /** -c */
  count?: number;
  /** filter expression ('' for none) */
  filter: string;
  print: PrintOptions;
  /** annotated (default), plain (tcpdump exactly), json (NDJSON records) */
  mode: 'annotated' | 'plain' | 'json';
  /** --json=packets */
  jsonPackets: boolean;
  /** end-of-run connection table */
  summary: boolean;
  color: 'auto' | 'always' | 'never';
  /** maximum segment lifetime in seconds (TIME_WAIT = 2×MSL) */
  mslSeconds: number;
  maxFlows?: number;
  lineBuffered: boolean;
  packetBuffered: boolean;
  live: {
    snaplen?: number;
    promiscuous: boolean;
    immediate: boolean;
    bufferKiB?: number;
    user?: string;
  };
  rotate: {
    sizeMB?: number;
    seconds?: number;
    files?: number;
  };
}

/** Run one tcpscope invocation; resolves to the exit status. */
export async function runPipeline(opts: RunOptions): Promise<number> {
  if (opts.listInterfaces || opts.interface !== undefined) {
    throw new TcpscopeError('LIVE_UNAVAILABLE', 'live capture is not built yet');
  }
  const filter = opts.filter !== '' ? compileFilter(opts.filter) : null;
  const out = new Output(1);
  const printer = new TcpdumpPrinter(opts.print, out);
  const pkt = new Packet();
  const limit = opts.count ?? Infinity;
  let seen = 0;
  const status = 0;
  try {
    await readCapture(opts.read as string, (frame: Frame) => {
      if (filter !== null && !filter.matches(frame)) return true;
      decodePacket(frame, pkt);
      printer.print(frame, pkt);
      if (++seen >= limit) return false;
      return true;
    });
  } finally {
    out.flush();
  }
  return status;
}
