/**
 * A reader that goes away (`| head -1`): every output mode ends quietly, without a stack trace;
 * tcpscope itself exits 0 as tcpdump does, `tcpscope check` keeps its verdict as its status (a
 * pipe closed early must not pass a CI job under `set -o pipefail`).
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, NODE, q, SCEN } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-pipes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Several hundred KiB of output in every mode: close-4way 200 times, rst-abort 200 times. */
function repeated(name: string, times: number): string {
  const src = readFileSync(join(SCEN, name));
  const p = join(tmp, `${times}x-${name}`);
  writeFileSync(p, Buffer.concat([src.subarray(0, 24), ...Array<Buffer>(times).fill(src.subarray(24))]));
  return p;
}
const clean = repeated('close-4way.pcap', 200);
const abnormal = join(SCEN, 'syn-flood.pcap');

/** `tcpscope ARGS | head -c 1`: tcpscope's status and stderr. */
function intoHead(args: string[]): { status: number; stderr: string } {
  const cmd = `${q(NODE)} ${q(CLI)} ${args.map(q).join(' ')} 2>${q(join(tmp, 'err'))} | head -c 1 >/dev/null; exit "\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', cmd], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
  return { status: r.status ?? -1, stderr: readFileSync(join(tmp, 'err'), 'utf8') };
}

describe('tcpscope | head', () => {
  test.each([[[]], [['--plain']], [['--json']], [['--json=packets']], [['-vv', '-X']], [['-w', '-']], [['-e', '-A', '--color', 'always']]])(
    'reader gone_%j_status 0, nothing on stderr but tcpdump\'s reading line', (mode) => {
      const r = intoHead(['-n', '-r', clean, ...mode]);
      const reading = mode[0]?.startsWith('--json') === true ? '' : `reading from file ${clean}, link-type EN10MB (Ethernet), snapshot length 262144\n`;
      expect(r).toEqual({ status: 0, stderr: reading });
    });
});

describe('tcpscope check | head', () => {
  test.each([[[]], [['--json']], [['-q']]])('abnormal capture_%j_reader gone_status still 1', (mode) => {
    const r = intoHead(['check', ...mode, abnormal, clean]);
    expect(r).toEqual({ status: 1, stderr: '' });
  });

  test('clean capture_--json_reader gone_status 0', () => {
    expect(intoHead(['check', '--json', clean])).toEqual({ status: 0, stderr: '' });
  });

  test('abnormal capture_--junit_reader gone_the JUnit file is still written', () => {
    const junit = join(tmp, 'report.xml');
    const r = intoHead(['check', '--json', '--junit', junit, abnormal]);
    expect(r.status).toBe(1);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites[^>]* failures="200"/);
  });
});

describe('standard output that cannot be written (/dev/full)', () => {
  const hasFull = existsSync('/dev/full');
  const full = (args: string[]) => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(NODE, [CLI, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
      return { status: r.status, stderr: r.stderr.toString() };
    } finally {
      closeSync(fd);
    }
  };
  const LINE = 'tcpscope: cannot write to standard output: No space left on device\n';

  test.skipIf(!hasFull).each([[['-n']], [['--plain']], [['--json']], [['--count']]])('%j_one line, status 1, no internal error', (mode) => {
    // tcpdump's "reading from file" line first (on stderr, which works), except with --json
    const r = full(['-r', clean, ...mode]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(mode[0] === '--json' ? LINE : `reading from file ${clean}, link-type EN10MB (Ethernet), snapshot length 262144\n${LINE}`);
  });

  test.skipIf(!hasFull).each([[['--help']], [['--version']]])('%j_one line, status 1, no stack trace', (args) => {
    expect(full(args)).toEqual({ status: 1, stderr: LINE });
  });

  test.skipIf(!hasFull)('check_one line, status 2 (1 would read as a verdict)', () => {
    expect(full(['check', abnormal])).toEqual({ status: 2, stderr: LINE });
  });
});

describe('standard error whose reader has gone', () => {
  test('an error it cannot report_status still 1', () => {
    const cmd = `${q(NODE)} ${q(CLI)} -r ${q(join(tmp, 'no-such.pcap'))} 2>&1 >/dev/null | (exec 0<&-; sleep 1); exit "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd]);
    expect(r.status).toBe(1);
  });
});
