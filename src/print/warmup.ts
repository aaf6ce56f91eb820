/**
 * JIT warm-up of annotated output: the tracker's warm-up capture (src/track/warmup.ts) printed
 * and annotated by throwaway instances, under the run's own flags, into a scratch buffer that is
 * never written anywhere, before the real input.
 *
 * Why: the tracking warm-up gives the tracker feedback on every branch, but the printer's and the
 * annotator's functions first ran on the user's packets, and V8 compiled them before some of their
 * branches had been taken (or had been taken only before the function had a feedback vector: V8
 * allocates it lazily). On MANY, `-n -r` threw compiled code away four times: `putUint` (its digit
 * count compiled for small integers only; the annotator's durations and counts are doubles),
 * `putDuration` (its rounding fallback), the fast line's time stamp (`put`, at the first new
 * second) and `putTimed` (a branch of the RST/retransmission events). Each recompile costs 10-50 ms
 * of compiler-thread CPU plus the slow code meanwhile. Two passes, as the tracking warm-up and for
 * the same reason (the first pass has no feedback vector for the early packets).
 */
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Frame } from '../capture/frame.js';
import { Packet, decodePacket } from '../decode/index.js';
import { CaptureParser } from '../capture/parser.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';
import { TcpdumpSeqTable } from '../track/tcpdump-seq.js';
import { warmUpCapture } from '../track/warmup.js';
import { putUint } from '../bytes.js';
import { Annotator, putDuration } from './annotate.js';
import { Output } from './output.js';
import type { PrintOptions } from './options.js';
import type { Paint } from './paint.js';
import { TcpdumpPrinter } from './tcpdump/index.js';
import type { Names } from './tcpdump/names.js';

const PASSES = 3;
/** connections put in a relative-sequence table (some collide; past 512 it grows) */
const SEQ_TABLE_FLOWS = 600;

/**
 * Durations of every shape putDuration writes (µs, ms, s with three and one decimals, whole
 * seconds, a rounding tie, out of range): the annotator meets the rare ones late in a capture.
 */
export const WARM_UP_DURATIONS: readonly number[] = [0.0000292, 0.0296, 0.5, 1.23, 12.34, 1234.5, 0.0000005, 0.00125, -1, 5e9];

/**
 * Print and annotate the warm-up capture with `opts` and `paint`, discarding the text. `names`
 * is the run's own (so /etc/hosts is read once); `tracking` the run's tracker options (checksum
 * checks change the tracker's path).
 */
export function warmUpAnnotated(opts: PrintOptions, paint: Paint, names: Names, tracking: TrackerOptions): void {
  const nullFd = openSync(devNull, 'w');
  const out = new Output(nullFd, () => {});
  const scratch = out.buf;
  // numbers of every width as doubles, not only small integers: the annotator's counts and the
  // whole part of its durations are computed in floating point, and putUint's digit count
  // compiled for small integers only was thrown away at the first one (at least ~50 calls of
  // digitCount before V8 keeps its feedback: 16 rounds of 11)
  for (let round = 0; round < 16; round++) {
    for (let n = 1; n <= 1e10; n *= 10) {
      const boxed = Math.min(n, 4294967295) + 0.5 - 0.5;
      putUint(scratch, 0, boxed + 4);
    }
    for (const d of WARM_UP_DURATIONS) putDuration(scratch, 0, d);
  }
  warmUpSeqTable();
  const capture = warmUpCapture();
  for (let pass = 0; pass < PASSES; pass++) {
    const tracker = new Tracker({ ...tracking, onFlowEnd: undefined });
    const seqTable = new TcpdumpSeqTable();
    const printer = new TcpdumpPrinter(opts, out, { seqTable, names });
    const annotator = new Annotator(out, tracker, paint);
    const pkt = new Packet();
    let lastFrame: Frame | undefined;
    const parser = new CaptureParser((frame) => {
      lastFrame = frame;
      decodePacket(frame, pkt);
      const tracked = tracker.track(pkt);
      printer.print(frame, pkt, true);
      if (tracked !== null) annotator.annotate(tracked, pkt);
      // never flushed: a packet's lines are far below the buffer's 64 KiB
      out.len = 0;
    });
    parser.push(capture);
    parser.end();
    tracker.finish();
    // a full buffer once: the text path's `write` (-q, -v) and the byte path's `reserve` flush it
    // (their flush branch compiled without feedback was thrown away at the first flush); the
    // scratch Output writes to the null device
    out.len = out.buf.length - 8;
    printer.print(lastFrame!, pkt, true);
    out.len = out.buf.length - 8;
    out.write('warm-up: the flush branch of a text write');
    out.len = 0;
  }
  closeSync(nullFd);
}

/**
 * tcpdump's relative-sequence table with enough connections that its probe goes past a taken
 * slot and that it grows, ISNs past 2^31 on either side and client ports below and above the
 * server's: the capture's nine connections do none of that, and LONG threw compiled code away
 * at its first collision (`find`, with `apply` and `lookup4` it was inlined into), growth
 * (`insert`) and `ack - 1` of a number that is not a small integer (`apply`) did. Filled once
 * per warm-up, not per pass (only the feedback it leaves counts); returns the table (tests).
 */
export function warmUpSeqTable(): TcpdumpSeqTable {
  const warmTable = new TcpdumpSeqTable();
  for (let i = 0; i < SEQ_TABLE_FLOWS; i++) {
    const isnC = (i & 1) === 0 ? 1000 * i : 0x90000000 + i, isnS = (i & 2) === 0 ? 7000 * i : 0xe0000000 + i;
    const clientPort = (i & 4) === 0 ? 20000 + i : 1 + (i % 400);
    warmTable.lookup4(0x0a000100 + i, 0xc0000201, clientPort, 443, isnC, (i & 8) === 0 ? 0 : isnS, true);
    warmTable.lookup4(0xc0000201, 0x0a000100 + i, 443, clientPort, isnS, (isnC + 1) >>> 0, true);
    warmTable.lookup4(0x0a000100 + i, 0xc0000201, clientPort, 443, (isnC + 1) >>> 0, (isnS + 1) >>> 0, false);
    warmTable.lookup4(0xc0000201, 0x0a000100 + i, 443, clientPort, (isnS + 1) >>> 0, (isnC + 1) >>> 0, false);
  }
  return warmTable;
}
