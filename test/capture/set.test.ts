/**
 * Several files read as one capture in time order (rotated parts, per-interface captures, any
 * list), and how a directory lists its captures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe as group, expect, it } from 'vitest';
import { expandCapturePaths, listCaptureDir, readCaptureSet, type Frame } from '../../src/capture/index.js';
import { FilePool, openSource } from '../../src/capture/source.js';
import { TcpscopeError } from '../../src/errors.js';
import { Pcapng, buildPcap, fixture, fixturePath, parseChunks, payload, type PcapRecord } from './build.js';

const root = mkdtempSync(join(tmpdir(), 'tcpscope-set-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => { const d = join(root, `d${dirs++}`); mkdirSync(d); return d; };

/** time, bytes and link type: what must not change when a capture is split and merged back */
const key = (f: Frame): string => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')} ${f.caplen}/${f.wirelen} lt${f.linktype} ${Buffer.from(f.data.subarray(f.offset, f.offset + f.caplen)).toString('hex')}`;

interface Rec { sec: number; usec: number; data: Uint8Array }
/** the records of a real capture, to split up */
function records(path: string): Rec[] {
  const out: Rec[] = [];
  const bytes = fixture(path);
  const r = parseChunks(bytes, bytes.length);
  expect(r.error).toBeNull();
  for (const line of r.frames) {
    const [, ts, cap, , , , , hex] = line.split(' ');
    const [sec, ns] = ts.split('.');
    expect(cap).toMatch(/^cap=/);
    out.push({ sec: Number(sec), usec: Number(ns) / 1000, data: Buffer.from(hex ?? '', 'hex') });
  }
  return out;
}

const pcapOf = (rs: Rec[]): Uint8Array => buildPcap({}, rs.map((r): PcapRecord => ({ sec: r.sec, frac: r.usec, data: r.data })));

async function merged(paths: string[]): Promise<{ keys: string[]; numbers: number[]; summary: Awaited<ReturnType<typeof readCaptureSet>> }> {
  const keys: string[] = [];
  const numbers: number[] = [];
  const summary = await readCaptureSet(paths, (f) => { keys.push(key(f)); numbers.push(f.number); });
  return { keys, numbers, summary };
}

const real = records('real/real-zero-window.pcap');
const realKeys = real.map((r) => `${r.sec}.${String(r.usec * 1000).padStart(9, '0')} ${r.data.length}/${r.data.length} lt1 ${Buffer.from(r.data).toString('hex')}`);

group('readCaptureSet', () => {
  it('rotated parts, given in any order, merge back into the original capture', async () => {
    const d = newDir();
    const cuts = [0, 300, 301, 700, real.length];
    const names = ['rot', 'rot1', 'rot2', 'rot3'];
    names.forEach((n, i) => writeFileSync(join(d, n), pcapOf(real.slice(cuts[i], cuts[i + 1]))));
    const r = await merged(['rot2', 'rot', 'rot3', 'rot1'].map((n) => join(d, n)));
    expect(r.keys).toEqual(realKeys);
    expect(r.numbers).toEqual(real.map((_, i) => i + 1));
    expect(r.summary.frames).toBe(real.length);
    expect(r.summary.stopped).toBe(false);
    expect(r.summary.files.map((f) => [f.path.slice(d.length + 1), f.frames])).toEqual([['rot', 300], ['rot1', 1], ['rot2', 399], ['rot3', 245]]);
  });

  it('interleaved captures (two interfaces at once) merge by time stamp; ties keep file order', async () => {
    const d = newDir();
    const a: Rec[] = [];
    const b: Rec[] = [];
    real.slice(0, 200).forEach((r, i) => (i % 3 === 0 ? a : b).push(r));
    // a tie: the same instant in both files
    a.push({ sec: 2000000000, usec: 5, data: payload(10, 1) });
    b.push({ sec: 2000000000, usec: 5, data: payload(10, 2) });
    writeFileSync(join(d, 'a.pcap'), pcapOf(a));
    writeFileSync(join(d, 'b.pcap'), pcapOf(b));
    const r = await merged([join(d, 'b.pcap'), join(d, 'a.pcap')]);
    expect(r.keys.slice(0, 200)).toEqual(realKeys.slice(0, 200));
    // the file whose first packet came first wins the tie
    const first = real[0].sec === a[0].sec && real[0].usec === a[0].usec ? 1 : 2;
    expect(r.keys.slice(200).map((k) => k.slice(-20))).toEqual([first, 3 - first].map((s) => Buffer.from(payload(10, s)).toString('hex')));
  });

  it('mixes formats: pcapng with nanoseconds, gzip, classic pcap', async () => {
    const d = newDir();
    const ng = new Pcapng().shb().idb({ tsresol: 9, linktype: 1 });
    for (const r of real.slice(100, 200)) ng.epb({ ts: BigInt(r.sec) * 1000000000n + BigInt(r.usec) * 1000n, data: r.data });
    writeFileSync(join(d, 'mid.pcapng'), ng.bytes());
    writeFileSync(join(d, 'start.pcap.gz'), gzipSync(pcapOf(real.slice(0, 100))));
    writeFileSync(join(d, 'end.pcap'), pcapOf(real.slice(200, 300)));
    const r = await merged(['end.pcap', 'mid.pcapng', 'start.pcap.gz'].map((n) => join(d, n)));
    expect(r.keys).toEqual(realKeys.slice(0, 300));
  });

  it('progress counts over all files, up to their total size', async () => {
    const d = newDir();
    const parts = [real.slice(0, 400), real.slice(400, 800), real.slice(800)].map(pcapOf);
    parts.forEach((b, i) => writeFileSync(join(d, `p${i}`), b));
    const total = parts.reduce((n, b) => n + b.length, 0);
    const seen: Array<[number, number | undefined]> = [];
    await readCaptureSet(parts.map((_, i) => join(d, `p${i}`)), () => {}, { chunkSize: 64 * 1024, progress: (done, size) => seen.push([done, size]) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.every(([n], i) => i === 0 || n >= seen[i - 1][0])).toBe(true);
    expect(seen[seen.length - 1][0]).toBe(total);
  });

  it('files without packets are passed over; the callback can stop the merge', async () => {
    const d = newDir();
    writeFileSync(join(d, 'empty.pcap'), buildPcap({}, []));
    writeFileSync(join(d, 'x.pcap'), pcapOf(real.slice(0, 50)));
    const r = await merged([join(d, 'empty.pcap'), join(d, 'x.pcap')]);
    expect(r.keys).toEqual(realKeys.slice(0, 50));
    expect(r.summary.files.map((f) => [f.frames, f.first === null])).toEqual([[50, false], [0, true]]);
    let n = 0;
    const s = await readCaptureSet([join(d, 'x.pcap')], () => ++n < 7);
    expect([n, s.frames, s.stopped]).toEqual([7, 7, true]);
  });

  it('a damaged part: everything earlier in time is delivered, then the error names that part', async () => {
    const d = newDir();
    writeFileSync(join(d, 'p0'), pcapOf(real.slice(0, 100)));
    const p1 = pcapOf(real.slice(100, 200));
    writeFileSync(join(d, 'p1'), p1.subarray(0, p1.length - 5));
    writeFileSync(join(d, 'p2'), pcapOf(real.slice(200, 300)));
    const keys: string[] = [];
    let err: unknown;
    try {
      await readCaptureSet([join(d, 'p2'), join(d, 'p1'), join(d, 'p0')], (f) => { keys.push(key(f)); });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).describe()).toMatch(new RegExp(`^${join(d, 'p1')}: packet 100 is cut short: its record header says \\d+ captured bytes, only \\d+ are left in the file \\(at byte offset \\d+\\)$`));
    expect(keys).toEqual(realKeys.slice(0, 199));
    await expect(readCaptureSet([join(d, 'p0'), join(d, 'missing')], () => {})).rejects.toThrow(/no such file or directory/);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('opens rotated parts only when the merge reaches them: two at a time, not all', async () => {
    const d = newDir();
    const parts = 40;
    for (let i = 0; i < parts; i++) writeFileSync(join(d, `part${i}`), pcapOf(real.slice(i * 20, i * 20 + 20)));
    let most = 0;
    const r = await readCaptureSet(expandCapturePaths([d]), () => {
      const open = readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(d); } catch { return false; } }).length;
      if (open > most) most = open;
    });
    expect(r.frames).toBe(parts * 20);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('300 overlapping captures merge in time order with at most 64 of them open at once', async () => {
    const d = newDir();
    const n = 300;
    const parts: Rec[][] = Array.from({ length: n }, () => []);
    real.forEach((r, i) => parts[i % n].push(r)); // every file spans the whole capture
    parts.forEach((rs, i) => writeFileSync(join(d, `if${i}.pcap`), pcapOf(rs)));
    let most = 0;
    const keys: string[] = [];
    const r = await readCaptureSet(expandCapturePaths([d]), (f) => {
      keys.push(key(f));
      const open = readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(d); } catch { return false; } }).length;
      if (open > most) most = open;
    });
    expect(keys).toEqual(realKeys);
    expect(r.files.every((f) => f.frames === parts[Number(/if(\d+)/.exec(f.path)?.[1])].length)).toBe(true);
    expect(most).toBeGreaterThan(8);
    expect(most).toBeLessThanOrEqual(64);
  });

  it('FilePool: parked files reopen where they were; a file replaced meanwhile is an error naming it', () => {
    const d = newDir();
    const files = [0, 1, 2, 3, 4].map((i) => { const p = join(d, `f${i}`); writeFileSync(p, payload(5000, i)); return p; });
    const pool = new FilePool(2);
    const sources = files.map((p) => openSource(p, p, pool));
    expect(pool.openCount).toBeLessThanOrEqual(2);
    const got = files.map(() => Buffer.alloc(5000));
    // read them round-robin 700 bytes at a time: every read after the first two reopens a file
    for (let off = 0; off < 5000; off += 700) {
      sources.forEach((s, i) => {
        expect(s.read(got[i], off, Math.min(700, 5000 - off))).toBe(Math.min(700, 5000 - off));
        expect(pool.openCount).toBeLessThanOrEqual(2);
      });
    }
    got.forEach((b, i) => expect(b.equals(payload(5000, i))).toBe(true));
    sources.forEach((s) => expect(s.read(Buffer.alloc(10), 0, 10)).toBe(0));
    // f0 is parked after this (f3 and f4 are read after it): replace it and read on
    const again = files.map((p) => openSource(p, p, pool));
    again[0].read(Buffer.alloc(100), 0, 100);
    again[3].read(Buffer.alloc(100), 0, 100);
    again[4].read(Buffer.alloc(100), 0, 100);
    // another file moved onto its name (written first, so it cannot reuse the old inode)
    writeFileSync(join(d, 'new'), payload(5000, 9));
    renameSync(join(d, 'new'), files[0]);
    expect(() => again[0].read(Buffer.alloc(100), 0, 100)).toThrow(TcpscopeError);
    try { again[0].read(Buffer.alloc(100), 0, 100); } catch (e) {
      expect((e as TcpscopeError).describe()).toBe(`${files[0]}: was replaced by another file while it was being read (at byte offset 100)`);
    }
    for (const s of [...sources, ...again]) s.close();
    expect(pool.openCount).toBe(0);
  });

  it.skipIf(!existsSync('/usr/bin/tcpdump') && !existsSync('/usr/sbin/tcpdump'))("tcpdump's own -C rotation, read back as one capture", async () => {
    const d = newDir();
    // -Z: as root, tcpdump would otherwise switch to its own user before writing the parts
    execFileSync('tcpdump', ['-Z', userInfo().username, '-r', fixturePath('real/real-zero-window.pcap'), '-w', join(d, 'rot.pcap'), '-C', '1'], { stdio: 'ignore' });
    const parts = expandCapturePaths([d]);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.slice(d.length + 1))).toEqual(['rot.pcap', ...parts.slice(1).map((_, i) => `rot.pcap${i + 1}`)]);
    expect((await merged(parts.reverse())).keys).toEqual(realKeys);
  });
});

group('listCaptureDir and expandCapturePaths', () => {
  it('lists captures by their magic in natural name order, and skips the rest', () => {
    const d = newDir();
    const cap = pcapOf(real.slice(0, 2));
    for (const n of ['cap10', 'cap2', 'cap1', 'cap']) writeFileSync(join(d, n), cap);
    writeFileSync(join(d, 'z.pcapng'), fixture('scenarios/pcapng-two-interfaces.pcapng'));
    writeFileSync(join(d, 'y.pcap.gz'), gzipSync(cap));
    writeFileSync(join(d, 'notes.txt.gz'), gzipSync(Buffer.from('not a capture')));
    writeFileSync(join(d, 'README'), 'captures from the CI run\n');
    writeFileSync(join(d, '.hidden.pcap'), cap);
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'inner.pcap'), cap);
    const l = listCaptureDir(d);
    expect(l.captures.map((p) => p.slice(d.length + 1))).toEqual(['cap', 'cap1', 'cap2', 'cap10', 'y.pcap.gz', 'z.pcapng']);
    expect(l.skipped.map((p) => p.slice(d.length + 1))).toEqual(['notes.txt.gz', 'README']);
  });

  it('a file named as a capture is listed whatever its bytes (text, empty, damaged), to be read and fail', () => {
    const d = newDir();
    const cap = pcapOf(real.slice(0, 2));
    writeFileSync(join(d, 'good.pcap'), cap);
    writeFileSync(join(d, 'notes.pcap'), 'tcpdump output saved with > instead of -w\n');
    writeFileSync(join(d, 'empty.PCAP'), '');
    writeFileSync(join(d, 'cut.pcapng'), fixture('scenarios/pcapng-two-interfaces.pcapng').subarray(0, 30));
    writeFileSync(join(d, 'old.cap.gz'), 'not gzip');
    writeFileSync(join(d, 'notes.txt'), 'not a capture');
    writeFileSync(join(d, 'capture.pcap.txt'), 'not a capture');
    const l = listCaptureDir(d);
    expect(l.captures.map((p) => p.slice(d.length + 1))).toEqual(['cut.pcapng', 'empty.PCAP', 'good.pcap', 'notes.pcap', 'old.cap.gz']);
    expect(l.skipped.map((p) => p.slice(d.length + 1))).toEqual(['capture.pcap.txt', 'notes.txt']);
  });

  it('expands directories and keeps other arguments as they are', () => {
    const d = newDir();
    writeFileSync(join(d, 'a.pcap'), pcapOf(real.slice(0, 1)));
    expect(expandCapturePaths(['x.pcap', d, '-'])).toEqual(['x.pcap', join(d, 'a.pcap'), '-']);
    const empty = newDir();
    writeFileSync(join(empty, 'notes'), 'nothing here');
    expect(() => expandCapturePaths([empty])).toThrow(TcpscopeError);
    try { expandCapturePaths([empty]); } catch (e) {
      expect((e as TcpscopeError).describe()).toBe(`${empty}: no capture files in this directory (1 other file skipped)`);
    }
  });
});
