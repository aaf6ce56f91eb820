/**
 * The flow record written as bytes (FlowView.writeJson, what --json writes) against
 * JSON.stringify of the record object, for ordinary connections and for rows pushed to the
 * extremes a hostile or huge capture can reach: counts past 2^32, times that step back (negative
 * durations), time stamps past 2^33 s, damaged sub-second fields, IPv6 endpoints, every anomaly,
 * every event counter, handshake retransmission intervals.
 */
import { describe, expect, test } from 'vitest';
import { ACK, Conversation, feed, FIN, PSH, SYN } from './build.js';
import type { FlowView } from '../../src/track/flow.js';
import { MAX_FLOW_JSON } from '../../src/track/flow.js';
import { B, Ctr, D, MAX_INTERVALS, ROW_BYTES, ROW_D, ROW_W, W } from '../../src/track/table.js';
import { END_REASON_NAMES, type EndReason, Tracker } from '../../src/track/tracker.js';
import { ANOMALY_NAMES } from '../../src/track/events.js';

/** Run conversations through a tracker; `edit` may change each row just before it is reported. */
function records(convs: Conversation[], edit: (f: FlowView, t: Tracker) => void = () => {}): Array<{ bytes: string; record: string }> {
  const out: Array<{ bytes: string; record: string }> = [];
  const buf = Buffer.alloc(3 * MAX_FLOW_JSON, 0x7e);
  const tracker: Tracker = new Tracker({
    onFlowEnd: (f) => {
      edit(f, tracker);
      // written at an offset, into a buffer holding other bytes: only [pos, end) may change
      const pos = 1000;
      const end = f.writeJson(buf, pos);
      expect(end - pos).toBeLessThanOrEqual(MAX_FLOW_JSON);
      expect(buf[pos - 1]).toBe(0x7e);
      expect(buf[end]).toBe(0x7e);
      out.push({ bytes: buf.toString('latin1', pos, end), record: JSON.stringify(f.toRecord()) });
      expect(f.jsonText()).toBe(buf.toString('latin1', pos, end));
      buf.fill(0x7e);
    },
  });
  feed(convs.flatMap((c) => c.frames), tracker);
  return out;
}

function ordinary(): Conversation[] {
  return [
    new Conversation({ cport: 40001 }).handshake().data('c', 100).data('s', 3000).close4(),
    new Conversation({ client: '2001:db8::1', server: '2001:db8:0:1::ffff:2', cport: 40002 }).handshake().data('c', 10).close4('s'),
    new Conversation({ client: '::ffff:10.1.2.3', server: 'fe80::1', cport: 40003 }).handshake(),
    // SYN retransmitted twice, then answered by RST
    new Conversation({ cport: 40004 }).send('c', SYN, { dt: 0 }).send('c', SYN, { dt: 1, seq: 1000, consume: false })
      .send('c', SYN, { dt: 2, seq: 1000, consume: false }).send('s', 0x04 | ACK, { seq: 0, ack: 1001 }),
    // SYN-ACK retransmitted, data, a retransmission, FIN from the server first
    new Conversation({ cport: 40005 }).send('c', SYN, { dt: 0 }).send('s', SYN | ACK).send('s', SYN | ACK, { dt: 0.2, seq: 5000, consume: false })
      .send('c', ACK).send('c', ACK | PSH, { data: 50 }).send('c', ACK | PSH, { data: 50, seq: 1001, consume: false })
      .send('s', FIN | ACK).send('c', ACK),
    // picked up mid-connection
    new Conversation({ cport: 40006 }).data('c', 20).data('s', 20),
  ];
}

describe('flow record bytes', () => {
  test('writeJson_ordinaryConnections_equalsStringifiedRecord', () => {
    const recs = records(ordinary());
    expect(recs.length).toBe(6);
    for (const r of recs) expect(r.bytes).toBe(r.record);
  });

  test('writeJson_extremeRowValues_equalsStringifiedRecord', () => {
    const edits: Array<(f: FlowView, t: Tracker) => void> = [
      // counts past 2^32 and up to 2^53
      (f, t) => {
        const d = f.row * ROW_D;
        t.table.f64[d + D.PACKETS] = 2 ** 32 + 7; t.table.f64[d + D.BYTES + 1] = 2 ** 53 - 1;
        t.table.f64[d + D.SERIAL] = 2 ** 40 + 1; t.table.f64[d + D.LAST_PKT] = 4294967295;
      },
      // time stepping back: the last packet before the first (negative duration and RTTs)
      (f, t) => {
        const d = f.row * ROW_D, w = f.row * ROW_W;
        t.table.f64[d + D.LAST_SEC] = t.table.f64[d + D.FIRST_SEC] - 3; t.table.u32[w + W.LAST_NSEC] = 999_999_999;
        t.table.f64[d + D.EST_T] = t.table.f64[d + D.SYN_T] > 0 ? t.table.f64[d + D.SYN_T] - 0.0000015 : 0;
      },
      // seconds past 2^33 (no longer exact to the microsecond) and damaged sub-second fields
      (f, t) => {
        const d = f.row * ROW_D, w = f.row * ROW_W;
        t.table.f64[d + D.FIRST_SEC] = 2 ** 33 + 5; t.table.u32[w + W.FIRST_NSEC] = 4_000_000_000;
        t.table.f64[d + D.LAST_SEC] = 2 ** 33 + 9; t.table.u32[w + W.LAST_NSEC] = 999_999_500;
      },
      // sub-second fields that round to a whole second, exactly zero, a single microsecond
      (f, t) => {
        const d = f.row * ROW_D, w = f.row * ROW_W;
        t.table.f64[d + D.FIRST_SEC] = 0; t.table.u32[w + W.FIRST_NSEC] = 999_999_600;
        t.table.f64[d + D.LAST_SEC] = 1; t.table.u32[w + W.LAST_NSEC] = 1000;
      },
      // handshake retransmission intervals of every shape: both sides, the most kept, negative, tiny, long
      (f, t) => {
        const w = f.row * ROW_W, b = f.row * ROW_BYTES;
        t.table.u8[b + B.CTRL_COUNT] = 9; t.table.u8[b + B.CTRL_COUNT + 1] = 3;
        const values = [-0.0000015, 123456.789, 1e-7, 3.999999, 0.2, 1.0000005, 0, 86400.5];
        for (let i = 0; i < 2 * MAX_INTERVALS; i++) t.table.f32[w + W.INTERVALS + i] = values[i];
      },
      // every anomaly and every event counter, at their largest
      (f, t) => {
        t.table.u32[f.row * ROW_W + W.ANOMALIES] = (1 << ANOMALY_NAMES.length) - 1;
        for (let k = 0; k < Ctr.COUNT; k++) t.table.count(f.row, k);
        const r = t.table.u32[f.row * ROW_W + W.COUNTER_ROW];
        for (let k = 0; k < Ctr.COUNT; k++) t.table.counters[r * Ctr.COUNT + k] = 4294967295;
      },
    ];
    for (const edit of edits) {
      const recs = records(ordinary(), edit);
      expect(recs.length).toBe(6);
      for (const r of recs) expect(r.bytes).toBe(r.record);
    }
  });

  test('writeJson_everyEndReasonAndHandshakeResendMix_equalsStringifiedRecord', () => {
    // the record's last pieces depend on the end reason, midstream and which handshake side was
    // resent: every combination here, each ended a different way
    const ends = [['closed', { mslSeconds: 0.5 }], ['idle', { handshakeIdleSeconds: 1, openIdleSeconds: 1 }],
      ['evicted', { maxFlows: 1 }], ['reused', {}], ['end-of-input', {}], ['packet-limit', {}]] as const;
    expect(ends.map(([reason]) => reason).sort()).toEqual([...END_REASON_NAMES].sort());
    const midstreamEnds = new Set<string>();
    for (const [reason, opts] of ends) {
      const convs: Conversation[] = [];
      const t0 = 1_700_000_000;
      // SYN resent and SYN-ACK resent; SYN resent only; SYN-ACK resent only; none; midstream
      convs.push(new Conversation({ cport: 41001, t0 }).send('c', SYN, { dt: 0 }).send('c', SYN, { dt: 0.1, seq: 1000, consume: false })
        .send('s', SYN | ACK).send('s', SYN | ACK, { dt: 0.2, seq: 5000, consume: false }).send('c', ACK).close4());
      convs.push(new Conversation({ cport: 41002, t0: t0 + 10 }).send('c', SYN, { dt: 0 }).send('c', SYN, { dt: 0.1, seq: 1000, consume: false })
        .send('c', SYN, { dt: 0.2, seq: 1000, consume: false }).send('s', SYN | ACK).send('c', ACK).close4('s'));
      convs.push(new Conversation({ cport: 41003, t0: t0 + 20 }).send('c', SYN, { dt: 0 }).send('s', SYN | ACK)
        .send('s', SYN | ACK, { dt: 0.2, seq: 5000, consume: false }).send('c', ACK).close4());
      convs.push(new Conversation({ cport: 41004, t0: t0 + 30 }).handshake().close4());
      // the same 4-tuple again while the first is in TIME_WAIT, with a new ISN: the first ends 'reused'
      if (reason === 'reused') convs.push(new Conversation({ cport: 41004, t0: t0 + 35, isnC: 900000, isnS: 123 }).handshake().close4());
      convs.push(new Conversation({ cport: 41005, t0: t0 + 40 }).data('c', 20).data('s', 20).close4());
      // one left open
      convs.push(new Conversation({ cport: 41006, t0: t0 + 50 }).handshake());
      // much later: the idle expiry runs (and 2×MSL has passed)
      convs.push(new Conversation({ cport: 41007, t0: t0 + 300 }).handshake());
      // this iteration's endings only (a set shared across iterations would let an earlier one pass)
      const seen = new Set<string>();
      let n = 0;
      const tracker: Tracker = new Tracker({
        ...opts,
        onFlowEnd: (f) => {
          const bytes = f.jsonText();
          expect(bytes).toBe(JSON.stringify(f.toRecord()));
          seen.add(f.endReason + (f.midstream ? '/midstream' : ''));
          if (f.midstream) midstreamEnds.add(f.endReason);
          n++;
        },
      });
      // a run stopped by `-c N` ends what is left as 'packet-limit' (EndReason is a const enum:
      // no object at run time in a test, so its value comes from the names it indexes)
      feed(convs.flatMap((c) => c.frames), tracker, undefined,
        END_REASON_NAMES.indexOf(reason === 'packet-limit' ? reason : 'end-of-input') as EndReason.LIMIT | EndReason.END);
      expect([...seen].some((r) => r === reason || r === `${reason}/midstream`), `${reason}: ${[...seen].join(' ')}`).toBe(true);
      // one record per conversation: none lost, none doubled
      expect(n).toBe(convs.length);
    }
    expect(midstreamEnds.size).toBeGreaterThan(0);
  });
});
