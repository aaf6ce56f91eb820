// Worker thread of `tcpscope check --jobs N` when the CLI runs from its bundle: the shard worker's
// own bundle with its code cache (see bundle.js), or dist/check/shard-worker.js when there is none.
import { parentPort, threadId } from 'node:worker_threads';
import { loadBundle, writeCodeCache } from './bundle.js';

// the build's training run (scripts/bundle.mjs) sets this: the worker compiles from source and,
// after each message it has handled, writes what it has compiled as the workers' code cache
const training = process.env.TCPSCOPE_TRAIN_WORKER_CACHE === '1';
const bundle = loadBundle('shard-worker', 'check/shard-worker.js', { useCache: !training });
if (bundle === null) await import('../dist/check/shard-worker.js');
else if (training) {
  parentPort.on('message', () => {
    try {
      writeCodeCache(bundle, `${process.pid}-${threadId}`);
    } catch {
      // no cache: the workers compile from source
    }
  });
}
