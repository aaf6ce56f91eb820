/**
 * Ending connections early to bound memory (a capped table evicting the longest idle, a short
 * MSL ending TIME_WAIT, idle timeouts) never loses a flow record: every connection the tracker
 * starts is reported exactly once, and every TCP packet is counted in exactly one reported
 * connection. On generated captures of thousands of interleaved flows, in process and through
 * the CLI's --json output.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import type { FlowRecord } from '../../src/track/flow.js';
import { Tracker, type TrackerOptions } from '../../src/track/tracker.js';
import { generated, repeated, tmpDir } from './helpers.js';

const root = join(__dirname, '..', '..');

interface Tracked { records: FlowRecord[]; tcpPackets: number; stats: Tracker['stats'] }

async function track(path: string, opts: TrackerOptions): Promise<Tracked> {
  const records: FlowRecord[] = [];
  const tracker = new Tracker({ ...opts, onFlowEnd: (f) => { records.push(f.toRecord()); } });
  const pkt = new Packet();
  await readCapture(path, (frame) => { tracker.track(decodePacket(frame, pkt)); });
  tracker.finish();
  return { records, tcpPackets: tracker.stats.tcpPackets, stats: tracker.stats };
}

/** Every connection started is reported once; every TCP packet is in exactly one record. */
function expectNothingLost(t: Tracked): void {
  const ids = t.records.map((r) => r.id).sort((a, b) => a - b);
  expect(ids.length).toBe(t.stats.connections);
  expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  const packets = t.records.reduce((n, r) => n + r.packets.client + r.packets.server, 0);
  expect(packets).toBe(t.tcpPackets);
  expect(t.records.filter((r) => r.end_reason === 'evicted').length).toBe(t.stats.evicted);
  expect(t.records.filter((r) => r.end_reason === 'idle').length).toBe(t.stats.expired);
}

/** The client address:port pairs of the records (each generated flow has its own). */
const clients = (t: Tracked): Set<string> => new Set(t.records.map((r) => `${r.client}>${r.server}`));

describe('no flow record is lost', () => {
  let dir = '';
  let mixed = '';
  let flood = '';
  let reference: Tracked;
  beforeAll(async () => {
    dir = tmpDir();
    mixed = generated(dir, 'mixed.pcap', { flows: 3000, payload: 30000, rate: 500, seed: 21 }).path;
    flood = generated(dir, 'flood.pcap', { flows: 20000, only: 'unanswered', rate: 20000, seed: 22 }).path;
    reference = await track(mixed, {});
  });

  test('unbounded_generated_everyFlowOnce', () => {
    expectNothingLost(reference);
    expect(reference.records.length).toBe(3000);
  });

  test.each([1, 2, 5, 50, 500])('maxFlows_%i_everyConnectionReportedOnce_noPacketLost', async (max) => {
    const t = await track(mixed, { maxFlows: max });
    expectNothingLost(t);
    expect(t.stats.peakConnections).toBeLessThanOrEqual(max);
    // an evicted connection whose packets go on comes back as a second record, never as none
    const seen = clients(t);
    for (const c of clients(reference)) expect(seen.has(c), c).toBe(true);
    if (max < 500) expect(t.stats.evicted).toBeGreaterThan(0);
  });

  test.each([0, 0.001, 0.05, 1])('shortMsl_%f_everyConnectionReportedOnce', async (msl) => {
    const t = await track(mixed, { mslSeconds: msl });
    expectNothingLost(t);
    const seen = clients(t);
    for (const c of clients(reference)) expect(seen.has(c), c).toBe(true);
    // finished connections leave the table long before the end
    expect(t.stats.peakConnections).toBeLessThan(reference.stats.peakConnections);
    expect(t.records.some((r) => r.end_reason === 'closed')).toBe(true);
  });

  test('idleExpiry_short_everyConnectionReportedOnce', async () => {
    const t = await track(mixed, { handshakeIdleSeconds: 0.01, openIdleSeconds: 0.01, mslSeconds: 0.01 });
    expectNothingLost(t);
    expect(t.stats.expired).toBeGreaterThan(0);
    const seen = clients(t);
    for (const c of clients(reference)) expect(seen.has(c), c).toBe(true);
  });

  test('synFlood_idleExpiryAndCap_everySynAccountedFor', async () => {
    // 20000 unanswered connections of 3 SYNs each: with a 2 s handshake timeout they expire as they go
    const t = await track(flood, { handshakeIdleSeconds: 2, maxFlows: 3000 });
    expectNothingLost(t);
    expect(t.stats.peakConnections).toBeLessThanOrEqual(3000);
    expect(t.tcpPackets).toBe(60000);
  });

  test('portReuseWithCap_everyIncarnationReported', async () => {
    const again = join(dir, 'again.pcap');
    repeated(mixed, again, 2);
    const t = await track(again, { maxFlows: 20, mslSeconds: 0.5 });
    expectNothingLost(t);
  });

  test('cli_json_maxFlows_summaryAgreesWithRecords', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), '--json', '--max-flows', '3', '--msl', '0.01', '-r', mixed],
      { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const flows = lines.filter((l) => l.type === 'flow') as unknown as FlowRecord[];
    const summary = lines.at(-1) as { type: string; connections: number; evicted: number; tcp_packets: number; peak_connections: number };
    expect(summary.type).toBe('summary');
    expect(flows.length).toBe(summary.connections);
    expect(flows.filter((f) => f.end_reason === 'evicted').length).toBe(summary.evicted);
    expect(summary.evicted).toBeGreaterThan(0);
    expect(summary.peak_connections).toBeLessThanOrEqual(3);
    expect(flows.reduce((n, f) => n + f.packets.client + f.packets.server, 0)).toBe(summary.tcp_packets);
    expect(new Set(flows.map((f) => f.id)).size).toBe(flows.length);
  }, 60_000);
});
