/** Run the tcpscope CLI as a user would: its stdout, stderr and exit status, separately. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'tcpscope.js');
export const SCEN = join(ROOT, 'fixtures', 'scenarios');
export const REAL = join(ROOT, 'fixtures', 'real');

export interface CliResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Run `tcpscope ARGS` (TZ=UTC, no colour unless env says so); env entries set to undefined are removed. */
export function tcpscope(args: string[], opts: { env?: Record<string, string | undefined>; input?: Buffer | string; cwd?: string } = {}): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...opts.env };
  if (opts.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: env as NodeJS.ProcessEnv,
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}

/** Run a shell command line (for pipes, `script`, gzip); stdout, stderr and status. */
export function shell(command: string, env: Record<string, string | undefined> = {}): CliResult {
  const e: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync('/bin/sh', ['-c', command], { env: e as NodeJS.ProcessEnv, maxBuffer: 64 << 20 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}

/** A shell word for `s`. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const NODE = process.execPath;

/** `shell` without blocking the test worker: tests that wait on timers can run side by side. */
export function shellAsync(command: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const e: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env: e as NodeJS.ProcessEnv });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status }));
  });
}
