#!/usr/bin/env node
// Filter micro-benchmark: evaluations per second of compiled filters on real frames, beside a
// naive interpreter that walks the lowered expression tree for every packet; then compile times.
//
//   node bench/filter.mjs [capture.pcap ...]     (after `npm run build`)
//
// Frames come from the Ethernet captures in fixtures/ (the real Linux captures, the scenarios,
// the filter zoo and tcpdump's own test captures) unless captures are named. Each expression is
// timed three ways on the same frames: the generated function (optimized graph) called directly,
// the same through Filter.matches(frame) (what the pipeline calls), and the tree-walking
// interpreter (src/filter/interp.ts) on the unoptimized tree.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newFrame } from '../dist/capture/frame.js';
import { compileFilter, interpret } from '../dist/filter/index.js';
import { readFrames } from '../test/filter/capture-io.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ETHERNET = 1;

function fixtureCaptures() {
  const out = [];
  for (const dir of ['real', 'scenarios', 'filter']) {
    for (const n of readdirSync(join(root, 'fixtures', dir)).sort()) if (/\.pcap$/.test(n)) out.push(join(root, 'fixtures', dir, n));
  }
  return out;
}

const paths = process.argv.length > 2 ? process.argv.slice(2) : fixtureCaptures();
// pack every Ethernet frame into one buffer, as a reader's chunk would hold them
const picked = paths.flatMap((p) => readFrames(p)).filter((f) => f.linktype === ETHERNET);
const total = picked.reduce((n, f) => n + f.data.length, 0);
const chunk = new Uint8Array(total);
const offsets = new Int32Array(picked.length);
const caplens = new Int32Array(picked.length);
const wirelens = new Int32Array(picked.length);
let at = 0;
picked.forEach((f, i) => {
  chunk.set(f.data, at);
  offsets[i] = at;
  caplens[i] = f.caplen;
  wirelens[i] = f.wirelen;
  at += f.data.length;
});
const n = picked.length;

const EXPRESSIONS = [
  'tcp and host 10.0.0.1 and (dst port 3306 or dst port 6379)',
  'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0',
  'host 127.0.0.1 and tcp port 47000',
  'not arp and (udp port 53 or icmp or ip6 and tcp)',
  'net 10.0.0.0/8 and not port 22 and greater 100',
];

/** Run `body(rounds)` until at least `ms` have passed; evaluations per second. */
function measure(body, ms = 400) {
  let rounds = 1;
  body(1); // warm up
  for (;;) {
    const t0 = process.hrtime.bigint();
    body(rounds);
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (dt >= ms) return (rounds * n) / (dt / 1000);
    rounds *= Math.max(2, Math.ceil(ms / Math.max(dt, 1)));
  }
}

const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : `${(x / 1e3).toFixed(0)} k`);
console.log(`filter benchmark: ${n} Ethernet frames from ${paths.length} captures, node ${process.version}`);
console.log('evaluations per second (matching frames)                   compiled   matches()   interpreter   speed-up');
for (const expr of EXPRESSIONS) {
  const filter = compileFilter(expr);
  const fn = filter.predicate(ETHERNET);
  // the naive way: walk the lowered tree (as gencode's rules give it) for every packet
  const tree = filter.lowered(ETHERNET);
  let hits = 0;
  const compiled = measure((rounds) => {
    let c = 0;
    for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) if (fn(chunk, offsets[i], caplens[i], wirelens[i])) c++;
    hits = c / rounds;
  });
  const frame = newFrame();
  frame.data = chunk;
  frame.linktype = ETHERNET;
  const viaMatches = measure((rounds) => {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < n; i++) {
        frame.offset = offsets[i];
        frame.caplen = caplens[i];
        frame.wirelen = wirelens[i];
        filter.matches(frame);
      }
    }
  });
  const walked = measure((rounds) => {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) interpret(tree, chunk, offsets[i], caplens[i], wirelens[i]);
  });
  const label = `${expr} (${hits})`.padEnd(60);
  console.log(`${label} ${fmt(compiled).padStart(8)}/s ${fmt(viaMatches).padStart(9)}/s ${fmt(walked).padStart(11)}/s ${(compiled / walked).toFixed(1).padStart(8)}x`);
}

// compiling: parse, lower, optimize and generate for one link type (done once per run)
console.log('\ncompile time (parse + lower + optimize + generate, Ethernet)');
const hosts = (k) => 'host ' + Array.from({ length: k }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`).join(' or ');
for (const [label, expr] of [
  ['tcp and host 10.0.0.1 and (dst port 3306 or dst port 6379)', EXPRESSIONS[0]],
  ['host a or b or ... (10 hosts)', hosts(10)],
  ['host a or b or ... (100 hosts)', hosts(100)],
  ['host a or b or ... (300 hosts)', hosts(300)],
]) {
  const t0 = process.hrtime.bigint();
  compileFilter(expr).predicate(ETHERNET);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(60)} ${ms.toFixed(1).padStart(8)} ms`);
}
