/**
 * bin/tcpscope.js's two ways to run (README, Start-up): the bundle `npm run build` makes (with
 * its code cache, its shard workers from their own bundle through bin/shard-worker.js), or with
 * TCPSCOPE_NO_BUNDLE set, dist/ as tsc wrote it (workers from dist/check/shard-worker.js); and
 * the bundle's text contract: scripts/bundle.mjs writes it as ASCII (every other character as a
 * \uXXXX escape), which bin/bundle.js reads as latin1 (a plain copy into a one-byte string), and
 * reads a bundle that is not ASCII as UTF-8, so a non-ASCII character never comes out garbled.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliResult, CLI, copyOfTool, loadBundleIn, ROOT, SCEN, tcpscope } from './helpers.js';

const ARROW = '\u2192';
/** an annotated run: its annotations name both endpoints with an arrow */
const ANNOTATED = ['-n', '-r', join(SCEN, 'retransmission.pcap')];
const CHECK_JOBS = ['check', '--jobs', '2', '--json', join(SCEN, 'port-reuse.pcap'), join(SCEN, 'close-4way.pcap')];

describe('the built bundle', () => {
  test('bundles_pureAscii_nonAsciiAsEscapes', () => {
    for (const name of ['tcpscope.cjs', 'shard-worker.cjs']) expect(isAscii(readFileSync(join(ROOT, 'dist', name))), name).toBe(true);
    // the annotations' arrow is in the CLI's bundle, as an escape
    expect(readFileSync(join(ROOT, 'dist', 'tcpscope.cjs'), 'latin1')).toContain('\\u2192');
  });

  test('annotationArrow_fromTheBundle_sameCharacterAsDist', () => {
    expect(loadBundleIn(ROOT) !== null).toBe(true);
    const bundled = tcpscope(ANNOTATED, { env: { TCPSCOPE_NO_BUNDLE: undefined } });
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toContain(` ${ARROW} `);
    // a misread bundle would print the arrow's three UTF-8 bytes as three latin1 characters
    expect(bundled.stdout).not.toContain('\u00e2');
    expect(bundled).toEqual(tcpscope(ANNOTATED, { env: { TCPSCOPE_NO_BUNDLE: '1' } }));
  });
});

describe('a copy of the tool with its bundles edited', () => {
  // bin/, dist/ and package.json copied (node_modules linked); in the copy the CLI's bundle says
  // its version in capitals, holds the arrow as the raw character (not ASCII any more), and
  // bin/shard-worker.js (the bundle's worker script) exits at once with status 7
  let dir = '';
  const run = (args: string[], env: Record<string, string> = {}): CliResult =>
    tcpscope(args, { bin: join(dir, 'bin', 'tcpscope.js'), env: { TCPSCOPE_NO_BUNDLE: '', ...env } });

  beforeAll(() => {
    dir = copyOfTool('tcpscope-bin-');
    // written now: newer than dist/, so it is the bundle bin/bundle.js takes
    const bundle = join(dir, 'dist', 'tcpscope.cjs');
    const source = readFileSync(bundle, 'latin1');
    const edited = source.replace('`tcpscope version ${', '`TCPSCOPE VERSION ${').replaceAll('\\u2192', ARROW);
    expect(edited).not.toContain('`tcpscope version ${');
    expect(edited).not.toContain('\\u2192');
    writeFileSync(bundle, edited, 'utf8');
    expect(isAscii(readFileSync(bundle))).toBe(false);
    const worker = join(dir, 'bin', 'shard-worker.js');
    writeFileSync(worker, readFileSync(worker, 'utf8').replace("'use strict';", "'use strict';\nprocess.exit(7);"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('noBundleUnset_bundleRuns', () => {
    expect(loadBundleIn(dir) !== null).toBe(true);
    expect(run(['--version']).stdout).toMatch(/^TCPSCOPE VERSION /);
  });

  test('noBundleSet_distRuns', () => {
    const r = run(['--version'], { TCPSCOPE_NO_BUNDLE: '1' });
    expect(r.stdout).toMatch(/^tcpscope version /);
    expect(r.stdout.replace('tcpscope version', 'TCPSCOPE VERSION')).toBe(run(['--version']).stdout);
  });

  test('rawNonAsciiInTheBundle_readAsUtf8_arrowComesOutRight', () => {
    // bin/bundle.js reads a bundle that is not ASCII as UTF-8 (as latin1, the arrow would be garbled)
    const r = run(ANNOTATED);
    expect(r.stdout).toContain(` ${ARROW} `);
    expect(r).toEqual(tcpscope(ANNOTATED, { env: { TCPSCOPE_NO_BUNDLE: '1' } }));
  });

  test('noBundleSet_checkJobs_workersFromDistNotTheBundlesScript', () => {
    // the bundle's worker script is broken in the copy: only a run that never starts it works
    const fromDist = run(CHECK_JOBS, { TCPSCOPE_NO_BUNDLE: '1' });
    const main = spawnSync(process.execPath, [CLI, ...CHECK_JOBS], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
    expect(fromDist).toEqual({ stdout: main.stdout.toString(), stderr: main.stderr.toString(), status: main.status });
    expect(fromDist.stdout).toContain('"type":"flow"');
  });

  test('noBundleUnset_checkJobs_brokenWorkerScript_oneLineStatus2', () => {
    // and the bundled run does start it: each worker exits before its first answer
    const r = run(CHECK_JOBS);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: shard worker [01] stopped \(exit status 7\) before its last answer, without saying why\n$/);
  });
});
