#!/usr/bin/env node
// tcpscope command-line entry: runs the CLI from the bundle `npm run build` makes of dist/ (with its
// code cache: see bundle.js), or from dist/ itself when there is no up-to-date bundle.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './bundle.js';

const bundle = process.env.TCPSCOPE_NO_BUNDLE ? null : loadBundle('tcpscope', 'cli/main.js');
let main;
if (bundle !== null) {
  main = bundle.exports.main;
} else {
  const entry = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(fileURLToPath(entry))) {
    process.stderr.write('tcpscope: not built yet: run `npm ci` (or `npm run build`) in the tcpscope folder\n');
    process.exit(2);
  }
  try {
    ({ main } = await import(entry.href));
  } catch (e) {
    // dist/ is ~120 modules that Node's loader opens in parallel: a low `ulimit -n` fails here,
    // before tcpscope's own error reporting exists, so say it in one line, never a stack trace
    const limited = e?.code === 'EMFILE' || e?.code === 'ENFILE';
    process.stderr.write(limited
      ? 'tcpscope: cannot load its modules: too many open files (ulimit -n); raise the limit, or run `npm run build` for the one-file bundle\n'
      : `tcpscope: cannot load dist/cli/main.js: ${e?.message ?? e}\n`);
    process.exit(2);
  }
}
const status = await main(process.argv.slice(2));
process.exitCode = status;
