/**
 * The pcap writer: records as libpcap writes them, byte for byte; buffering that never splits a
 * record; nanosecond files; the FCS bits; the file-system errors; `tcpscope -w` against
 * `tcpdump -w` on every fixture.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Frame, newFrame, readCapture } from '../../src/capture/index.js';
import { TcpscopeError } from '../../src/errors.js';
import {
  type ByteSink,
  FdSink,
  MemorySink,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  PcapWriter,
  describeFsError,
  encodeFileHeader,
  headerLinktype,
} from '../../src/capture/writer.js';

/** stderr without tcpdump's "reading from file" line (test/cli/reading-line.test.ts checks it) */
const withoutReading = (s: string): string => s.replace(/^reading from file [^\n]*\n/gm, '');

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpscope.js');
const FIXTURES = [join(ROOT, 'fixtures', 'real'), join(ROOT, 'fixtures', 'scenarios')]
  .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.pcap')).map((f) => join(d, f)));
const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;
const IS_ROOT = process.getuid?.() === 0;

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-writer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Captured { tsSec: number; tsNsec: number; caplen: number; wirelen: number; bytes: Buffer }

async function framesOf(path: string): Promise<{ frames: Captured[]; linktype: number; snaplen: number; nano: boolean }> {
  const frames: Captured[] = [];
  const summary = await readCapture(path, (f) => {
    frames.push({ tsSec: f.tsSec, tsNsec: f.tsNsec, caplen: f.caplen, wirelen: f.wirelen, bytes: Buffer.from(f.data.subarray(f.offset, f.offset + f.caplen)) });
  });
  const i = summary.info.interfaces[0]!;
  return { frames, linktype: i.linktype, snaplen: i.snaplen, nano: summary.info.nanosecond };
}

/** Copy a capture through PcapWriter into memory, as `tcpscope -r IN -w OUT` does. */
async function rewrite(path: string, opts: { nano?: boolean; bufferSize?: number; packetBuffered?: boolean } = {}): Promise<{ bytes: Buffer; writes: number }> {
  let writer: PcapWriter | null = null;
  let writes = 0;
  const mem = new MemorySink();
  const counting: ByteSink = {
    name: 'mem',
    write(buf, len) { writes++; mem.write(buf, len); },
    close() { mem.close(); },
  };
  await readCapture(path, (f) => { writer!.write(f); }, {
    onHeader: (info) => {
      const i = info.interfaces[0]!;
      writer = new PcapWriter(counting, { linktype: i.linktype, snaplen: i.snaplen, nano: opts.nano ?? false, fcsLength: i.fcsLength },
        { bufferSize: opts.bufferSize, packetBuffered: opts.packetBuffered });
    },
  });
  writer!.close();
  return { bytes: mem.bytes(), writes };
}

describe('PcapWriter', () => {
  test('fixtures_rewrite_bytesIdenticalToTheOriginalMicrosecondFiles', async () => {
    let compared = 0;
    for (const path of FIXTURES) {
      const orig = readFileSync(path);
      // the corpus files are little-endian microsecond pcap, as libpcap writes them here
      if (orig.readUInt32LE(0) !== PCAP_MAGIC_MICRO) continue;
      const { bytes } = await rewrite(path);
      expect(bytes.equals(orig), path).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });

  test('fixtures_rewriteAndReadBack_sameFramesAndHeader', async () => {
    for (const path of FIXTURES) {
      const before = await framesOf(path);
      const out = join(tmp, 'rt.pcap');
      writeFileSync(out, (await rewrite(path, { nano: before.nano })).bytes);
      const after = await framesOf(out);
      expect(after.linktype).toBe(before.linktype);
      expect(after.snaplen).toBe(before.snaplen);
      expect(after.frames.length).toBe(before.frames.length);
      // compared field by field without the matcher per frame (thousands of frames)
      const bad = after.frames.findIndex((f, i) => {
        const b = before.frames[i]!;
        return f.tsSec !== b.tsSec || f.tsNsec !== b.tsNsec || f.caplen !== b.caplen || f.wirelen !== b.wirelen || !f.bytes.equals(b.bytes);
      });
      expect(bad, `${path}: first differing frame (0-based)`).toBe(-1);
    }
  });

  test('smallBuffer_manyFlushes_neverSplitsARecordAndLosesNothing', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-zero-window.pcap');
    const orig = readFileSync(path);
    const { bytes, writes } = await rewrite(path, { bufferSize: 64 * 1024 });
    expect(bytes.equals(orig)).toBe(true);
    expect(writes).toBeGreaterThan(orig.length / (64 * 1024));
  });

  test('packetBuffered_oneWritePerPacket_eachWriteWholeRecords', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-normal.pcap');
    const before = await framesOf(path);
    const chunks: Buffer[] = [];
    const sink: ByteSink = { name: 'm', write(b, n) { chunks.push(Buffer.from(b.subarray(0, n))); }, close() {} };
    const w = new PcapWriter(sink, { linktype: before.linktype, snaplen: before.snaplen, nano: false }, { packetBuffered: true });
    const f = newFrame();
    for (const c of before.frames) {
      f.data = c.bytes; f.offset = 0; f.caplen = c.caplen; f.wirelen = c.wirelen; f.tsSec = c.tsSec; f.tsNsec = c.tsNsec;
      const n = chunks.length;
      w.write(f);
      expect(chunks.length).toBe(n + 1);
      // the write holds exactly this record (the first also carries the file header)
      const last = chunks[chunks.length - 1]!;
      expect(last.length).toBe((n === 0 ? 24 : 0) + 16 + c.caplen);
    }
    w.close();
    expect(Buffer.concat(chunks).equals(readFileSync(path))).toBe(true);
  });

  test('nanosecondFile_magicA1B23C4D_keepsNanoseconds_microFileTruncates', () => {
    const f = newFrame();
    f.data = Buffer.from([1, 2, 3, 4]); f.caplen = 4; f.wirelen = 60; f.tsSec = 1_700_000_000; f.tsNsec = 123_456_789;
    const nano = new MemorySink();
    const wn = new PcapWriter(nano, { linktype: 1, snaplen: 65535, nano: true });
    wn.write(f); wn.close();
    const n = nano.bytes();
    expect(n.readUInt32LE(0)).toBe(PCAP_MAGIC_NANO);
    expect(n.readUInt32LE(24 + 4)).toBe(123_456_789);
    const micro = new MemorySink();
    const wm = new PcapWriter(micro, { linktype: 1, snaplen: 65535, nano: false });
    wm.write(f); wm.close();
    const m = micro.bytes();
    expect(m.readUInt32LE(0)).toBe(PCAP_MAGIC_MICRO);
    expect(m.readUInt32LE(24 + 4)).toBe(123_456);
    expect(m.readUInt32LE(24 + 8)).toBe(4); // caplen
    expect(m.readUInt32LE(24 + 12)).toBe(60); // len
    expect(m.subarray(40).equals(Buffer.from([1, 2, 3, 4]))).toBe(true);
  });

  test('recordLargerThanTheBuffer_writtenWhole_inOrder', () => {
    const mem = new MemorySink();
    const w = new PcapWriter(mem, { linktype: 1, snaplen: 262144, nano: false }, { bufferSize: 64 * 1024 });
    const small = newFrame();
    small.data = Buffer.alloc(100, 7); small.caplen = 100; small.wirelen = 100;
    const big = newFrame();
    big.data = Buffer.alloc(200_000, 9); big.caplen = 200_000; big.wirelen = 200_000; big.tsSec = 5;
    w.write(small); w.write(big); w.write(small);
    expect(w.position).toBe(24 + 3 * 16 + 100 + 200_000 + 100);
    w.close();
    const b = mem.bytes();
    expect(b.length).toBe(w.position);
    expect(b.readUInt32LE(24 + 16 + 100)).toBe(5);
    expect(b.readUInt32LE(24 + 16 + 100 + 8)).toBe(200_000);
    expect(b[24 + 16 + 100 + 16 + 199_999]).toBe(9);
    expect(b[b.length - 1]).toBe(7);
  });

  test('frameView_onlyTheCapturedRangeOfTheChunkIsWritten', () => {
    const mem = new MemorySink();
    const w = new PcapWriter(mem, { linktype: 1, snaplen: 65535, nano: false });
    const f: Frame = newFrame();
    f.data = Buffer.from('xxxxHELLOyyyy'); f.offset = 4; f.caplen = 5; f.wirelen = 5;
    w.write(f); w.close();
    expect(mem.bytes().subarray(40).toString()).toBe('HELLO');
  });

  test('fcsLength_storedInTheLinktypeExtensionBits_asLibpcap', () => {
    expect(headerLinktype({ linktype: 1, snaplen: 0, nano: false })).toBe(1);
    // 4 bytes of FCS = 2 16-bit words: 0x2 << 28 | LT_FCS_LENGTH_PRESENT
    expect(headerLinktype({ linktype: 1, snaplen: 0, nano: false, fcsLength: 4 })).toBe(0x24000001);
    const b = Buffer.alloc(24);
    encodeFileHeader({ linktype: 105, snaplen: 65535, nano: false, fcsLength: 4 }, b);
    expect(b.readUInt32LE(20)).toBe(0x24000069);
    expect(b.readUInt16LE(4)).toBe(2);
    expect(b.readUInt16LE(6)).toBe(4);
    expect(b.readUInt32LE(16)).toBe(65535);
  });
});

describe('FdSink', () => {
  test('missingDirectory_writeFailed_namesTheFileAndSaysWhy', () => {
    const path = join(tmp, 'no-such-dir', 'x.pcap');
    let err: unknown;
    try { FdSink.create(path); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).code).toBe('WRITE_FAILED');
    expect((err as TcpscopeError).describe()).toBe(`${path}: No such file or directory`);
  });

  test('directoryAsFile_writeFailed_isADirectory', () => {
    let err: unknown;
    try { FdSink.create(tmp); } catch (e) { err = e; }
    expect((err as TcpscopeError).describe()).toBe(`${tmp}: Is a directory`);
  });

  test('describeFsError_unknownCode_capitalisedSystemMessage', () => {
    const e = Object.assign(new Error('x'), { code: 'ECONNRESET', errno: -104 });
    expect(describeFsError(e)).toMatch(/^Connection reset/);
  });
});

describe('tcpscope -w', () => {
  function cli(args: string[], opts: { input?: Buffer } = {}) {
    return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: 'UTC' }, input: opts.input, maxBuffer: 64 << 20 });
  }

  test('fixtures_rewrittenByCli_bytesIdenticalToTcpdumpW', { skip: !HAVE_TCPDUMP && 'tcpdump is not installed' }, () => {
    // a spread of link types, sizes and byte orders (every fixture's bytes are checked in process above)
    const chosen = ['real/real-zero-window.pcap', 'real/real-any-interface-sll2.pcap', 'real/real-ipv6-normal.pcap', 'real/real-abort-linger0.pcap',
      'scenarios/pcap-nanosecond-bigendian.pcap', 'scenarios/close-4way.pcap'].map((n) => join(ROOT, 'fixtures', n));
    for (const path of chosen) {
      const ours = join(tmp, 'ours.pcap');
      const theirs = join(tmp, 'theirs.pcap');
      const r = cli(['-r', path, '-w', ours]);
      expect(r.status, withoutReading(r.stderr.toString())).toBe(0);
      // with -w nothing is printed, as tcpdump
      expect(r.stdout.length).toBe(0);
      // -Z root: tcpdump otherwise becomes user tcpdump, who cannot write our temporary directory
      execFileSync('tcpdump', [...(IS_ROOT ? ['-Z', 'root'] : []), '-r', path, '-w', theirs], { stdio: 'ignore' });
      expect(readFileSync(ours).equals(readFileSync(theirs)), path).toBe(true);
    }
  });

  test('pcapngTwoInterfaces_rewrittenAsPcap_bytesIdenticalToTcpdumpW', { skip: !HAVE_TCPDUMP && 'tcpdump is not installed' }, () => {
    const path = join(ROOT, 'fixtures', 'scenarios', 'pcapng-two-interfaces.pcapng');
    const ours = join(tmp, 'ng-ours.pcap');
    const theirs = join(tmp, 'ng-theirs.pcap');
    expect(cli(['-r', path, '-w', ours]).status).toBe(0);
    execFileSync('tcpdump', [...(IS_ROOT ? ['-Z', 'root'] : []), '-r', path, '-w', theirs], { stdio: 'ignore' });
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });

  test('pcapngMixedLinkTypes_stopsAtTheFirstOtherType_namesIt_fileValidBefore', async () => {
    const path = join(ROOT, 'fixtures', 'scenarios', 'pcapng-mixed-linktypes.pcapng');
    const out = join(tmp, 'mixed.pcap');
    const r = cli(['-r', path, '-w', out]);
    expect(r.status).toBe(1);
    const all: Array<{ linktype: number }> = [];
    await readCapture(path, (f) => { all.push({ linktype: f.linktype }); });
    const firstOther = all.findIndex((f) => f.linktype !== all[0]!.linktype);
    expect(withoutReading(r.stderr.toString())).toBe(`tcpscope: ${out}: packet ${firstOther + 1} has link type ${all[firstOther]!.linktype}, but this pcap file holds link type ${all[0]!.linktype} (a classic pcap file has one link type)\n`);
    const got = await framesOf(out);
    expect(got.frames.length).toBe(firstOther);
  });

  test('nano_cliRewrite_bytesIdenticalToTcpdumpNano', { skip: !HAVE_TCPDUMP && 'tcpdump is not installed' }, () => {
    for (const name of ['real/real-normal.pcap', 'scenarios/pcap-nanosecond-bigendian.pcap', 'scenarios/close-4way.pcap']) {
      const path = join(ROOT, 'fixtures', name);
      const ours = join(tmp, 'ours-n.pcap');
      const theirs = join(tmp, 'theirs-n.pcap');
      expect(cli(['--nano', '-r', path, '-w', ours]).status).toBe(0);
      execFileSync('tcpdump', [...(IS_ROOT ? ['-Z', 'root'] : []), '--nano', '-r', path, '-w', theirs], { stdio: 'ignore' });
      expect(readFileSync(ours).equals(readFileSync(theirs)), name).toBe(true);
      expect(readFileSync(ours).readUInt32LE(0)).toBe(PCAP_MAGIC_NANO);
    }
  });

  test('dashW_standardOutput_sameBytesAsTheFile', () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-half-close.pcap');
    const r = cli(['-r', path, '-w', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(readFileSync(path))).toBe(true);
  });

  test('dashW_readerLeavesEarly_quietExitZero', () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-zero-window.pcap');
    // pipefail: the status is tcpscope's, not head's
    const p = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" -r "${path}" -w - | head -c 100 >/dev/null`], { encoding: 'utf8' });
    expect(withoutReading(p.stderr)).toBe('');
    expect(p.status).toBe(0);
  });

  test('sigint_whileReadingAPipe_fileCompleteUpToTheLastPacket_status0', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-normal.pcap');
    const whole = readFileSync(path);
    let off = 24;
    for (let i = 0; i < 3; i++) off += 16 + whole.readUInt32LE(off + 8);
    const out = join(tmp, 'sigint.pcap');
    const child = spawn(process.execPath, [CLI, '-r', '-', '-w', out], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    // the header and three packets, then the writer of the pipe goes quiet
    child.stdin.write(whole.subarray(0, off));
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(withoutReading(err)).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(out).equals(whole.subarray(0, off))).toBe(true);
    child.stdin.destroy();
  });

  test('withCount_writesTheFirstNPackets', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-normal.pcap');
    const out = join(tmp, 'c3.pcap');
    expect(cli(['-r', path, '-c', '3', '-w', out]).status).toBe(0);
    const all = await framesOf(path);
    const got = await framesOf(out);
    expect(got.frames).toEqual(all.frames.slice(0, 3));
  });

  test('withFilter_writesOnlyMatchingPackets_rstOnly', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-abort-linger0.pcap');
    const out = join(tmp, 'rst.pcap');
    const r = cli(['-r', path, '-w', out, 'tcp[13] & 4 != 0']);
    expect(r.status, withoutReading(r.stderr.toString())).toBe(0);
    const got = await framesOf(out);
    expect(got.frames.length).toBeGreaterThan(0);
    // byte 13 of the TCP header (Ethernet 14 + IPv4 20 without options + 13) has RST set
    for (const f of got.frames) expect(f.bytes[14 + ((f.bytes[14]! & 0xf) * 4) + 13]! & 4).toBe(4);
    const all = await framesOf(path);
    expect(got.frames.length).toBeLessThan(all.frames.length);
  });

  test('printFlag_printsAndWrites', () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-refused.pcap');
    const out = join(tmp, 'p.pcap');
    const r = cli(['--plain', '-n', '-r', path, '-w', out, '--print']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(cli(['--plain', '-n', '-r', path]).stdout.toString());
    expect(readFileSync(out).equals(readFileSync(path))).toBe(true);
  });

  test('unwritableOutput_oneLineError_status1_noStack', () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-refused.pcap');
    const out = join(tmp, 'missing-dir', 'x.pcap');
    const r = cli(['-r', path, '-w', out]);
    expect(r.status).toBe(1);
    expect(withoutReading(r.stderr.toString())).toBe(`tcpscope: ${out}: No such file or directory\n`);
  });

  test('readOnlyDirectory_permissionDenied', { skip: IS_ROOT && 'root may write anywhere' }, () => {
    const dir = join(tmp, 'ro');
    execFileSync('mkdir', ['-p', dir]);
    chmodSync(dir, 0o555);
    const r = cli(['-r', join(ROOT, 'fixtures', 'real', 'real-refused.pcap'), '-w', join(dir, 'x.pcap')]);
    expect(r.status).toBe(1);
    expect(withoutReading(r.stderr.toString())).toBe(`tcpscope: ${join(dir, 'x.pcap')}: Permission denied\n`);
  });

  test('damagedInput_everythingBeforeTheDamageIsWritten_fileValid', async () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-normal.pcap');
    const whole = readFileSync(path);
    const cut = join(tmp, 'cut.pcap');
    // cut the file in the middle of its fifth record
    let off = 24;
    for (let i = 0; i < 4; i++) off += 16 + whole.readUInt32LE(off + 8);
    writeFileSync(cut, whole.subarray(0, off + 20));
    const out = join(tmp, 'cut-out.pcap');
    const r = cli(['-r', cut, '-w', out]);
    expect(r.status).not.toBe(0);
    expect(withoutReading(r.stderr.toString())).toMatch(/^tcpscope: .*cut\.pcap: .*\(at byte offset \d+\)\n$/);
    expect(readFileSync(out).equals(whole.subarray(0, off))).toBe(true);
  });

  test('rotationOptionsWithoutW_badOption', () => {
    const path = join(ROOT, 'fixtures', 'real', 'real-refused.pcap');
    for (const [args, msg] of [
      [['-C', '1'], '-C rotates the -w file: give -w FILE too'],
      [['-G', '60'], '-G rotates the -w file: give -w FILE too'],
      [['-w', join(tmp, 'x'), '-W', '3'], '-W limits -C/-G rotation: give -C or -G too'],
      [['-w', '-', '-C', '1'], '-C and -G rotate files: give -w a file name, not - (standard output)'],
      [['-w', join(tmp, 'x'), '-C', '0'], 'invalid file size 0'],
      // tcpdump 4.99.3 takes a whole number of million bytes only (qa4: -C 0.01 wrote 10 kB files)
      [['-w', join(tmp, 'x'), '-C', '0.01'], 'invalid file size 0.01'],
      [['-w', join(tmp, 'x'), '-C', '1k'], 'invalid file size 1k'],
      [['-w', join(tmp, 'x'), '-C', '99999999999999'], 'file size 99999999999999 is too large'],
      [['-w', '-', '--print'], '--print and -w - would both write to standard output'],
    ] as Array<[string[], string]>) {
      const r = cli(['-r', path, ...args]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(withoutReading(r.stderr.toString())).toBe(`tcpscope: ${msg}\n`);
    }
  });
});
