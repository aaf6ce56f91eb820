/**
 * Hostile input: mutated and random captures never crash, hang or allocate absurdly. Every run
 * ends in frames plus, at most, one TcpscopeError, and the answer is the same whether the bytes
 * come whole, in random chunks, or through the file reader with a tiny buffer. (The differential
 * check against libpcap itself is test/capture/differential-fuzz.mjs, which needs tcpdump.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe as group, expect, it } from 'vitest';
import { CaptureParser, readCapture, type Frame } from '../../src/capture/index.js';
import { TcpscopeError } from '../../src/errors.js';
import { Pcapng, describe, fixture, frameLine, parseChunks, payload, type ParseResult } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// FUZZ_SEED=n runs another sequence of mutants
let seed = Number(process.env.FUZZ_SEED ?? 20240601);
const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
const interesting = [0, 1, 4, 8, 11, 12, 16, 24, 28, 0xff, 0xffff, 262144, 262145, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

const seeds: Uint8Array[] = [
  fixture('scenarios/close-4way.pcap'),
  fixture('scenarios/pcap-nanosecond-bigendian.pcap'),
  fixture('scenarios/pcapng-mixed-linktypes.pcapng'),
  fixture('scenarios/pcapng-two-interfaces.pcapng'),
  fixture('capture/modified-kuznetsov.pcap'),
  fixture('capture/tcpdump-tests-vsock-1.pcapng'),
  new Pcapng().shb({ le: false }).idb({ tsresol: 0x80 | 30 }).epb({ ts: 123456789012n, data: payload(40, 1) }).spb({ data: payload(20, 2) }).pb({ ts: 5n, data: payload(8, 3) }).bytes(),
];

function mutate(b: Uint8Array): Uint8Array {
  const m = Uint8Array.from(b);
  const kind = rnd(4);
  if (kind === 0) return m.subarray(0, rnd(m.length + 1));
  const view = new DataView(m.buffer);
  for (let i = 0, n = 1 + rnd(4); i < n; i++) {
    const at = rnd(3) ? rnd(Math.min(m.length, 160)) : rnd(m.length);
    if (kind === 1) m[at] ^= 1 << rnd(8);
    else if (kind === 2) m[at] = rnd(256);
    else if (at + 4 <= m.length) view.setUint32(at & ~3, interesting[rnd(interesting.length)], rnd(2) === 0);
  }
  return m;
}

/** The frame is a sane view: inside its buffer, lengths within limits, numbers finite. */
function checkFrame(f: Frame): void {
  if (!(f.offset >= 0 && f.caplen >= 0 && f.offset + f.caplen <= f.data.length && f.caplen <= 262144 * 512)) {
    throw new Error(`frame ${f.number} out of its buffer: offset ${f.offset} caplen ${f.caplen} of ${f.data.length}`);
  }
  if (!Number.isFinite(f.tsSec) || !Number.isFinite(f.tsNsec) || !Number.isInteger(f.wirelen)) throw new Error(`frame ${f.number} has non-finite fields`);
}

function pushAll(bytes: Uint8Array, cuts: number[]): ParseResult {
  const frames: string[] = [];
  const p = new CaptureParser((f) => { checkFrame(f); frames.push(frameLine(f)); }, { name: 'test.pcap' });
  try {
    let last = 0;
    for (const c of [...cuts, bytes.length]) { p.push(bytes.subarray(last, c)); last = c; }
    p.end();
    return { frames, error: null, code: null };
  } catch (e) {
    if (!(e instanceof TcpscopeError)) throw e; // anything else is a crash
    return { frames, error: describe(e), code: e.code };
  }
}

group('mutated captures', () => {
  it('2000 mutants: only TcpscopeErrors, and the same answer however the bytes arrive', async () => {
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const bytes = mutate(seeds[rnd(seeds.length)]);
      const whole = pushAll(bytes, []);
      const cuts: number[] = [];
      for (let o = rnd(64); o < bytes.length; o += 1 + rnd(97)) cuts.push(o);
      expect(pushAll(bytes, cuts), `mutant ${i}`).toEqual(whole);
      if (i % 10 === 0) {
        const path = join(dir, `m${i % 3}`);
        writeFileSync(path, i % 20 === 0 ? gzipSync(bytes) : bytes);
        const frames: string[] = [];
        let error: string | null = null;
        try {
          await readCapture(path, (f) => { checkFrame(f); frames.push(frameLine(f)); }, { chunkSize: 1 + rnd(300), displayName: 'test.pcap' });
        } catch (e) {
          if (!(e instanceof TcpscopeError)) throw e;
          error = describe(e).replace('test.pcap (decompressed)', 'test.pcap');
        }
        expect({ frames, error }, `mutant ${i} from a file`).toEqual({ frames: whole.frames, error: whole.error });
      }
      outcomes.set(whole.code ?? 'ok', (outcomes.get(whole.code ?? 'ok') ?? 0) + 1);
    }
    // the mutations reach every kind of outcome, so the loop above tested something
    expect([...outcomes.keys()].sort()).toEqual(expect.arrayContaining(['BAD_HEADER', 'BAD_MAGIC', 'RECORD_TOO_BIG', 'TRUNCATED_FILE', 'ok']));
  });

  it('random bytes after each magic number', () => {
    const magics = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], [0x34, 0xcd, 0xb2, 0xa1], [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]];
    for (let i = 0; i < 3000; i++) {
      const m = magics[i % magics.length];
      const bytes = new Uint8Array(m.length + rnd(400));
      bytes.set(m);
      for (let j = m.length; j < bytes.length; j++) bytes[j] = rnd(4) ? rnd(256) : 0;
      const r = parseChunks(bytes, 1 + rnd(50));
      expect(r.code).not.toBe('NOT_A_TCPSCOPE_ERROR');
    }
  });

  it('a length that claims gigabytes is refused before anything is allocated for it', () => {
    const huge = new Pcapng().shb().idb().raw(Uint8Array.of(6, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff)).bytes();
    const before = process.memoryUsage().arrayBuffers;
    const r = parseChunks(huge, 3);
    expect(r.code).toBe('RECORD_TOO_BIG');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
