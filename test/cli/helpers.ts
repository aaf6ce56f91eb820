/** Run the tcpscope CLI as a user would: its stdout, stderr and exit status, separately. */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
export function tcpscope(args: string[], opts: { env?: Record<string, string | undefined>; input?: Buffer | string; cwd?: string; bin?: string } = {}): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...opts.env };
  if (opts.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [opts.bin ?? CLI, ...args], {
    env: env as NodeJS.ProcessEnv,
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}

/**
 * A copy of the built tool in a fresh temporary folder, for tests that damage or edit it: bin/,
 * dist/ (its times kept, so bin/bundle.js judges the bundle's age as in the original) and
 * package.json copied, node_modules linked. Returns the folder (the caller removes it).
 */
export function copyOfTool(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** What bin/bundle.js in the tool at `root` makes of the CLI's bundle: null (no usable bundle), or whether it took the code cache. */
export function loadBundleIn(root: string): { cacheUsed: boolean } | null {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const { loadBundle } = await import(${JSON.stringify(join(root, 'bin', 'bundle.js'))}); const b = loadBundle('tcpscope', 'cli/main.js'); process.stdout.write(JSON.stringify(b === null ? null : { cacheUsed: b.cacheUsed }));`]);
  return JSON.parse(r.stdout.toString()) as { cacheUsed: boolean } | null;
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
