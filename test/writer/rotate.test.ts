/**
 * -C/-G/-W rotation: tcpdump's file names (MakeFilename), when a new file starts, what -W does
 * with each, strftime against GNU date, and the CLI against tcpdump itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Frame, newFrame, readCapture } from '../../src/capture/index.js';
import { CaptureFileWriter, fileNumberDigits, makeFilename, strftime } from '../../src/capture/writer-rotate.js';
import { type ByteSink, MemorySink, PcapWriter } from '../../src/capture/writer.js';
import { TcpscopeError } from '../../src/errors.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpscope.js');
const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;
const HAVE_GNU_DATE = spawnSync('date', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU') === true;
const IS_ROOT = process.getuid?.() === 0;

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-rotate-'));
let savedTz: string | undefined;
beforeAll(() => { savedTz = process.env.TZ; process.env.TZ = 'UTC'; });
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ; else process.env.TZ = savedTz;
  rmSync(tmp, { recursive: true, force: true });
});

/** A frame of `size` bytes (record: 16 + size) at time `t`. */
function frameAt(t: number, size = 184, fill = 0): Frame {
  const f = newFrame();
  f.data = Buffer.alloc(size, fill); f.caplen = size; f.wirelen = size; f.tsSec = t; f.tsNsec = 0; f.number = fill;
  return f;
}

/** A CaptureFileWriter over in-memory files: `files` keeps every opened file's bytes by name (last wins). */
function memoryWriter(opts: { path?: string; sizeLimit?: number; rotateSeconds?: number; fileCount?: number; clock?: 'wall' | 'packet'; now?: () => number }) {
  const files = new Map<string, MemorySink>();
  const w = new CaptureFileWriter({
    path: opts.path ?? 'out',
    header: { linktype: 1, snaplen: 262144, nano: false },
    sizeLimit: opts.sizeLimit,
    rotateSeconds: opts.rotateSeconds,
    fileCount: opts.fileCount,
    clock: opts.clock,
    now: opts.now,
    openSink: (name) => { const m = new MemorySink(name); files.set(name, m); return m; },
  });
  return { w, files };
}

/** Fill bytes of each record in a written pcap image. */
function recordFills(b: Buffer): number[] {
  const out: number[] = [];
  for (let off = 24; off < b.length; off += 16 + b.readUInt32LE(off + 8)) out.push(b[off + 16]!);
  return out;
}

describe('tcpdump file names', () => {
  test('fileNumberDigits_digitsOfCountMinusOne_asGetWflagChars', () => {
    expect([1, 2, 9, 10, 11, 100, 101, 1000].map(fileNumberDigits)).toEqual([0, 1, 1, 1, 2, 2, 3, 3]);
  });

  test('makeFilename_numberAppendedZeroPadded_strftimeFirst', () => {
    expect(makeFilename('out.pcap', 0, 0)).toBe('out.pcap');
    expect(makeFilename('out.pcap', 3, 0)).toBe('out.pcap3');
    expect(makeFilename('out.pcap', 0, 2)).toBe('out.pcap00');
    expect(makeFilename('out.pcap', 7, 2)).toBe('out.pcap07');
    expect(makeFilename('%Y-%m-%d_%H:%M:%S.pcap', 0, 0, 1_700_000_000)).toBe('2023-11-14_22:13:20.pcap');
    expect(makeFilename('cap-%H.pcap', 4, 1, 1_700_000_000)).toBe('cap-22.pcap4');
  });
});

describe('CaptureFileWriter', () => {
  test('sizeLimit_rotatesBeforeThePacketThatFindsTheFileOverTheLimit_names_FILE_FILE1_FILE2', () => {
    // 24-byte header + 200-byte records: over 1000 bytes after 5 records (1024 > 1000)
    const { w, files } = memoryWriter({ sizeLimit: 1000 });
    for (let i = 1; i <= 12; i++) expect(w.write(frameAt(100, 184, i))).toBe(true);
    w.close();
    expect(w.opened).toEqual(['out', 'out1', 'out2']);
    expect(recordFills(files.get('out')!.bytes())).toEqual([1, 2, 3, 4, 5]);
    expect(recordFills(files.get('out1')!.bytes())).toEqual([6, 7, 8, 9, 10]);
    expect(recordFills(files.get('out2')!.bytes())).toEqual([11, 12]);
    expect(files.get('out')!.bytes().length).toBe(1024);
    for (const m of files.values()) expect(m.closed).toBe(true);
  });

  test('sizeLimitWithFileCount_ringOfZeroPaddedNames_wrapsAndOverwrites', () => {
    const { w, files } = memoryWriter({ sizeLimit: 1000, fileCount: 3 });
    for (let i = 1; i <= 20; i++) w.write(frameAt(100, 184, i));
    w.close();
    expect(w.opened).toEqual(['out0', 'out1', 'out2', 'out0']);
    // the reused name holds the newest packets
    expect(recordFills(files.get('out0')!.bytes())).toEqual([16, 17, 18, 19, 20]);
    expect(recordFills(files.get('out2')!.bytes())).toEqual([11, 12, 13, 14, 15]);
  });

  test('sizeLimitWithFileCount11_twoDigits', () => {
    // 224 bytes after one packet is over 200: every packet starts a new file
    const { w } = memoryWriter({ sizeLimit: 200, fileCount: 11 });
    for (let i = 1; i <= 3; i++) w.write(frameAt(100, 184, i));
    w.close();
    expect(w.opened).toEqual(['out00', 'out01', 'out02']);
  });

  test('sizeLimitWithFileCount1_oneNameReopenedEachTime', () => {
    const { w, files } = memoryWriter({ sizeLimit: 200, fileCount: 1 });
    for (let i = 1; i <= 4; i++) w.write(frameAt(100, 184, i));
    w.close();
    expect(w.opened).toEqual(['out', 'out', 'out', 'out']);
    expect(recordFills(files.get('out')!.bytes())).toEqual([4]);
  });

  test('rotateSecondsWallClock_newStrftimeNamedFileWhenThePeriodIsOver', () => {
    let now = 1_700_000_000;
    const { w, files } = memoryWriter({ path: 'c-%H%M%S.pcap', rotateSeconds: 10, now: () => now });
    expect(w.opened).toEqual(['c-221320.pcap']); // opened at start, named after the start time
    w.write(frameAt(0, 50, 1));
    now += 9; w.write(frameAt(0, 50, 2));
    now += 1; w.write(frameAt(0, 50, 3)); // 10 s after the start: new file named now
    now += 25; w.write(frameAt(0, 50, 4));
    w.close();
    expect(w.opened).toEqual(['c-221320.pcap', 'c-221330.pcap', 'c-221355.pcap']);
    expect(recordFills(files.get('c-221330.pcap')!.bytes())).toEqual([3]);
  });

  test('rotateSecondsWithFileCount_stopsAfterCountFiles', () => {
    let now = 1000;
    const { w } = memoryWriter({ path: 'g', rotateSeconds: 5, fileCount: 2, now: () => now });
    expect(w.write(frameAt(0, 50, 1))).toBe(true);
    now += 5;
    expect(w.write(frameAt(0, 50, 2))).toBe(true);
    now += 5;
    expect(w.write(frameAt(0, 50, 3))).toBe(false);
    expect(w.stopReason).toBe('file-limit');
    expect(w.write(frameAt(0, 50, 4))).toBe(false);
    w.close();
    expect(w.opened).toEqual(['g', 'g']);
  });

  test('rotateSecondsAndSize_sizeNumberingRestartsEachPeriod', () => {
    let now = 1_700_000_000;
    const { w } = memoryWriter({ path: 'x-%S-', rotateSeconds: 60, sizeLimit: 200, fileCount: 10, now: () => now });
    for (let i = 1; i <= 3; i++) w.write(frameAt(0, 184, i));
    now += 60;
    for (let i = 4; i <= 5; i++) w.write(frameAt(0, 184, i));
    w.close();
    // -W with -C and -G only pads the number (it does not stop the capture)
    expect(w.opened).toEqual(['x-20-0', 'x-20-1', 'x-20-2', 'x-20-0', 'x-20-1']);
  });

  test('packetClock_firstFileNamedByFirstPacket_rotatesOnPacketTime', () => {
    const { w, files } = memoryWriter({ path: 'p-%M%S', rotateSeconds: 30, clock: 'packet', now: () => { throw new Error('wall clock used'); } });
    expect(w.opened).toEqual([]);
    for (const t of [1_700_000_005, 1_700_000_020, 1_700_000_035, 1_700_000_100]) w.write(frameAt(t, 50, t % 256));
    w.close();
    // 22:13:25 opens the first; 22:13:55 is 30 s later; 22:15:00 is 65 s after that
    expect(w.opened).toEqual(['p-1325', 'p-1355', 'p-1500']);
    expect(recordFills(files.get('p-1325')!.bytes()).length).toBe(2);
  });

  test('closeWithoutPackets_leavesAHeaderOnlyFile', () => {
    const { w, files } = memoryWriter({ path: 'empty', rotateSeconds: 10, clock: 'packet', now: () => 1_700_000_000 });
    w.close();
    expect(w.opened).toEqual(['empty']);
    expect(files.get('empty')!.bytes().length).toBe(24);
  });

  test('otherLinktype_writeFailed_namesThePacket', () => {
    const { w } = memoryWriter({});
    const f = frameAt(0, 20, 1);
    f.linktype = 113; f.number = 7;
    let err: unknown;
    try { w.write(f); } catch (e) { err = e; }
    expect((err as TcpscopeError).code).toBe('WRITE_FAILED');
    expect((err as TcpscopeError).message).toMatch(/^packet 7 has link type 113, but this pcap file holds link type 1/);
  });

  test('positionCountsBufferedBytes_soSizeChecksSeeUnflushedPackets', () => {
    const mem = new MemorySink();
    const pw = new PcapWriter(mem as ByteSink, { linktype: 1, snaplen: 65535, nano: false });
    pw.write(frameAt(0, 100, 1));
    expect(mem.bytes().length).toBe(0);
    expect(pw.position).toBe(24 + 116);
  });
});

describe('strftime', () => {
  const FORMATS = ['%Y-%m-%d %H:%M:%S', '%a %A %b %B %h', '%C %y %G %g %V %U %W %j', '%e|%k|%l|%I %p %P', '%D %F %T %R %r',
    '%u %w %s %z', '%c', '%x %X', '%%%n%t', '%-d %-H %_m %05Y %^a %^B', '%Q %E', 'plain'];
  const TIMES = [0, 951_782_400 /* 2000-02-29 */, 1_700_000_000, 1_704_067_199 /* 2023-12-31 23:59:59 */, 1_710_054_000 /* US DST day */, 1_735_689_600 /* 2025-01-01 (ISO week 1) */];

  test.each(['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Asia/Dubai', 'Australia/Lord_Howe'])('everyConversion_%s_sameAsGnuDate', (tz) => {
    if (!HAVE_GNU_DATE) return;
    const prev = process.env.TZ;
    process.env.TZ = tz;
    try {
      for (const t of TIMES) {
        for (const fmt of FORMATS) {
          const want = execFileSync('date', ['-d', `@${t}`, `+${fmt}`], { env: { ...process.env, TZ: tz, LC_ALL: 'C' }, encoding: 'utf8' }).replace(/\n$/, '');
          expect(strftime(fmt, new Date(t * 1000)), `${tz} ${t} '${fmt}'`).toBe(want);
        }
        // %Z from the system's zone database as GNU date has it (EST/EDT, IST, UTC)
        const zone = execFileSync('date', ['-d', `@${t}`, '+%Z'], { env: { ...process.env, TZ: tz, LC_ALL: 'C' }, encoding: 'utf8' }).trim();
        expect(strftime('%Z', new Date(t * 1000))).toBe(zone);
      }
    } finally {
      process.env.TZ = prev;
    }
  });
});

describe('tcpscope -C/-G/-W', () => {
  function cli(args: string[], cwd: string) {
    return spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
  }
  const ZW = join(ROOT, 'fixtures', 'real', 'real-zero-window.pcap');

  test.each([[[] as string[]], [['-W', '1']], [['-W', '2']], [['-W', '10']]])('sizeOneMB_%j_sameFileNamesAndBytesAsTcpdump', (extra) => {
    if (!HAVE_TCPDUMP) return;
    const ours = mkdtempSync(join(tmp, 'ours-'));
    const theirs = mkdtempSync(join(tmp, 'theirs-'));
    const r = cli(['-r', ZW, '-w', 'z.pcap', '-C', '1', ...extra], ours);
    expect(r.status, r.stderr).toBe(0);
    execFileSync('tcpdump', [...(IS_ROOT ? ['-Z', 'root'] : []), '-r', ZW, '-w', 'z.pcap', '-C', '1', ...extra], { cwd: theirs, stdio: 'ignore' });
    const names = readdirSync(theirs).sort();
    expect(names.length).toBeGreaterThan(0);
    expect(readdirSync(ours).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(ours, n)).equals(readFileSync(join(theirs, n))), n).toBe(true);
  });

  test('offlineRotateSeconds_splitsByPacketTime_strftimeNames', async () => {
    // a capture with one packet per second for ten seconds
    const dir = mkdtempSync(join(tmp, 'g-'));
    const mem = new MemorySink();
    const pw = new PcapWriter(mem, { linktype: 1, snaplen: 65535, nano: false });
    for (let i = 0; i < 10; i++) pw.write(frameAt(1_700_000_000 + i, 60, i + 1));
    pw.close();
    writeFileSync(join(dir, 'in.pcap'), mem.bytes());
    const r = cli(['-r', 'in.pcap', '-w', 'out-%M%S.pcap', '-G', '3'], dir);
    expect(r.status, r.stderr).toBe(0);
    const names = readdirSync(dir).filter((n) => n.startsWith('out-')).sort();
    expect(names).toEqual(['out-1320.pcap', 'out-1323.pcap', 'out-1326.pcap', 'out-1329.pcap']);
    const counts: number[] = [];
    for (const n of names) {
      let c = 0;
      await readCapture(join(dir, n), () => { c++; });
      counts.push(c);
    }
    expect(counts).toEqual([3, 3, 3, 1]);
  });

  test('offlineRotateSecondsWithFileCount_maximumFileLimitReached_status0', () => {
    const dir = mkdtempSync(join(tmp, 'gw-'));
    const mem = new MemorySink();
    const pw = new PcapWriter(mem, { linktype: 1, snaplen: 65535, nano: false });
    for (let i = 0; i < 10; i++) pw.write(frameAt(1_700_000_000 + i, 60, i + 1));
    pw.close();
    writeFileSync(join(dir, 'in.pcap'), mem.bytes());
    const r = cli(['-r', 'in.pcap', '-w', 'o%S', '-G', '2', '-W', '3'], dir);
    expect(r.status).toBe(0);
    // tcpdump's reading line, then its message as the file limit is reached
    expect(r.stderr).toBe('reading from file in.pcap, link-type EN10MB (Ethernet), snapshot length 65535\nMaximum file limit reached: 3\n');
    expect(readdirSync(dir).filter((n) => n.startsWith('o')).sort()).toEqual(['o20', 'o22', 'o24']);
    expect(existsSync(join(dir, 'o26'))).toBe(false);
  });
});
