/**
 * The offline/live pipeline: source → filter → decode → tracker → printers/writers.
 * The CLI builds RunOptions; everything packet-shaped happens here and below.
 */
import { type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expandCapturePaths, readCapture, readCaptureFiles, readCaptureSet, type CaptureSetFile, type FrameSink } from './capture/index.js';
import { type CaptureInfo, libpcapSignedSeconds } from './capture/info.js';
import { handleStopSignals } from './capture/live-signals.js';
import { type ProgressLine, stderrProgressLine } from './capture/progress.js';
import type { CaptureFileWriter } from './capture/writer-rotate.js';
import type { PcapFileHeader } from './capture/writer.js';
import type { Frame } from './capture/frame.js';
import { FrameWindow } from './capture/frame-window.js';
import { decodePacket, LinkTypeGuard, Packet } from './decode/index.js';
import { TcpscopeError } from './errors.js';
import type { PrintOptions } from './print/options.js';
import { Output } from './print/output.js';
import { type ChecksumPolicy, EndReason, type Tracker } from './track/tracker.js';
import type { FlowView } from './track/flow.js';
import type { PacketResult } from './track/result.js';

export interface RunOptions {
  /** -r: capture file, '-' for standard input */
  read?: string;
  /** every -r operand (several files, or a directory: read as one capture in time order) */
  reads?: string[];
  /** -i: live interface */
  interface?: string;
  /** -D */
  listInterfaces: boolean;
  /** -w: output capture file */
  write?: string;
  /** --count: print only the number of packets that matched (tcpdump's --count) */
  countOnly?: boolean;
  /** --print: with -w, print the packets as well (tcpdump's --print) */
  printWhileWriting?: boolean;
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
  /**
   * progress line on standard error during a long read of files (default true: shown when
   * stderr is a terminal and our stdout is unused or a file; see wantsProgressLine)
   */
  progress?: boolean;
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
  // Each part is loaded only when this run uses it (the tcpdump printer, the filter compiler,
  // live capture, the writers, the annotations and colours): module loading is most of the
  // start-up time, which is most of a short capture's run.
  const liveMod = opts.listInterfaces || opts.interface !== undefined || opts.live.user !== undefined ? await import('./capture/live.js') : null;
  if (opts.listInterfaces) {
    const list = new Output(1);
    list.write(liveMod!.listInterfaces());
    list.flush();
    return 0;
  }
  checkWriteOptions(opts);
  // live: the filter goes to libpcap as it stands (compiled to BPF, run in the kernel)
  const live = opts.interface !== undefined ? liveMod!.LiveCapture.open({
    interface: opts.interface,
    filter: opts.filter,
    snaplen: opts.live.snaplen,
    promiscuous: opts.live.promiscuous,
    immediate: opts.live.immediate,
    bufferKiB: opts.live.bufferKiB,
  }) : null;
  let filter: Awaited<ReturnType<typeof import('./filter/index.js')['compileFilter']>> | null = null;
  try {
    filter = live === null && opts.filter !== '' ? (await import('./filter/index.js')).compileFilter(opts.filter) : null;
  } catch (e) {
    // tcpdump says what it reads (or that the file is damaged) before it compiles the filter
    const one = opts.reads === undefined || opts.reads.length === 1 ? opts.read : undefined;
    if (opts.mode !== 'json' && one !== undefined && !isDirectory(one)) await (await import('./capture/link-names.js')).announceBeforeFilterError(one);
    throw e;
  }
  // -w: packets go to the file and are not printed (tcpdump), unless --print
  // --count: nothing printed per packet, only how many matched (tcpdump's --count)
  const printing = (opts.write === undefined || opts.printWhileWriting === true) && opts.countOnly !== true;
  let writer: CaptureFileWriter | null = null;
  const writerMod = opts.write !== undefined ? await import('./capture/writer-rotate.js') : null;
  // -Z USER, or as root on a live capture tcpdump's own user (see defaultDropUser)
  const dropTo = opts.live.user ?? (live !== null ? liveMod!.defaultDropUser() : undefined);
  const openWriter = (header: PcapFileHeader): void => {
    // give up root once the input is open, as tcpdump: before creating -C/-G files (the user
    // creates them), after creating a single -w file, which is handed to the user
    const rotating = opts.rotate.sizeMB !== undefined || opts.rotate.seconds !== undefined;
    const handOver = dropTo !== undefined && opts.write !== undefined && opts.write !== '-' && !rotating;
    if (dropTo !== undefined && !handOver) liveMod!.dropPrivileges(dropTo);
    if (writerMod === null || opts.write === undefined) return;
    writer = new writerMod.CaptureFileWriter({
      path: opts.write,
      header,
      sizeLimit: opts.rotate.sizeMB !== undefined ? Math.round(opts.rotate.sizeMB * 1_000_000) : undefined,
      rotateSeconds: opts.rotate.seconds,
      fileCount: opts.rotate.files,
      packetBuffered: opts.packetBuffered,
      clock: live !== null ? 'wall' : 'packet',
    });
    if (handOver) {
      liveMod!.handOverFile((writer as CaptureFileWriter).currentName ?? opts.write, dropTo);
      liveMod!.dropPrivileges(dropTo);
    }
  };
  let fileLimitReached = false;
  // default annotated output from files goes in windows of frames (below); -l (each packet at
  // once) and live capture keep the per-frame path. The window's annotations wait in the
  // output's side room, so both are decided here, once.
  const windowed = opts.mode === 'annotated' && printing && opts.interface === undefined && !opts.lineBuffered;
  const out = new Output(1, undefined, windowed ? SIDE_ROOM : 0);
  // tcpdump's relative-sequence numbers are per-connection state: the table lives in src/track
  const printer = opts.mode !== 'json' && printing ? new (await import('./print/tcpdump/index.js')).TcpdumpPrinter(opts.print, out, {
    seqTable: new (await import('./track/tcpdump-seq.js')).TcpdumpSeqTable(),
    sourceName: opts.read === '-' ? 'standard input' : opts.read,
  }) : null;
  const pkt = new Packet();
  const limit = opts.count ?? Infinity;
  let seen = 0;
  // frames read and handled, matching the filter or not: the end-of-run summary (table or JSON
  // record) is written after an error only when some frame was handled before it, so a file that
  // is not a capture (or whose first packet cannot be decoded) prints nothing on standard
  // output, as tcpdump. Counted after onFrame returns: a frame whose handling threw is not one.
  let framesRead = 0;
  let readFailed = false;
  let progressLine: ProgressLine | null = null;
  let idleFlush: ReturnType<typeof setInterval> | null = null;
  const lineBuffered = opts.lineBuffered;
  let status = 0;
  // the connection tracker (not needed for tcpdump's plain output) and what shows its findings
  // (with -w and no --print nothing is decoded: the packets only go to the file, as tcpdump)
  const json = opts.mode === 'json' && printing ? new (await import('./print/json.js')).JsonWriter(out, opts.jsonPackets) : null;
  const annotated = opts.mode === 'annotated' && printing;
  // chalk is loaded only to colour: without colour (pipes, files) NO_PAINT stands in for it
  const paint = annotated ? await import('./print/paint.js') : null;
  const chalk = paint === null ? null : await paint.painterFor(paint.colorLevel(opts.color, process.stdout.isTTY === true));
  const summary = annotated && opts.summary ? new (await import('./print/summary.js')).SummaryTable(chalk!) : null;
  // (loaded only when used: --plain never needs the tracker's modules)
  const tracker = opts.mode === 'plain' || !printing ? null : new (await import('./track/tracker.js')).Tracker({
    mslSeconds: opts.mslSeconds,
    maxFlows: opts.maxFlows,
    checksums: opts.print.noChecksum ? 'off' : opts.print.verbose > 0 ? 'all' : 'control',
    onFlowEnd: (flow) => {
      if (json !== null) json.flow(flow);
      else if (summary !== null) summary.add(flow);
    },
  });
  // a cold run: give V8 feedback on every branch of the tracking path before the real input
  if (tracker !== null) (await import('./track/warmup.js')).warmUpFor(opts.reads ?? [opts.read ?? '-'], live !== null);
  const annotateMod = annotated && tracker !== null ? await import('./print/annotate.js') : null;
  const annotator = annotateMod !== null ? new annotateMod.Annotator(out, tracker!, chalk!) : null;
  let stopRequested = false;
  // --json is connection records: a link type the decoders do not know is an error, not silence
  const linkGuard = json !== null ? new LinkTypeGuard(opts.read === '-' ? 'standard input' : opts.read) : null;
  /**
   * What every frame meets first, on either path: a stop asked for, the filter, the -w file.
   * ADMITTED, or what the frame callback returns at once (SKIPPED: read on; STOPPED: stop).
   */
  const admit = (frame: Frame): number => {
    if (stopRequested) return STOPPED;
    if (filter !== null && !filter.matches(frame)) return SKIPPED;
    if (writer !== null && !writer.write(frame)) { fileLimitReached = true; return STOPPED; }
    return ADMITTED;
  };
  const onFrame = (frame: Frame): boolean => {
      const admitted = admit(frame);
      if (admitted !== ADMITTED) return admitted === SKIPPED;
      if (!printing) return ++seen < limit;
      // the decoded view feeds the tracker (and the JSON writer); the tcpdump printer reads the
      // frame's bytes itself, so --plain decodes nothing
      if (tracker !== null) {
        if (linkGuard !== null) linkGuard.check(frame);
        decodePacket(frame, pkt);
      }
      const tracked = tracker !== null ? tracker.track(pkt) : null;
      if (json !== null) json.packet(frame, pkt, tracked);
      else if (printer !== null) {
        printer.print(frame);
        if (annotator !== null && tracked !== null) annotator.annotate(tracked, pkt);
      }
      // -l: each packet's lines out at once (tcpdump's line-buffered stdout), for `| grep`
      if (lineBuffered) out.flush();
      if (++seen >= limit) return false;
      return true;
  };
  // Annotated output from files works in windows of frames: pass 1 decodes, tracks and
  // annotates up to WINDOW frames (each annotation into the output's side room), pass 2 prints
  // their tcpdump lines, each followed by its annotation. Each stage's code then stays in the
  // L1 instruction cache for many packets instead of being evicted by the others every packet
  // (README, "Annotated output: a window of frames"). Frames are views of the reader's chunk:
  // the window is printed before any reader refills (beforeRefill), when a stream waits for
  // input, and when the read ends however it ends. -l (each packet at once) and live capture
  // keep the per-frame path.
  const win = windowed && annotator !== null && printer !== null ? new FrameWindow(WINDOW) : null;
  const side = win !== null ? out.side : null;
  // the last link type the printer was found to print (checked again when it changes)
  let printableLinktype = -1;
  // a window is printed early when its annotations leave less than one line's room
  const sideFull = SIDE_ROOM - (annotateMod !== null ? annotateMod.LINE_ROOM : 0);
  const onFrameWindowed = (frame: Frame): boolean => {
    const admitted = admit(frame);
    if (admitted !== ADMITTED) return admitted === SKIPPED;
    if (frame.linktype !== printableLinktype) {
      if (!printer!.printsLinkType(frame.linktype)) {
        // the printer stops the run at this frame (or prints its bad header): the per-frame
        // path, after the window, so the tracker never sees the frames behind it
        printWindow();
        decodePacket(frame, pkt);
        const r = tracker!.track(pkt);
        printer!.print(frame);
        annotator!.annotate(r, pkt);
        return ++seen < limit;
      }
      printableLinktype = frame.linktype;
    }
    decodePacket(frame, pkt);
    const tracked = tracker!.track(pkt);
    const w = win!;
    const at = w.count;
    w.keep(at, frame);
    w.sideLen = w.ends[at] = annotator!.annotateAt(side!, w.sideLen, tracked, pkt);
    w.count = at + 1;
    if (at + 1 === WINDOW || w.sideLen > sideFull) printWindow();
    return ++seen < limit;
  };
  /** pass 2: the window's lines, each with its annotation (frames before an error included) */
  const printWindow = (): void => {
    const w = win;
    if (w === null) return;
    const n = w.count;
    // emptied first: a printer failure cannot print a frame twice
    w.count = 0;
    w.sideLen = 0;
    const frame = w.frame;
    let start = 0;
    for (let i = 0; i < n; i++) {
      w.restore(i);
      printer!.print(frame);
      const end = w.ends[i];
      if (end !== start) { out.putSide(start, end); start = end; }
    }
    w.release(n);
  };
  // (one path per run: the call below always meets the same function)
  const handleFrame = win !== null ? onFrameWindowed : onFrame;
  const countedFrame = (frame: Frame): boolean => {
    const more = handleFrame(frame);
    framesRead++;
    return more;
  };
  // a live capture: -Z and -w now, before anything is captured (a failure here is not a run: no counters)
  if (live !== null) openWriter({ linktype: live.linktype, snaplen: live.snaplen, nano: opts.print.nano });
  // SIGINT/SIGTERM stop the run cleanly; SIGUSR1 prints a live capture's counters
  const signals = handleStopSignals(() => {
    if (live !== null) live.stop();
    else stopRequested = true;
  }, live !== null ? () => { process.stderr.write(liveMod!.formatStats(live.stats(), false)); } : undefined);
  try {
    if (live !== null) {
      process.stderr.write(listeningBanner(opts, printing, liveMod!.listeningLine(live.device, live.linktype, live.snaplen)));
      let lastWriterFlush = Date.now();
      await live.run(onFrame, () => {
        // show live lines as they come; push the -w file out at least once a second
        out.flush();
        if (writer !== null && Date.now() - lastWriterFlush >= 1000) { writer.flush(); lastWriterFlush = Date.now(); }
      });
    } else {
      // several files (or a directory of them): one capture, merged in time order
      const set = opts.reads !== undefined && (opts.reads.length > 1 || isDirectory(opts.reads[0])) ? expandCapturePaths(opts.reads) : null;
      let headerSeen = false;
      /** the first file of a set that had no packets: the written file's header if none has */
      let firstEmpty: CaptureInfo | null = null;
      const regularFiles = (set ?? [opts.read as string]).every(isRegularFile);
      progressLine = opts.progress !== false ? stderrProgressLine(regularFiles, printing || opts.write === '-') : null;
      // a pipe (`tcpdump -U -w - | tcpscope -r -`) can pause for as long as the capture is
      // quiet: what was printed must not wait in the buffer meanwhile. The timer only runs
      // while the read waits for input (the frame loop does not yield otherwise), so it costs
      // nothing on a busy stream.
      if (!regularFiles) {
        idleFlush = setInterval(() => {
          out.flush();
          if (writer !== null) (writer as CaptureFileWriter).flush();
        }, 100);
        idleFlush.unref();
      }
      // tcpdump's "reading from file F, link-type …" on stderr, in the modes that speak tcpdump
      const readingLines = opts.mode !== 'json' ? await import('./capture/link-names.js') : null;
      // a capture opens: tcpdump's reading line, then the filter compiled for its link type, as
      // tcpdump compiles it there (before a packet is read or a -w file is created)
      const opened = (path: string, info: CaptureInfo): number | undefined => {
        if (readingLines !== null) process.stderr.write(readingLines.readingFromFileLine(path, info));
        return filterOpens(filter, info);
      };
      const line = progressLine;
      const progress = line === null ? undefined : (done: number, total: number | undefined): void => line.update(done, total, framesRead);
      const beforeRefill = win !== null ? printWindow : undefined;
      // the read buffer's size, for tests of what crosses chunk boundaries (default 1 MiB)
      // (an environment variable for the tests; a value that is not a whole number of bytes
      // from 1 to 1 GiB is ignored)
      const chunkSizeAsked = Number(process.env.TCPSCOPE_CHUNK_SIZE ?? NaN);
      const chunkSize = Number.isInteger(chunkSizeAsked) && chunkSizeAsked >= 1 && chunkSizeAsked <= 2 ** 30 ? chunkSizeAsked : undefined;
      const reading = set !== null
        ? readCaptureSet(set, countedFrame, {
          progress,
          beforeRefill,
          chunkSize,
          onUnreadable: 'stop',
          onDamaged: (e: TcpscopeError) => {
            // tcpdump -V gives a damaged file up where it goes bad, says so and reads the next:
            // its exit status is its last file's (1 only when the list's last file is damaged);
            // --json, read by programs, says 1 whenever any file was damaged
            printWindow();
            out.flush();
            process.stderr.write(`tcpscope: ${e.describe()}\n`);
            if (opts.mode === 'json' || e.file === set[set.length - 1]) status = 1;
          },
          onOpen: (path: string, info: CaptureInfo, packets: boolean) => {
            // tcpdump -V's line for each file as it opens it; here as each file joins the merge
            const lt = opened(path, info);
            if (!packets) {
              // the written file's header comes from a file with packets, if any has
              if (firstEmpty === null) firstEmpty = info;
              return;
            }
            // tcpdump -V -w refuses a file whose link type is not the first one's when it opens
            // it ("new dlt does not match original"): the -w file is a classic pcap, one link type
            if (headerSeen && writer !== null && lt !== undefined && lt !== (writer as CaptureFileWriter).linktype) {
              const name = (t: number): string => readingLines?.describeLinktype(t) ?? `link-type ${t}`;
              throw new TcpscopeError('WRITE_FAILED', `${name(lt)} is not the first file's ${name((writer as CaptureFileWriter).linktype)}, which the -w file holds (a pcap file has one link type)`, { file: path });
            }
            if (!headerSeen) {
              // the first file's reading of the seconds, as one -r of it would (a set whose files
              // differ in byte order and pass 2^31 seconds has no one libpcap reading)
              if (printer !== null) printer.setSignedSeconds(libpcapSignedSeconds(info));
              openWriter(fileHeaderFor(info, opts.print.nano));
            }
            headerSeen = true;
          },
        })
        : readCapture(opts.read as string, countedFrame, {
          progress,
          beforeRefill,
          chunkSize,
          onHeader: (info: CaptureInfo) => {
            // (a refused filter leaves an existing -w file as it was)
            opened(opts.read as string, info);
            // libpcap reads a classic pcap's seconds as signed unless it swaps them (-ttt deltas)
            if (printer !== null) printer.setSignedSeconds(libpcapSignedSeconds(info));
            openWriter(fileHeaderFor(info, opts.print.nano));
          },
        });
      // a signal ends the run even while a read is pending (standard input); the read is
      // abandoned then, and whatever it says later is of no interest
      reading.catch(() => {});
      await Promise.race([reading, signals.stopped]);
      printWindow();
      // no file of the set had a packet: -w still writes a file (the header alone), as tcpdump
      // and one -r of an empty file do
      if (!headerSeen && firstEmpty !== null) openWriter(fileHeaderFor(firstEmpty, opts.print.nano));
    }
    if (fileLimitReached) process.stderr.write(`Maximum file limit reached: ${opts.rotate.files}\n`);
    // tcpdump ends an interrupted run with a newline on stdout, in case a line was cut short:
    // whenever it has no -w file (with --count too; not with -w --print). The annotated
    // summary table opens with its own blank line: one is enough.
    if (signals.signal !== null && opts.write === undefined && opts.mode !== 'json' && summary === null) out.write('\n');
  } catch (e) {
    readFailed = true;
    throw e;
  } finally {
    // every frame handled before an error (or a stop) is printed before what ends the run
    printWindow();
    // the progress line goes before anything else is written: the summary, counters or error
    if (progressLine !== null) (progressLine as ProgressLine).end();
    if (idleFlush !== null) clearInterval(idleFlush);
    signals.dispose();
    if (writer !== null) (writer as CaptureFileWriter).close();
    if (tracker !== null) {
      // connections still open when -c N stopped the run are cut short by the user, not the capture
      tracker.finish(seen >= limit ? EndReason.LIMIT : EndReason.END);
      if (!readFailed || framesRead > 0) {
        if (json !== null) json.summary(tracker, { packets: seen });
        // on a terminal the table is narrowed to its width; in a pipe or a file it is whole
        if (summary !== null) summary.print(out, tracker, process.stdout.isTTY === true ? process.stdout.columns : undefined, seen >= limit ? seen : undefined);
      }
    }
    if (opts.countOnly === true && (!readFailed || framesRead > 0)) out.write(`${seen} packet${seen === 1 ? '' : 's'}\n`);
    out.flush();
    // a printer bug never stops a run: the lines it cut short are reported once, here
    if (printer !== null) printer.reportPrinterErrors();
    // tcpdump's three counters, after everything else, on stderr
    if (live !== null) process.stderr.write(liveMod!.formatStats(live.stats(), true));
  }
  return status;
}

/** admit()'s answers */
const ADMITTED = 0;
const SKIPPED = 1;
const STOPPED = 2;
/**
 * Frames tracked before their lines are printed (annotated output; see onFrameWindowed). 256 by
 * measurement (cachegrind, I1/D1 32 KiB 8-way, annotated `-n -r`, instructions / I1 misses / D1
 * misses): LONG's first 150k packets, W = 16: 2,869 / 13.8 / 16.6 M, 32: 2,867 / 12.9 / 16.8 M,
 * 64: 2,966 / 12.5 / 17.1 M, 128: 2,881 / 11.9 / 16.5 M, 256: 2,871 / 11.6 / 16.2 M; MANY, 16:
 * 4,926 / 91.2 / 31.8 M, 32: 4,929 / 86.6 / 30.8 M, 64: 4,921 / 87.2 / 29.2 M, 128: 4,933 /
 * 85.3 / 28.9 M, 256: 4,950 / 83.9 / 28.4 M. CPU (medians of 7 alternated, load 10-13, ±10 %),
 * 64 / 128 / 256: MANY 1.10 / 1.02 / 1.04 s, LONG 1.94 / 1.90 / 1.85 s. 256 windows of ~100-byte
 * annotations fit the side room (SIDE_ROOM); a fuller window is printed early.
 */
const WINDOW = 256;
/** Bytes of annotations a window may hold: it is printed early when less than a line's room is left. */
const SIDE_ROOM = 64 * 1024;

/**
 * A capture opens: the filter is compiled for its link type, as tcpdump compiles it there, so
 * one that rejects every packet of that link type is refused before any packet is read (and for
 * a capture without packets too). Returns the link type.
 */
export function filterOpens(filter: { checkLinktype(linktype: number): void } | null, info: CaptureInfo): number | undefined {
  const lt = info.interfaces[0]?.linktype;
  if (filter !== null && lt !== undefined) filter.checkLinktype(lt);
  return lt;
}

/** How a tracking run (trackCaptures, check's shards) reads its captures. */
export interface TrackedReadOptions {
  captures: string[];
  progress?: (done: number, total: number | undefined, frames: number) => void;
  onDamaged?: (error: TcpscopeError) => void;
  onUnreadable?: 'stop' | 'skip';
}

/**
 * readCaptureFiles as a tracking run uses it, on one thread or reading for shards: the filter
 * checked for each capture's link type as it opens (filterOpens); the progress line given the
 * frames read so far (`frames()`).
 */
export function readTrackedCaptures(opts: TrackedReadOptions, filter: Parameters<typeof filterOpens>[0], onFrame: FrameSink,
  frames: () => number): Promise<{ files: CaptureSetFile[]; leftOut: TcpscopeError[] }> {
  const progress = opts.progress;
  return readCaptureFiles(opts.captures, onFrame, {
    progress: progress === undefined ? undefined : (done, total) => progress(done, total, frames()),
    onOpen: (_path, info) => { filterOpens(filter, info); },
    onDamaged: opts.onDamaged,
    onUnreadable: opts.onUnreadable,
  });
}

/** Whether `path` names a regular file (not standard input, a FIFO, a directory or nothing). */
export function isRegularFile(path: string): boolean {
  if (path === '-') return false;
  try { return statSync(path).isFile(); } catch { return false; }
}

function isDirectory(path: string): boolean {
  if (path === '-') return false;
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** -C/-G/-W only make sense with -w FILE; --print only with -w to a file. */
function checkWriteOptions(opts: RunOptions): void {
  const r = opts.rotate;
  if (opts.write === undefined) {
    if (r.sizeMB !== undefined) throw new TcpscopeError('BAD_OPTION', '-C rotates the -w file: give -w FILE too');
    if (r.seconds !== undefined) throw new TcpscopeError('BAD_OPTION', '-G rotates the -w file: give -w FILE too');
    if (r.files !== undefined) throw new TcpscopeError('BAD_OPTION', '-W limits -C/-G rotation: give -w FILE and -C or -G too');
    if (opts.printWhileWriting) throw new TcpscopeError('BAD_OPTION', '--print prints packets that -w writes: give -w FILE too');
    return;
  }
  if (r.sizeMB !== undefined && !(r.sizeMB > 0)) throw new TcpscopeError('BAD_OPTION', `invalid file size ${r.sizeMB}`);
  if (r.files !== undefined && r.sizeMB === undefined && r.seconds === undefined) {
    throw new TcpscopeError('BAD_OPTION', '-W limits -C/-G rotation: give -C or -G too');
  }
  if (opts.write === '-' && opts.printWhileWriting) throw new TcpscopeError('BAD_OPTION', '--print and -w - would both write to standard output');
  if (opts.write === '-' && opts.countOnly === true) throw new TcpscopeError('BAD_OPTION', '--count and -w - would both write to standard output');
  // as gzip: binary capture data on a terminal is garbage on the screen and can drive it
  if (opts.write === '-' && process.stdout.isTTY === true) {
    throw new TcpscopeError('BAD_OPTION', '-w - would write the binary capture to the terminal: redirect standard output (> FILE, | tcpscope -r -) or give -w FILE');
  }
  refuseOverwritingInput(opts.write, opts.reads ?? []);
}

/**
 * `-w` naming a capture that `-r` reads (or a file in a directory it reads) would truncate it
 * before it is read: tcpdump lets that happen and loses the capture; refuse instead.
 */
function refuseOverwritingInput(write: string, reads: string[]): void {
  if (write === '-') return;
  const target = statOrNull(write);
  if (target === null) return;
  const parent = statOrNull(dirname(resolve(write)));
  for (const r of reads) {
    if (r === '-') continue;
    const input = statOrNull(r);
    if (input === null) continue;
    const same = (a: { dev: number; ino: number } | null): boolean => a !== null && a.dev === input.dev && a.ino === input.ino;
    if (input.isDirectory() ? same(parent) && target.isFile() : same(target)) {
      throw new TcpscopeError('BAD_OPTION', `-w would overwrite ${input.isDirectory() ? 'a file in a directory' : 'the capture'} being read with -r ${r}: write to another file`, { file: write });
    }
  }
}

function statOrNull(path: string): Stats | null {
  try { return statSync(path); } catch { return null; }
}

/** The pcap header for re-writing a capture file: its link type and snap length, as tcpdump keeps them. */
function fileHeaderFor(info: CaptureInfo, nano: boolean): PcapFileHeader {
  const first = info.interfaces[0];
  const header: PcapFileHeader = { linktype: first?.linktype ?? 1, snaplen: first?.snaplen ?? 262144, nano };
  if (first?.fcsLength !== undefined) header.fcsLength = first.fcsLength;
  return header;
}

/** tcpdump's stderr lines once the capture is open. */
function listeningBanner(opts: RunOptions, printing: boolean, listening: string): string {
  const line = listening + '\n';
  if (printing && opts.write === undefined && opts.print.verbose === 0 && opts.mode !== 'json') {
    return 'tcpscope: verbose output suppressed, use -v[v]... for full protocol decode\n' + line;
  }
  return 'tcpscope: ' + line;
}

export interface TrackCapturesOptions {
  /** capture files, read as one capture in time order (readCaptureSet) */
  captures: string[];
  /** filter expression ('' for none): only matching packets reach the tracker */
  filter: string;
  mslSeconds?: number;
  maxFlows?: number;
  checksums?: ChecksumPolicy;
  /** each connection as it ends (the view is valid only during the call) */
  onFlowEnd: (flow: FlowView) => void;
  /** each tracked packet, after the tracker has seen it (the result is reused: read it now) */
  onPacket?: (frame: Frame, result: PacketResult) => void;
  /** after each chunk read: input bytes so far, their total when known, frames read (a progress line) */
  progress?: (done: number, total: number | undefined, frames: number) => void;
  /** filled with the summary's packets and frames however the read ends (a read error throws) */
  counts?: { packets: number; frames: number };
  /** a file of several that goes bad after its header is given up there and the others read on (readCaptureSet's onDamaged) */
  onDamaged?: (error: TcpscopeError) => void;
  /** a file of several that is not a capture at all (readCaptureSet's onUnreadable) */
  onUnreadable?: 'stop' | 'skip';
  /** give V8 the tracking path's feedback before the real input (warmup.ts; default: warmUpPays decides) */
  warmUp?: boolean;
}

export interface TrackCapturesSummary {
  /** packets that passed the filter and were tracked */
  packets: number;
  /** frames read, matching or not */
  frames: number;
  files: CaptureSetFile[];
  /** with onUnreadable 'skip': the files left out, each with its error */
  leftOut: TcpscopeError[];
  tracker: Tracker;
}

/**
 * Track connections over captures without printing packets (what `tcpscope check` runs): read
 * the files as one capture, filter, decode, track, and hand every connection to `onFlowEnd`.
 * On a read error every connection seen so far is still handed over (the tracker is finished)
 * before the error propagates.
 */
export async function trackCaptures(opts: TrackCapturesOptions): Promise<TrackCapturesSummary> {
  const filter = opts.filter !== '' ? (await import('./filter/index.js')).compileFilter(opts.filter) : null;
  const pkt = new Packet();
  const onPacket = opts.onPacket;
  const warmUp = await import('./track/warmup.js');
  if (opts.warmUp ?? warmUp.warmUpPays(opts.captures)) warmUp.warmUpTracking();
  const tracker = new (await import('./track/tracker.js')).Tracker({ mslSeconds: opts.mslSeconds, maxFlows: opts.maxFlows, checksums: opts.checksums, onFlowEnd: opts.onFlowEnd });
  let packets = 0;
  let frames = 0;
  let files: CaptureSetFile[] = [];
  let leftOut: TcpscopeError[] = [];
  const linkGuard = new LinkTypeGuard(opts.captures.length === 1 ? opts.captures[0] : undefined);
  const onFrame = (frame: Frame): boolean => {
    frames++;
    if (filter !== null && !filter.matches(frame)) return true;
    // a link type the decoders do not know stops the run: check must never pass what it could not read
    linkGuard.check(frame);
    packets++;
    decodePacket(frame, pkt);
    const r = tracker.track(pkt);
    if (onPacket !== undefined) onPacket(frame, r);
    return true;
  };
  try {
    ({ files, leftOut } = await readTrackedCaptures(opts, filter, onFrame, () => frames));
  } finally {
    if (opts.counts !== undefined) {
      opts.counts.packets = packets;
      opts.counts.frames = frames;
    }
    tracker.finish();
  }
  return { packets, frames, files, leftOut, tracker };
}
