/**
 * The bundled CLI (scripts/bundle.mjs, loaded by bin/bundle.js with its code cache) against dist/
 * as tsc wrote it: the same bytes for every mode, and a code cache or bundle that is missing,
 * corrupt or stale never changes what a run prints.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, copyOfTool, loadBundleIn, REAL, ROOT, SCEN, tcpscope } from './helpers.js';

const NO_BUNDLE = { TCPSCOPE_NO_BUNDLE: '1' };

describe('bundled CLI', () => {
  test('build_made_bundlesAndCache', () => {
    // npm run build (and npm test) make them; without them bin/ silently runs dist/
    for (const f of ['tcpscope.cjs', 'tcpscope.cjs.cache', 'shard-worker.cjs', 'shard-worker.cjs.cache']) expect(existsSync(join(ROOT, 'dist', f)), f).toBe(true);
  });

  const runs: [string, string[]][] = [
    ['annotated', ['-n', '-r', join(SCEN, 'retransmission.pcap')]],
    ['annotated -v, summary table', ['-nv', '-r', join(REAL, 'real-half-close.pcap')]],
    ['plain', ['--plain', '-n', '-r', join(SCEN, 'mixed-protocols.pcap')]],
    ['plain -x', ['--plain', '-nx', '-r', join(SCEN, 'ipv6.pcap')]],
    ['json', ['--json', '-r', join(SCEN, 'port-reuse.pcap')]],
    ['check', ['check', join(SCEN, 'rst-refused.pcap'), join(SCEN, 'syn-unanswered.pcap')]],
    ['check --json', ['check', '--json', join(REAL, 'real-normal.pcap')]],
    ['check --jobs 2 (workers from their bundle)', ['check', '--jobs', '2', '--json', join(SCEN, 'port-reuse.pcap'), join(SCEN, 'close-4way.pcap')]],
    ['filter', ['-n', '-r', join(SCEN, 'close-4way.pcap'), 'tcp[tcpflags] & tcp-fin != 0']],
    ['version', ['--version']],
    ['bad input', ['-n', '-r', join(ROOT, 'package.json')]],
    ['bad option', ['--no-such-option']],
  ];
  for (const [name, args] of runs) {
    test(`${name}_bundledAndDist_sameBytes`, () => {
      const bundled = tcpscope(args);
      const dist = tcpscope(args, { env: NO_BUNDLE });
      expect(bundled).toEqual(dist);
      if (name === 'bad input' || name === 'bad option') expect(bundled.stderr).not.toMatch(/\n\s+at /);
      else expect(bundled.stdout.length).toBeGreaterThan(0);
    });
  }
});

describe('bundle and code cache faults', () => {
  // a copy of the built tool (bin/, dist/, package.json; node_modules linked) to damage freely
  let dir = '';
  const F = join(SCEN, 'half-close.pcap');
  const ARGS = ['-n', '-r', F];
  let expected = '';
  /** tcpdump's "reading from file" line, whichever build prints it */
  let expectedErr = '';
  const run = (args: string[] = ARGS) => tcpscope(args, { bin: join(dir, 'bin', 'tcpscope.js') });
  const cache = () => join(dir, 'dist', 'tcpscope.cjs.cache');
  const restore = () => {
    cpSync(join(ROOT, 'dist', 'tcpscope.cjs'), join(dir, 'dist', 'tcpscope.cjs'));
    cpSync(join(ROOT, 'dist', 'tcpscope.cjs.cache'), cache());
  };
  /** whether bin/bundle.js takes the copy's cache (its third field) */
  const cacheTaken = (): boolean => loadBundleIn(dir)?.cacheUsed === true;

  beforeAll(() => {
    dir = copyOfTool('tcpscope-bundle-');
    const ref = spawnSync(process.execPath, [CLI, ...ARGS], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...NO_BUNDLE } });
    expected = ref.stdout.toString();
    expectedErr = ref.stderr.toString();
    expect(expectedErr).toMatch(/^reading from file [^\n]*, link-type EN10MB \(Ethernet\), snapshot length \d+\n$/);
    expect(expected).toContain('half-close');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('intact cache_taken_sameOutput', () => {
    restore();
    expect(cacheTaken()).toBe(true);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('missing cache_compiledFromSource_sameOutput', () => {
    restore();
    rmSync(cache());
    expect(cacheTaken()).toBe(false);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('corrupt cache data_refused_sameOutput', () => {
    restore();
    const bytes = readFileSync(cache());
    for (let i = 40; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
    writeFileSync(cache(), bytes);
    expect(cacheTaken()).toBe(false);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('truncated and empty cache_refused_sameOutput', () => {
    restore();
    const bytes = readFileSync(cache());
    writeFileSync(cache(), bytes.subarray(0, bytes.length >> 1));
    expect(cacheTaken()).toBe(false);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
    writeFileSync(cache(), Buffer.alloc(0));
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('cache of another bundle_refused_bundleRuns', () => {
    restore();
    // the same length, other bytes: V8's own check (the length) would take this cache
    const bundle = join(dir, 'dist', 'tcpscope.cjs');
    const source = readFileSync(bundle, 'utf8');
    const edited = source.replace('`tcpscope version ${', '`TCPSCOPE VERSION ${');
    expect(edited).not.toBe(source);
    expect(edited.length).toBe(source.length);
    writeFileSync(bundle, edited);
    expect(cacheTaken()).toBe(false);
    // the edited bundle is what runs (it is newer than dist/): the bundle is really in use
    expect(run(['--version']).stdout).toMatch(/^TCPSCOPE VERSION /);
  });

  test('bundle older than dist_distRuns', () => {
    restore();
    const bundle = join(dir, 'dist', 'tcpscope.cjs');
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('`tcpscope version ${', '`TCPSCOPE VERSION ${'));
    // tsc alone after a build: dist/ is newer than the bundle, which must not run
    const t = statSync(bundle).mtime.getTime() / 1000 + 10;
    utimesSync(join(dir, 'dist', 'cli', 'main.js'), t, t);
    expect(run(['--version']).stdout).toMatch(/^tcpscope version /);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('bundle cut short_distRuns', () => {
    restore();
    // newer than dist/ but not a whole script (a copy stopped midway): dist/ runs instead
    const bundle = join(dir, 'dist', 'tcpscope.cjs');
    const source = readFileSync(bundle);
    writeFileSync(bundle, source.subarray(0, source.length >> 1));
    const t = statSync(join(dir, 'dist', 'cli', 'main.js')).mtime.getTime() / 1000 + 20;
    utimesSync(bundle, t, t);
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });

  test('no bundle_distRuns', () => {
    rmSync(join(dir, 'dist', 'tcpscope.cjs'));
    rmSync(cache(), { force: true });
    expect(run()).toEqual({ stdout: expected, stderr: expectedErr, status: 0 });
  });
});
