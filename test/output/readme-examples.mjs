#!/usr/bin/env node
/**
 * The README's output examples: every ```text block that starts with `$ tcpscope ARGS` is the
 * output of that command (run from the repository root with TZ=UTC and no colour).
 *
 *   node test/output/readme-examples.mjs           check: exit 1 and show the first difference
 *   node test/output/readme-examples.mjs --update  re-run the commands and paste their output
 *
 * The golden test (readme.test.ts) uses `examples()` and `run()` from here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const README = join(ROOT, 'README.md');
const BLOCK = /```text\n\$ tcpscope ([^\n]*)\n([\s\S]*?)```/g;

/** The examples: [{ args, expected, start, end }] (start/end: offsets of the output in README). */
export function examples(text = readFileSync(README, 'utf8')) {
  const out = [];
  for (const m of text.matchAll(BLOCK)) {
    const start = m.index + '```text\n$ tcpscope '.length + m[1].length + 1;
    out.push({ args: m[1].split(/\s+/).filter(Boolean), expected: m[2], start, end: start + m[2].length });
  }
  return out;
}

/** Run the CLI as the README shows it. */
export function run(args) {
  return execFileSync(process.execPath, [join(ROOT, 'bin', 'tcpscope.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', FORCE_COLOR: '' },
    maxBuffer: 64 << 20,
  }).toString();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let text = readFileSync(README, 'utf8');
  const update = process.argv.includes('--update');
  let bad = 0;
  // replace from the end so earlier offsets stay valid
  for (const ex of examples(text).reverse()) {
    const got = run(ex.args);
    if (got === ex.expected) continue;
    if (update) {
      text = text.slice(0, ex.start) + got + text.slice(ex.end);
    } else {
      bad++;
      console.error(`README example differs: tcpscope ${ex.args.join(' ')}`);
    }
  }
  if (update) writeFileSync(README, text);
  process.exit(bad > 0 ? 1 : 0);
}
