/**
 * check's progress line: fed by the reader while connections are tracked (one thread or
 * several), erased before the report (or the JSON) is written, and absent with --no-progress.
 * In-process with a ProgressLine that draws at every chunk (no first-second wait), so a capture
 * of a few MiB shows it on any machine; the terminal decision itself is wantsProgressLine's
 * (tested with the CLI under a pseudo-terminal in test/cli/progress.test.ts).
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ProgressLine } from '../../src/capture/progress.js';
import { buildPolicy } from '../../src/check/policy.js';
import { type CheckOptions, runCheck } from '../../src/check/run.js';
import { Output } from '../../src/print/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-check-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** rst-abort's records 3000 times over: several 1 MiB chunks, every copy an aborted connection */
const big = join(tmp, 'big.pcap');
{
  const src = readFileSync(join(__dirname, '..', '..', 'fixtures', 'scenarios', 'rst-abort.pcap'));
  writeFileSync(big, Buffer.concat([src.subarray(0, 24), ...Array<Buffer>(3000).fill(src.subarray(24))]));
}
const ERASE = '\r\x1b[K';

interface Seen { status: number; draws: string[]; erasedBeforeReport: boolean | null; report: string; offered: boolean[] }

async function check(extra: Partial<CheckOptions>): Promise<Seen> {
  const file = join(tmp, `out-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(file, 'w');
  const out = new Output(fd);
  const draws: string[] = [];
  const offered: boolean[] = [];
  let erasedBeforeReport: boolean | null = null;
  const opts: CheckOptions = {
    captures: [big], filter: '', policy: buildPolicy({}, {}), json: false, color: 'never', quiet: true, reportLimit: 1, checksums: 'control', ...extra,
  };
  let status: number;
  try {
    status = await runCheck(opts, {
      stdout: out, stderr: () => {}, env: {}, isTTY: false,
      progressLine: (regularFiles, stdoutUsed) => {
        offered.push(regularFiles);
        expect(stdoutUsed).toBe(opts.json);
        return new ProgressLine({
          startAfterMs: 0, intervalMs: 0,
          write: (s) => {
            if (s === ERASE) erasedBeforeReport = out.len === 0 && fstatSync(fd).size === 0;
            else draws.push(s);
          },
        });
      },
    });
    out.flush();
  } finally {
    closeSync(fd);
  }
  return { status, draws, erasedBeforeReport, report: readFileSync(file, 'utf8'), offered };
}

describe('check progress line', () => {
  for (const jobs of [1, 2]) {
    test(`long read, --jobs ${jobs}_drawn during the read, erased before the report`, async () => {
      const r = await check({ jobs });
      expect(r.status).toBe(1);
      expect(r.offered).toEqual([true]);
      expect(r.draws.length).toBeGreaterThanOrEqual(2);
      for (const d of r.draws) expect(d).toMatch(/^\r\x1b\[Ktcpscope: \d{1,3}% of \d+\.\d MB · [\d,]+ packets? · [\d.,]+ MB\/s$/);
      // the packets counted rise with the bytes
      const packets = r.draws.map((d) => Number(/· ([\d,]+) packet/.exec(d)![1].replace(/,/g, '')));
      expect(packets.at(-1)!).toBeGreaterThan(packets[0]);
      expect(r.erasedBeforeReport).toBe(true);
      expect(r.report).toMatch(/^FAIL: 3000 of 3000 connections abnormal/m);
    });
  }

  test('--json_the line is asked for with standard output in use (records stream during the read)', async () => {
    const r = await check({ jobs: 1, json: true });
    expect(r.status).toBe(1);
    expect(r.offered).toEqual([true]);
    expect(r.report.trim().split('\n').at(-1)).toMatch(/^\{"type":"verdict"/);
  });

  test('--no-progress_no line asked for, same report', async () => {
    const r = await check({ jobs: 1, progress: false });
    expect(r.status).toBe(1);
    expect(r.offered).toEqual([]);
    expect(r.draws).toEqual([]);
    expect(r.report).toMatch(/^FAIL: 3000 of 3000 connections abnormal/m);
  });
});
