/**
 * One `tcpscope check` run: read the captures as one capture in time order, filter, track every
 * connection without printing packets, judge each as it ends, and hand the decisions to the
 * outputs (terminal report or --json, --junit, GitHub annotations). Resolves to the exit status:
 * 0 clean, 1 abnormal connections, 2 the input could not be read (after every output has said
 * what it could about the part that was read).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { expandCapturePaths } from '../capture/index.js';
import { TcpscopeError, isTcpscopeError } from '../errors.js';
import { type ProgressLine, stderrProgressLine } from '../capture/progress.js';
import { isRegularFile, trackCaptures } from '../pipeline.js';
import type { ColorChoice } from '../print/paint.js';
import { Output } from '../print/output.js';
import type { ChecksumPolicy } from '../track/tracker.js';
import { conditionMask } from './conditions.js';
import { EndingView } from './ending.js';
import { EvidenceCollector, warmUpEvidence } from './evidence.js';
import { warmUpPays } from '../track/warmup.js';
import { type CheckRunInfo, type CheckSink, type Decision, Judge, exitStatusOf } from './judge.js';
import type { Policy } from './policy.js';
import type { ShardedTrackOptions, ShardedTrackSummary } from './parallel.js';

/**
 * When the check runs on worker threads by default: captures of 512 MB or more, on 4 cores or
 * more, and then on PARALLEL_JOBS workers whatever the number of cores. Measured on 2 cores (the
 * reading thread and the workers then share them with V8's compiler and collector threads), it
 * never pays there; smaller captures never pay for the workers' start (MANY, 224k packets: each
 * worker's start-up and JIT warm-up is most of its time). More than 2 workers do not pay either:
 * the reading thread (reading, decoding to the 4-tuple, copying each frame to its shard, then
 * merging the answers in one tracker's order) needs about half of one thread's CPU time on FLOOD
 * (2.8 of 5.5 s), so it is the limit from 2 workers on, and each further worker adds its own
 * isolate (~25 MB) to the peak memory. `--jobs N` chooses.
 */
const PARALLEL_BYTES = 512 * 1024 * 1024;
const PARALLEL_CORES = 4;
const PARALLEL_JOBS = 2;

/** How many threads track the connections (see CheckOptions.jobs), on a machine of `cores` cores. */
export function threadsFor(opts: Pick<CheckOptions, 'jobs' | 'maxFlows'>, files: string[], cores = availableParallelism()): number {
  if (opts.maxFlows !== undefined) return 1;
  if (opts.jobs !== undefined) return Math.max(1, Math.floor(opts.jobs));
  if (cores < PARALLEL_CORES || files.includes('-')) return 1;
  let bytes = 0;
  for (const f of files) {
    try { bytes += statSync(f).size; } catch { return 1; }
  }
  return bytes >= PARALLEL_BYTES ? PARALLEL_JOBS : 1;
}

export interface CheckOptions {
  /** capture files and directories (a directory: every capture in it) */
  captures: string[];
  /** filter expression ('' for none): only matching packets are tracked and judged */
  filter: string;
  policy: Policy;
  /** NDJSON records and a verdict on standard output instead of the report */
  json: boolean;
  /** JUnit XML report file */
  junit?: string;
  color: ColorChoice;
  /** only the failing connections and the verdict line */
  quiet: boolean;
  /** connection lines listed at most in the report (0: all) */
  reportLimit: number;
  mslSeconds?: number;
  maxFlows?: number;
  checksums?: ChecksumPolicy;
  /**
   * Worker threads tracking the connections, sharded by 4-tuple (parallel.ts); the answer is the
   * same for any number. Default: 2 for 512 MB of captures or more on a machine with 4 cores or
   * more, else 1 (see PARALLEL_BYTES). `maxFlows` (a cap on one table) always runs on one thread.
   */
  jobs?: number;
  /** a progress line on standard error during a long read, when CheckIO.progressLine offers one (default true) */
  progress?: boolean;
  /** tests only: passed to the parallel check (parallel.ts, ShardedTrackOptions test and stats) */
  shardTest?: ShardedTrackOptions['test'];
  shardStats?: ShardedTrackOptions['stats'];
}

/** Where a run writes, and what it knows of its surroundings (tests pass their own). */
export interface CheckIO {
  stdout: Output;
  /** standard error (GitHub annotations when standard output carries JSON) */
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /**
   * The progress line for a read of these inputs, or null for none. The report is written once
   * the read is over, so the line may share a terminal with it (it is erased first); --json
   * streams records during the read (stdoutUsed), so then only with standard output a file
   * (wantsProgressLine).
   */
  progressLine?: (regularFiles: boolean, stdoutUsed: boolean) => ProgressLine | null;
}

export function defaultCheckIO(): CheckIO {
  return {
    stdout: new Output(1),
    stderr: (s) => { process.stderr.write(s); },
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    progressLine: stderrProgressLine,
  };
}

class Fanout implements CheckSink {
  constructor(private readonly sinks: CheckSink[]) {}
  decide(d: Decision): void { for (const s of this.sinks) s.decide(d); }
  finish(...a: Parameters<CheckSink['finish']>): void { for (const s of this.sinks) s.finish(...a); }
}

/**
 * Run the check. Resolves to the exit status; rejects only with a TcpscopeError of exit status 2
 * for input that could not be read (after the outputs have written the verdict so far) or a
 * problem found before anything was read (a missing file, a bad filter).
 */
export async function runCheck(opts: CheckOptions, io: CheckIO = defaultCheckIO()): Promise<number> {
  const startedAt = new Date();
  let files: string[];
  try {
    files = expandCapturePaths(opts.captures);
  } catch (e) {
    throw asInputError(e);
  }
  // outputs on standard output speak only once something was read; the CI ones (JUnit, GitHub)
  // also report an input that could not be read at all, so the build page shows why it failed
  // (each output is loaded only when used: module loading is much of a short run's time)
  const sinks: CheckSink[] = [];
  const ciSinks: CheckSink[] = [];
  if (opts.json) sinks.push(new (await import('../print/check-json.js')).CheckJson(io.stdout, opts.policy));
  else {
    const { colorLevel } = await import('../print/paint.js');
    const { makeChalk } = await import('../print/color.js');
    const { CheckReport } = await import('../print/check-report.js');
    sinks.push(new CheckReport(io.stdout, makeChalk(colorLevel(opts.color, io.isTTY, io.env)), { limit: opts.reportLimit, quiet: opts.quiet }));
  }
  if (opts.junit !== undefined) {
    const name = files.length === 1 ? basename(files[0]) : `${files.length} captures`;
    ciSinks.push(new (await import('../print/check-junit.js')).CheckJunit({ path: opts.junit, suiteName: `tcpscope check ${name}`, policy: opts.policy, startedAt }));
  }
  if (io.env.GITHUB_ACTIONS === 'true') {
    const write = opts.json ? io.stderr : (s: string) => io.stdout.write(s);
    ciSinks.push(new (await import('../print/check-github.js')).CheckGithub(write, io.env.GITHUB_STEP_SUMMARY));
  }
  const sink = new Fanout([...sinks, ...ciSinks]);
  const judge = new Judge(opts.policy, sink);
  // every connection is judged; with these outputs passing ones are listed too (their records built)
  const everyRecord = opts.json || opts.junit !== undefined;
  const evidence = new EvidenceCollector(opts.policy.failMask);
  // each ending connection, as the judge sees it: its record is built only if an output writes it
  const ending = new EndingView();

  const run: CheckRunInfo = { files, packets: 0, frames: 0, filter: opts.filter, error: null };
  let failure: TcpscopeError | null = null;
  let readAnything = false;
  // the same, over worker threads: the connections come in one tracker's order, with their evidence
  const counts = { packets: 0, frames: 0 };
  const trackSharded = async (threads: number, captures: string[]): Promise<ShardedTrackSummary> => {
    const { trackCapturesSharded } = await import('./parallel.js');
    const summary = await trackCapturesSharded({
      captures,
      ...readOptions,
      filter: opts.filter,
      jobs: threads,
      mslSeconds: opts.mslSeconds,
      checksums: opts.checksums,
      failMask: opts.policy.failMask,
      everyRecord,
      evidenceMask: opts.policy.failMask,
      counts,
      progress,
      test: opts.shardTest,
      stats: opts.shardStats,
      onFlowEnd: (view, mask, ev) => {
        if (view === null) judge.countPass(mask);
        else {
          judge.addEnding(ending.bindListed(view, ev), mask);
          ending.release();
        }
      },
    });
    readAnything = summary.packets > 0;
    return summary;
  };
  const jobs = threadsFor(opts, files);
  const line = opts.progress !== false && io.progressLine !== undefined ? io.progressLine(files.every(isRegularFile), opts.json) : null;
  const progress = line === null ? undefined : (done: number, total: number | undefined, frames: number): void => line.update(done, total, frames);
  // the JIT warm-up, decided once for the run (on captures big enough for it): the evidence
  // collector's branches, then the tracker's (trackCaptures); shard workers run none
  const warmUp = jobs === 1 && warmUpPays(files);
  if (warmUp) warmUpEvidence();
  // a capture among several that cannot be read at all (missing, or its header not a capture's)
  // is left out, and one that goes bad further on is given up there, as tcpdump -V gives it up:
  // the others are read to their end, judged and reported in full, so a damaged input never
  // hides what the good ones hold; the run still ends with the (first) error and status 2, so it
  // never passes silently either
  const damaged: TcpscopeError[] = [];
  const readOptions = { onUnreadable: 'skip' as const, onDamaged: (e: TcpscopeError) => { damaged.push(e); } };
  let leftOut: TcpscopeError[] = [];
  try {
    const summary = jobs > 1 ? await trackSharded(jobs, files) : await trackCaptures({
      captures: files,
      filter: opts.filter,
      mslSeconds: opts.mslSeconds,
      maxFlows: opts.maxFlows,
      checksums: opts.checksums,
      progress,
      counts,
      warmUp,
      ...readOptions,
      onPacket: (frame, r) => { readAnything = true; evidence.observe(frame, r); },
      onFlowEnd: (view) => {
        const mask = conditionMask(view.anomalyMask, view.handshake, view.close);
        if (!everyRecord && !judge.needsRecord(mask)) {
          evidence.clear(view.row);
          judge.countPass(mask);
          return;
        }
        judge.addEnding(ending.bindRow(view, evidence), mask);
        ending.release();
      },
    });
    run.packets = summary.packets;
    run.frames = summary.frames;
    leftOut = summary.leftOut;
    // (the files read; with one left out, the list as given: the verdict names it)
    run.files = leftOut.length > 0 ? files : summary.files.map((f) => f.path);
    // every capture that could not be read whole is named (a damaged one and one left out can
    // come in the same run); the first problem is the error thrown, each other one gets its own
    // line on stderr as well
    const problems = [...damaged, ...leftOut];
    if (problems.length > 0) {
      failure = asInputError(problems[0]);
      run.error = { message: failure.describe(), code: failure.code };
      if (damaged.length > 1 || (damaged.length > 0 && leftOut.length > 0)) run.error.damaged = damaged.map((e) => e.file as string);
      if (leftOut.length > 0) run.error.left_out = leftOut.map((e) => e.file as string);
      for (const e of problems.slice(1)) io.stderr(`tcpscope: ${e.describe()}\n`);
    }
  } catch (e) {
    const err = asInputError(e);
    if (jobs > 1 && counts.packets > 0) readAnything = true;
    // what was read before the error, as every output reports it (either path fills `counts`)
    run.packets = counts.packets;
    run.frames = counts.frames;
    // what stops a check run is unreadable input (or a filter that does not compile): status 2
    failure = err;
    run.error = { message: failure.describe(), code: failure.code };
  }
  // the line goes before anything of the report is written
  line?.end();
  const verdict = judge.finish();
  if (failure === null || readAnything) sink.finish(verdict, run);
  else for (const s of ciSinks) s.finish(verdict, run);
  io.stdout.flush();
  if (failure !== null) throw failure;
  return exitStatusOf(verdict, run);
}

/** A TcpscopeError with exit status 2 (check's status for input it cannot read). */
function asInputError(e: unknown): TcpscopeError {
  if (!isTcpscopeError(e)) throw e;
  return e.exitStatus === 2 ? e : new TcpscopeError(e.code, e.message, { file: e.file, offset: e.offset, exitStatus: 2 });
}
