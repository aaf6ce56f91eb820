/**
 * `check --junit` on the twelve shapes of run a CI meets (qa5b's list): every report is held to
 * junit-10.xsd's rules (test/check/junit-schema.ts) and its exit status is the text mode's.
 * Named input_report_outcome.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitProblems, parseJunit } from './junit-schema.js';

const root = join(__dirname, '..', '..');
const fx = (...p: string[]): string => join(root, 'fixtures', ...p);
const dir = mkdtempSync(join(tmpdir(), 'tcpscope-junit-cases-'));

const close4 = readFileSync(fx('scenarios', 'close-4way.pcap'));
const textFile = join(dir, 'notes.txt');
writeFileSync(textFile, 'garbage, not a capture\n');
const cutFile = join(dir, 'cut.pcap');
writeFileSync(cutFile, close4.subarray(0, close4.length - 30));
const emptyFile = join(dir, 'empty.pcap');
writeFileSync(emptyFile, Buffer.alloc(0));
const headerOnly = join(dir, 'header-only.pcap');
writeFileSync(headerOnly, close4.subarray(0, 24));

const CASES: [string, string[], number][] = [
  ['pass', [fx('scenarios', 'close-4way.pcap')], 0],
  ['fail', [fx('scenarios', 'rst-abort.pcap')], 1],
  ['unreadable', [textFile], 2],
  ['several', [fx('scenarios', 'close-4way.pcap'), fx('scenarios', 'close-3way.pcap')], 0],
  ['several with a bad one', [fx('scenarios', 'close-4way.pcap'), textFile], 2],
  ['cut', [cutFile], 2],
  ['empty', [emptyFile], 2],
  ['header only', [headerOnly], 0],
  ['no connections', [fx('decode', 'gre-v1.pcap')], 0],
  ['missing', [join(dir, 'no-such.pcap')], 2],
  ['mixed protocols', [fx('scenarios', 'mixed-protocols.pcap')], 0],
  ['allowed reset', ['--allow', 'reset', fx('scenarios', 'rst-abort.pcap')], 0],
];

function junit(args: string[]): { status: number | null; xml: string } {
  const out = join(dir, `r${Math.random().toString(36).slice(2)}.xml`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', '-q', '--junit', out, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, xml: readFileSync(out, 'utf8') };
}

describe('check --junit, twelve shapes', () => {
  it.each(CASES)('%s_reportValidatesAgainstJunit10_status', (_name, args, status) => {
    const r = junit(args);
    expect(r.status).toBe(status);
    expect(junitProblems(parseJunit(r.xml))).toEqual([]);
  });

  it('unreadableFile_errorSaysNothingWasJudged', () => {
    const doc = parseJunit(junit([textFile]).xml);
    const text = doc.children[0].children.find((c) => c.name === 'testcase')?.children.find((c) => c.name === 'error')?.text ?? '';
    expect(text).toMatch(/^the input could not be read: no packet was judged\./);
    expect(text).not.toContain('the connections above');
  });

  it('cutFile_errorSaysTheConnectionsAboveCoverWhatCameBefore', () => {
    const doc = parseJunit(junit([cutFile]).xml);
    const error = doc.children[0].children.find((c) => c.children.some((k) => k.name === 'error'))?.children.find((c) => c.name === 'error');
    expect(error?.text).toMatch(/^the input could not be read to the end; the connections above cover what came before\./);
  });
});
