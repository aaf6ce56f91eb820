#!/usr/bin/env node
// Random expressions, tcpscope against tcpdump, on the fixture captures. Not part of `npm test`
// (it needs tcpdump): run it after changing the filter compiler, and turn what it finds into
// entries of expressions.mjs (then node test/filter/regenerate.mjs).
//
//   node test/filter/fuzz-against-tcpdump.mjs [count=300] [seed=1]     (after npm run build)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFilter } from '../../dist/filter/index.js';
import { readFrames, writePcap } from './capture-io.mjs';
import { EXPRESSIONS } from './expressions.mjs';
import { fixtureCaptures } from './regenerate.mjs';

const count = Number(process.argv[2] ?? 300);
let seed = Number(process.argv[3] ?? 1);
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const accepted = Object.entries(EXPRESSIONS)
  .filter(([g]) => g !== 'refused by tcpdump' && g !== 'link-type specific')
  .flatMap(([, xs]) => xs)
  .filter((x) => x !== '');
const protos = ['ether', 'ip', 'ip6', 'tcp', 'udp', 'icmp', 'arp', 'icmp6', 'sctp'];
const values = ['host 10.0.0.1', 'host 10.0.0.2', 'port 80', 'port 53', 'net 10.0.0.0/8', 'host 2001:db8::1', 'port 443'];
const bare = ['10.0.0.1', '8.8.8.8', '80', '53', '443', '10.0.0.2'];

function arith(depth) {
  const r = rand();
  if (depth > 2 || r < 0.3) return String(pick([0, 1, 2, 4, 6, 13, 17, 20, 40, 64, 80, 255, 0x45, 0x800, 1500]));
  if (r < 0.65) {
    const size = pick(['', ':1', ':2', ':4']);
    return `${pick(protos)}[${arith(depth + 1)}${size}]`;
  }
  if (r < 0.7) return 'len';
  return `(${arith(depth + 1)} ${pick(['+', '-', '*', '&', '|', '^', '>>', '<<', '%', '/'])} ${arith(depth + 1)})`;
}

function expr(depth) {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const q = rand();
    if (q < 0.45) return pick(accepted);
    if (q < 0.75) return `${arith(1)} ${pick(['=', '!=', '<', '<=', '>', '>='])} ${arith(1)}`;
    return pick(values);
  }
  if (r < 0.5) return `not ${expr(depth + 1)}`;
  if (r < 0.6) return `(${expr(depth + 1)})`;
  if (r < 0.7) return `${pick(values)} ${pick(['or', 'and'])} ${pick(bare)}`;
  return `${expr(depth + 1)} ${pick(['and', 'or', '&&', '||'])} ${expr(depth + 1)}`;
}

// pool the fixture frames per link type, as regenerate.mjs does
const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'tcpscope-fuzz-'));
const pools = new Map();
for (const cap of fixtureCaptures()) {
  for (const f of readFrames(join(root, cap))) {
    const linktype = f.linktype === 14 ? 101 : f.linktype;
    const key = linktype === 0 ? `0-${f.littleEndian}` : String(linktype);
    let p = pools.get(key);
    if (p === undefined) pools.set(key, (p = { linktype, le: linktype === 0 ? f.littleEndian : true, frames: [] }));
    p.frames.push(f);
  }
}
for (const [k, p] of pools) {
  p.path = join(work, `${k}.pcap`);
  writePcap(p.path, p.linktype, p.frames.map((f, i) => ({ ...f, tsSec: i + 1, tsUsec: 0 })), { littleEndian: p.le });
}

let disagreements = 0;
for (let i = 0; i < count; i++) {
  const e = expr(0);
  let filter = null;
  let ourError = null;
  try { filter = compileFilter(e); } catch (err) { ourError = err.message.split('\n')[0]; }
  for (const p of pools.values()) {
    const r = spawnSync('tcpdump', ['-r', p.path, '-w', '-', '--', e], { maxBuffer: 1 << 28 });
    const theirError = r.status === 0 ? null : r.stderr.toString().split('\n').find((l) => l.startsWith('tcpdump: '))?.slice(9) ?? 'failed';
    const theirs = new Set();
    if (theirError === null) {
      const dv = new DataView(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
      const le = dv.getUint32(0, true) === 0xa1b2c3d4;
      for (let off = 24; off + 16 <= r.stdout.length; off += 16 + dv.getUint32(off + 8, le)) theirs.add(dv.getUint32(off, le) - 1);
    }
    const refusedAll = theirError === 'expression rejects all packets';
    let ours = new Set();
    let ourRefusal = ourError;
    if (filter !== null) {
      try {
        const fn = filter.predicate(p.linktype);
        p.frames.forEach((f, j) => { if (fn(f.data, 0, f.caplen, f.wirelen)) ours.add(j); });
      } catch (err) { ourRefusal = err.message.split('\n')[0]; ours = new Set(); }
    }
    const theyRefused = theirError !== null && !refusedAll;
    if (theyRefused !== (ourRefusal !== null)) {
      disagreements++;
      console.log(`REFUSAL ${JSON.stringify(e)} on ${p.linktype}: tcpdump ${theirError ?? 'accepts'}; tcpscope ${ourRefusal ?? 'accepts'}`);
      break;
    }
    if (theyRefused) continue;
    const extra = [...ours].filter((x) => !theirs.has(x));
    const missing = [...theirs].filter((x) => !ours.has(x));
    if (extra.length + missing.length > 0) {
      disagreements++;
      console.log(`SELECTION ${JSON.stringify(e)} on ${p.linktype}: tcpscope also selects ${extra.length}, misses ${missing.length} (e.g. pool frame ${extra[0] ?? missing[0]})`);
      break;
    }
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`${count} random expressions, ${disagreements} disagreements with tcpdump`);
process.exitCode = disagreements > 0 ? 1 : 0;
