/**
 * Hostile input: random flag combinations, sequence and acknowledgement numbers, lengths, cut
 * headers and time jumps over a handful of 4-tuples. The tracker must never throw, and what it
 * reports must stay consistent (every connection reported once, valid states, JSON that parses).
 */
import { describe, expect, test } from 'vitest';
import { newFrame } from '../../src/capture/frame.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { ANOMALY_NAMES } from '../../src/track/events.js';
import { STATE_NAMES } from '../../src/track/states.js';
import { Tracker } from '../../src/track/tracker.js';
import { ipPacket, linkFrame, tcpSegment } from './build.js';
import { rng } from './scenarios.js';

describe('hostile segments', () => {
  for (const seed of [1, 2, 3, 4]) {
    test(`random_${seed}_neverThrowsAndReportsConsistently`, () => {
      const r = rng(seed);
      const hosts = ['10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:db8::2'];
      const flows: Array<Record<string, unknown>> = [];
      const tracker = new Tracker({ mslSeconds: r() * 5, maxFlows: 1 + Math.floor(r() * 6), openIdleSeconds: 30, handshakeIdleSeconds: 10,
        onFlowEnd: (f) => flows.push(JSON.parse(f.jsonText())) });
      const pkt = new Packet();
      const frame = newFrame();
      const interesting = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 1000, 1001, 5000, 5001];
      const num = () => (r() < 0.5 ? interesting[Math.floor(r() * interesting.length)] : Math.floor(r() * 2 ** 32)) >>> 0;
      let t = 1_700_000_000;
      let tcpPackets = 0;
      for (let i = 0; i < 8000; i++) {
        const v6 = r() < 0.3;
        const a = hosts[(v6 ? 2 : 0) + Math.floor(r() * 2)], b = hosts[(v6 ? 2 : 0) + Math.floor(r() * 2)];
        const seg = tcpSegment(a, b, 1000 + Math.floor(r() * 3), 2000 + Math.floor(r() * 2), num(), num(), Math.floor(r() * 256),
          Math.floor(r() * 65536), new Uint8Array(Math.floor(r() * 3) * Math.floor(r() * 700)), r() < 0.3 ? [2, 4, 5, 180, 3, 3, Math.floor(r() * 20), 4, 2] : [], r() < 0.05);
        let bytes = linkFrame('ether', ipPacket(a, b, 6, seg), v6);
        if (r() < 0.05) bytes = bytes.subarray(0, Math.floor(r() * bytes.length)); // cut anywhere
        t += r() < 0.01 ? r() * 1000 : r() < 0.01 ? -r() * 10 : r() * 0.01; // jumps, and time going backwards
        frame.data = bytes; frame.offset = 0; frame.caplen = bytes.length; frame.wirelen = bytes.length + (r() < 0.1 ? 100 : 0);
        frame.tsSec = Math.floor(t); frame.tsNsec = Math.floor((t - Math.floor(t)) * 1e9); frame.linktype = 1; frame.number = i + 1;
        decodePacket(frame, pkt);
        const res = tracker.track(pkt);
        if (res.tcp) {
          tcpPackets++;
          expect(res.clientAfter).toBeLessThan(STATE_NAMES.length);
          expect(res.serverAfter).toBeLessThan(STATE_NAMES.length);
        }
      }
      tracker.finish();
      expect(tracker.liveConnections).toBe(0);
      expect(flows.length).toBe(tracker.stats.connections);
      expect(new Set(flows.map((f) => f.id)).size).toBe(flows.length);
      let packets = 0;
      for (const f of flows) {
        const st = f.states as Record<string, string>;
        expect(STATE_NAMES).toContain(st.client);
        expect(STATE_NAMES).toContain(st.server);
        for (const an of f.anomalies as string[]) expect(ANOMALY_NAMES).toContain(an);
        const p = f.packets as Record<string, number>;
        packets += p.client + p.server;
        expect(Number.isFinite(f.duration as number)).toBe(true);
      }
      expect(packets).toBe(tcpPackets); // every TCP packet counted in exactly one connection
    });
  }
});
