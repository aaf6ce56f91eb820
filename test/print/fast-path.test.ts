/**
 * The byte-writing paths (print/tcpdump/fast.ts for ordinary TCP lines, src/bytes.ts) must
 * print exactly what the full printer prints: every frame of every fixture capture and a set of
 * made edge cases go through `print()` (which takes the fast path where it can) and through
 * `format()` (the full printer alone), under the flag sets the fast path serves, and the two
 * outputs are compared byte for byte. (The printer takes the frame alone: it decodes only what
 * its full path prints, so there is no decoded and undecoded call to compare any more.)
 */
import { mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { readCapture } from '../../src/capture/index.js';
import { putFixed, putString, putUint } from '../../src/bytes.js';
import { defaultPrintOptions, type PrintOptions } from '../../src/print/options.js';
import { Output } from '../../src/print/output.js';
import { TCP_PORT_HAS_PRINTER } from '../../src/print/tcpdump/dispatch.js';
import { FastLinePrinter } from '../../src/print/tcpdump/fast.js';
import { Names, TcpdumpPrinter } from '../../src/print/tcpdump/index.js';
import { TimeFormatter } from '../../src/print/tcpdump/time.js';
import { TcpdumpSeqTable } from '../../src/track/tcpdump-seq.js';
import { A1, A2, B1, B2, be16, be32, ether, frame, ip4, ip6, tcp } from '../decode/build.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-fast-'));
const savedTz = process.env.TZ;
beforeAll(() => { process.env.TZ = 'UTC'; });
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** One `print()` into a file. */
class PrintedToFile {
  private readonly path: string;
  private readonly fd: number;
  readonly out: Output;
  readonly printer: TcpdumpPrinter;

  constructor(opts: PrintOptions, name: string) {
    this.path = join(dir, name);
    this.fd = openSync(this.path, 'w');
    this.out = new Output(this.fd);
    this.printer = new TcpdumpPrinter(opts, this.out);
  }

  text(): string {
    this.out.flush();
    closeSync(this.fd);
    return readFileSync(this.path, 'utf8');
  }
}

/** Prints frames two ways: `print()` into a file, `format()` into a string. */
class Both {
  private readonly viaPrint: PrintedToFile;
  private readonly viaFormat: TcpdumpPrinter;
  formatted = '';

  constructor(opts: PrintOptions, name: string) {
    this.viaPrint = new PrintedToFile(opts, name);
    this.viaFormat = new TcpdumpPrinter(opts, new Output(-1));
  }

  add(f: Frame): void {
    this.viaPrint.printer.print(f);
    this.formatted += this.viaFormat.format(f);
  }

  /** What print() wrote. */
  printed(): string {
    return this.viaPrint.text();
  }
}

function options(change: Partial<PrintOptions>): PrintOptions {
  return { ...defaultPrintOptions(), numeric: 1, ...change };
}

/** the flag sets the fast path serves (and one it does not, as a control) */
const FLAG_SETS: Array<[string, Partial<PrintOptions>]> = [
  ['-n', {}],
  ['(names)', { numeric: 0 }],
  ['-n -S', { absoluteSeq: true }],
  ['-n -t', { timestampMode: 1 }],
  ['-n -tt', { timestampMode: 2 }],
  ['-n -ttt', { timestampMode: 3 }],
  ['-n -tttt', { timestampMode: 4 }],
  ['-n -ttttt', { timestampMode: 5 }],
  ['-n --nano', { nano: true }],
  ['-n -tttt --nano', { timestampMode: 4, nano: true }],
  ['-n -v (full printer only)', { verbose: 1 }],
];

const CAPTURES = ['scenarios', 'real', 'golden'].flatMap((d) =>
  readdirSync(join('fixtures', d)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join('fixtures', d, f)));

describe('fast TCP lines print what the full printer prints', () => {
  it('fixture_captures_under_every_flag_set_print_the_same_bytes', async () => {
    expect(CAPTURES.length).toBeGreaterThan(50);
    let n = 0;
    for (const [flags, change] of FLAG_SETS) {
      for (const capture of CAPTURES) {
        const both = new Both(options(change), `cap-${n++}`);
        try {
          await readCapture(capture, (f) => { both.add(f); });
        } catch {
          // a capture cut short: what was read before the problem is compared
        }
        const printed = both.printed();
        if (printed !== both.formatted) expect({ capture, flags, printed }).toEqual({ capture, flags, printed: both.formatted });
      }
    }
  });

  it('handshake_data_sack_and_close_print_relative_numbers_as_the_full_printer', () => {
    const both = new Both(options({}), 'conversation');
    const opts = [2, 4, ...be16(1460), 4, 2, 8, 10, ...be32(1), ...be32(0), 1, 3, 3, 7];
    const segs: Array<[number[], number[], Parameters<typeof tcp>[0]]> = [
      [A1, A2, { seq: 1000, flags: 0x02, opts }],
      [A2, A1, { sport: 7000, dport: 40000, seq: 5000, ack: 1001, flags: 0x12, opts }],
      [A1, A2, { seq: 1001, ack: 5001, flags: 0x10 }],
      [A1, A2, { seq: 1001, ack: 5001, flags: 0x18, data: [1, 2, 3, 4, 5] }],
      // a SACK block in each direction, relative to the entry's numbers
      [A2, A1, { sport: 7000, dport: 40000, seq: 5001, ack: 1001, flags: 0x10, opts: [1, 1, 5, 10, ...be32(1006), ...be32(1010)] }],
      [A1, A2, { seq: 1006, ack: 5001, flags: 0x10, opts: [1, 1, 5, 18, ...be32(5001), ...be32(5002), ...be32(5003), ...be32(5004)] }],
      [A1, A2, { seq: 1006, ack: 5001, flags: 0x31, urp: 3 }],
      [A2, A1, { sport: 7000, dport: 40000, seq: 5001, ack: 1007, flags: 0x11 }],
      [A1, A2, { seq: 1007, ack: 5002, flags: 0x14 }],
    ];
    for (const [src, dst, spec] of segs) both.add(frame(ether(0x0800, ip4({ proto: 6, src, dst }, tcp(spec, src, dst)))));
    expect(both.printed()).toBe(both.formatted);
    expect(both.formatted).toContain('seq 1:6, ack 1, win 64240, length 5');
    expect(both.formatted).toContain('options [nop,nop,sack 1 {6:10}]');
  });

  it('many_4tuples_sharing_and_refilling_the_cached_endpoint_texts_print_the_same', () => {
    // more 4-tuples than the direct-mapped caches of `IP SRC.SPORT > DST.DPORT: ` have slots
    // (2^15 with -n, 2^14 with names), each revisited after the others: every slot is refilled
    // many times, and a refilled slot must never print its former 4-tuple's text
    for (const [name, change] of [['-n', {}], ['names', { numeric: 0 }]] as Array<[string, Partial<PrintOptions>]>) {
      const both = new Both(options(change), `tuples-${name}`);
      const tuples = 40_000;
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < tuples; i++) {
          // few sources, many destinations and ports: slots are shared by 4-tuples that differ in any one part
          const src = [10, 0, 0, 1 + (i % 5)];
          const dst = [192, (i >> 16) & 255, (i >> 8) & 255, i & 255];
          const spec = { sport: 1024 + (i % 60000), dport: 80 + (i % 7), seq: 1000 + i, ack: 5000 + round, flags: 0x10 };
          both.add(frame(ether(0x0800, ip4({ proto: 6, src, dst }, tcp(spec, src, dst)))));
        }
      }
      const printed = both.printed();
      expect(printed.split('\n').length).toBe(2 * tuples + 1);
      if (printed !== both.formatted) expect(printed).toBe(both.formatted);
    }
  });

  it('ipv6_segments_and_the_ipv6_packets_the_fast_path_leaves_alone_print_the_same', () => {
    const both = new Both(options({}), 'ipv6');
    const opts = [2, 4, ...be16(1440), 4, 2, 8, 10, ...be32(1), ...be32(0), 1, 3, 3, 7];
    const v6 = (spec: Parameters<typeof tcp>[0], back = false): number[] =>
      back ? ether(0x86dd, ip6(6, tcp(spec, B2, B1), B2, B1)) : ether(0x86dd, ip6(6, tcp(spec, B1, B2)));
    const frames: number[][] = [
      v6({ seq: 1000, flags: 0x02, opts }),
      v6({ sport: 7000, dport: 40000, seq: 5000, ack: 1001, flags: 0x12, opts }, true),
      v6({ seq: 1001, ack: 5001, flags: 0x10 }),
      v6({ seq: 1001, ack: 5001, flags: 0x18, data: [1, 2, 3, 4, 5] }),
      v6({ sport: 7000, dport: 40000, seq: 5001, ack: 1006, flags: 0x10, opts: [1, 1, 5, 10, ...be32(1006), ...be32(1010)] }, true),
      // payload length 0 (jumbo rules), past the frame, shorter than the TCP header; an extension header
      ether(0x86dd, ip6(6, tcp({ flags: 0x10, ack: 1 }, B1, B2), B1, B2, 0)),
      ether(0x86dd, ip6(6, tcp({ flags: 0x10, ack: 1 }, B1, B2), B1, B2, 100)),
      ether(0x86dd, ip6(6, tcp({ flags: 0x10, ack: 1 }, B1, B2), B1, B2, 12)),
      ether(0x86dd, ip6(0, [6, 0, 1, 4, 0, 0, 0, 0, ...tcp({ flags: 0x10, ack: 1 }, B1, B2)])),
      ether(0x86dd, [0x40, ...ip6(6, tcp({ flags: 0x02 }, B1, B2)).slice(1)]),
      ether(0x86dd, ip6(6, tcp({ sport: 80, flags: 0x18, ack: 1, data: [...Buffer.from('HTTP/1.1 200 OK\r\n\r\n')] }, B1, B2))),
    ];
    for (const bytes of frames) both.add(frame(bytes));
    const whole = frames[3];
    for (let caplen = 50; caplen <= whole.length; caplen++) both.add(frame(whole, { caplen, wirelen: whole.length }));
    expect(both.printed()).toBe(both.formatted);
    expect(both.formatted).toContain('IP6 2001:db8::1.40000 > 2001:db8::2.7000: Flags [P.], seq 1:6, ack 1, win 64240, length 5');
    expect(both.formatted).toContain('options [nop,nop,sack 1 {6:10}]');
    const names = new Both(options({ numeric: 0 }), 'ipv6-names');
    for (const bytes of frames) names.add(frame(bytes));
    expect(names.printed()).toBe(names.formatted);
  });

  it('every_flags_byte_with_and_without_payload_prints_the_same', () => {
    const both = new Both(options({}), 'flags');
    for (let f = 0; f < 256; f++) {
      both.add(frame(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: f, seq: 77, ack: 99, urp: 5 })))));
      both.add(frame(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: f, seq: 77, ack: 99, data: [0x41, 0x42] })))));
    }
    expect(both.printed()).toBe(both.formatted);
  });

  it('option_lists_of_every_shape_print_the_same', () => {
    const lists: number[][] = [
      [2, 4, 5, 0xb4], [3, 3, 14, 1], [4, 2, 1, 1], [8, 10, ...be32(7), ...be32(8), 1, 1],
      [5, 10, ...be32(1), ...be32(2), 1, 1], [5, 34, ...Array.from({ length: 32 }, (_, i) => i), 1, 1],
      [5, 2, 1, 1], // SACK without blocks
      [0, 1, 1, 1], [1, 0, 2, 4], [1, 1, 0, 99], // EOL first, EOL after a NOP, junk after EOL
      [2, 3, 5, 1], [2, 5, 5, 0xb4, 0, 0, 0, 0], [3, 4, 7, 0], // wrong sizes
      [2, 1, 0, 0], [2, 8, 0, 0], [2], // length below 2, past the header, cut after the kind
      [1, 1, 1, 2], // kind whose length byte is past the header
      [99, 4, 1, 2], [30, 4, 0x10, 0], [34, 2, 1, 1], [19, 18, ...Array.from({ length: 16 }, () => 0xab), 1, 1],
      [28, 4, 0x80, 0x01], [254, 4, 0xf9, 0x89], [6, 6, 0, 0, 0, 1, 1, 1], [29, 4, 1, 2],
      Array.from({ length: 40 }, () => 1),
    ];
    const both = new Both(options({}), 'options');
    for (const opts of lists) {
      const padded = opts.length % 4 === 0 ? opts : [...opts, ...Array.from({ length: 4 - (opts.length % 4) }, () => 0)];
      both.add(frame(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02, opts: padded })))));
      both.add(frame(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x18, ack: 1, opts: padded, data: [1, 2, 3] })))));
    }
    expect(both.printed()).toBe(both.formatted);
  });

  it('frames_cut_at_every_length_and_odd_record_headers_print_the_same', () => {
    const both = new Both(options({}), 'cut');
    const syn = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02, opts: [2, 4, 5, 0xb4, 4, 2, 8, 10, ...be32(1), ...be32(0), 1, 3, 3, 7] })));
    const data = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x18, ack: 5, data: Array.from({ length: 30 }, (_, i) => i) })));
    for (const bytes of [syn, data]) {
      for (let caplen = 0; caplen <= bytes.length; caplen++) both.add(frame(bytes, { caplen, wirelen: bytes.length }));
      both.add(frame(bytes, { wirelen: bytes.length - 1 }));
      both.add(frame(bytes, { wirelen: 262145 }));
      both.add(frame(bytes, { wirelen: bytes.length + 100 }));
    }
    expect(both.printed()).toBe(both.formatted);
  });

  it('ip_and_tcp_headers_the_fast_path_leaves_alone_print_the_same', () => {
    const both = new Both(options({}), 'headers');
    const seg = tcp({ flags: 0x18, ack: 5, data: [1, 2, 3, 4] });
    const cases: number[][] = [
      ether(0x0800, ip4({ proto: 6, totalLength: 30 }, seg)), // total length cuts the TCP header
      ether(0x0800, ip4({ proto: 6, totalLength: 10 }, seg)), // below the header length
      ether(0x0800, ip4({ proto: 6, totalLength: 200 }, seg)), // past the frame
      ether(0x0800, ip4({ proto: 6, totalLength: 40 }, seg)), // payload cut by the total length
      ether(0x0800, ip4({ proto: 6, off: 0x2000 }, seg)), // first fragment
      ether(0x0800, ip4({ proto: 6, off: 0x0010 }, seg)), // a later fragment
      ether(0x0800, ip4({ proto: 6, opts: [1, 1, 1, 0] }, seg)), // IP options
      ether(0x0800, ip4({ proto: 6, ihl: 4 }, seg)),
      ether(0x0800, [0x60, ...ip4({ proto: 6 }, seg).slice(1)]),
      ether(0x0800, ip4({ proto: 17 }, seg)),
      ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x10, off: 4 }))),
      ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x10, off: 15 }))),
      ether(0x8100, [0, 5, 0x08, 0x00, ...ip4({ proto: 6 }, seg)]),
      ether(0x0800, ip4({ proto: 6 }, tcp({ sport: 80, flags: 0x18, ack: 1, data: [...Buffer.from('HTTP/1.1 200 OK\r\n\r\n')] }))),
      ether(0x0800, ip4({ proto: 6 }, tcp({ sport: 80, flags: 0x10, ack: 1 }))),
      [...ether(0x0800, ip4({ proto: 6 }, seg)), ...Array.from({ length: 12 }, () => 0)], // Ethernet padding
    ];
    for (const bytes of cases) both.add(frame(bytes));
    for (const bytes of cases) both.add(frame(bytes, { linktype: 101 }));
    expect(both.printed()).toBe(both.formatted);
  });

  it('time_stamps_of_every_kind_print_the_same', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02 })));
    for (const [flags, change] of FLAG_SETS) {
      const both = new Both(options(change), `ts-${flags}`);
      for (const [sec, nsec] of [[1700000000, 0], [1700000000, 999_999_999], [1700000001, 5000], [1699999999, 123_456_789],
        [1700000000, 1_000_000_000], [1700000000, 0x80000000], [1700000000, 0xfffff000], [0, 1], [4294967295, 999_999_000]]) {
        const f = frame(bytes);
        f.tsSec = sec;
        f.tsNsec = nsec;
        both.add(f);
      }
      const printed = both.printed();
      expect({ flags, printed }).toEqual({ flags, printed: both.formatted });
    }
  });
});

describe('fast TCP line path takes what it should', () => {
  const opts = options({});
  const out = new Output(-1);
  const fast = new FastLinePrinter(out, new TimeFormatter(0, false), new Names(true), new TcpdumpSeqTable(), false);
  const takes = (bytes: number[]): boolean => {
    out.len = 0;
    return fast.print(frame(bytes));
  };

  it('flag_sets_with_dumps_verbose_or_link_headers_use_the_full_printer', () => {
    expect(FastLinePrinter.handles(opts)).toBe(true);
    expect(FastLinePrinter.handles(options({ timestampMode: 3, absoluteSeq: true, numeric: 0, nano: true }))).toBe(true);
    for (const change of [{ verbose: 1 }, { linkHeader: true }, { quick: true }, { hex: 1 }, { hexAscii: 2 }, { ascii: true }, { packetNumbers: true }]) {
      expect(FastLinePrinter.handles(options(change))).toBe(false);
    }
  });

  it('ordinary_segment_is_taken_and_written_whole', () => {
    expect(takes(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02, opts: [2, 4, 5, 0xb4, 1, 3, 3, 7] }))))).toBe(true);
    expect(out.buf.toString('latin1', 0, out.len))
      .toBe('22:13:20.000000 IP 10.0.0.1.40000 > 10.0.0.2.7000: Flags [S], seq 1000, win 64240, options [mss 1460,nop,wscale 7], length 0\n');
  });

  it('ordinary_ipv6_segment_is_taken', () => {
    expect(takes(ether(0x86dd, ip6(6, tcp({ flags: 0x02 }, B1, B2))))).toBe(true);
    expect(out.buf.toString('latin1', 0, out.len)).toBe('22:13:20.000000 IP6 2001:db8::1.40000 > 2001:db8::2.7000: Flags [S], seq 1000, win 64240, length 0\n');
  });

  it('unusual_segment_is_left_to_the_full_printer_with_nothing_written', () => {
    expect(TCP_PORT_HAS_PRINTER[80]).toBe(1);
    for (const bytes of [
      ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02, opts: [30, 4, 0x10, 0] }))), // MPTCP
      ether(0x0800, ip4({ proto: 6 }, tcp({ flags: 0x02, opts: [2, 3, 5, 0] }))), // MSS of the wrong size
      ether(0x0800, ip4({ proto: 6, off: 0x0010 }, tcp({ flags: 0x02 }))),
      ether(0x0800, ip4({ proto: 6 }, tcp({ sport: 80, flags: 0x18, data: [0x41] }))),
      ether(0x86dd, ip4({ proto: 6 }, tcp({ flags: 0x02 }))),
      ether(0x86dd, ip6(0, [6, 0, 1, 4, 0, 0, 0, 0, ...tcp({ flags: 0x02 }, B1, B2)])), // hop-by-hop header
      ether(0x86dd, ip6(6, tcp({ flags: 0x02 }, B1, B2), B1, B2, 0)), // jumbo rules
    ]) {
      expect(takes(bytes)).toBe(false);
      expect(out.len).toBe(0);
    }
  });
});

describe('byte writers', () => {
  const buf = Buffer.alloc(64);
  it('putUint_writes_every_digit_count_as_String_does', () => {
    for (const n of [0, 9, 10, 99, 100, 999, 1000, 65535, 99999, 100000, 1234567, 99999999, 100000000, 999999999, 1000000000, 4294967295]) {
      const end = putUint(buf, 3, n);
      expect(buf.toString('latin1', 3, end)).toBe(String(n));
    }
  });

  it('putFixed_pads_with_zeros_to_the_width', () => {
    expect(buf.toString('latin1', 0, putFixed(buf, 0, 42, 6))).toBe('000042');
    expect(buf.toString('latin1', 0, putFixed(buf, 0, 999999999, 9))).toBe('999999999');
  });

  it('putString_encodes_non_ascii_text_as_utf8', () => {
    for (const s of ['plain', 'client SYN_SENT → ESTABLISHED', '→', 'é', 'a · b']) {
      const end = putString(buf, 1, s);
      expect(buf.subarray(1, end)).toEqual(Buffer.from(s, 'utf8'));
    }
  });
});
