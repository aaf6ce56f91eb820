/**
 * Classic pcap: every variant libpcap reads, read the way libpcap reads it.
 */
import { describe as group, expect, it } from 'vitest';
import { buildPcap, parseChunks, payload, type PcapOptions, type PcapRecord } from './build.js';

const records: PcapRecord[] = [
  { sec: 1700000000, frac: 1, data: payload(60, 1) },
  { sec: 1700000001, frac: 999999, data: payload(1514, 2) },
  { sec: 0xfffffffe, frac: 500000, data: payload(0, 3), wirelen: 1500 }, // caplen 0 is a frame too
];

function parse(o: PcapOptions, r: PcapRecord[] = records) {
  return parseChunks(buildPcap(o, r), 1 << 20);
}

group('pcap byte order and magic', () => {
  for (const le of [true, false]) {
    for (const magic of ['micro', 'nano'] as const) {
      it(`${le ? 'little' : 'big'}-endian ${magic}: ts, lengths, bytes and offsets`, () => {
        const r = parse({ le, magic });
        expect(r.error).toBeNull();
        const mul = magic === 'nano' ? 1 : 1000;
        expect(r.frames).toHaveLength(3);
        expect(r.frames[0]).toBe(`#1 1700000000.${String(1 * mul).padStart(9, '0')} cap=60 len=60 lt=1 if=0 @24 ${Buffer.from(payload(60, 1)).toString('hex')}`);
        expect(r.frames[1]).toMatch(new RegExp(`^#2 1700000001\\.${String(999999 * mul).padStart(9, '0')} cap=1514 len=1514 lt=1 if=0 @100 `));
        // seconds are unsigned in the file (libpcap's signed reading is the printer's business)
        expect(r.frames[2]).toBe(`#3 4294967294.${String(500000 * mul).padStart(9, '0')} cap=0 len=1500 lt=1 if=0 @1630 `);
      });
    }
  }

  it("reads Kuznetsov's modified format (24-byte record headers)", () => {
    const r = parse({ magic: 'modified' });
    expect(r.error).toBeNull();
    expect(r.frames.map((l) => l.split(' ').slice(0, 5).join(' '))).toEqual([
      '#1 1700000000.000001000 cap=60 len=60 lt=1',
      '#2 1700000001.999999000 cap=1514 len=1514 lt=1',
      '#3 4294967294.500000000 cap=0 len=1500 lt=1',
    ]);
    expect(r.frames[1]).toContain('@108 '); // 24 + (24 + 60)
  });

  it('passes an invalid fraction through unchanged, as tcpdump prints it', () => {
    const r = parse({}, [{ sec: 10, frac: 1000000, data: payload(4, 1) }, { sec: 10, frac: 0xffffffff, data: payload(4, 2) }]);
    expect(r.frames[0]).toContain(' 10.1000000000 ');
    expect(r.frames[1]).toContain(` 10.${0xffffffff * 1000} `);
  });
});

group('pcap link type and snap length', () => {
  it('masks the FCS bits off the link type and passes unknown link types through', () => {
    expect(parse({ linktype: 0x14000001 }).frames[0]).toContain(' lt=1 ');
    expect(parse({ linktype: 0x30000001 }).frames[0]).toContain(' lt=1 ');
    expect(parse({ linktype: 147 }).frames[0]).toContain(' lt=147 '); // LINKTYPE_USER0: not the reader's to judge
    expect(parse({ linktype: 65000 }).frames[0]).toContain(' lt=65000 ');
  });

  it('cuts a record longer than the snap length to it and skips the rest, as libpcap does', () => {
    const r = parse({ snaplen: 64 }, [
      { sec: 1, frac: 0, data: payload(100, 1) },
      { sec: 2, frac: 0, data: payload(64, 2) },
    ]);
    expect(r.error).toBeNull();
    expect(r.frames[0]).toBe(`#1 1.000000000 cap=64 len=100 lt=1 if=0 @24 ${Buffer.from(payload(100, 1).subarray(0, 64)).toString('hex')}`);
    expect(r.frames[1]).toContain('cap=64 len=64 lt=1 if=0 @140 ');
  });

  it('takes a snap length of 0 to mean the maximum', () => {
    const r = parse({ snaplen: 0 }, [{ sec: 1, frac: 0, data: payload(262144, 1) }]);
    expect(r.error).toBeNull();
    expect(r.frames[0]).toContain('cap=262144 len=262144');
  });

  it('allows the bigger records of D-Bus captures (128 MiB) but 256 KiB elsewhere', () => {
    const big = payload(300000, 1);
    expect(parse({ linktype: 231, snaplen: 0 }, [{ sec: 1, frac: 0, data: big }]).frames[0]).toContain('cap=300000');
    expect(parse({ linktype: 1, snaplen: 0 }, [{ sec: 1, frac: 0, data: big }]).code).toBe('RECORD_TOO_BIG');
  });
});

group('pcap versions', () => {
  it('2.2 and DG/UX 543.0 have caplen and len swapped; 2.3 only when caplen > len', () => {
    const rec: PcapRecord[] = [{ sec: 1, frac: 0, data: payload(60, 1), wirelen: 1000, swapLengths: true }];
    for (const version of [[2, 2], [2, 0], [543, 0], [2, 3]] as Array<[number, number]>) {
      const r = parse({ version }, rec);
      expect(r.error, `version ${version}`).toBeNull();
      expect(r.frames[0], `version ${version}`).toContain('cap=60 len=1000');
    }
    // 2.3 with the fields in the new order stays as it is
    expect(parse({ version: [2, 3] }, [{ sec: 1, frac: 0, data: payload(60, 1), wirelen: 1000 }]).frames[0]).toContain('cap=60 len=1000');
  });

  it('refuses versions no libpcap writes', () => {
    const r = parse({ version: [1, 0] });
    expect(r.code).toBe('BAD_HEADER');
    expect(r.error).toBe('test.pcap: pcap file header has version 1.0, an archaic format that cannot be read (expected 2.4) (at byte offset 4)');
    expect(parse({ version: [3, 0] }).error).toContain('version 3.0, which no libpcap writes (expected 2.4)');
    expect(parse({ version: [2, 5] }).code).toBe('BAD_HEADER');
  });

  it('reads a header-only file as a capture without packets', () => {
    const r = parseChunks(buildPcap({}, []), 7);
    expect(r).toEqual({ frames: [], error: null, code: null });
  });
});
