// Worker thread of `tcpscope check --jobs N` when the CLI runs from its bundle: the shard worker's
// own bundle with its code cache (see bundle.js), or dist/check/shard-worker.js when there is none.
import { loadBundle } from './bundle.js';

if (loadBundle('shard-worker', 'check/shard-worker.js') === null) await import('../dist/check/shard-worker.js');
