/**
 * What a run loads before its first packet: the bundle gives node:child_process a lazy stand-in
 * (scripts/bundle.mjs, LAZY_BUILTINS), so no run loads it (nor dgram, which it pulls in) unless it
 * calls it: commander's executable subcommands (tcpscope has none) or `-Z USER`'s getent lookup.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, NODE, REAL, SCEN } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-startup-'));
chmodSync(tmp, 0o777);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// a preload that writes, at exit, the built-in modules loaded after it
const preload = join(tmp, 'loaded.cjs');
writeFileSync(preload, `'use strict';
const seen = new Set(process.moduleLoadList);
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.LOADED_OUT, process.moduleLoadList.filter((m) => !seen.has(m)).join('\\n'));
});
`);

/** The built-ins a run of `tcpscope ARGS` loads after start-up, and its status. */
function loaded(args: string[], env: Record<string, string> = {}): { modules: string[]; status: number | null } {
  const out = join(tmp, 'loaded.txt');
  rmSync(out, { force: true });
  const r = spawnSync(NODE, ['-r', preload, CLI, ...args], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', LOADED_OUT: out, ...env }, stdio: 'ignore' });
  return { modules: readFileSync(out, 'utf8').split('\n'), status: r.status };
}

describe('built-ins loaded at start', () => {
  const F = join(SCEN, 'bad-checksums.pcap');
  const modes: [string, string[]][] = [
    ['check', ['check', F]],
    ['plain', ['--plain', '-n', '-r', F]],
    ['annotated', ['-n', '-r', join(REAL, 'real-normal.pcap')]],
    ['json', ['--json', '-r', F]],
    ['help', ['--help']],
  ];
  for (const [name, args] of modes) {
    test(`bundledRun_${name}_childProcessNotLoaded`, () => {
      const r = loaded(args);
      expect(r.status).toBe(0);
      expect(r.modules.length).toBeGreaterThan(5);
      expect(r.modules).not.toContain('NativeModule child_process');
      expect(r.modules).not.toContain('NativeModule dgram');
    });
  }

  test('distRun_check_childProcessLoaded', () => {
    // the control: dist/ as tsc wrote it requires node:child_process as commander loads
    const r = loaded(['check', F], { TCPSCOPE_NO_BUNDLE: '1' });
    expect(r.status).toBe(0);
    expect(r.modules).toContain('NativeModule child_process');
  });

  const isRoot = process.getuid?.() === 0;
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  test.skipIf(!isRoot || nobody.status !== 0)('bundledRun_dashZ_standInRunsGetent_fileOwnedByUser', () => {
    // -Z USER looks the user up with getent (execFileSync): the stand-in loads the real module then
    const w = join(tmp, 'as-nobody.pcap');
    const r = loaded(['-r', F, '-Z', 'nobody', '-w', w]);
    expect(r.status).toBe(0);
    expect(r.modules).toContain('NativeModule child_process');
    expect(statSync(w).uid).toBe(Number(nobody.stdout.trim()));
  });
});
