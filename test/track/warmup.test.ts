/**
 * The JIT warm-up capture (src/track/warmup.ts): a valid capture whose connections take the
 * tracker through the paths it claims to warm (otherwise the warm-up silently stops helping), run
 * once per process.
 */
import { describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { CaptureParser } from '../../src/capture/parser.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import type { FlowRecord } from '../../src/track/flow.js';
import { Tracker } from '../../src/track/tracker.js';
import { warmUpCapture, warmUpTracking } from '../../src/track/warmup.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function flowsOf(bytes: Uint8Array): { flows: FlowRecord[]; badChecksums: number; packets: number } {
  const flows: FlowRecord[] = [];
  const tracker = new Tracker({ onFlowEnd: (f) => flows.push(f.toRecord()) });
  const pkt = new Packet();
  let packets = 0;
  const parser = new CaptureParser((frame) => { packets++; decodePacket(frame, pkt); tracker.track(pkt); });
  parser.push(bytes);
  parser.end();
  tracker.finish();
  return { flows, badChecksums: tracker.stats.badChecksums, packets };
}

describe('warm-up capture', () => {
  test('warmUpCapture_tracked_coversEveryConnectionLife', () => {
    const { flows, badChecksums, packets } = flowsOf(warmUpCapture());
    expect(packets).toBeGreaterThan(80);
    // every checksum right: the segments take the tracker's paths, not the bad-checksum exit
    expect(badChecksums).toBe(0);
    const states = flows.map((f) => f.conn_state).sort();
    expect(states).toEqual(['OTH', 'REJ', 'RSTO', 'RSTO', 'RSTR', 'S0', 'SF', 'SF', 'SF', 'SF']);
    const anomalies = new Set(flows.flatMap((f) => f.anomalies));
    for (const a of ['refused', 'reset', 'half-open', 'half-close', 'simultaneous-close', 'syn-retransmit', 'synack-retransmit',
      'midstream', 'keepalive', 'zero-window', 'retransmission', 'duplicate-ack', 'out-of-order', 'port-reuse', 'ack-unseen']) {
      expect(anomalies.has(a), a).toBe(true);
    }
    const events = new Set(flows.flatMap((f) => Object.keys(f.events)));
    for (const e of ['fast-retransmission', 'previous-segment-lost', 'zero-window-probe', 'window-update', 'keepalive-ack']) {
      expect(events.has(e), e).toBe(true);
    }
    expect(flows.map((f) => f.closed_by)).toContain('server');
    expect(flows.map((f) => f.end_reason)).toContain('reused');
  });

  test('warmUpCapture_sequenceNumbers_smallLargeAndWrapping', () => {
    // the sequence arithmetic must see numbers past 2^31 (not small integers to V8) beside small
    // ones, and a wrap past 2^32, or it is compiled for small integers only (see warmUpCapture)
    const seqs: number[] = [];
    const last = new Map<string, number>();
    let wraps = 0;
    const pkt = new Packet();
    const parser = new CaptureParser((frame) => {
      decodePacket(frame, pkt);
      seqs.push(pkt.seq);
      // one direction of one connection: its sequence number went from near 2^32 to near 0
      const dir = `${pkt.srcPort}>${pkt.dstPort}`;
      const before = last.get(dir);
      if (before !== undefined && before >= 0xffffff00 && pkt.seq < 0x1000) wraps++;
      last.set(dir, pkt.seq);
    });
    parser.push(warmUpCapture());
    parser.end();
    expect(seqs.some((q) => q < 2 ** 30)).toBe(true);
    expect(seqs.filter((q) => q >= 2 ** 31).length).toBeGreaterThan(10);
    expect(wraps).toBeGreaterThan(0);
  });

  test('warmUpCapture_asFile_readsAsClassicPcap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-warmup-'));
    try {
      const path = join(dir, 'warm.pcap');
      const bytes = warmUpCapture();
      writeFileSync(path, bytes);
      const summary = await readCapture(path, () => {});
      expect(summary.info.format).toBe('pcap');
      expect(summary.bytes).toBe(bytes.length);
      expect(summary.frames).toBe(flowsOf(bytes).packets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('warmUpTracking_secondCall_doesNothing', () => {
    // the first call in this process tracks the capture's ten connections (another test file
    // may have run it already in this worker: then both calls do nothing)
    const first = warmUpTracking();
    expect([0, 10]).toContain(first);
    expect(warmUpTracking()).toBe(0);
  });
});
