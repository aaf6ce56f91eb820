/**
 * A low `ulimit -n`: the one-file bundle runs; dist/ (Node's loader opens its ~120 modules in
 * parallel) and `check --jobs 2` (each worker needs descriptors to start) cannot, and say so in
 * one line naming the limit, exit status 2, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, REAL } from './helpers.js';

// low enough that dist/'s parallel module loads and a worker's start-up fail, high enough for
// Node itself (it crashes below ~18) and for the bundle, which opens one file at a time
const LIMIT = 24;

function underLimit(args: string[], env: Record<string, string> = {}) {
  const quoted = ['node', CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('bash', ['-c', `ulimit -n ${LIMIT} && exec ${quoted}`], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('low open-file limit', () => {
  const capture = join(REAL, 'real-normal.pcap');

  test('bundle_lowFileLimit_runs', () => {
    const r = underLimit(['check', capture]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PASS: 1 connection, none abnormal/m);
    expect(r.status).toBe(0);
  });

  test('distModules_lowFileLimit_oneLineError', () => {
    const r = underLimit(['check', capture], { TCPSCOPE_NO_BUNDLE: '1' });
    expect(r.stderr).toBe('tcpscope: cannot load its modules: too many open files (ulimit -n); raise the limit, or run `npm run build` for the one-file bundle\n');
    expect(r.status).toBe(2);
  });

  test('checkJobs2_lowFileLimit_namesLimitNoStack', () => {
    const r = underLimit(['check', '--jobs', '2', capture]);
    expect(r.stderr).toMatch(/^tcpscope: shard worker \d could not start: too many open files \(ulimit -n\); raise the limit or use --jobs 1\n$/);
    expect(r.status).toBe(2);
  });
});
