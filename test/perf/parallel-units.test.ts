/**
 * The pieces of the parallel check that need no worker: how connection numbers are kept per
 * shard (ShardSerials), how many threads a check runs on by default (threadsFor); and that the
 * workers' code cache is taken (V8 refuses a cache made under other flags, so a flag set at run
 * time would quietly cost every worker its cache).
 */
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { ShardSerials } from '../../src/check/parallel.js';
import { threadsFor } from '../../src/check/run.js';
import { tmpDir } from './helpers.js';

describe('ShardSerials', () => {
  test('serials_takenInAnyOrder_giveTheNumbersAdded', () => {
    const s = new ShardSerials();
    const n = 20_000;
    for (let i = 0; i < n; i++) s.add(3 * i + 7);
    // every 3rd, then the rest backwards: the answer depends only on the serial
    const order: number[] = [];
    for (let i = 1; i <= n; i += 3) order.push(i);
    for (let i = n; i >= 1; i--) if ((i - 1) % 3 !== 0) order.push(i);
    for (const serial of order) expect(s.take(serial)).toBe(3 * (serial - 1) + 7);
  });

  test('serials_allOfAChunkEnded_chunkDropped', () => {
    const s = new ShardSerials();
    for (let i = 1; i <= 3 * 4096 + 10; i++) s.add(i);
    expect(s.chunksHeld).toBe(4);
    // the first chunk but one connection: still held; its last one ends: dropped
    for (let i = 2; i <= 4096; i++) s.take(i);
    expect(s.chunksHeld).toBe(4);
    s.take(1);
    expect(s.chunksHeld).toBe(3);
    // the chunk being filled stays while more may come, even with nothing live in it
    for (let i = 3 * 4096 + 1; i <= 3 * 4096 + 10; i++) s.take(i);
    expect(s.chunksHeld).toBe(3);
    for (let i = 4097; i <= 3 * 4096; i++) s.take(i);
    expect(s.chunksHeld).toBe(1);
  });

  test('serials_neverAddedOrOfADroppedChunk_minusOne', () => {
    const s = new ShardSerials();
    for (let i = 1; i <= 4096; i++) s.add(i);
    // serials never given: before the first, past the last
    expect(s.take(0)).toBe(-1);
    expect(s.take(4097)).toBe(-1);
    for (let i = 1; i <= 4096; i++) expect(s.take(i)).toBe(i);
    // every connection of the (full) chunk ended: it is dropped, so a second end of one of them
    // is caught, not answered wrong (a second end while its chunk is still held is not: the
    // merger relies on each worker ending each connection once)
    expect(s.chunksHeld).toBe(0);
    expect(s.take(5)).toBe(-1);
  });
});

describe('threadsFor', () => {
  const dir = tmpDir();
  const small = join(dir, 'small.pcap');
  writeFileSync(small, Buffer.alloc(1000));
  // a sparse 600 MB file: big by its size, nothing on disk
  const big = join(dir, 'big.pcap');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 600 * 1024 * 1024);
  closeSync(fd);

  test('threadsFor_bigCaptureManyCores_twoWorkersNotOnePerCore', () => {
    expect(threadsFor({}, [big], 4)).toBe(2);
    expect(threadsFor({}, [big], 64)).toBe(2);
  });

  test('threadsFor_fewCoresOrSmallCaptureOrStdin_oneThread', () => {
    expect(threadsFor({}, [big], 2)).toBe(1);
    expect(threadsFor({}, [big], 3)).toBe(1);
    expect(threadsFor({}, [small], 64)).toBe(1);
    expect(threadsFor({}, [big, '-'], 64)).toBe(1);
    expect(threadsFor({}, [join(dir, 'missing.pcap')], 64)).toBe(1);
  });

  test('threadsFor_explicitJobs_obeyedEvenWhereItDoesNotPay', () => {
    expect(threadsFor({ jobs: 4 }, [small], 2)).toBe(4);
    expect(threadsFor({ jobs: 2.7 }, [small], 1)).toBe(2);
    expect(threadsFor({ jobs: 0 }, [big], 64)).toBe(1);
  });

  test('threadsFor_maxFlows_oneThreadWhateverAsked', () => {
    expect(threadsFor({ jobs: 4, maxFlows: 1000 }, [big], 64)).toBe(1);
  });
});

describe('shard worker bundle', () => {
  test('workerCodeCache_afterTrainingRun_takenByAWorker', async () => {
    // npm run build made the cache with a training `check --jobs 2`: a V8 flag set at run time in
    // a worker (--expose-gc, say) would change the flag hash the cache carries, and V8 would
    // then refuse the cache
    const bundleJs = pathToFileURL(join(__dirname, '..', '..', 'bin', 'bundle.js')).href;
    const worker = new Worker(`import(${JSON.stringify(bundleJs)}).then(({ loadBundle }) => {
      const b = loadBundle('shard-worker', 'check/shard-worker.js');
      require('node:worker_threads').parentPort.postMessage(b === null ? 'no bundle' : String(b.cacheUsed));
    });`, { eval: true });
    const answer = await new Promise<string>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    expect(answer).toBe('true');
  }, 30_000);
});
