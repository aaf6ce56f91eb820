/**
 * The annotator copies a whole line after `#N ` from its cache of line tails when the line's
 * parts (tag width, states, events and their words) are those of a line already written: every
 * line must be what an annotator with empty caches writes for the same packet.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { Annotator } from '../../src/print/annotate.js';
import { makeChalk } from '../../src/print/color.js';
import { Output } from '../../src/print/output.js';
import type { PacketResult } from '../../src/track/result.js';
import { Tracker } from '../../src/track/tracker.js';
import { be16, be32, ether, frame, ip4, tcp } from '../decode/build.js';

const CAPTURES = ['scenarios', 'real'].flatMap((d) =>
  readdirSync(join('fixtures', d)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join('fixtures', d, f)));

/**
 * Tracks frames and compares, for every packet, the line of one long-lived annotator (its caches
 * filled by the packets before) with the line of a fresh one; returns the lines written.
 */
class Compare {
  private readonly pkt = new Packet();
  private readonly tracker = new Tracker({});
  private readonly out = new Output(-1);
  private readonly chalk;
  private readonly kept: Annotator;
  readonly lines: string[] = [];
  mismatches: Array<{ frame: number; cached: string; fresh: string }> = [];

  constructor(colourLevel: 0 | 3, private readonly arrow: string) {
    this.chalk = makeChalk(colourLevel);
    this.kept = new Annotator(this.out, this.tracker, this.chalk, arrow);
  }

  add(f: Frame): void {
    decodePacket(f, this.pkt);
    const r: PacketResult = this.tracker.track(this.pkt);
    if (!r.tcp) return;
    const cached = this.kept.line(r, this.pkt);
    const fresh = new Annotator(this.out, this.tracker, this.chalk, this.arrow).line(r, this.pkt);
    if (cached !== fresh) this.mismatches.push({ frame: f.number, cached, fresh });
    if (cached !== '') this.lines.push(cached);
  }
}

describe('annotation lines from the line-tail cache', () => {
  it('fixture_lines_with_and_without_colour_equal_those_of_an_empty_cache', async () => {
    for (const [level, arrow] of [[0, '->'], [3, '→']] as Array<[0 | 3, string]>) {
      for (const capture of CAPTURES) {
        const c = new Compare(level, arrow);
        try {
          await readCapture(capture, (f) => { c.add(f); });
        } catch {
          // a capture cut short: the lines before the problem are compared
        }
        expect({ capture, level, mismatches: c.mismatches }).toEqual({ capture, level, mismatches: [] });
      }
    }
  });

  it('connections_numbered_past_each_digit_count_repeat_lines_padded_to_their_tag', () => {
    // 1,200 connections of the same shape: lines repeat with tags of 1 to 4 digits, which
    // change the padding before the state changes
    const c = new Compare(0, '->');
    const opts = [2, 4, ...be16(1460), 4, 2, 8, 10, ...be32(1), ...be32(0), 1, 3, 3, 7];
    let ts = 1700000000;
    for (let i = 0; i < 1200; i++) {
      const client = [10, 1, (i >> 8) & 255, i & 255];
      const server = [10, 0, 0, 2];
      const sport = 40000 + (i % 20000);
      const to = (spec: Parameters<typeof tcp>[0]) => frame(ether(0x0800, ip4({ proto: 6, src: client, dst: server }, tcp({ sport, dport: 443, ...spec }, client, server))), { ts: ts++ });
      const from = (spec: Parameters<typeof tcp>[0]) => frame(ether(0x0800, ip4({ proto: 6, src: server, dst: client }, tcp({ sport: 443, dport: sport, ...spec }, server, client))), { ts: ts++ });
      c.add(to({ seq: 1000, flags: 0x02, opts }));
      c.add(from({ seq: 5000, ack: 1001, flags: 0x12, opts }));
      c.add(to({ seq: 1001, ack: 5001, flags: 0x10 }));
      c.add(to({ seq: 1001, ack: 5001, flags: 0x18, data: [1, 2, 3] }));
      c.add(from({ seq: 5001, ack: 1004, flags: 0x11 }));
      c.add(to({ seq: 1004, ack: 5002, flags: 0x11 }));
      c.add(from({ seq: 5002, ack: 1005, flags: 0x10 }));
      // a refused connection now and then (the server's state change reads differently)
      if (i % 7 === 0) {
        c.add(to({ sport: 1024 + i, seq: 9000, flags: 0x02 }));
        c.add(from({ dport: 1024 + i, seq: 0, ack: 9001, flags: 0x14 }));
      }
    }
    expect(c.mismatches).toEqual([]);
    // the cache was used: the same close line, tag aside, came again and again
    const closes = c.lines.filter((l) => l.includes('close: server FIN 1/2')).map((l) => l.replace(/#\d+ /, '#N '));
    expect(closes.length).toBe(1200);
    expect(new Set(closes).size).toBeLessThan(10);
    expect(c.lines.find((l) => l.startsWith('    #1000 '))).toBeDefined();
  });
});
