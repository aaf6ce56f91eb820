/**
 * tcpdump's relative-sequence table (src/track/tcpdump-seq.ts): the rules of print-tcp.c, and the
 * open-addressing table checked against a plain Map model over many random connections.
 */
import { describe, expect, it } from 'vitest';
import { TcpdumpSeqTable } from '../../src/track/tcpdump-seq.js';

const A = 0x0a000001;
const B = 0x0a000002;

describe('tcpdump relative sequence numbers', () => {
  it('first_acking_segment_records_and_prints_absolute', () => {
    const t = new TcpdumpSeqTable();
    // SYN-ACK from the server (source port 7000 < 40000: the key's own order, not rev)
    const r = t.lookup4(B, A, 7000, 40000, 5000, 1001, true);
    expect([r.seq, r.ack, r.rev]).toEqual([5000, 1001, false]);
    // the client's ACK runs against it: seq 1001 - (ack-1 of the SYN-ACK = 1000) = 1, ack 5001 - 5000 = 1
    const r2 = t.lookup4(A, B, 40000, 7000, 1001, 5001, false);
    expect([r2.seq, r2.ack, r2.rev]).toEqual([1, 1, true]);
  });

  it('data_segment_prints_relative_both_ways', () => {
    const t = new TcpdumpSeqTable();
    t.lookup4(B, A, 7000, 40000, 5000, 1001, true);
    expect(t.lookup4(A, B, 40000, 7000, 1011, 5001, false)).toMatchObject({ seq: 11, ack: 1 });
    expect(t.lookup4(B, A, 7000, 40000, 5001, 1011, false)).toMatchObject({ seq: 1, ack: 11 });
  });

  it('syn_on_known_connection_starts_afresh', () => {
    const t = new TcpdumpSeqTable();
    t.lookup4(A, B, 40000, 7000, 100, 200, false);
    // a new SYN-ACK on the same 4-tuple: absolute again, and the entry now holds the new numbers
    expect(t.lookup4(B, A, 7000, 40000, 9000, 3001, true)).toMatchObject({ seq: 9000, ack: 3001 });
    expect(t.lookup4(A, B, 40000, 7000, 3001, 9001, false)).toMatchObject({ seq: 1, ack: 1 });
    expect(t.size).toBe(1);
  });

  it('subtraction_wraps_modulo_2_32', () => {
    const t = new TcpdumpSeqTable();
    t.lookup4(B, A, 7000, 40000, 0xfffffff0, 0xfffffffe, true);
    // client seq wrapped past 0: (0x00000005 - 0xfffffffd) mod 2^32 = 8
    expect(t.lookup4(A, B, 40000, 7000, 0x00000005, 0x00000002, false)).toMatchObject({ seq: 8, ack: 18 });
  });

  it('equal_ports_are_ordered_by_address', () => {
    const t = new TcpdumpSeqTable();
    expect(t.lookup4(B, A, 5000, 5000, 1, 1, false).rev).toBe(true);
    expect(t.lookup4(A, B, 5000, 5000, 1, 1, false).rev).toBe(false);
    expect(t.size).toBe(1);
  });

  it('lower_source_port_is_the_key_order', () => {
    const t = new TcpdumpSeqTable();
    expect(t.lookup4(A, B, 80, 40000, 1, 1, false).rev).toBe(false);
    expect(t.lookup4(B, A, 40000, 80, 1, 1, false).rev).toBe(true);
  });

  it('sack_reference_numbers_come_with_the_lookup', () => {
    const t = new TcpdumpSeqTable();
    t.lookup4(B, A, 7000, 40000, 5000, 1001, true);
    const r = t.lookup4(A, B, 40000, 7000, 1001, 5001, false);
    // entry in key order (server first): seq = 5000 (server ISN), ack = 1000 (client ISN)
    expect([r.thSeq, r.thAck, r.rev]).toEqual([5000, 1000, true]);
  });

  it('ipv6_connections_use_their_own_table', () => {
    const t = new TcpdumpSeqTable();
    const d = new Uint8Array(64);
    d[15] = 1; // ::1 at 0
    d[16 + 15] = 2; // ::2 at 16
    t.lookup4(A, B, 40000, 7000, 100, 200, false);
    const r = t.lookup6(d, 0, 16, 40000, 7000, 500, 600, false);
    expect([r.seq, r.ack]).toEqual([500, 600]);
    expect(r.rev).toBe(true);
    expect(t.lookup6(d, 16, 0, 7000, 40000, 600, 501, false)).toMatchObject({ seq: 1, ack: 1, rev: false });
    expect(t.size).toBe(2);
  });

  // the model: tcpdump's rules with string keys and a JS Map (src and dst compare as numbers,
  // which for IPv6 tests only their last word: the other words are equal there)
  const makeModel = () => {
    const model = new Map<string, { seq: number; ack: number }>();
    const lookup = (src: number, dst: number, sp: number, dp: number, seq: number, ack: number, syn: boolean) => {
      const rev = sp > dp || (sp === dp && src > dst);
      const key = rev ? `${dst}/${src}/${dp}/${sp}` : `${src}/${dst}/${sp}/${dp}`;
      let e = model.get(key);
      if (e === undefined || syn) {
        e = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 };
        model.set(key, e);
        return { seq, ack, thSeq: e.seq, thAck: e.ack };
      }
      return rev ? { seq: (seq - e.ack) >>> 0, ack: (ack - e.seq) >>> 0, thSeq: e.seq, thAck: e.ack }
        : { seq: (seq - e.seq) >>> 0, ack: (ack - e.ack) >>> 0, thSeq: e.seq, thAck: e.ack };
    };
    return { model, lookup };
  };
  const xorshift = (seed: number) => {
    let x = seed;
    return (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
  };

  type Conn = readonly [number, number, number, number];
  /** one random segment of a random connection: which way it runs, seq, ack, and a SYN now and then */
  const drawSegment = (rnd: () => number, conns: readonly Conn[]) => {
    const [a, b, pa, pb] = conns[rnd() % conns.length];
    const fwd = (rnd() & 1) === 0;
    const seq = rnd();
    const ack = rnd();
    const syn = rnd() % 50 === 0;
    return { a, b, pa, pb, fwd, seq, ack, syn };
  };
  /** the table's answer and the model's agree on every number */
  const agree = (got: { seq: number; ack: number; thSeq: number; thAck: number }, want: typeof got): boolean =>
    got.seq === want.seq && got.ack === want.ack && got.thSeq === want.thSeq && got.thAck === want.thAck;

  it('matches_a_plain_map_model_over_many_random_connections', () => {
    const { model, lookup: modelLookup } = makeModel();
    const rnd = xorshift(12345);
    const t = new TcpdumpSeqTable();
    const conns = Array.from({ length: 30000 }, (): Conn => [rnd(), rnd(), rnd() & 0xffff, rnd() & 0xffff]);
    for (let i = 0; i < 200000; i++) {
      const { a, b, pa, pb, fwd, seq, ack, syn } = drawSegment(rnd, conns);
      const got = fwd ? t.lookup4(a, b, pa, pb, seq, ack, syn) : t.lookup4(b, a, pb, pa, seq, ack, syn);
      const want = fwd ? modelLookup(a, b, pa, pb, seq, ack, syn) : modelLookup(b, a, pb, pa, seq, ack, syn);
      if (!agree(got, want)) throw new Error(`mismatch at step ${i}`);
    }
    expect(t.size).toBe(model.size);
    expect(t.size).toBeGreaterThan(25000);
  });

  it('ipv6_table_matches_the_model_through_its_growth', () => {
    // each slot of the IPv6 table is 9 key words and seq, ack and state: 5,000 connections take
    // it through three doublings from 1,024 slots, with entries moved and probing past others
    const { model, lookup: modelLookup } = makeModel();
    const rnd = xorshift(777);
    const t = new TcpdumpSeqTable();
    const d = new Uint8Array(32);
    const dv = new DataView(d.buffer);
    // addresses 2001:db8::X: only the last word differs, so the model's number order is the address order
    const put = (at: number, last: number) => {
      dv.setUint32(at, 0x20010db8);
      dv.setUint32(at + 4, 0);
      dv.setUint32(at + 8, 0);
      dv.setUint32(at + 12, last);
    };
    const conns = Array.from({ length: 5000 }, (): Conn => [rnd(), rnd(), rnd() & 0xffff, rnd() & 0xffff]);
    for (let i = 0; i < 60000; i++) {
      const { a, b, pa, pb, fwd, seq, ack, syn } = drawSegment(rnd, conns);
      put(0, fwd ? a : b);
      put(16, fwd ? b : a);
      const got = fwd ? t.lookup6(d, 0, 16, pa, pb, seq, ack, syn) : t.lookup6(d, 0, 16, pb, pa, seq, ack, syn);
      const want = fwd ? modelLookup(a, b, pa, pb, seq, ack, syn) : modelLookup(b, a, pb, pa, seq, ack, syn);
      if (!agree(got, want)) throw new Error(`mismatch at step ${i}`);
    }
    expect(t.size).toBe(model.size);
    expect(t.size).toBeGreaterThan(4500);
  });
});
