/**
 * The annotated output's JIT warm-up (src/print/warmup.ts): its inputs reach the branches it
 * claims to warm (otherwise it silently stops helping), and it writes nothing anywhere.
 */
import { describe, expect, test } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureParser } from '../../src/capture/parser.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { Annotator, formatDuration, putDuration } from '../../src/print/annotate.js';
import { defaultPrintOptions, type PrintOptions } from '../../src/print/options.js';
import { Output } from '../../src/print/output.js';
import { NO_PAINT } from '../../src/print/paint.js';
import { TcpdumpPrinter } from '../../src/print/tcpdump/index.js';
import { Names } from '../../src/print/tcpdump/names.js';
import { WARM_UP_DURATIONS, warmUpAnnotated, warmUpSeqTable } from '../../src/print/warmup.js';
import { TcpdumpSeqTable } from '../../src/track/tcpdump-seq.js';
import { Tracker } from '../../src/track/tracker.js';
import { warmUpCapture } from '../../src/track/warmup.js';

/** The warm-up capture as annotated output (`-n -r`), the way the warm-up prints it. */
function annotatedText(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-print-warmup-'));
  try {
    const path = join(dir, 'out.txt');
    const fd = openSync(path, 'w');
    const out = new Output(fd);
    const tracker = new Tracker();
    const printer = new TcpdumpPrinter({ ...defaultPrintOptions(), numeric: 1 }, out, { seqTable: new TcpdumpSeqTable() });
    const annotator = new Annotator(out, tracker, NO_PAINT);
    const pkt = new Packet();
    const parser = new CaptureParser((frame) => {
      decodePacket(frame, pkt);
      const r = tracker.track(pkt);
      printer.print(frame, pkt, true);
      if (r !== null) annotator.annotate(r, pkt);
    });
    parser.push(warmUpCapture());
    parser.end();
    out.flush();
    closeSync(fd);
    return readFileSync(path, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('annotated warm-up', () => {
  test('warmUpCapture_annotated_takesEveryTimedEvent', () => {
    // putTimed's branches: SYN-ACK with its delay, handshake RTT, SYN and SYN-ACK retransmissions
    const text = annotatedText();
    expect(text).toMatch(/server SYN-ACK after [0-9.]+ ms/);
    expect(text).toMatch(/RTT [0-9.]+ ms/);
    expect(text).toMatch(/SYN retransmitted \(#2\) after [0-9.]+ s/);
    expect(text).toMatch(/SYN-ACK retransmitted \(#2\) after [0-9.]+ s/);
    // and more than one second of capture time: the time stamp's new-second branch
    const seconds = new Set([...text.matchAll(/^(\d\d:\d\d:\d\d)\./gm)].map((m) => m[1]));
    expect(seconds.size).toBeGreaterThan(2);
  });

  test('warmUpDurations_written_coverEveryShape', () => {
    // the byte path's shapes (ms with three and one decimals, s with three, one and none) and its
    // text fallback: a rounding tie, a negative value, one past its range
    const buf = Buffer.alloc(64);
    const shapes = new Set<string>();
    for (const d of WARM_UP_DURATIONS) {
      const text = buf.toString('latin1', 0, putDuration(buf, 0, d));
      expect(text).toBe(formatDuration(d));
      const m = /^\d+(?:\.(\d+))? (ms|s)$/.exec(text);
      if (m !== null) shapes.add(`${m[2]}${m[1]?.length ?? 0}`);
    }
    expect([...shapes].sort()).toEqual(['ms1', 'ms3', 's0', 's1', 's3']);
    const scaled = (d: number): number => (d < 0.001 ? d * 1e6 : d < 1 ? d * 1e4 : d < 10 ? d * 1e3 : d * 10);
    expect(WARM_UP_DURATIONS.some((d) => d >= 0 && d < 1000 && Math.abs(scaled(d) - Math.floor(scaled(d)) - 0.5) <= 1e-6)).toBe(true);
    expect(WARM_UP_DURATIONS.some((d) => d < 0)).toBe(true);
    expect(WARM_UP_DURATIONS.some((d) => d >= 4294967295)).toBe(true);
  });

  test('warmUpSeqTable_filled_growsWithLargeNumbers', () => {
    // past 512 connections the 1024-slot table grows (and collides well before that)
    const table = warmUpSeqTable();
    expect(table.size).toBeGreaterThan(512);
    // a client whose ISN is past 2^31 is still numbered from its first SYN
    // (connection 101: client port 102, ISN 0x90000000 + 101)
    const r = table.lookup4(0x0a000100 + 101, 0xc0000201, 102, 443, 0x90000066, 0, false);
    expect(r.thSeq).toBe(0x90000065);
    expect(r.seq).toBe(1);
  });

  test('warmUpAnnotated_everyCommonFlagSet_writesNothingAndDoesNotThrow', () => {
    const sets: Partial<PrintOptions>[] = [
      { numeric: 1 }, {}, { numeric: 1, absoluteSeq: true, verbose: 1 }, { numeric: 1, linkHeader: true },
      { numeric: 1, timestampMode: 4 }, { numeric: 1, quick: true }, { numeric: 1, hexAscii: 1 },
    ];
    const written: unknown[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: unknown) => { written.push(chunk); return true; }) as typeof process.stdout.write;
    try {
      for (const s of sets) warmUpAnnotated({ ...defaultPrintOptions(), ...s }, NO_PAINT, new Names(true), { checksums: 'control' });
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual([]);
  });
});
