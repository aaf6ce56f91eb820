/**
 * Where bytes come from: files, standard input (a pipe or a redirected file), named pipes, and
 * gzip-compressed copies of any of them; plus progress, stopping early and the header callback.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe as group, expect, it } from 'vitest';
import { CaptureReader, ReadStatus, StreamSource, readCapture, type CaptureInfo } from '../../src/capture/index.js';
import { TcpscopeError } from '../../src/errors.js';
import { buildPcap, describe, fixture, fixturePath, frameLine, parseChunks, payload } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const capture = fixture('scenarios/close-4way.pcap');
const expected = parseChunks(capture, capture.length).frames;
const dist = new URL('../../dist/capture/index.js', import.meta.url).pathname;

async function frames(path: string, opts = {}): Promise<string[]> {
  const out: string[] = [];
  await readCapture(path, (f) => { out.push(frameLine(f)); }, opts);
  return out;
}

async function failure(p: Promise<unknown>): Promise<TcpscopeError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(TcpscopeError); return e as TcpscopeError; }
  throw new Error('expected a TcpscopeError');
}

group('gzip', () => {
  it('a gzip-compressed file reads like the capture itself', async () => {
    const path = join(dir, 'c.pcap.gz');
    writeFileSync(path, gzipSync(capture));
    expect(expected.length).toBe(11);
    expect(await frames(path)).toEqual(expected);
    let info: CaptureInfo | undefined;
    const s = await readCapture(path, () => {}, { onHeader: (i) => { info = i; } });
    expect(info?.compression).toBe('gzip');
    expect(s.bytes).toBe(capture.length);
  });

  it('concatenated gzip members inflate as one capture', async () => {
    const path = join(dir, 'multi.pcap.gz');
    const cut = 24 + 3 * 88; // in the middle of a record: members split anywhere
    writeFileSync(path, Buffer.concat([gzipSync(capture.subarray(0, cut)), gzipSync(capture.subarray(cut))]));
    expect(await frames(path)).toEqual(expected);
  });

  it('gzipped pcapng with several link types', async () => {
    const ng = fixture('scenarios/pcapng-mixed-linktypes.pcapng');
    const path = join(dir, 'ng.gz');
    writeFileSync(path, gzipSync(ng));
    expect(await frames(path)).toEqual(parseChunks(ng, ng.length).frames);
  });

  it('a truncated gzip file: the packets inflated before the cut, then a clear error', async () => {
    const big = fixture('real/real-zero-window.pcap');
    const gz = gzipSync(big);
    const path = join(dir, 'cut.pcap.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    let n = 0;
    const e = await failure(readCapture(path, () => { n++; }));
    expect(n).toBeGreaterThan(100);
    expect(n).toBeLessThan(945);
    expect(e.code).toBe('BAD_GZIP');
    expect(e.describe()).toMatch(/^.*cut\.pcap\.gz: the gzip stream ends early: the compressed file is truncated; the \d+ bytes inflated before that were read \(at byte offset \d+\)$/);
    expect(e.offset).toBe(Math.floor(gz.length / 2)); // where the compressed file stops
  });

  it('corrupt gzip data', async () => {
    const gz = gzipSync(capture);
    gz[gz.length >> 1] ^= 0xff;
    gz[(gz.length >> 1) + 1] ^= 0x55;
    const path = join(dir, 'bad.pcap.gz');
    writeFileSync(path, gz);
    const e = await failure(readCapture(path, () => {}));
    expect(e.code).toBe('BAD_GZIP');
  });

  it('gzip of something that is not a capture', async () => {
    const path = join(dir, 'text.gz');
    writeFileSync(path, gzipSync(Buffer.from('hello, world\n')));
    expect((await failure(readCapture(path, () => {}))).describe()).toMatch(/^.*text\.gz \(decompressed\): not a capture file: it starts with 68 65 6c 6c/);
  });
});

group('streams and pipes', () => {
  it('a stream delivering one byte at a time (StreamSource) gives the same frames', async () => {
    const child = spawn('sh', ['-c', `dd if=${fixturePath('scenarios/close-4way.pcap')} bs=1 2>/dev/null`]);
    const reader = new CaptureReader(new StreamSource(child.stdout, 'pipe'), 'pipe', { chunkSize: 100 });
    const out: string[] = [];
    for (;;) {
      const s = reader.next();
      if (s === ReadStatus.FRAME) out.push(frameLine(reader.frame));
      else if (s === ReadStatus.END) break;
      else await reader.wait();
    }
    expect(out).toEqual(expected);
  });

  it.skipIf(!existsSync('/usr/bin/mkfifo'))('a named pipe (FIFO) is read as a stream on the descriptor it was opened with', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat ${fixturePath('scenarios/close-4way.pcap')} > ${fifo}`]);
    const exited = new Promise((r) => writer.on('exit', r));
    expect(await frames(fifo)).toEqual(expected);
    await exited;
  });

  const node = process.execPath;
  const script = `import { readCapture } from ${JSON.stringify(dist)};
    let n = 0;
    readCapture('-', (f) => { n++; }).then(
      (s) => console.log(JSON.stringify({ n, frames: s.frames, bytes: s.bytes, compression: s.info.compression })),
      (e) => { console.log(JSON.stringify({ n, error: e.describe() })); });`;

  it.skipIf(!existsSync(dist))('-r - : standard input as a pipe, plain and gzipped', () => {
    for (const input of [Buffer.from(capture), gzipSync(capture)]) {
      const r = spawnSync(node, ['--input-type=module', '-e', script], { input, encoding: 'utf8' });
      const out = JSON.parse(r.stdout);
      expect(out).toEqual({ n: 11, frames: 11, bytes: capture.length, compression: input[0] === 0x1f ? 'gzip' : null });
    }
  });

  it.skipIf(!existsSync(dist))('-r - : standard input redirected from a file, and a broken one', () => {
    const path = join(dir, 'stdin.pcap');
    writeFileSync(path, capture);
    const r = spawnSync('sh', ['-c', `${JSON.stringify(node)} --input-type=module -e ${shellQuote(script)} < ${path}`], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ n: 11, frames: 11, bytes: capture.length, compression: null });
    const cut = spawnSync(node, ['--input-type=module', '-e', script], { input: capture.subarray(0, capture.length - 3), encoding: 'utf8' });
    expect(JSON.parse(cut.stdout)).toEqual({ n: 10, error: `standard input: packet 11 is cut short: its record header says 54 captured bytes, only 51 are left in the file (at byte offset ${capture.length - 16 - 54})` });
  });
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

group('progress, stopping and the header callback', () => {
  it('progress climbs to the file size', async () => {
    const path = fixturePath('real/real-zero-window.pcap');
    const size = statSync(path).size;
    const seen: Array<[number, number | undefined]> = [];
    await readCapture(path, () => {}, { chunkSize: 256 * 1024, progress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.every(([, t]) => t === size)).toBe(true);
    expect(seen.every(([d], i) => i === 0 || d >= seen[i - 1][0])).toBe(true);
    expect(seen[seen.length - 1][0]).toBe(size);
  });

  it('returning false stops the read at once', async () => {
    let n = 0;
    const s = await readCapture(fixturePath('real/real-zero-window.pcap'), () => ++n < 5);
    expect(n).toBe(5);
    expect(s.frames).toBe(5);
    expect(s.stopped).toBe(true);
    const all = await readCapture(fixturePath('scenarios/close-4way.pcap'), () => true);
    expect(all.stopped).toBe(false);
  });

  it('a damaged record after the stop point is never reached', async () => {
    const bytes = buildPcap({}, [{ sec: 1, frac: 0, data: payload(10, 1) }, { sec: 2, frac: 0, data: payload(10, 2), caplenField: 0xffffffff }]);
    const path = join(dir, 'stop.pcap');
    writeFileSync(path, bytes);
    await expect(readCapture(path, () => false)).resolves.toMatchObject({ frames: 1, stopped: true });
  });

  it('onHeader comes before the first frame, and also for a capture without packets', async () => {
    const order: string[] = [];
    await readCapture(fixturePath('scenarios/linux-sll2.pcap'), () => { order.push('frame'); }, {
      onHeader: (i) => order.push(`header ${i.format} lt=${i.interfaces[0].linktype} snap=${i.interfaces[0].snaplen}`),
    });
    expect(order.slice(0, 2)).toEqual(['header pcap lt=276 snap=262144', 'frame']);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, buildPcap({ snaplen: 96, linktype: 101 }, []));
    let header: CaptureInfo | undefined;
    const s = await readCapture(empty, () => {}, { onHeader: (i) => { header = i; } });
    expect(s.frames).toBe(0);
    expect(header?.interfaces[0]).toMatchObject({ linktype: 101, snaplen: 96 });
  });

  it('describe() of every failure is one line, no stack', async () => {
    const e = await failure(readCapture(join(dir, 'missing'), () => {}));
    expect(describe(e).includes('\n')).toBe(false);
  });
});
