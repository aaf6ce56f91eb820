/**
 * `tcpscope check` on several threads (src/check/parallel.ts) gives exactly the answer of one:
 * the same flow records (ids, fields, evidence), in the same order, and the same verdict, on
 * every fixture and on generated captures with everything that could make shards disagree:
 * idle expiry and TIME_WAIT ending mid-capture, port reuse, time stamps stepping back, several
 * rotated files read as one, a filter, a capture cut short. The workers run from dist/ (npm test
 * builds first).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, truncateSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildPolicy } from '../../src/check/policy.js';
import { type CheckOptions, runCheck } from '../../src/check/run.js';
import { isTcpscopeError } from '../../src/errors.js';
import { Output } from '../../src/print/output.js';
import { generated, repeated, retime, split, tmpDir } from './helpers.js';

const root = join(__dirname, '..', '..');

interface Answer { status: number; out: string }

/** One in-process check with --json: its exit status and what it wrote. */
async function check(captures: string[], jobs: number, extra: Partial<CheckOptions> & { failOn?: string[] } = {}): Promise<Answer> {
  const dir = tmpDir();
  const file = join(dir, 'out.ndjson');
  const fd = openSync(file, 'w');
  const { failOn, ...rest } = extra;
  const opts: CheckOptions = {
    captures, filter: '', policy: buildPolicy({}, failOn !== undefined ? { failOn } : {}), json: true, color: 'never', quiet: false,
    reportLimit: 0, checksums: 'control', jobs, ...rest,
  };
  let status: number;
  try {
    status = await runCheck(opts, { stdout: new Output(fd), stderr: () => {}, env: {}, isTTY: false });
  } catch (e) {
    if (!isTcpscopeError(e)) throw e;
    status = e.exitStatus;
  } finally {
    closeSync(fd);
  }
  return { status, out: readFileSync(file, 'utf8') };
}

/** The same check on 1, 2 and 3 threads must answer alike (and the answer must hold connections). */
async function expectSameOnEveryThreadCount(captures: string[], extra: Partial<CheckOptions> & { failOn?: string[] } = {}, minFlows = 1): Promise<Answer> {
  const one = await check(captures, 1, extra);
  expect(one.out.split('\n').filter((l) => l.startsWith('{"type":"flow"')).length).toBeGreaterThanOrEqual(minFlows);
  for (const jobs of [2, 3]) {
    const many = await check(captures, jobs, extra);
    expect(many.status, `${jobs} threads: exit status`).toBe(one.status);
    // compare line by line first (a readable failure), then whole
    const a = one.out.split('\n'), b = many.out.split('\n');
    expect(b.length, `${jobs} threads: lines`).toBe(a.length);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect(b[i], `${jobs} threads, line ${i + 1}`).toBe(a[i]);
  }
  return one;
}

beforeAll(() => {
  // the workers are the compiled ones: make sure they are there (npm test builds; a lone run may not have)
  if (!statSync(join(root, 'dist', 'check', 'shard-worker.js'), { throwIfNoEntry: false })) {
    spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
  }
});

describe('parallel check = one thread', () => {
  const fixtures = ['scenarios', 'real'].flatMap((d) => readdirSync(join(root, 'fixtures', d))
    .filter((n) => /\.pcap(ng)?$/.test(n)).map((n) => join(root, 'fixtures', d, n)));

  test('sharded_everyFixture_sameRecordsAndVerdict', async () => {
    for (const f of fixtures) await expectSameOnEveryThreadCount([f], { failOn: ['all'] });
  }, 300_000);

  test('sharded_everyFixtureAsOneSet_sameRecordsAndVerdict', async () => {
    // every scenario read as one capture: many files merged in time order, overlapping 4-tuples
    await expectSameOnEveryThreadCount(fixtures, { failOn: ['all'] }, 50);
  }, 120_000);

  describe('generated captures', () => {
    let dir = '';
    let mixed = '';
    beforeAll(() => {
      dir = tmpDir();
      // 3000 flows of every kind, up to 40 kB each, 500 new flows a second: ~6 s of capture
      mixed = generated(dir, 'mixed.pcap', { flows: 3000, payload: 40000, rate: 500, seed: 3 }).path;
    });

    test('sharded_generated_defaults_sameAsOneThread', async () => {
      await expectSameOnEveryThreadCount([mixed], {}, 3000);
    }, 120_000);

    test('sharded_generated_shortMslEndsConnectionsMidCapture_sameAsOneThread', async () => {
      // TIME_WAIT of 2×0.05 s: connections end all along the capture, at expiry checks
      const one = await expectSameOnEveryThreadCount([mixed], { mslSeconds: 0.05, failOn: ['all'] }, 3000);
      expect(one.out).toContain('"end_reason":"closed"');
    }, 120_000);

    test('sharded_generated_filterAndChecksumsOff_sameAsOneThread', async () => {
      await expectSameOnEveryThreadCount([mixed], { filter: 'tcp port 443 or tcp port 5432', checksums: 'off' }, 100);
    }, 120_000);

    test('sharded_timeStampsSteppingBack_sameAsOneThread', async () => {
      // every 7th packet 3 s early, every 11th 1.5 s late: the clock and the expiry moments must still agree
      const moved = join(dir, 'moved.pcap');
      retime(mixed, moved, (i, sec, usec) => i % 7 === 3 ? [sec - 3, usec] : i % 11 === 5 ? [sec + 1, (usec + 500000) % 1000000] : [sec, usec]);
      await expectSameOnEveryThreadCount([moved], { mslSeconds: 0.2, failOn: ['all'] }, 3000);
    }, 120_000);

    test('sharded_portReuse_sameAsOneThread', async () => {
      // the capture again 2 s later: every 4-tuple comes back while the first one is in TIME_WAIT
      // or still open, so new SYNs take the 4-tuples over (and time steps back at the seam)
      const again = join(dir, 'again.pcap');
      repeated(mixed, again, 2);
      const one = await expectSameOnEveryThreadCount([again], { failOn: ['all'] }, 3000);
      expect(one.out).toContain('"end_reason":"reused"');
    }, 120_000);

    test('sharded_rotatedParts_sameAsOneFileAndOneThread', async () => {
      const parts = split(mixed, tmpDir(), 4);
      const whole = await check([mixed], 1, { failOn: ['all'] });
      const set = await expectSameOnEveryThreadCount(parts, { failOn: ['all'] }, 3000);
      // the same connections as the single file (a connection spanning two parts is one connection)
      const flows = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('{"type":"flow"'));
      expect(flows(set.out)).toEqual(flows(whole.out));
    }, 120_000);

    test('sharded_captureCutShort_reportsWhatWasReadAlike', async () => {
      const cut = join(dir, 'cut.pcap');
      copyFileSync(mixed, cut);
      truncateSync(cut, Math.floor(statSync(mixed).size * 0.6) + 3);
      const one = await expectSameOnEveryThreadCount([cut], { failOn: ['all'] }, 100);
      expect(one.status).toBe(2);
    }, 120_000);
  });

  test('sharded_synFloodEndingAtEndOfInput_waitsForRoom_sameRecordsAndReport', async () => {
    // 12,000 unanswered connections, all still open at the end of input, sent in parts of 128
    // with one part at most waiting (shard-worker.ts, END_PART and END_PARTS_AHEAD, made small
    // here): each worker sends ~45 parts and must wait for the reading thread to merge the last
    // before sending the next, over batch and answer buffers that go round many times
    const dir = tmpDir();
    const flood = generated(dir, 'flood.pcap', { flows: 12_000, only: 'unanswered', rate: 50_000, seed: 5 }).path;
    const stats = { endWaits: 0 };
    const small = { shardTest: { endPart: 128, endPartsAhead: 1 }, shardStats: stats };
    await expectSameOnEveryThreadCount([flood], small, 12_000);
    // the wait for room at the end of input did run (this is the path the test is for)
    expect(stats.endWaits).toBeGreaterThan(0);
    // the text report too (records only for the failing connections, which here are all)
    const one = await check([flood], 1, { json: false, reportLimit: 50 });
    for (const jobs of [2, 3]) {
      const many = await check([flood], jobs, { json: false, reportLimit: 50, ...small });
      expect(many.status).toBe(one.status);
      expect(many.out).toBe(one.out);
    }
    expect(one.out).toContain('12000 of 12000 connections abnormal');
  }, 300_000);

  test('cli_jobsOption_sameOutputAsOneThread', () => {
    const dir = tmpDir();
    const cap = generated(dir, 'cli.pcap', { flows: 1500, payload: 20000, rate: 1000, seed: 9 }).path;
    const run = (jobs: string) => spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', '--json', '--jobs', jobs, cap], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const a = run('1'), b = run('2');
    expect(b.status).toBe(a.status);
    expect(b.stderr).toBe('');
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.split('\n').filter((l) => l.startsWith('{"type":"flow"')).length).toBe(1500);
  }, 60_000);
});
