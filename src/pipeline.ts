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
import { JsonWriter } from './print/json.js';
import { Annotator } from './print/annotate.js';
import { colorLevel, makeChalk } from './print/color.js';
import { SummaryTable } from './print/summary.js';
import { Tracker } from './track/tracker.js';

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
  // the connection tracker (not needed for tcpdump's plain output) and what shows its findings
  const json = opts.mode === 'json' ? new JsonWriter(out, opts.jsonPackets) : null;
  const chalk = makeChalk(colorLevel(opts.color, process.stdout.isTTY === true));
  const summary = opts.mode === 'annotated' && opts.summary ? new SummaryTable(chalk) : null;
  const tracker = opts.mode === 'plain' ? null : new Tracker({
    mslSeconds: opts.mslSeconds,
    maxFlows: opts.maxFlows,
    checksums: opts.print.noChecksum ? 'off' : opts.print.verbose > 0 ? 'all' : 'control',
    onFlowEnd: (flow) => {
      if (json !== null) json.flow(flow);
      else if (summary !== null) summary.add(flow);
    },
  });
  const annotator = opts.mode === 'annotated' && tracker !== null ? new Annotator(out, tracker, chalk) : null;
  try {
    await readCapture(opts.read as string, (frame: Frame) => {
      if (filter !== null && !filter.matches(frame)) return true;
      decodePacket(frame, pkt);
      const tracked = tracker !== null ? tracker.track(pkt) : null;
      if (json !== null) json.packet(frame, pkt, tracked);
      else {
        printer.print(frame, pkt);
        if (annotator !== null && tracked !== null) annotator.annotate(tracked, pkt);
      }
      if (++seen >= limit) return false;
      return true;
    });
  } finally {
    if (tracker !== null) {
      tracker.finish();
      if (json !== null) json.summary(tracker, { packets: seen });
      if (summary !== null) summary.print(out, tracker);
    }
    out.flush();
  }
  return status;
}
