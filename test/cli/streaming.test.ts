/**
 * Output that must not wait in a buffer: `tcpdump -U -w - | tcpscope -r -` prints each packet
 * while the capture pauses, and -l writes every packet's lines at once (tcpdump's -l).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, NODE, SCEN } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const REFUSED = join(SCEN, 'rst-refused.pcap'); // 2 packets
const CLOSE4 = join(SCEN, 'close-4way.pcap'); // 11 packets

/** Start tcpscope reading standard input; resolves with what it printed once `lines` lines are out. */
function firstLines(args: string[], input: Buffer, lines: number): Promise<{ text: string; exitedBefore: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
    let text = '';
    let exited = false;
    const timer = setTimeout(() => { child.kill(); reject(new Error(`only this after 5 s: ${JSON.stringify(text)}`)); }, 5000);
    child.on('exit', () => { exited = true; });
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.split('\n').length - 1 >= lines) {
        clearTimeout(timer);
        resolve({ text, exitedBefore: exited });
        child.stdin.end();
      }
    });
    // the capture arrives, then the writer stays open (a quiet network): stdin is not closed
    child.stdin.write(input);
  });
}

describe('standard input that pauses', () => {
  for (const mode of [['--plain'], [], ['--json=packets']]) {
    test(`-r -_${mode.join('') || 'annotated'}_packets printed while the input stays open`, async () => {
      const lines = mode.length === 0 ? 4 : 2; // annotated: a line and an annotation per packet
      const r = await firstLines(['-n', '-r', '-', ...mode], readFileSync(REFUSED), lines);
      expect(r.exitedBefore).toBe(false);
      expect(r.text).toMatch(mode[0] === '--json=packets' ? /^\{"type":"packet","number":1,/ : /^\d\d:\d\d:\d\d\.000000 IP 10\.0\.0\.1\.40007 > /);
    });
  }
});

const straceWorks = spawnSync('strace', ['-qq', '-o', '/dev/null', 'true']).status === 0;

describe('-l', () => {
  /** How many write(2) calls the run makes on standard output. */
  function stdoutWrites(args: string[]): number {
    const log = join(tmp, 'strace.log');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=write', '-o', log, NODE, CLI, ...args], { env: { ...process.env, TZ: 'UTC' } });
    expect(r.status).toBe(0);
    return readFileSync(log, 'utf8').split('\n').filter((l) => /write\(1, /.test(l)).length;
  }

  test.skipIf(!straceWorks)('-l_11 packets_one write per packet', () => {
    expect(stdoutWrites(['-l', '-n', '--plain', '-r', CLOSE4])).toBe(11);
  });

  test.skipIf(!straceWorks)('no -l_11 packets_one write for the run', () => {
    expect(stdoutWrites(['-n', '--plain', '-r', CLOSE4])).toBe(1);
  });
});
