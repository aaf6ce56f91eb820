#!/bin/sh
":" //; unset NODE_EXTRA_CA_CERTS; exec node "$0" "$@"
// tcpscope command-line entry: runs the CLI from the bundle `npm run build` makes of dist/ (with its
// code cache: see bundle.js), or from dist/ itself when there is no up-to-date bundle.
//
// Run as a program (an installed `tcpscope`, ./bin/tcpscope.js) this file is first a shell script:
// line 2 is, to sh, `:` (do nothing) then "drop NODE_EXTRA_CA_CERTS and exec node on this file
// with the same arguments" (same pid, so signals and the exit status are node's own); to
// JavaScript it is a string expression statement and a comment (`node bin/tcpscope.js` skips
// line 1 and runs on from here). Why: where NODE_EXTRA_CA_CERTS is set (corporate machines, CI
// images), Node parses every certificate it names at start-up, before any script runs: ~60 ms of
// CPU for Debian's bundle, on every run. tcpscope makes no TLS connection, so that is pure cost;
// `#!/usr/bin/env node` cannot avoid it and `env -S -u` is not portable (BusyBox). README, Start-up.
//
// A CommonJS script (bin/package.json): an ES module entry would cost Node's ES module loader and
// a facade per built-in it imports, ~10 ms of every run (README, Start-up).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { loadBundle } = require('./bundle.js');

async function loadMain() {
  const bundle = process.env.TCPSCOPE_NO_BUNDLE ? null : loadBundle('tcpscope', 'cli/main.js');
  if (bundle !== null) return bundle.exports.main;
  const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) {
    process.stderr.write('tcpscope: not built yet: run `npm ci` (or `npm run build`) in the tcpscope folder\n');
    process.exit(2);
  }
  try {
    return (await import(pathToFileURL(entry).href)).main;
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

loadMain().then((main) => main(process.argv.slice(2))).then((status) => {
  process.exitCode = status;
}, (e) => {
  // main reports every error itself: this is only for a failure outside it, in one line
  process.stderr.write(`tcpscope: internal error: ${e?.message ?? e}\n`);
  process.exitCode = 2;
});
