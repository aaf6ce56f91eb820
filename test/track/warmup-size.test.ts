/**
 * The JIT warm-up only where it pays (src/track/warmup.ts): small regular files are tracked
 * without it, big inputs and inputs of unknown size get it. A file of its own: the warm-up runs
 * once per process, and this one must start without it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { trackCaptures } from '../../src/pipeline.js';
import type { FlowRecord } from '../../src/track/flow.js';
import { WARM_UP_MIN_BYTES, warmedUp, warmUpPays } from '../../src/track/warmup.js';

const SCEN = join(__dirname, '..', '..', 'fixtures', 'scenarios');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-warmup-size-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A file of `size` bytes (sparse: only its size matters to the decision). */
function fileOfSize(name: string, size: number): string {
  const path = join(tmp, name);
  writeFileSync(path, '');
  truncateSync(path, size);
  return path;
}

/** A file of `size` bytes that begins as gzip does (the decision reads no further). */
function gzipOfSize(name: string, size: number): string {
  const path = join(tmp, name);
  writeFileSync(path, Uint8Array.of(0x1f, 0x8b, 0x08, 0x00));
  truncateSync(path, size);
  return path;
}

/** A valid classic pcap of at least `minBytes`: a fixture's packets repeated. */
function bigCapture(minBytes: number): string {
  const src = readFileSync(join(SCEN, 'close-4way.pcap'));
  const header = src.subarray(0, 24);
  const records = src.subarray(24);
  const copies = Math.ceil(minBytes / records.length);
  const path = join(tmp, 'big.pcap');
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: copies }, () => records)]));
  return path;
}

async function connections(paths: string[]): Promise<FlowRecord[]> {
  const flows: FlowRecord[] = [];
  await trackCaptures({ captures: paths, filter: '', onFlowEnd: (f) => flows.push(f.toRecord()) });
  return flows;
}

describe('warm-up decision', () => {
  test('small regular files_noWarmUp', () => {
    expect(warmUpPays([join(SCEN, 'close-4way.pcap')])).toBe(false);
    expect(warmUpPays([join(SCEN, 'close-4way.pcap'), join(SCEN, 'retransmission.pcap')])).toBe(false);
    expect(warmUpPays([fileOfSize('just-under.pcap', WARM_UP_MIN_BYTES - 1)])).toBe(false);
  });

  test('big or together big_warmUp', () => {
    expect(warmUpPays([fileOfSize('at.pcap', WARM_UP_MIN_BYTES)])).toBe(true);
    const half = fileOfSize('half.pcap', WARM_UP_MIN_BYTES / 2);
    expect(warmUpPays([half])).toBe(false);
    expect(warmUpPays([half, fileOfSize('half2.pcap', WARM_UP_MIN_BYTES / 2)])).toBe(true);
  });

  test('gzip file_countedInflated', () => {
    expect(warmUpPays([gzipOfSize('small.pcap.gz', WARM_UP_MIN_BYTES / 64)])).toBe(false);
    expect(warmUpPays([gzipOfSize('smallish.pcap.gz', WARM_UP_MIN_BYTES / 4)])).toBe(true);
  });

  test('gzip by magic not name_countedInflated', () => {
    // the readers know gzip by its first bytes; so does the decision
    expect(warmUpPays([gzipOfSize('smallish-no-suffix.pcap', WARM_UP_MIN_BYTES / 4)])).toBe(true);
    expect(warmUpPays([fileOfSize('not-really.pcap.gz', WARM_UP_MIN_BYTES / 4)])).toBe(false);
  });

  test('unknown size_warmUp', () => {
    expect(warmUpPays(['-'])).toBe(true);
    expect(warmUpPays(['/dev/null'])).toBe(true);
    const dir = join(tmp, 'dir');
    mkdirSync(dir);
    expect(warmUpPays([dir])).toBe(true);
    expect(warmUpPays([join(tmp, 'no-such.pcap')])).toBe(true);
  });

  test('trackCaptures_smallThenBig_warmsUpOnlyForBig', async () => {
    const small = await connections([join(SCEN, 'close-4way.pcap')]);
    expect(small.length).toBe(1);
    expect(warmedUp()).toBe(false);
    const bigPath = bigCapture(WARM_UP_MIN_BYTES);
    const big = await connections([bigPath]);
    expect(big.length).toBeGreaterThan(1);
    expect(warmedUp()).toBe(true);
    // the first connection of the repeated packets is the small capture's one (ended by the
    // port's reuse instead of the end of the input)
    expect({ ...big[0], end_reason: 'end-of-input' }).toEqual(small[0]);
  });
});
