#!/usr/bin/env node
// Differential fuzzing of the capture readers against libpcap (through tcpdump -r X -w Y):
// mutate real captures (truncate, flip header bytes, poke length fields), read each mutant with
// both, and compare the frames (time, lengths, bytes) and whether the read failed.
// Not a unit test (it needs tcpdump): `npm run build && node test/capture/differential-fuzz.mjs [N] [seed]`.
// Differences that are deliberate (pcapng files libpcap refuses but Wireshark reads) are
// counted apart; anything else is printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../dist/capture/index.js';

const N = Number(process.argv[2] ?? 2000);
let seed = Number(process.argv[3] ?? 1);
const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
const fx = new URL('../../fixtures/', import.meta.url).pathname;
const seeds = [
  ...readdirSync(join(fx, 'scenarios')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(fx, 'scenarios', f)),
  ...readdirSync(join(fx, 'capture')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(fx, 'capture', f)),
].filter((p) => readFileSync(p).length < 200000);
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-dfuzz-'));
const interesting = [0, 1, 3, 4, 7, 8, 11, 12, 13, 16, 20, 24, 28, 32, 0x7f, 0xff, 0x100, 0xffff, 65535, 262143, 262144, 262145, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

function mutate(b) {
  const m = Buffer.from(b);
  const kind = rnd(5);
  if (kind === 0) return m.subarray(0, rnd(m.length + 1)); // truncate anywhere
  const hits = 1 + rnd(3);
  for (let i = 0; i < hits; i++) {
    // headers live early and at record starts; bias towards the first 200 bytes
    const at = rnd(3) ? rnd(Math.min(m.length, 200)) : rnd(m.length);
    if (kind === 1) m[at] ^= 1 << rnd(8);
    else if (kind === 2) m[at] = rnd(256);
    else if (at + 4 <= m.length) (rnd(2) ? m.writeUInt32LE : m.writeUInt32BE).call(m, interesting[rnd(interesting.length)] >>> 0, at & ~3);
  }
  return m;
}

/**
 * microseconds as libpcap gives them to tcpdump: classic pcap's fraction is a signed 32-bit field
 * when the file is in the host's byte order, unsigned when libpcap had to swap it (SWAPLONG)
 */
function usec(f, info) {
  if (info.format !== 'pcap') return Math.floor(f.tsNsec / 1000);
  const raw = info.nanosecond ? f.tsNsec : f.tsNsec / 1000;
  const v = info.littleEndian === (endianness() === 'LE') ? raw | 0 : raw;
  return (info.nanosecond ? Math.trunc(v / 1000) : v) >>> 0;
}

async function ours(path) {
  const frames = [];
  try {
    let info;
    await readCapture(path, (f) => { frames.push(`${f.tsSec >>> 0} ${usec(f, info)} ${f.caplen} ${f.wirelen} ${Buffer.from(f.data.subarray(f.offset, f.offset + f.caplen)).toString('base64')}`); }, { onHeader: (i) => { info = i; } });
    return { frames, error: null };
  } catch (e) {
    if (typeof e.describe !== 'function') return { frames, error: 'CRASH ' + e.stack };
    return { frames, error: e.describe() };
  }
}

function theirs(path) {
  const out = join(tmp, 'out.pcap');
  rmSync(out, { force: true });
  let error = null;
  try {
    execFileSync('tcpdump', ['-Z', userInfo().username, '-r', path, '-w', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    error = String(e.stderr).split('\n').filter((l) => l && !l.startsWith('reading from')).join(' | ') || 'failed';
  }
  const frames = [];
  let b;
  try { b = readFileSync(out); } catch { return { frames, error }; }
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const rd = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  for (let o = 24; o + 16 <= b.length;) {
    const c = rd(o + 8);
    // -w writes 32-bit seconds (ours are compared modulo 2^32 for that) and libpcap's microseconds
    frames.push(`${rd(o)} ${rd(o + 4)} ${c} ${rd(o + 12)} ${b.subarray(o + 16, o + 16 + c).toString('base64')}`);
    o += 16 + c;
  }
  return { frames, error };
}

/**
 * pcapng files libpcap refuses on purpose and Wireshark (and we) read; and link types tcpdump -w
 * will not write (judging link types is the printer's business, not the reader's)
 */
function deliberate(t) {
  return /unknown data link type|different from the (type|snapshot length) of the first interface|bigger than snaplen of|different byte orders|unsupported pcapng savefile version|block of type 3 in pcapng dump file is too short/.test(t.error ?? '');
}

let same = 0, deliberateDiffs = 0, diffs = 0, crashes = 0;
const reasons = new Map();
for (let i = 0; i < N; i++) {
  const src = seeds[rnd(seeds.length)];
  const path = join(tmp, `m${i % 4}${src.endsWith('ng') ? '.pcapng' : '.pcap'}`);
  writeFileSync(path, mutate(readFileSync(src)));
  const o = await ours(path);
  const t = theirs(path);
  if (o.error?.startsWith('CRASH')) { crashes++; console.log(`CRASH on a mutant of ${src}: ${o.error}`); continue; }
  const agree = o.frames.join('\n') === t.frames.join('\n') && (o.error === null) === (t.error === null);
  if (agree) { same++; continue; }
  if (deliberate(t)) {
    deliberateDiffs++;
    const why = t.error.replace(/^tcpdump: (pcap_loop: )?/, '').replace(/\d+/g, 'N');
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
    // where libpcap gives up, we must still agree on every frame before that point
    if (!t.frames.every((f, j) => f === o.frames[j])) { diffs++; console.log(`DIFF before libpcap's refusal (${why}) on a mutant of ${src}`); }
    continue;
  }
  diffs++;
  if (diffs <= 15) {
    const k = o.frames.findIndex((f, j) => f !== t.frames[j]);
    writeFileSync(join(tmp, `diff${diffs}`), readFileSync(path));
    console.log(`DIFF #${diffs} (${join(tmp, `diff${diffs}`)} from ${src.split('/').pop()}): ours ${o.frames.length} frames, ${o.error ?? 'ok'}\n   tcpdump ${t.frames.length} frames, ${t.error ?? 'ok'}${k >= 0 ? `\n   first differing frame ${k + 1}:\n     ours    ${o.frames[k].slice(0, 60)}\n     tcpdump ${(t.frames[k] ?? '-').slice(0, 60)}` : ''}`);
  }
}
console.log(`${N} mutants: ${same} identical, ${deliberateDiffs} deliberate differences (files libpcap refuses, Wireshark reads), ${diffs} other differences, ${crashes} crashes`);
for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)} × libpcap: ${why}`);
if (diffs === 0 && crashes === 0) rmSync(tmp, { recursive: true, force: true });
process.exitCode = diffs || crashes ? 1 : 0;
