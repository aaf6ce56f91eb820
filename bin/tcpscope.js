#!/usr/bin/env node
// tcpscope command-line entry: loads the compiled CLI from dist/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('tcpscope: not built yet: run `npm ci` (or `npm run build`) in the tcpscope folder\n');
  process.exit(2);
}
const { main } = await import(entry.href);
const status = await main(process.argv.slice(2));
process.exitCode = status;
