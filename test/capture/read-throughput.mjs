#!/usr/bin/env node
// Raw reading rate of the capture readers (callback doing almost nothing), from the page cache.
// Not a unit test: run `node test/capture/read-throughput.mjs FILE [chunkKiB...]` after a build.
// The file is read once first so the timed runs measure the reader, not the disk.
import { readFileSync, statSync } from 'node:fs';
import { readCapture } from '../../dist/capture/index.js';

const file = process.argv[2];
if (!file) { console.error('usage: read-throughput.mjs FILE [chunkKiB ...]'); process.exit(2); }
const chunks = process.argv.slice(3).map(Number);
if (chunks.length === 0) chunks.push(2048);
const size = statSync(file).size;
const runs = Number(process.env.RUNS ?? 3);

for (const kib of chunks) {
  const times = [];
  const cpus = [];
  let frames = 0;
  for (let r = 0; r < runs + 1; r++) {
    let n = 0;
    let bytes = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await readCapture(file, (f) => { n++; bytes += f.caplen; }, { chunkSize: kib * 1024 });
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    // the first run warms the page cache and the JIT; CPU time is steadier than wall time on a busy machine
    if (r > 0) { times.push(t); cpus.push((c.user + c.system) / 1e6); }
    frames = n;
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const cpu = cpus[Math.floor(cpus.length / 2)];
  console.log(`chunk ${String(kib).padStart(5)} KiB: ${frames} frames, ${(size / 1e9).toFixed(2)} GB in ${med.toFixed(3)} s wall, ${cpu.toFixed(3)} s CPU (medians of ${runs}) = ${(frames / med / 1e6).toFixed(2)} M frames/s, ${(size / med / 1e9).toFixed(2)} GB/s wall; ${(size / cpu / 1e9).toFixed(2)} GB/s per CPU second; rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
}
