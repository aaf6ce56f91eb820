/**
 * Bad input through the CLI, as a user meets it: one line on stderr, exit status 1, every packet
 * before the problem on stdout, and the end-of-run summary only when some frame was read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-cli-err-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const close4 = readFileSync(join(SCEN, 'close-4way.pcap'));
function file(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}
const notCapture = file('notes.txt', 'hello, not a capture\n');
const cutFirst = file('cut-first.pcap', close4.subarray(0, 100)); // header + part of record 1
const cutFifth = file('cut-fifth.pcap', close4.subarray(0, 500)); // 4 whole records, then a cut one
const headerOnly = file('header-only.pcap', close4.subarray(0, 24));
const missing = join(tmp, 'no-such.pcap');
const linktype999 = file('linktype-999.pcap', Buffer.concat([close4.subarray(0, 20), Buffer.from([0xe7, 0x03, 0, 0]), close4.subarray(24)]));
const emptyDir = join(tmp, 'empty-dir');
mkdirSync(emptyDir);

/** stderr is exactly one line starting with `tcpscope: FILE: ` and no stack trace. */
function oneLine(stderr: string, path: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(`tcpscope: ${path}: `)).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('input that is no capture at all', () => {
  for (const [what, path] of [['not a capture', notCapture], ['missing', missing], ['cut in its first record', cutFirst], ['an empty directory', emptyDir]] as const) {
    for (const mode of [[], ['--json'], ['--plain']]) {
      test(`${what}_${mode.join('') || 'annotated'}_nothing on stdout, one line, status 1`, () => {
        const r = tcpscope(['-n', '-r', path, ...mode]);
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        oneLine(r.stderr, path);
      });
    }
  }
});

describe('a link type nothing can decode', () => {
  for (const mode of [[], ['--plain']]) {
    test(`link type 999_${mode.join('') || 'annotated'}_nothing on stdout, one line naming packet 1, status 1`, () => {
      const r = tcpscope(['-n', '-r', linktype999, ...mode]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      oneLine(r.stderr, linktype999);
      expect(r.stderr).toMatch(/packet 1 has link type 999/);
    });
  }
});

describe('input damaged after some packets', () => {
  test('cut_annotated_packets then summary on stdout, the error on stderr, status 1', () => {
    const r = tcpscope(['-n', '-r', cutFifth]);
    expect(r.status).toBe(1);
    expect(r.stdout.match(/^\d\d:\d\d:\d\d\.\d{6} IP /gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/\n1 connection \(1 S1\)\n$/);
    oneLine(r.stderr, cutFifth);
    expect(r.stderr).toMatch(/packet 5 is cut short.*\(at byte offset 444\)/);
  });

  test('cut_json_flow record and summary of what was read', () => {
    const r = tcpscope(['-n', '-r', cutFifth, '--json']);
    expect(r.status).toBe(1);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((x) => x.type)).toEqual(['flow', 'summary']);
    expect(recs[1].packets).toBe(4);
    oneLine(r.stderr, cutFifth);
  });

  test('cut_plain_four lines exactly as tcpdump prints them', () => {
    const r = tcpscope(['-n', '-r', cutFifth, '--plain']);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(4);
  });
});

describe('a capture with no packets', () => {
  test('header only_annotated_the summary says 0 connections, status 0', () => {
    const r = tcpscope(['-n', '-r', headerOnly]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('\n0 connections\n');
  });

  test('header only_json_a summary record with zero counts', () => {
    const r = tcpscope(['-n', '-r', headerOnly, '--json']);
    expect(r.status).toBe(0);
    const rec = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(rec).toMatchObject({ type: 'summary', packets: 0, connections: 0 });
  });

  test('header only_plain_nothing at all', () => {
    const r = tcpscope(['-n', '-r', headerOnly, '--plain']);
    expect(r).toMatchObject({ status: 0, stdout: '' });
  });
});
