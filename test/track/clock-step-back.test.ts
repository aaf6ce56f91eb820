/**
 * Captures whose clock steps back (fixtures/clock, made by moving one packet's time stamp):
 * a flow's `end` is the latest time seen, not the last packet's, so `duration` is never
 * negative; an RTT or a handshake "after N ms" the clock made negative is not shown (JSON null,
 * no words in the annotation, an empty table cell); the table and the JSON agree.
 *
 * back-first.pcap: close-4way.pcap with its first packet (the SYN) moved 5 s later.
 * jump-fwd.pcap: close-4way.pcap with its sixth packet (server data) moved 3 h later: the
 * connection expires idle at that packet, which starts connection #2 mid-stream, and the
 * packets after it are 3 h earlier than it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import type { FlowRecord } from '../../src/track/flow.js';
import { Tracker } from '../../src/track/tracker.js';
import { ROOT, tcpscope } from '../cli/helpers.js';

const CLOCK = join(ROOT, 'fixtures', 'clock');
const BACK_FIRST = join(CLOCK, 'back-first.pcap');
const JUMP_FWD = join(CLOCK, 'jump-fwd.pcap');

/**
 * syn-unanswered.pcap (a SYN sent at 0, 1, 3, 7 s) with its second SYN's time stamp moved 3 s
 * earlier (before the first): a classic little-endian pcap, 24-byte file header, 16-byte record
 * headers starting with the seconds.
 */
function synResentBeforeFirst(): string {
  const bytes = readFileSync(join(ROOT, 'fixtures', 'scenarios', 'syn-unanswered.pcap'));
  expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const second = 24 + 16 + bytes.readUInt32LE(24 + 8);
  bytes.writeUInt32LE(bytes.readUInt32LE(second) - 3, second);
  const path = join(mkdtempSync(join(tmpdir(), 'tcpscope-clock-')), 'syn-resent-before-first.pcap');
  writeFileSync(path, bytes);
  return path;
}

function jsonRecords(path: string): FlowRecord[] {
  const r = tcpscope(['--json', '-n', '-r', path]);
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'flow');
}

/** The table's duration and rtt cells (first line of each row) by connection number. */
function tableCells(path: string): Map<number, { duration: string; rtt: string }> {
  const r = tcpscope(['-nv', '-r', path]);
  expect(r.status).toBe(0);
  const cells = new Map<number, { duration: string; rtt: string }>();
  for (const line of r.stdout.split('\n')) {
    const m = /^│ (\d+) +│/.exec(line);
    if (!m) continue;
    const cols = line.split('│').map((c) => c.trim());
    // │ # │ client → server │ handshake │ close │ states │ zeek │ pkts │ bytes │ duration │ rtt │ anomalies │
    cells.set(Number(m[1]), { duration: cols[9], rtt: cols[10] });
  }
  return cells;
}

describe('capture clock stepping back', () => {
  test('synLaterThanRest_json_endIsLatestDurationZeroRttNull', () => {
    const [flow] = jsonRecords(BACK_FIRST);
    expect(flow.start).toBe(1700000005);
    expect(flow.end).toBe(1700000005);
    expect(flow.duration).toBe(0);
    // SYN at +5 s, SYN-ACK and ACK just after +0 s: the two RTTs from the SYN would be negative
    expect(flow.rtt).toBeNull();
    expect(flow.rtt_server).toBeNull();
    // SYN-ACK to ACK is an honest 0.2 ms
    expect(flow.rtt_client).toBe(0.0002);
  });

  test('synLaterThanRest_annotation_noNegativeAfter', () => {
    const r = tcpscope(['-n', '-r', BACK_FIRST]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/-\d+\.\d+ m?s/);
    const synAck = r.stdout.split('\n').find((l) => l.includes('server SYN-ACK'));
    expect(synAck).toBeDefined();
    expect(synAck).not.toContain(' after ');
    expect(synAck).toContain('server SYN-ACK; negotiated');
  });

  test('synLaterThanRest_table_agreesWithJson', () => {
    const cells = tableCells(BACK_FIRST);
    expect(cells.get(1)).toEqual({ duration: '0.000 ms', rtt: '' });
  });

  test('packetJumpsForward_json_everyFlowEndsAtOrAfterItsStart', () => {
    const flows = jsonRecords(JUMP_FWD);
    expect(flows.map((f) => f.id)).toEqual([1, 2]);
    for (const f of flows) {
      expect(f.end).toBeGreaterThanOrEqual(f.start);
      expect(f.duration).toBeGreaterThanOrEqual(0);
    }
    // #2 begins at the packet 3 h later; the packets after it are earlier: it ends where it began
    expect(flows[1].start).toBe(1700010800.0026);
    expect(flows[1].end).toBe(1700010800.0026);
    expect(flows[1].duration).toBe(0);
    // #1 is untouched by the step: its own packets' times
    expect(flows[0]).toMatchObject({ start: 1700000000, end: 1700000000.0016, duration: 0.0016, rtt: 0.0004 });
  });

  test('packetJumpsForward_table_agreesWithJson', () => {
    const cells = tableCells(JUMP_FWD);
    expect(cells.get(1)).toEqual({ duration: '1.6 ms', rtt: '0.400 ms' });
    expect(cells.get(2)).toEqual({ duration: '0.000 ms', rtt: '' });
  });

  test('synResentBeforeFirst_annotation_retransmitWithoutNegativeAfter', () => {
    const r = tcpscope(['-n', '-r', synResentBeforeFirst()]);
    expect(r.status).toBe(0);
    const notes = r.stdout.split('\n').filter((l) => l.includes('SYN retransmitted'));
    // the second SYN is 2 s before the first: no "after"; the third is 5 s after the second
    expect(notes.map((l) => l.trim())).toEqual(['#1 SYN retransmitted (#2)', '#1 SYN retransmitted (#3) after 5.000 s', '#1 SYN retransmitted (#4) after 4.000 s']);
    expect(r.stdout).not.toMatch(/after -/);
    // the flow record: the same interval is null, the others as measured
    const json = tcpscope(['--json', '-n', '-r', synResentBeforeFirst()]);
    expect(JSON.parse(json.stdout.split('\n')[0]).syn_retransmits).toEqual([null, 5, 4]);
  });

  test('clockStepsBack_libraryRecord_sameAsJsonTextAndNeverNegative', async () => {
    for (const path of [BACK_FIRST, JUMP_FWD, synResentBeforeFirst()]) {
      const seen: FlowRecord[] = [];
      const tracker = new Tracker({
        onFlowEnd: (f) => {
          const record = f.toRecord();
          expect(f.jsonText()).toBe(JSON.stringify(record));
          seen.push(record);
        },
      });
      const pkt = new Packet();
      await readCapture(path, (frame) => { tracker.track(decodePacket(frame, pkt)); });
      tracker.finish();
      expect(seen.length).toBeGreaterThan(0);
      for (const r of seen) {
        expect(r.duration).toBeGreaterThanOrEqual(0);
        for (const rtt of [r.rtt, r.rtt_server, r.rtt_client]) if (rtt !== null) expect(rtt).toBeGreaterThanOrEqual(0);
        for (const interval of [...r.syn_retransmits, ...r.synack_retransmits]) if (interval !== null) expect(interval).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
