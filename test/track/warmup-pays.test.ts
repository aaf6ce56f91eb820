/**
 * The JIT warm-up is decided once where a run starts: `check` tracks a capture below
 * WARM_UP_MIN_BYTES without it and one above with it, and trackCaptures does what its `warmUp`
 * option says whatever the capture's size. A file of its own: the warm-up runs once per process
 * (warmedUp() says whether it has), so the runs without it come first.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPolicy, runCheck } from '../../src/check/index.js';
import { trackCaptures } from '../../src/pipeline.js';
import { Output } from '../../src/print/output.js';
import { WARM_UP_MIN_BYTES, warmedUp } from '../../src/track/warmup.js';

const SCEN = join(__dirname, '..', '..', 'fixtures', 'scenarios');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-warmup-pays-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** rst-abort.pcap's packets repeated past `minBytes` (each copy one more reset connection). */
function bigCapture(minBytes: number): string {
  const src = readFileSync(join(SCEN, 'rst-abort.pcap'));
  const records = src.subarray(24);
  const copies = Math.ceil(minBytes / records.length);
  const path = join(tmp, 'big.pcap');
  writeFileSync(path, Buffer.concat([src.subarray(0, 24), ...Array.from({ length: copies }, () => records)]));
  return path;
}

/** `tcpscope check CAPTURE` in this process on one thread: its status and verdict line. */
async function check(capture: string): Promise<{ status: number; verdict: string }> {
  const file = join(tmp, 'out.txt');
  const fd = openSync(file, 'w');
  let status: number;
  try {
    status = await runCheck(
      { captures: [capture], filter: '', policy: buildPolicy({}, {}), json: false, color: 'never', quiet: true, reportLimit: 1, progress: false, jobs: 1 },
      { stdout: new Output(fd), stderr: () => {}, env: { TZ: 'UTC' }, isTTY: false },
    );
  } finally {
    closeSync(fd);
  }
  return { status, verdict: readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) as string };
}

describe('the warm-up, decided where the run starts', () => {
  const big = bigCapture(WARM_UP_MIN_BYTES);

  it('trackCaptures_warmUpFalse_bigCaptureTrackedWithout', async () => {
    let flows = 0;
    const r = await trackCaptures({ captures: [big], filter: '', warmUp: false, onFlowEnd: () => { flows++; } });
    expect(r.packets).toBeGreaterThan(4000);
    expect(flows).toBeGreaterThan(600);
    expect(warmedUp()).toBe(false);
  });

  it('check_captureBelowThreshold_noWarmUp', async () => {
    const r = await check(join(SCEN, 'rst-abort.pcap'));
    expect(r.status).toBe(1);
    expect(r.verdict).toMatch(/^FAIL: 1 of 1 connection abnormal \(reset 1\)/);
    expect(warmedUp()).toBe(false);
  });

  it('check_captureAboveThreshold_warmsUp_sameVerdicts', async () => {
    const r = await check(big);
    expect(r.status).toBe(1);
    expect(r.verdict).toMatch(/^FAIL: (\d+) of \1 connections abnormal \(reset \1\)/);
    expect(warmedUp()).toBe(true);
  });
});
