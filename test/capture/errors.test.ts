/**
 * Bad input: every frame before the problem is delivered, then one TcpscopeError whose
 * describe() names the file, says what is wrong and what was expected, and gives the byte offset.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe as group, expect, it } from 'vitest';
import { TcpscopeError } from '../../src/errors.js';
import { readCapture } from '../../src/capture/index.js';
import { Pcapng, buildPcap, describe, parseChunks, payload } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(bytes: Uint8Array | null, name = 'cap.pcap'): Promise<{ frames: number; error: string | null; code: string | null }> {
  const path = join(dir, name);
  if (bytes !== null) writeFileSync(path, bytes);
  let frames = 0;
  try {
    await readCapture(path, () => { frames++; }, { displayName: name });
    return { frames, error: null, code: null };
  } catch (e) {
    expect(e).toBeInstanceOf(TcpscopeError);
    return { frames, error: describe(e), code: (e as TcpscopeError).code };
  }
}

const three = buildPcap({}, [1, 2, 3].map((i) => ({ sec: i, frac: 0, data: payload(100, i) })));

group('files that cannot be read', () => {
  it('missing file', async () => {
    const r = await read(null, 'nope.pcap');
    expect(r).toEqual({ frames: 0, error: 'nope.pcap: no such file or directory', code: 'ENOENT_CAPTURE' });
  });

  it('a directory', async () => {
    mkdirSync(join(dir, 'adir'), { recursive: true });
    const r = await read(null, 'adir');
    expect(r.code).toBe('ENOENT_CAPTURE');
    expect(r.error).toMatch(/^adir: is a directory, not a capture file/);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission', async () => {
    writeFileSync(join(dir, 'secret.pcap'), three);
    chmodSync(join(dir, 'secret.pcap'), 0);
    expect((await read(null, 'secret.pcap')).error).toBe('secret.pcap: permission denied');
  });

  it('an empty file', async () => {
    expect(await read(new Uint8Array(0))).toEqual({ frames: 0, error: 'cap.pcap: the file is empty, expected a pcap or pcapng capture (at byte offset 0)', code: 'BAD_MAGIC' });
  });
});

group('files that are not captures', () => {
  it("tcpdump's printed output instead of a -w file", async () => {
    const r = await read(new TextEncoder().encode('12:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S]\n'));
    expect(r.code).toBe('BAD_MAGIC');
    expect(r.error).toBe(
      'cap.pcap: not a capture file: it starts with 31 32 3a 30, expected a pcap magic number (a1b2c3d4 or a1b23c4d, either byte order) or a pcapng section header (0a 0d 0d 0a). It looks like text: was it written with tcpdump -w (not tcpdump > FILE)? (at byte offset 0)',
    );
  });

  it('binary junk', async () => {
    expect((await read(Uint8Array.of(0, 1, 2, 3, 0xff, 0xfe))).error).toBe(
      'cap.pcap: not a capture file: it starts with 00 01 02 03, expected a pcap magic number (a1b2c3d4 or a1b23c4d, either byte order) or a pcapng section header (0a 0d 0d 0a). (at byte offset 0)',
    );
  });

  it('other compressions and capture formats say what to do', async () => {
    expect((await read(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0))).error).toMatch(/zstd-compressed file: decompress it first \(zstd -d\)/);
    expect((await read(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0))).error).toMatch(/xz-compressed/);
    expect((await read(new TextEncoder().encode('BZh91AY&SY'))).error).toMatch(/bzip2-compressed/);
    expect((await read(new TextEncoder().encode('snoop\0\0\0\0\0\0\x02'))).error).toMatch(/Solaris snoop capture: convert it with editcap -F pcap/);
  });

  it('a pcapng section header without its byte-order magic', async () => {
    const r = await read(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0));
    expect(r.error).toBe('cap.pcap: not a capture file: it starts like a pcapng section header (0a 0d 0d 0a) but has no byte-order magic after it (at byte offset 8)');
  });

  it('too short for a header', async () => {
    expect((await read(Uint8Array.of(0xd4, 0xc3))).error).toBe('cap.pcap: the file is only 2 bytes long, too short for a capture file header (at byte offset 0)');
    expect((await read(Uint8Array.of(0xd4))).error).toBe('cap.pcap: the file is only 1 byte long, too short for a capture file header (at byte offset 0)');
    expect((await read(three.subarray(0, 10))).error).toBe('cap.pcap: pcap file header is cut short: 10 of its 24 bytes are present (at byte offset 0)');
    expect((await read(three.subarray(0, 10))).code).toBe('TRUNCATED_FILE');
  });
});

group('damaged pcap records: the frames before are delivered', () => {
  it('a record cut short by the end of the file', async () => {
    const r = await read(three.subarray(0, three.length - 30));
    expect(r).toEqual({
      frames: 2,
      error: 'cap.pcap: packet 3 is cut short: its record header says 100 captured bytes, only 70 are left in the file (at byte offset 256)',
      code: 'TRUNCATED_FILE',
    });
  });

  it('a record header cut short', async () => {
    const r = await read(three.subarray(0, 24 + 116 + 5));
    expect(r).toEqual({ frames: 1, error: 'cap.pcap: the file ends inside the record header of packet 2: 5 of its 16 bytes are present (at byte offset 140)', code: 'TRUNCATED_FILE' });
  });

  it('a record longer than 256 KiB', async () => {
    const bytes = buildPcap({}, [{ sec: 1, frac: 0, data: payload(60, 1) }, { sec: 2, frac: 0, data: payload(60, 2), caplenField: 262145 }]);
    expect(await read(bytes)).toEqual({
      frames: 1,
      error: 'cap.pcap: packet 2 claims 262145 captured bytes (caplen field 0x00040001), more than the 262144 a capture on link type 1 can hold: the file is damaged (at byte offset 100)',
      code: 'RECORD_TOO_BIG',
    });
  });

  it('a big length the link type allows (D-Bus: 128 MiB) in a small file allocates only what the file holds', async () => {
    const bytes = buildPcap({ linktype: 231, snaplen: 0 }, [{ sec: 1, frac: 0, data: payload(100, 1), caplenField: 100 * 1024 * 1024 }]);
    const path = join(dir, 'dbus.pcap');
    writeFileSync(path, bytes);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = (): void => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - before); };
    await expect(readCapture(path, () => {}, { progress: sample, chunkSize: 64 })).rejects.toThrow(
      'packet 1 is cut short: its record header says 104857600 captured bytes, only 100 are left in the file',
    );
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });

  it('a length field of 0xffffffff neither allocates nor hangs', async () => {
    const bytes = buildPcap({ linktype: 101 }, [{ sec: 1, frac: 0, data: payload(1, 1), caplenField: 0xffffffff }]);
    expect((await read(bytes)).error).toBe('cap.pcap: packet 1 claims 4294967295 captured bytes (caplen field 0xffffffff), more than the 262144 a capture on link type 101 can hold: the file is damaged (at byte offset 24)');
  });
});

group('damaged pcapng blocks', () => {
  const good = (): Pcapng => new Pcapng().shb().idb().epb({ ts: 1n, data: payload(20, 1) });
  const ng = async (p: Pcapng) => read(p.bytes(), 'cap.pcapng');

  it('a block length below the minimum, or not a multiple of 4', async () => {
    expect(await ng(good().block(6, new Uint8Array(0), { totalLength: 8 }))).toEqual({
      frames: 1,
      error: 'cap.pcapng: enhanced packet block of packet 2 has a total length of 8, expected a multiple of 4 and at least 12 (at byte offset 100)',
      code: 'BAD_HEADER',
    });
    expect((await ng(good().block(0x99, new Uint8Array(4), { totalLength: 18 }))).error).toBe(
      'cap.pcapng: block of type 0x00000099 has a total length of 18, expected a multiple of 4 and at least 12 (at byte offset 100)',
    );
  });

  it('header and trailer lengths that disagree', async () => {
    expect(await ng(good().block(5, new Uint8Array(8), { trailerLength: 24 }))).toEqual({
      frames: 1,
      error: 'cap.pcapng: interface statistics block says its total length is 20 in its header but 24 in its trailer; they must be equal (at byte offset 116)',
      code: 'BAD_HEADER',
    });
  });

  it('a block that runs past the end of the file', async () => {
    const bytes = good().epb({ ts: 2n, data: payload(40, 2) }).bytes();
    expect(await read(bytes.subarray(0, bytes.length - 10), 'cap.pcapng')).toEqual({
      frames: 1,
      error: 'cap.pcapng: enhanced packet block of packet 2 is cut short: its header says 72 bytes, only 62 are left in the file (at byte offset 100)',
      code: 'TRUNCATED_FILE',
    });
  });

  it('a block longer than 16 MiB', async () => {
    const bytes = good().raw(Uint8Array.of(6, 0, 0, 0, 0, 0, 0, 0x40)).bytes(); // 1 GiB block header
    expect(await read(bytes, 'cap.pcapng')).toEqual({
      frames: 1,
      error: 'cap.pcapng: enhanced packet block of packet 2 has a total length of 1073741824, more than the 16777216 allowed: the file is damaged (at byte offset 100)',
      code: 'RECORD_TOO_BIG',
    });
  });

  it('a packet whose captured length is beyond its block or beyond 256 KiB', async () => {
    expect((await ng(good().epb({ ts: 2n, data: payload(8, 2), caplenField: 9 }))).error).toBe(
      'cap.pcapng: packet 2 claims 9 captured bytes, but its 40-byte block holds only 8 (at byte offset 120)',
    );
    expect((await ng(good().epb({ ts: 2n, data: payload(8, 2), caplenField: 262145 }))).error).toBe(
      'cap.pcapng: packet 2 claims 262145 captured bytes, more than the 262144 a capture on link type 1 can hold: the file is damaged (at byte offset 120)',
    );
  });

  it('packets before any interface, or on an interface that was never described', async () => {
    expect((await ng(new Pcapng().shb().epb({ ts: 1n, data: payload(4, 1) }))).error).toBe(
      'cap.pcapng: packet 1 comes before any interface description block in its section, so its link type is unknown (at byte offset 28)',
    );
    expect((await ng(good().epb({ ifId: 3, ts: 2n, data: payload(4, 1) }))).error).toBe(
      'cap.pcapng: packet 2 names interface 3, but its section describes only 1 interface (0–0) (at byte offset 100)',
    );
  });

  it('interface options that break the rules', async () => {
    const bad = async (opts: Array<{ code: number; value: Uint8Array }>) => (await ng(new Pcapng().shb().idb({ options: opts }))).error;
    expect(await bad([{ code: 9, value: Uint8Array.of(6, 6) }])).toBe('cap.pcapng: interface description block: if_tsresol has length 2, expected 1 (at byte offset 44)');
    expect(await bad([{ code: 9, value: Uint8Array.of(20) }])).toBe('cap.pcapng: interface description block: if_tsresol 10^-20 is finer than a 64-bit time stamp can count (at byte offset 48)');
    expect(await bad([{ code: 9, value: Uint8Array.of(6) }, { code: 9, value: Uint8Array.of(9) }])).toBe('cap.pcapng: interface description block has more than one if_tsresol option (at byte offset 52)');
    expect(await bad([{ code: 14, value: new Uint8Array(4) }])).toBe('cap.pcapng: interface description block: if_tsoffset has length 4, expected 8 (at byte offset 44)');
  });

  it('an option that runs past the end of its block', async () => {
    const body = Uint8Array.of(1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 100, 0, 0x65, 0x74, 0x68, 0x30); // if_name claims 100 bytes
    expect((await ng(new Pcapng().shb().block(1, body))).error).toBe('cap.pcapng: interface description block: option 2 of 100 bytes runs past the end of the block (at byte offset 44)');
  });

  it('a section header with a bad byte-order magic or an unknown major version', async () => {
    const bytes = good().bytes();
    const badBom = Uint8Array.from([...bytes, 0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0, 0, ...new Array(8).fill(0xff), 28, 0, 0, 0]);
    expect((await read(badBom, 'cap.pcapng')).error).toBe('cap.pcapng: section header block has byte-order magic 0x04030201, expected 0x1a2b3c4d in either byte order (at byte offset 108)');
    expect((await ng(new Pcapng().shb({ major: 2 }))).error).toBe('cap.pcapng: section header block has pcapng version 2.0, expected 1.0 (at byte offset 12)');
  });

  it('a file with no interface at all', async () => {
    expect(await ng(new Pcapng().shb())).toEqual({ frames: 0, error: 'cap.pcapng: pcapng file has no interface description block, so it holds no packets', code: 'BAD_HEADER' });
  });
});

group('errors never depend on how the bytes arrive', () => {
  it('the push parser reports the same line as the file reader', () => {
    const r = parseChunks(three.subarray(0, three.length - 30), 13, 'cap.pcap');
    expect(r.frames).toHaveLength(2);
    expect(r.error).toBe('cap.pcap: packet 3 is cut short: its record header says 100 captured bytes, only 70 are left in the file (at byte offset 256)');
  });
});
