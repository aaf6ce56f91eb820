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
  ({ main } = await import(entry.href));
}
const status = await main(process.argv.slice(2));
process.exitCode = status;
