/**
 * pcapng: sections in either byte order, interfaces with their own link types, snap lengths and
 * time-stamp resolutions, every packet block, unknown blocks skipped.
 */
import { describe as group, expect, it } from 'vitest';
import { CaptureParser, type CaptureInfo } from '../../src/capture/index.js';
import { Pcapng, parseChunks, payload, stringOption } from './build.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function info(bytes: Uint8Array): CaptureInfo {
  const p = new CaptureParser(() => {});
  p.push(bytes);
  p.end();
  return p.info;
}

group('pcapng sections and byte order', () => {
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: enhanced packet blocks with their interface, times and bytes`, () => {
      const bytes = new Pcapng()
        .shb({ le })
        .idb({ linktype: 1, snaplen: 65535, name: 'eth0' })
        .epb({ ts: 1700000000123456n, data: payload(74, 1), wirelen: 74 })
        .epb({ ts: 1700000001000001n, data: payload(54, 2), wirelen: 1054 })
        .bytes();
      const r = parseChunks(bytes, 1 << 20);
      expect(r.error).toBeNull();
      // SHB 28 + IDB 32 (16 fixed, if_name "eth0" 8, end of options 4, trailer 4) = 60
      expect(r.frames).toEqual([
        `#1 1700000000.123456000 cap=74 len=74 lt=1 if=0 @60 ${hex(payload(74, 1))}`,
        `#2 1700000001.000001000 cap=54 len=1054 lt=1 if=0 @168 ${hex(payload(54, 2))}`,
      ]);
      const i = info(bytes);
      expect(i.format).toBe('pcapng');
      expect(i.littleEndian).toBe(le);
      expect(i.interfaces).toEqual([
        { index: 0, section: 0, idInSection: 0, linktype: 1, snaplen: 65535, fileSnaplen: 65535, tsUnitsPerSecond: 1e6, tsOffset: 0, name: 'eth0' },
      ]);
    });
  }

  it('reads several sections, each with its own byte order and its own interfaces', () => {
    const bytes = new Pcapng()
      .shb({ le: true })
      .idb({ linktype: 1 })
      .epb({ ts: 1n * 1000000n, data: payload(20, 1) })
      .shb({ le: false })
      .idb({ linktype: 101 })
      .idb({ linktype: 113, tsresol: 9 })
      .epb({ ifId: 1, ts: 2n * 1000000000n + 5n, data: payload(20, 2) })
      .epb({ ifId: 0, ts: 3n * 1000000n, data: payload(20, 3) })
      .bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames.map((l) => l.split(' ').slice(0, 6).join(' '))).toEqual([
      '#1 1.000000000 cap=20 len=20 lt=1 if=0',
      '#2 2.000000005 cap=20 len=20 lt=113 if=2',
      '#3 3.000000000 cap=20 len=20 lt=101 if=1',
    ]);
    const i = info(bytes);
    expect(i.sections).toBe(2);
    expect(i.littleEndian).toBe(true);
    expect(i.interfaces.map((x) => [x.section, x.idInSection, x.linktype, x.tsUnitsPerSecond])).toEqual([
      [0, 0, 1, 1e6],
      [1, 0, 101, 1e6],
      [1, 1, 113, 1e9],
    ]);
  });

  it('a new section forgets the interfaces of the one before', () => {
    const bytes = new Pcapng().shb().idb().idb().shb().idb().epb({ ifId: 1, ts: 0n, data: payload(4, 1) }).bytes();
    const r = parseChunks(bytes, 1 << 20, 'x.pcapng');
    expect(r.code).toBe('BAD_HEADER');
    expect(r.error).toMatch(/^x\.pcapng: packet 1 names interface 1, but its section describes only 1 interface \(0–0\) \(at byte offset \d+\)$/);
  });
});

group('pcapng interfaces', () => {
  it('several interfaces with different link types in one file (libpcap refuses; we read them)', () => {
    const bytes = new Pcapng()
      .shb()
      .idb({ linktype: 1, snaplen: 262144 })
      .idb({ linktype: 276, snaplen: 128 }) // Linux cooked v2, a different snap length too
      .idb({ linktype: 0 })
      .epb({ ifId: 1, ts: 10n, data: payload(60, 1) })
      .epb({ ifId: 0, ts: 11n, data: payload(60, 2) })
      .epb({ ifId: 2, ts: 12n, data: payload(60, 3) })
      .bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames.map((l) => l.split(' ').slice(4, 6).join(' '))).toEqual(['lt=276 if=1', 'lt=1 if=0', 'lt=0 if=2']);
  });

  it('if_tsresol in powers of 10 and of 2, and if_tsoffset', () => {
    const bytes = new Pcapng()
      .shb()
      .idb({ tsresol: 3 }) // milliseconds
      .idb({ tsresol: 9 }) // nanoseconds
      .idb({ tsresol: 0x80 | 20 }) // 2^-20 s
      .idb({ tsresol: 6, tsoffset: 1000n }) // microseconds, 1000 s later
      .idb({ tsresol: 0 }) // whole seconds
      .idb({ tsresol: 12 }) // picoseconds
      .idb({ tsresol: 0x80 | 40 }) // 2^-40 s: the exact slow path
      .idb({ tsresol: 6, tsoffset: -100n })
      .epb({ ifId: 0, ts: 1700000000123n, data: payload(1, 0) })
      .epb({ ifId: 1, ts: 1700000000123456789n, data: payload(1, 1) })
      .epb({ ifId: 2, ts: (5n << 20n) + (1n << 19n) + 1n, data: payload(1, 2) })
      .epb({ ifId: 3, ts: 2500000n, data: payload(1, 3) })
      .epb({ ifId: 4, ts: 1700000000n, data: payload(1, 4) })
      .epb({ ifId: 5, ts: 17000000123456789012n, data: payload(1, 5) })
      .epb({ ifId: 6, ts: (7n << 40n) + (1n << 39n), data: payload(1, 6) })
      .epb({ ifId: 7, ts: 50n, data: payload(1, 7) })
      .bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames.map((l) => l.split(' ')[1])).toEqual([
      '1700000000.123000000',
      '1700000000.123456789',
      '5.500000953', // (2^19 + 1) / 2^20 s = 0.500000953… s
      '1002.500000000',
      '1700000000.000000000',
      '17000000.123456789', // picoseconds cut to nanoseconds
      '7.500000000',
      '-100.000050000',
    ]);
    expect(info(bytes).interfaces.map((i) => i.tsUnitsPerSecond)).toEqual([1e3, 1e9, 2 ** 20, 1e6, 1, 1e12, 2 ** 40, 1e6]);
  });

  it('nanosecond counts past 2^53 split exactly, without BigInt rounding errors', () => {
    const b = new Pcapng().shb().idb({ tsresol: 9 });
    const samples = [0n, 1n, 999999999n, 1000000000n, 9007199254740993n, 1700000000999999999n, 18446744073709551615n];
    for (const ts of samples) b.epb({ ts, data: payload(1, 0) });
    const r = parseChunks(b.bytes(), 1 << 20);
    expect(r.frames.map((l) => l.split(' ')[1])).toEqual(samples.map((t) => `${t / 1000000000n}.${String(t % 1000000000n).padStart(9, '0')}`));
  });

  it('keeps if_name and if_description, and the FCS length', () => {
    const bytes = new Pcapng()
      .shb({ options: [stringOption(1, 'a comment'), stringOption(4, 'Linux')] })
      .idb({ name: 'wlan0', options: [stringOption(3, 'Wi-Fi'), { code: 13, value: Uint8Array.of(4) }] })
      .bytes();
    const i = info(bytes).interfaces[0];
    expect(i.name).toBe('wlan0');
    expect(i.description).toBe('Wi-Fi');
    expect(i.fcsLength).toBe(4);
  });

  it('a snap length of 0 means the maximum', () => {
    expect(info(new Pcapng().shb().idb({ snaplen: 0 }).bytes()).interfaces[0].snaplen).toBe(262144);
  });
});

group('pcapng packet blocks', () => {
  it('simple packet blocks take interface 0, no time stamp, and the captured length from the snap length and the block', () => {
    const bytes = new Pcapng()
      .shb()
      .idb({ linktype: 101, snaplen: 64 })
      .spb({ data: payload(64, 1), wirelen: 1500 }) // cut by the snap length
      .spb({ data: payload(40, 2), wirelen: 40 }) // whole
      .spb({ data: payload(30, 3), wirelen: 1500 }) // a block shorter than the snap length says it should be
      .bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames).toEqual([
      `#1 0.000000000 cap=64 len=1500 lt=101 if=0 @48 ${hex(payload(64, 1))}`,
      `#2 0.000000000 cap=40 len=40 lt=101 if=0 @128 ${hex(payload(40, 2))}`,
      // 30 bytes padded to 32: the block holds 32, fewer than the 64 of the snap length
      `#3 0.000000000 cap=32 len=1500 lt=101 if=0 @184 ${hex(payload(30, 3))}0000`,
    ]);
  });

  it('obsolete packet blocks (16-bit interface id)', () => {
    const bytes = new Pcapng().shb().idb({ linktype: 1 }).idb({ linktype: 113 }).pb({ ifId: 1, ts: 3000001n, data: payload(33, 1), drops: 5 }).bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames).toEqual([`#1 3.000001000 cap=33 len=33 lt=113 if=1 @68 ${hex(payload(33, 1))}`]);
  });

  it('skips name resolution, statistics, custom and unknown blocks', () => {
    const bytes = new Pcapng()
      .shb()
      .block(4, new Uint8Array(16)) // name resolution
      .idb()
      .block(5, new Uint8Array(12)) // interface statistics
      .epb({ ts: 1n, data: payload(10, 1) })
      .block(0x00000bad, new Uint8Array(8)) // custom
      .block(0x80000001, new Uint8Array(0)) // local use
      .block(0x0000000a, new Uint8Array(100)) // decryption secrets
      .epb({ ts: 2n, data: payload(10, 2) })
      .bytes();
    const r = parseChunks(bytes, 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames.map((l) => l.split(' ')[0])).toEqual(['#1', '#2']);
  });

  it('reads a captured length above the snap length, within what the link type allows (Wireshark does; libpcap stops)', () => {
    const r = parseChunks(new Pcapng().shb().idb({ snaplen: 64 }).epb({ ts: 1n, data: payload(100, 1) }).bytes(), 1 << 20);
    expect(r.error).toBeNull();
    expect(r.frames[0]).toContain('cap=100 len=100');
  });
});
