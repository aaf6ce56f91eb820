#!/usr/bin/env node
// Records, for every expression of expressions.mjs and rejects-all-expressions.mjs and every
// link type tcpscope filters, whether tcpdump refuses it with libpcap's "expression rejects all
// packets" (its optimizer reduced the program to `ret #0`) or with another message, into
// fixtures/filter/rejects-all.json; test/filter/rejects-all.test.ts holds tcpscope to it.
// A filter is compiled before any packet is read, so an empty capture of each link type (a
// pcap file header alone) is all tcpdump needs. LINKTYPE 14 is left out: libpcap on Linux does
// not know it (tcpscope reads it as 101, which is in the table).
//
// Usage: node test/filter/rejects-all-table.mjs   (needs tcpdump; about four minutes)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_EXPRESSIONS } from './expressions.mjs';
import { REJECTS_ALL_EXPRESSIONS } from './rejects-all-expressions.mjs';

export const TABLE_LINKTYPES = [1, 113, 276, 0, 108, 12, 101, 228, 229, 9, 50, 51, 104, 107, 7, 129, 100, 178, 182, 242];

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function main() {
  const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n').slice(0, 2).join(' / ');
  const work = mkdtempSync(join(tmpdir(), 'tcpscope-rejects-'));
  const files = new Map();
  for (const lt of TABLE_LINKTYPES) {
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    hdr.writeUInt16LE(2, 4);
    hdr.writeUInt16LE(4, 6);
    hdr.writeUInt32LE(262144, 16);
    hdr.writeUInt32LE(lt, 20);
    const path = join(work, `lt${lt}.pcap`);
    writeFileSync(path, hdr);
    files.set(lt, path);
  }
  const exprs = [...new Set([...ALL_EXPRESSIONS, ...REJECTS_ALL_EXPRESSIONS])];
  const answers = {};
  let rejecting = 0;
  for (const expr of exprs) {
    const rejects = [];
    const refused = {};
    for (const [lt, path] of files) {
      const r = spawnSync('tcpdump', ['-n', '-r', path, '--', ...(expr === '' ? [] : [expr])], { encoding: 'utf8' });
      if (r.status === 0) continue;
      const msg = r.stderr.split('\n').find((l) => l.startsWith('tcpdump: '))?.slice(9) ?? `exit status ${r.status}`;
      if (msg === 'expression rejects all packets') {
        if (r.status !== 1) throw new Error(`${expr} on ${lt}: status ${r.status}`);
        rejects.push(lt);
      } else {
        refused[lt] = msg;
      }
    }
    const row = {};
    if (rejects.length > 0) row.rejects = rejects;
    if (Object.keys(refused).length > 0) row.refused = refused;
    answers[expr] = row;
    if (rejects.length > 0) rejecting++;
  }
  rmSync(work, { recursive: true, force: true });
  const lines = Object.entries(answers).map(([e, a]) => `  ${JSON.stringify(e)}: ${JSON.stringify(a)}`);
  writeFileSync(join(root, 'fixtures', 'filter', 'rejects-all.json'),
    `{\n "tcpdump": ${JSON.stringify(version)},\n "generatedBy": "test/filter/rejects-all-table.mjs",\n "linktypes": ${JSON.stringify(TABLE_LINKTYPES)},\n` +
    ` "answers": {\n${lines.join(',\n')}\n }\n}\n`);
  console.log(`${exprs.length} expressions × ${TABLE_LINKTYPES.length} link types; ${rejecting} rejected everything on at least one`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
