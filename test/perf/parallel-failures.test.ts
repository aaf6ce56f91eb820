/**
 * `tcpscope check --jobs N` when a worker fails (src/check/parallel.ts, shard-worker.ts): the
 * read stops within seconds (never the minute the reading thread gives a silent worker), with the
 * worker's own error on one line; a TcpscopeError keeps its code and exit status; every
 * connection the other workers track is reported (as one tracker reports every connection read
 * before an input error), and those the failed worker had ended; a worker that exits before its
 * last answer stops the run instead of leaving it waiting. The faults are injected through the test-only
 * ShardInit.test option; the workers run from dist/ (npm test builds first).
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildPolicy } from '../../src/check/policy.js';
import { type CheckOptions, runCheck } from '../../src/check/run.js';
import type { ShardedTrackOptions } from '../../src/check/parallel.js';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { isTcpscopeError } from '../../src/errors.js';
import { flowKeyHash } from '../../src/track/tracker.js';
import { Output } from '../../src/print/output.js';
import { generated, tmpDir } from './helpers.js';

type ShardTest = NonNullable<ShardedTrackOptions['test']>;
type Fault = NonNullable<ShardTest['fault']>;

interface Outcome {
  /** the exit status runCheck returned or its TcpscopeError carried (undefined: another error) */
  status: number | undefined;
  error: unknown;
  out: string;
  seconds: number;
}

/** One in-process check with --json on 2 threads, worker 0 failing as told. */
async function checkWithFault(capture: string, fault: Fault | ShardTest | undefined, extra: Partial<CheckOptions> = {}): Promise<Outcome> {
  const file = join(tmpDir(), 'out.ndjson');
  const fd = openSync(file, 'w');
  const opts: CheckOptions = {
    captures: [capture], filter: '', policy: buildPolicy({}, { failOn: ['all'] }), json: true, color: 'never', quiet: false,
    reportLimit: 0, checksums: 'control', jobs: 2, ...extra,
    shardTest: fault === undefined ? undefined : 'kind' in fault ? { fault, faultWorker: 0 } : { faultWorker: 0, ...fault },
  };
  const started = performance.now();
  let status: number | undefined;
  let error: unknown = null;
  try {
    status = await runCheck(opts, { stdout: new Output(fd), stderr: () => {}, env: {}, isTTY: false });
  } catch (e) {
    error = e;
    status = isTcpscopeError(e) ? e.exitStatus : undefined;
  } finally {
    closeSync(fd);
  }
  return { status, error, out: readFileSync(file, 'utf8'), seconds: (performance.now() - started) / 1000 };
}

const flowLines = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('{"type":"flow"'));

interface FlowLine { id: number; client: string; server: string; first_packet: number }
/** A connection by what it is (its number can differ: the dead worker's later connections are never numbered). */
const flowKey = (f: FlowLine): string => `${f.client}>${f.server}@${f.first_packet}`;
const flows = (out: string): FlowLine[] => flowLines(out).map((l) => JSON.parse(l) as FlowLine);

/** The shard (of 2) each packet goes to, by the reading thread's own hash. */
async function shardsOfPackets(capture: string): Promise<Map<number, number>> {
  const shard = new Map<number, number>();
  const pkt = new Packet();
  await readCapture(capture, (frame) => {
    decodePacket(frame, pkt);
    const h = flowKeyHash(pkt);
    if (h >= 0) shard.set(frame.number, h % 2);
    return true;
  });
  return shard;
}

describe('parallel check: a worker that fails', () => {
  let capture = '';
  let batches = 0;
  beforeAll(() => {
    // ~130,000 packets: 16 batches of 8192 frames, so a worker failing at batch 2 leaves the
    // reading thread waiting for room in that worker's queue (4 batches) long before the end
    const g = generated(tmpDir(), 'mixed.pcap', { flows: 6000, payload: 40000, rate: 500, seed: 3 });
    capture = g.path;
    batches = Math.ceil(g.packets / 8192);
    expect(batches).toBeGreaterThan(10);
  });

  test('workerThrowsMidRead_plainError_oneLineWithItsMessageWithinSeconds', async () => {
    const r = await checkWithFault(capture, { kind: 'error', atBatch: 2 });
    expect(r.seconds).toBeLessThan(20);
    // not a TcpscopeError: the CLI prints it as "internal error: MESSAGE" (status 2), so the
    // message is one line naming the worker and its own error, without a stack
    expect(isTcpscopeError(r.error)).toBe(false);
    expect((r.error as Error).message).toBe('shard worker 0: injected fault at batch 2');
  }, 60_000);

  test('workerThrowsWithTcpscopeDebug_stackOfTheWorker_messageStillOneLine', async () => {
    // the CLI prints an internal error's stack only with TCPSCOPE_DEBUG: then it is the worker's
    // (where the fault was thrown), and without it the worker's stack never crosses
    const plain = await checkWithFault(capture, { kind: 'error', atBatch: 1 });
    expect((plain.error as Error).stack).not.toContain('shard-worker');
    process.env.TCPSCOPE_DEBUG = '1';
    try {
      const r = await checkWithFault(capture, { kind: 'error', atBatch: 1 });
      expect((r.error as Error).message).toBe('shard worker 0: injected fault at batch 1');
      expect((r.error as Error).stack).toContain('injectFault');
      expect((r.error as Error).stack).toContain('shard-worker');
    } finally {
      delete process.env.TCPSCOPE_DEBUG;
    }
  }, 60_000);

  test('workerThrowsOutsideItsHandlerMidRead_uncaught_itsOwnErrorWithinSeconds', async () => {
    // the failure the reading thread used to see only after STALL_MS (60 s), as "stopped answering"
    const r = await checkWithFault(capture, { kind: 'uncaught', atBatch: 2 });
    expect(r.seconds).toBeLessThan(20);
    expect((r.error as Error).message).toBe('shard worker 0: injected uncaught fault at batch 2');
  }, 60_000);

  test('workerCallsExitMidRead_exitStatus_saysSoWithinSeconds', async () => {
    const r = await checkWithFault(capture, { kind: 'exit', atBatch: 2 });
    expect(r.seconds).toBeLessThan(20);
    expect((r.error as Error).message).toBe('shard worker 0: exited with status 3');
  }, 60_000);

  test('workerTcpscopeErrorMidRead_resourceLimit_keepsCodeAndReportsWhatWasJudged', async () => {
    // TIME_WAIT of 2×0.05 s: connections end (and are judged) all along the capture
    const r = await checkWithFault(capture, { kind: 'limit', atBatch: 6 }, { mslSeconds: 0.05 });
    expect(r.seconds).toBeLessThan(20);
    expect(String(r.error)).toBe('TcpscopeError: injected resource limit at batch 6');
    if (!isTcpscopeError(r.error)) return;
    expect(r.error.code).toBe('RESOURCE_LIMIT');
    expect(r.status).toBe(2);
    expect(r.error.describe()).toBe('injected resource limit at batch 6');
    // as for an input error on one thread: the report is written, with the connections judged
    // before the failure and the error in its summary
    const lines = r.out.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as { verdict: string; error: { message: string; code: string } | null };
    expect(summary.verdict).toBe('error');
    expect(summary.error).toEqual({ message: 'injected resource limit at batch 6', code: 'RESOURCE_LIMIT' });
    await expectSurvivorsReported(r);
  }, 60_000);

  test('workerTcpscopeErrorAtEndOfInput_resourceLimit_keepsCode', async () => {
    const r = await checkWithFault(capture, { kind: 'limit', atBatch: -1 });
    expect(isTcpscopeError(r.error) && r.error.code).toBe('RESOURCE_LIMIT');
    expect(r.status).toBe(2);
  }, 60_000);

  test('workerKilledAfterReadingEnded_nonZeroExit_stopsTheRunWithinSeconds', async () => {
    // ends with status 9 running none of its code (as if killed): only its 'exit' event tells
    const r = await checkWithFault(capture, { kind: 'killed', atBatch: -1 });
    expect(r.seconds).toBeLessThan(20);
    expect(isTcpscopeError(r.error) && r.error.describe()).toBe('shard worker 0 stopped (exit status 9) before its last answer, without saying why');
    expect(r.status).toBe(2);
  }, 60_000);

  /**
   * After worker 0 failed mid-read: every connection reported is one of the fault-free answer's;
   * worker 1's (the survivor's) are all there, up to where the read stopped, with no gap, far
   * more of them than the dead worker's (it reports only those it had ended).
   */
  async function expectSurvivorsReported(r: Outcome): Promise<void> {
    const judged = flows(r.out);
    const whole = flows((await checkWithFault(capture, undefined, { mslSeconds: 0.05, jobs: 1 })).out);
    const wholeKeys = new Set(whole.map(flowKey));
    expect(judged.filter((f) => !wholeKeys.has(flowKey(f))).map(flowKey)).toEqual([]);
    const shard = await shardsOfPackets(capture);
    const survivor = judged.filter((f) => shard.get(f.first_packet) === 1);
    const dead = judged.filter((f) => shard.get(f.first_packet) === 0);
    expect(survivor.length).toBeGreaterThan(100);
    expect(survivor.length).toBeGreaterThan(dead.length);
    const reached = Math.max(...survivor.map((f) => f.first_packet));
    const reported = new Set(judged.map(flowKey));
    const missing = whole.filter((f) => shard.get(f.first_packet) === 1 && f.first_packet <= reached && !reported.has(flowKey(f)));
    expect(missing).toEqual([]);
    // the ids are still one tracker's numbering: distinct
    expect(new Set(judged.map((f) => f.id)).size).toBe(judged.length);
  }

  /** The run's report (--json) after a failure: its summary, and the connections reported. */
  async function expectJudgedBeforeFailure(r: Outcome, message: string, code: string): Promise<void> {
    const lines = r.out.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as { verdict: string; error: { message: string; code: string } | null };
    expect(summary.verdict).toBe('error');
    expect(summary.error).toEqual({ message, code });
    await expectSurvivorsReported(r);
  }

  // The three below make the reading thread wait for room in worker 0's queue first (the worker
  // hangs at a batch until then), so its 'exit' event cannot come before that (it could come while
  // the reader yields to the event loop between reads: it used to work then, and not otherwise)

  test('workerTerminatedWhileReaderWaitsForIt_noWordFromIt_stopsWithinSecondsNamingItAndReportsWhatWasJudged', async () => {
    // Worker.terminate(): none of the worker's code runs, and no 'exit' event comes while the
    // reading thread waits for room (it used to wait STALL_MS, a minute, then say only "stopped
    // answering")
    const r = await checkWithFault(capture, { fault: { kind: 'hang', atBatch: 6 }, whenFull: 'terminate' }, { mslSeconds: 0.05 });
    expect(r.seconds).toBeLessThan(10);
    expect(isTcpscopeError(r.error)).toBe(true);
    if (!isTcpscopeError(r.error)) return;
    const message = 'shard worker 0 stopped (exit status 1) before its last answer, without saying why';
    expect(r.error.describe()).toBe(message);
    expect(r.status).toBe(2);
    await expectJudgedBeforeFailure(r, message, 'INTERNAL');
  }, 60_000);

  test('workerTerminatedAtItsFirstBatch_noWordFromIt_stopsWithinSeconds', async () => {
    // before it has answered anything (nothing judged yet)
    const r = await checkWithFault(capture, { fault: { kind: 'hang', atBatch: 0 }, whenFull: 'terminate' });
    expect(r.seconds).toBeLessThan(10);
    expect(isTcpscopeError(r.error) && r.error.describe()).toBe('shard worker 0 stopped (exit status 1) before its last answer, without saying why');
    expect(r.status).toBe(2);
  }, 60_000);

  const OUT_OF_MEMORY = "shard worker 0 ran out of memory: its JavaScript heap reached V8's limit; raise it with NODE_OPTIONS=--max-old-space-size=MB";

  test('workerOutOfMemoryWhileReaderWaitsForIt_heapLimit_resourceLimitSaysSoAndReportsWhatWasJudged', async () => {
    // V8 stops the worker at its heap limit (ERR_WORKER_OUT_OF_MEMORY): none of its code runs
    const r = await checkWithFault(capture, { fault: { kind: 'oom', atBatch: 6 }, whenFull: 'release', resourceLimits: { maxOldGenerationSizeMb: 24 } }, { mslSeconds: 0.05 });
    expect(r.seconds).toBeLessThan(10);
    expect(isTcpscopeError(r.error)).toBe(true);
    if (!isTcpscopeError(r.error)) return;
    expect(r.error.code).toBe('RESOURCE_LIMIT');
    expect(r.error.describe()).toBe(OUT_OF_MEMORY);
    expect(r.status).toBe(2);
    await expectJudgedBeforeFailure(r, OUT_OF_MEMORY, 'RESOURCE_LIMIT');
  }, 60_000);

  test('workerOutOfMemoryWhileLoading_tinyHeapLimit_resourceLimitSaysSo', async () => {
    // a V8 heap of 4 MB: the worker's isolate dies loading its code (before its event loop runs,
    // where threadStopped cannot see it: the reading thread awaits every worker's 'online' first)
    for (let i = 0; i < 3; i++) {
      const r = await checkWithFault(capture, { resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 } });
      expect(r.seconds).toBeLessThan(10);
      expect(isTcpscopeError(r.error) && r.error.code).toBe('RESOURCE_LIMIT');
      expect(isTcpscopeError(r.error) && r.error.describe()).toBe(OUT_OF_MEMORY);
      expect(r.status).toBe(2);
    }
  }, 60_000);

  test('workerTcpscopeErrorAtEndOfInput_survivor_everyOneOfItsConnectionsReportedAsOneThreadDoes', async () => {
    // the read completed: the surviving worker's connections are all reported, each exactly as
    // one thread reports it (but for its number)
    const r = await checkWithFault(capture, { kind: 'limit', atBatch: -1 });
    expect(r.status).toBe(2);
    const shard = await shardsOfPackets(capture);
    const strip = (f: FlowLine): string => JSON.stringify({ ...f, id: 0 });
    const survivor = flows(r.out).filter((f) => shard.get(f.first_packet) === 1).map(strip).sort();
    const whole = flows((await checkWithFault(capture, undefined, { jobs: 1 })).out).filter((f) => shard.get(f.first_packet) === 1).map(strip).sort();
    expect(whole.length).toBeGreaterThan(2000);
    expect(survivor).toEqual(whole);
  }, 60_000);

  test('workerNeverOnline_startTimeout_saysItDidNotStartStatus2', async () => {
    // the path that waits a minute for a worker that never comes online, with a short wait
    // (ShardedTrackOptions.test.startTimeoutMs: no user option reaches it). 5 s, not less: on a
    // loaded 2-core machine the healthy worker 0 itself once took over 0.3 s to come online
    const r = await checkWithFault(capture, { neverOnline: 1, startTimeoutMs: 5000 });
    expect(r.seconds).toBeLessThan(20);
    expect(isTcpscopeError(r.error) && r.error.describe()).toBe('shard worker 1 did not start within 5 s');
    expect(r.status).toBe(2);
    // nothing was read: no connection to report
    expect(flowLines(r.out)).toEqual([]);
  }, 60_000);

  test('noFault_sameCaptureAndOptions_sameAsOneThread', async () => {
    // the fault-free run of the same harness answers as one thread does (the faults above are the only difference)
    const two = await checkWithFault(capture, undefined);
    const one = await checkWithFault(capture, undefined, { jobs: 1 });
    expect(two.error).toBe(null);
    expect(two.out).toBe(one.out);
    expect(flowLines(two.out).length).toBe(6000);
  }, 120_000);
});
