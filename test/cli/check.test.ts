/** `tcpscope check` operands as a user types them: each capture once, standard input once. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

const F = join(SCEN, 'close-4way.pcap');

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

  test('standard input once_judged', () => {
    const r = tcpscope(['check', '-q', '-'], { input: readFileSync(join(SCEN, 'rst-refused.pcap')) });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: 1 of 1 connection abnormal \(refused 1\)/m);
  });
});
