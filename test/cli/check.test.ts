/** `tcpscope check` operands as a user types them: each capture once, standard input once. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

const F = join(SCEN, 'close-4way.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-check-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('check operands', () => {
  test('the same capture twice (another path)_usage error, status 2', () => {
    const r = tcpscope(['check', F, join(SCEN, '..', 'scenarios', 'close-4way.pcap')]);
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^tcpscope: \S+close-4way\.pcap is given twice: each capture is read once\n$/);
  });

  test('- twice_usage error, status 2', () => {
    const r = tcpscope(['check', '-', '-'], { input: '' });
    expect(r).toEqual({ status: 2, stdout: '', stderr: 'tcpscope: - is given twice: standard input can be read only once\n' });
  });

  test('--junit -_usage error, no file named -', () => {
    const r = tcpscope(['check', '--junit', '-', F], { cwd: tmp });
    expect(r).toEqual({ status: 2, stdout: '', stderr: 'tcpscope: --junit needs a file name: the report (or --json) already uses standard output\n' });
    expect(existsSync(join(tmp, '-'))).toBe(false);
  });

  test('standard input once_judged', () => {
    const r = tcpscope(['check', '-q', '-'], { input: readFileSync(join(SCEN, 'rst-refused.pcap')) });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: 1 of 1 connection abnormal \(refused 1\)/m);
  });
});
