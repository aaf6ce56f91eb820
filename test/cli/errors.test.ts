/**
 * Bad input through the CLI, as a user meets it: one line on stderr, exit status 1, every packet
 * before the problem on stdout, and the end-of-run summary only when some frame was read.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, NODE, q, SCEN, shell, tcpscope } from './helpers.js';

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

/** tcpdump's line on stderr once it has opened `-r PATH` (not with --json); `link` as libpcap names the link type */
const reading = (path: string, link = 'EN10MB (Ethernet)'): string => `reading from file ${path}, link-type ${link}, snapshot length 262144\n`;

/**
 * stderr is `before` (tcpdump's reading line where tcpdump prints it, else nothing), then exactly
 * one line starting with `tcpscope: FILE: `, and no stack trace.
 */
function oneLine(stderr: string, path: string, before = ''): void {
  expect(stderr.startsWith(before)).toBe(true);
  const error = stderr.slice(before.length);
  expect(error.endsWith('\n')).toBe(true);
  expect(error.trimEnd().split('\n')).toHaveLength(1);
  expect(error.startsWith(`tcpscope: ${path}: `)).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('input that is no capture at all', () => {
  for (const [what, path] of [['not a capture', notCapture], ['missing', missing], ['cut in its first record', cutFirst], ['an empty directory', emptyDir]] as const) {
    for (const mode of [[], ['--json'], ['--plain']]) {
      test(`${what}_${mode.join('') || 'annotated'}_nothing on stdout, one line, status 1`, () => {
        const r = tcpscope(['-n', '-r', path, ...mode]);
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        // libpcap opened a file whose first record is cut, so tcpdump's reading line comes first
        oneLine(r.stderr, path, path === cutFirst && !mode.includes('--json') ? reading(path) : '');
      });
    }
  }
});

describe('a link type nothing can decode', () => {
  for (const mode of [[], ['--plain'], ['--json']]) {
    test(`link type 999_${mode.join('') || 'annotated'}_nothing on stdout, one line naming packet 1, status 1`, () => {
      const r = tcpscope(['-n', '-r', linktype999, ...mode]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      oneLine(r.stderr, linktype999, mode.includes('--json') ? '' : reading(linktype999, '999'));
      expect(r.stderr).toMatch(/packet 1 has link type 999/);
    });
  }
});

/**
 * pcapng: interface 0 Ethernet with close-4way's packets, interface 1 of link type 999 with one
 * packet after them (tracking modes must stop there, never pass it by untracked).
 */
function mixedLinkTypes(): Buffer {
  const block = (type: number, body: Buffer): Buffer => {
    const len = 12 + body.length + ((4 - (body.length % 4)) % 4);
    const b = Buffer.alloc(len);
    b.writeUInt32LE(type, 0); b.writeUInt32LE(len, 4); body.copy(b, 8); b.writeUInt32LE(len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16); shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeBigInt64LE(-1n, 8);
  const idb = (linktype: number): Buffer => { const b = Buffer.alloc(8); b.writeUInt16LE(linktype, 0); b.writeUInt32LE(65535, 4); return b; };
  const epb = (iface: number, usec: bigint, data: Buffer): Buffer => {
    const b = Buffer.alloc(20 + data.length);
    b.writeUInt32LE(iface, 0); b.writeUInt32LE(Number(usec >> 32n), 4); b.writeUInt32LE(Number(usec & 0xffffffffn), 8);
    b.writeUInt32LE(data.length, 12); b.writeUInt32LE(data.length, 16); data.copy(b, 20);
    return b;
  };
  const parts = [block(0x0a0d0d0a, shb), block(1, idb(1)), block(1, idb(999))];
  let at = 24;
  let usec = 0n;
  while (at + 16 <= close4.length) {
    usec = BigInt(close4.readUInt32LE(at)) * 1000000n + BigInt(close4.readUInt32LE(at + 4));
    const caplen = close4.readUInt32LE(at + 8);
    parts.push(block(6, epb(0, usec, close4.subarray(at + 16, at + 16 + caplen))));
    at += 16 + caplen;
  }
  parts.push(block(6, epb(1, usec + 1000n, Buffer.alloc(40))));
  return Buffer.concat(parts);
}
const mixed = file('mixed-999.pcapng', mixedLinkTypes());

describe('tracking over a link type the decoders do not know', () => {
  test('link type 999 after good packets_json_the flow record first, then one line naming the packet, status 1', () => {
    const r = tcpscope(['-n', '--json', '-r', mixed]);
    expect(r.status).toBe(1);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((x) => x.type === 'flow')).toHaveLength(1);
    expect(records.at(-1).type).toBe('summary');
    oneLine(r.stderr, mixed);
    expect(r.stderr).toMatch(/packet \d+ has link type 999, on which tcpscope cannot follow connections/);
  });
  for (const jobs of ['1', '2']) {
    test(`link type 999_check --jobs ${jobs}_status 2 (never a pass), the reason on stderr`, () => {
      const alone = tcpscope(['check', '--jobs', jobs, linktype999]);
      expect(alone.status).toBe(2);
      expect(alone.stderr).toMatch(/packet 1 has link type 999, on which tcpscope cannot follow connections/);
      const after = tcpscope(['check', '--jobs', jobs, mixed]);
      expect(after.status).toBe(2);
      expect(after.stdout).toMatch(/could not be read to the end/);
    });
  }
});

describe('standard input that is a directory', () => {
  for (const args of [['-r', '-'], ['check', '-']]) {
    test(`${args.join(' ')} < DIR_says it is a directory (not "empty"), no stdout`, () => {
      const r = shell(`${q(NODE)} ${q(CLI)} ${args.join(' ')} < ${q(emptyDir)}`);
      expect(r.status).toBe(args[0] === 'check' ? 2 : 1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('tcpscope: standard input: is a directory, not a capture\n');
    });
  }
});

describe('input damaged after some packets', () => {
  test('cut_annotated_packets then summary on stdout, the error on stderr, status 1', () => {
    const r = tcpscope(['-n', '-r', cutFifth]);
    expect(r.status).toBe(1);
    expect(r.stdout.match(/^\d\d:\d\d:\d\d\.\d{6} IP /gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/\n1 connection \(1 S1\)\n$/);
    oneLine(r.stderr, cutFifth, reading(cutFifth));
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
