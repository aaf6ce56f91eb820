#!/usr/bin/env node
// Records which packets tcpdump selects for every expression of test/filter/expressions.mjs on
// every capture under fixtures/ (scenarios, real, filter), into
// fixtures/filter/tcpdump-answers.json, so the differential tests run without tcpdump.
//
// How: the frames of all captures are pooled per link type (and, for BSD loopback, per byte
// order, which libpcap reads the header in) into one temporary pcap whose timestamps number
// the frames; `tcpdump -r POOL -w - EXPR` writes back the selected ones, and their timestamps
// say which. A filter looks at each packet alone, so pooling changes no answer, and it takes
// one tcpdump run per link type and expression instead of one per capture.
// tcpdump cannot read the mixed-link-type pcapng (libpcap 1.10 refuses a second link type),
// nor LINKTYPE 14 (OpenBSD's raw IP); pooling splits the first, and the second is pooled as
// LINKTYPE_RAW (101), which is what tcpscope takes it to be.
//
// Also copies /etc/services and /etc/protocols next to the answers: `port http` and
// `ip proto \ospf` mean what those files said when tcpdump answered.
//
// Usage: node test/filter/regenerate.mjs   (needs tcpdump; about a minute)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFrames, writePcap } from './capture-io.mjs';
import { ALL_EXPRESSIONS } from './expressions.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(root, 'fixtures');

export function fixtureCaptures() {
  const out = [];
  for (const dir of ['scenarios', 'real', 'filter']) {
    for (const name of readdirSync(join(fixtures, dir)).sort()) {
      if (/\.(pcap|pcapng)$/.test(name)) out.push(join('fixtures', dir, name));
    }
  }
  return out;
}

/** "1-3,5,9-10" for [1,2,3,5,9,10] */
export function toRanges(nums) {
  const parts = [];
  for (let i = 0; i < nums.length; i++) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    parts.push(i === j ? `${nums[i]}` : `${nums[i]}-${nums[j]}`);
    i = j;
  }
  return parts.join(',');
}

function main() {
  const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n').slice(0, 2).join(' / ');
  const work = mkdtempSync(join(tmpdir(), 'tcpscope-filter-'));
  // pool the frames
  const pools = new Map(); // key → { linktype, le, frames: [{capture, number, ...}] }
  const captures = {};
  for (const cap of fixtureCaptures()) {
    const frames = readFrames(join(root, cap));
    captures[cap] = frames.length;
    for (const f of frames) {
      const linktype = f.linktype === 14 ? 101 : f.linktype;
      const key = linktype === 0 ? `0-${f.littleEndian ? 'le' : 'be'}` : `${linktype}`;
      let pool = pools.get(key);
      if (pool === undefined) pools.set(key, (pool = { linktype, le: linktype === 0 ? f.littleEndian : true, frames: [] }));
      pool.frames.push({ ...f, capture: cap, originalLinktype: f.linktype });
    }
  }
  for (const [key, pool] of pools) {
    pool.path = join(work, `pool-${key}.pcap`);
    writePcap(pool.path, pool.linktype, pool.frames.map((f, i) => ({ ...f, tsSec: i + 1, tsUsec: 0 })), { littleEndian: pool.le });
  }

  const answers = {};
  for (const expr of ALL_EXPRESSIONS) {
    const perCapture = {};
    for (const cap of Object.keys(captures)) perCapture[cap] = [];
    const refused = {};
    for (const pool of pools.values()) {
      const r = spawnSync('tcpdump', ['-r', pool.path, '-w', '-', '--', ...(expr === '' ? [] : [expr])], { maxBuffer: 1 << 28 });
      const stderr = r.stderr.toString().split('\n').filter((l) => l.startsWith('tcpdump: ')).map((l) => l.slice(9));
      // libpcap's optimizer refuses a filter that can match nothing; that is "selects nothing"
      if (r.status !== 0 && stderr[0] === 'expression rejects all packets') continue;
      if (r.status !== 0) {
        const msg = stderr[0] ?? `exit status ${r.status}`;
        for (const f of pool.frames) refused[f.originalLinktype] = msg;
        continue;
      }
      const out = r.stdout;
      const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const le = dv.getUint32(0, true) === 0xa1b2c3d4;
      for (let off = 24; off + 16 <= out.length;) {
        const f = pool.frames[dv.getUint32(off, le) - 1];
        perCapture[f.capture].push(f.number);
        off += 16 + dv.getUint32(off + 8, le);
      }
    }
    // selections keyed by the capture's index in `captures` (none selected: left out)
    const sel = {};
    Object.values(perCapture).forEach((nums, i) => {
      nums.sort((x, y) => x - y);
      if (nums.length > 0) sel[i] = toRanges(nums);
    });
    answers[expr] = Object.keys(refused).length > 0 ? { sel, refused } : { sel };
  }
  rmSync(work, { recursive: true, force: true });

  const doc = {
    tcpdump: version,
    generatedBy: relative(root, fileURLToPath(import.meta.url)),
    // capture path → number of frames; answers refer to captures by their index in this list
    captures: Object.entries(captures).map(([path, frames]) => ({ path, frames })),
    // expression → { sel: { capture index: selected packet numbers ("1-3,7") },
    //                refused: { link type: tcpdump's error, for frames of that type } }
    answers,
  };
  const lines = Object.entries(answers).map(([e, a]) => `  ${JSON.stringify(e)}: ${JSON.stringify(a)}`);
  writeFileSync(join(fixtures, 'filter', 'tcpdump-answers.json'),
    `{\n "tcpdump": ${JSON.stringify(doc.tcpdump)},\n "generatedBy": ${JSON.stringify(doc.generatedBy)},\n "captures": [\n${doc.captures.map((c) => '  ' + JSON.stringify(c)).join(',\n')}\n ],\n "answers": {\n${lines.join(',\n')}\n }\n}\n`);
  copyFileSync('/etc/services', join(fixtures, 'filter', 'etc-services'));
  copyFileSync('/etc/protocols', join(fixtures, 'filter', 'etc-protocols'));
  const errs = Object.values(answers).filter((e) => e.refused !== undefined).length;
  console.log(`${ALL_EXPRESSIONS.length} expressions × ${Object.keys(captures).length} captures (${[...pools.values()].reduce((n, p) => n + p.frames.length, 0)} frames, ${pools.size} pools); ${errs} expressions refused somewhere`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
