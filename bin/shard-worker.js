// Worker thread of `tcpscope check --jobs N` when the CLI runs from its bundle: the shard worker's
// own bundle with its code cache (see bundle.js), or dist/check/shard-worker.js when there is none.
// A CommonJS script (bin/package.json), as bin/tcpscope.js.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { parentPort, threadId } = require('node:worker_threads');
const { loadBundle, writeCodeCache } = require('./bundle.js');

// the build's training run (scripts/bundle.mjs) sets this: the worker compiles from source and,
// after each message it has handled, writes what it has compiled as the workers' code cache
const training = process.env.TCPSCOPE_TRAIN_WORKER_CACHE === '1';
const bundle = loadBundle('shard-worker', 'check/shard-worker.js', { useCache: !training });
// (a failed import is an unhandled rejection: the worker ends, and the parent reports its error)
if (bundle === null) import(pathToFileURL(join(__dirname, '..', 'dist', 'check', 'shard-worker.js')).href);
else if (training) {
  parentPort.on('message', () => {
    try {
      writeCodeCache(bundle, `${process.pid}-${threadId}`);
    } catch {
      // no cache: the workers compile from source
    }
  });
}
