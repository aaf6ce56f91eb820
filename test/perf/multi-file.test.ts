/**
 * Rotated captures are one capture: `-r DIR` and repeated `-r` read the parts merged in time
 * order, and every output (tcpdump's lines, the annotations, the flow records) is the one the
 * whole capture gives: a connection spanning two parts is one connection.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generated, split, tmpDir } from './helpers.js';

const root = join(__dirname, '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });

describe('several capture files read as one', () => {
  let whole = '';
  let parts: string[] = [];
  let dir = '';
  beforeAll(() => {
    const base = tmpDir();
    whole = generated(base, 'whole.pcap', { flows: 400, payload: 20000, rate: 200, seed: 13 }).path;
    dir = join(base, 'rotated');
    mkdirSync(dir);
    parts = split(whole, dir, 5);
  });

  test.each([['--plain', '-n'], ['-n'], ['--json', '-n'], ['--json=packets', '-n']])('readDirectory_%s_sameAsWholeCapture', (...mode) => {
    const a = cli([...mode, '-r', whole]);
    const b = cli([...mode, '-r', dir]);
    expect(a.status).toBe(0);
    // tcpdump -V's "reading from file" line for each file, except with --json
    const reading = b.stderr.split('\n').filter((l) => l !== '');
    expect(reading.length).toBe(mode[0].startsWith('--json') ? 0 : parts.length);
    for (const l of reading) expect(l).toMatch(/^reading from file .*, link-type EN10MB \(Ethernet\), snapshot length \d+$/);
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.length).toBeGreaterThan(1000);
  });

  test('repeatedR_partsInAnyOrder_sameAsWholeCapture', () => {
    const a = cli(['--json', '-n', '-r', whole]);
    // given out of order: the merge puts them back in time order
    const b = cli(['--json', '-n', ...[...parts].reverse().flatMap((p) => ['-r', p])]);
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stdout.split('\n').filter((l) => l.startsWith('{"type":"flow"')).length).toBe(400);
  });

  test('checkDirectory_sameVerdictAsWholeCapture', () => {
    const a = cli(['check', '--json', whole]);
    const b = cli(['check', '--json', dir]);
    expect(b.status).toBe(a.status);
    const flows = (s: string) => s.split('\n').filter((l) => l.startsWith('{"type":"flow"'));
    expect(flows(b.stdout)).toEqual(flows(a.stdout));
    expect(flows(a.stdout).length).toBe(400);
  });
});
