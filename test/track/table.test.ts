/**
 * The flow table's own machinery: growing the row buffer (wide steps, falling back to smaller
 * ones when the system refuses the memory), and clearing it. Names: state_event_outcome.
 */
import { describe, expect, test } from 'vitest';
import { TcpscopeError } from '../../src/errors.js';
import { Conversation, SYN, track } from './build.js';
import { B, D, FlowTable, flowHash4, growthSteps, H, MAX_ROWS, ROW_BYTES, ROW_D, ROW_H, ROW_W, type RowBufferAllocator, W } from '../../src/track/table.js';

/** Client address of connection i (distinct for every i below 2^24). */
const addrOf = (i: number): number => (0x0a000000 | i) >>> 0;
const SERVER = 0xc0a80001;

/** Fill row c as connection i would be (4-tuple, hash, a few fields of each width) and put it in the hash. */
function addConnection(t: FlowTable, i: number): number {
  const c = t.allocRow();
  const w = c * ROW_W, h = c * ROW_H, b = c * ROW_BYTES, d = c * ROW_D;
  const hash = flowHash4(addrOf(i), 1024 + (i & 0x7fff), SERVER, 80);
  t.u32[w + W.C_ADDR] = addrOf(i);
  t.u32[w + W.S_ADDR] = SERVER;
  t.u16[h + H.C_PORT] = 1024 + (i & 0x7fff);
  t.u16[h + H.S_PORT] = 80;
  t.u8[b + B.FAMILY] = 4;
  t.u32[w + W.HASH] = hash;
  t.f64[d + D.SERIAL] = i + 1;
  t.f64[d + D.BYTES + 1] = i * 1.5;
  t.u8[b + B.HISTORY + 23] = i & 255;
  t.insert(c);
  t.linkAll(c);
  return c;
}

/** Every connection 0..n-1 is found by its 4-tuple from either side, with its fields as written. */
function expectAll(t: FlowTable, n: number): void {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const port = 1024 + (i & 0x7fff);
    const hash = flowHash4(addrOf(i), port, SERVER, 80);
    const c = t.find4(hash, SERVER, 80, addrOf(i), port);
    if (c < 0 || t.foundSide !== 1) { bad++; continue; }
    const d = c * ROW_D;
    if (t.f64[d + D.SERIAL] !== i + 1 || t.f64[d + D.BYTES + 1] !== i * 1.5 || t.u8[c * ROW_BYTES + B.HISTORY + 23] !== (i & 255)) bad++;
  }
  expect(bad).toBe(0);
  // the creation-order list is whole too
  const serials: number[] = [];
  for (let c = t.allHead; c >= 0; c = t.i32[c * ROW_W + W.ALL_NEXT]) serials.push(t.serial(c));
  expect(serials).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

/** An allocator that refuses (as V8 does: RangeError) any buffer above `maxRows` rows, and logs what it was asked. */
function limitedAllocator(maxRows: number, asked: number[]): RowBufferAllocator {
  return (bytes) => {
    asked.push(bytes / ROW_BYTES);
    if (bytes > maxRows * ROW_BYTES) throw new RangeError('Array buffer allocation failed');
    return new ArrayBuffer(bytes);
  };
}

describe('growth', () => {
  test('small_full_doubles', () => {
    expect(growthSteps(8)).toEqual([16]);
    expect(growthSteps(2048)).toEqual([4096]);
  });

  test('pastDoublingLimit_full_triesWideStepThenSmallerOnes', () => {
    // from 4,096 rows: 4M rows at once (address space), then halves down to doubling
    expect(growthSteps(4096)).toEqual([1 << 22, 1 << 21, 1 << 20, 1 << 19, 1 << 18, 1 << 17, 1 << 16, 1 << 15, 1 << 14, 1 << 13]);
    expect(growthSteps(65536)).toEqual([1 << 22, 1 << 21, 1 << 20, 1 << 19, 1 << 18, 1 << 17]);
    // a capacity reached by a fallback step
    expect(growthSteps(1 << 20)).toEqual([1 << 22, 1 << 21]);
    expect(growthSteps(1 << 22)).toEqual([1 << 23]);
  });

  test('nearTypedArrayLimit_full_stepsCappedThenNone', () => {
    // a typed array spans at most 2^32 bytes: no step may ask for more rows than fit in one
    expect(MAX_ROWS * ROW_BYTES).toBeLessThanOrEqual(2 ** 32);
    expect((MAX_ROWS + 1) * ROW_BYTES).toBeGreaterThan(2 ** 32);
    // (a capacity past the wide step whose doubling passes the cap)
    expect(growthSteps(3 << 21)).toEqual([MAX_ROWS]);
    expect(growthSteps(MAX_ROWS - 1)).toEqual([MAX_ROWS]);
    // no step: grow() then stops the run with RESOURCE_LIMIT, as when every step is refused (below)
    expect(growthSteps(MAX_ROWS)).toEqual([]);
  });

  test('oddCapacity_full_everyStepAWholeNumberOfRowsAboveIt', () => {
    for (const cap of [1000, 4100, 100000, 3000000]) {
      const steps = growthSteps(cap);
      expect(steps.every((n) => Number.isInteger(n) && n > cap)).toBe(true);
      expect(steps[steps.length - 1]).toBe(cap * 2);
      expect(steps.slice(1).every((n, i) => n < steps[i])).toBe(true);
    }
  });

  test('wideStep_fullAt65536_growsTo4MRowsKeepingRows', () => {
    const asked: number[] = [];
    const t = new FlowTable(65536, limitedAllocator(Infinity, asked));
    for (let i = 0; i < 65537; i++) addConnection(t, i);
    // 2 GB of address space asked for first (a machine that refuses it gets a smaller step)
    expect(asked.slice(0, 2)).toEqual([65536, 1 << 22]);
    expect(growthSteps(65536)).toContain(t.capacity);
    expectAll(t, 65537);
  });

  test('fullTable_growsPastDoublingLimit_everyRowKeptAndFound', () => {
    const asked: number[] = [];
    const t = new FlowTable(8, limitedAllocator(Infinity, asked));
    const n = 5000;
    for (let i = 0; i < n; i++) addConnection(t, i);
    expect(t.size).toBe(n);
    expect(t.capacity).toBe(1 << 22);
    // doubling from 8 to 4096, then one wide step
    expect(asked).toEqual([8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 1 << 22]);
    expectAll(t, n);
    // rows never used after the growth are still zero
    const c = t.allocRow();
    expect(t.u8.subarray(c * ROW_BYTES, (c + 1) * ROW_BYTES).some((x, k) => x !== 0 && k < W.IDLE_PREV * 4)).toBe(false);
  });

  test('fullTable_wideStepRefused_fallsBackToSmallerStepKeepingRows', () => {
    const asked: number[] = [];
    const t = new FlowTable(8, limitedAllocator(10000, asked));
    const n = 4097;
    for (let i = 0; i < n; i++) addConnection(t, i);
    expect(asked.slice(-4)).toEqual([65536, 32768, 16384, 8192]);
    expect(asked[asked.indexOf(4096) + 1]).toBe(1 << 22);
    expect(t.capacity).toBe(8192);
    expectAll(t, n);
  });

  test('fullTable_everyStepRefused_resourceLimitErrorAndRowsIntact', () => {
    const t = new FlowTable(8, limitedAllocator(64, []));
    for (let i = 0; i < 64; i++) addConnection(t, i);
    let err: unknown;
    try { addConnection(t, 64); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).code).toBe('RESOURCE_LIMIT');
    expect((err as TcpscopeError).message).toMatch(/--max-flows/);
    expect(t.size).toBe(64);
    expectAll(t, 64);
  });

  test('freedRows_reusedBeforeGrowing_capacityUnchanged', () => {
    const t = new FlowTable(8);
    const rows = [];
    for (let i = 0; i < 16; i++) rows.push(addConnection(t, i));
    const cap = t.capacity;
    for (const c of rows.slice(0, 8)) { t.remove(c); t.unlinkAll(c); t.freeRow(c); }
    for (let i = 16; i < 24; i++) addConnection(t, i);
    expect(t.capacity).toBe(cap);
    expect(t.size).toBe(16);
  });
});

describe('clear', () => {
  test('largeTable_clear_noBufferAskedRowsZeroWhenReusedAndTableReusable', () => {
    const asked: number[] = [];
    const t = new FlowTable(8, (bytes) => {
      asked.push(bytes);
      return new ArrayBuffer(bytes);
    });
    const n = 9000; // past the wide growth step
    for (let i = 0; i < n; i++) addConnection(t, i);
    const cap = t.capacity;
    const before = t.u8.buffer;
    asked.length = 0;
    t.clear();
    // nothing allocated, nothing zeroed yet: the rows are zeroed as they are handed out again
    expect(asked).toEqual([]);
    expect(t.u8.buffer).toBe(before);
    expect(t.size).toBe(0);
    expect(t.allHead).toBe(-1);
    expect(t.idleHead.every((x) => x === -1)).toBe(true);
    expect(t.capacity).toBe(cap);
    const hash = flowHash4(addrOf(5), 1029, SERVER, 80);
    expect(t.find4(hash, addrOf(5), 1029, SERVER, 80)).toBe(-1);
    // every row handed out after the clear is zero but for the list links allocRow sets (all
    // 100 taken before any is freed: a freed row would come back through the free list, which
    // zeroes on its own, not through the rows the clear left dirty)
    const links = new Set<number>();
    for (const f of [W.IDLE_PREV, W.IDLE_NEXT, W.ALL_PREV, W.ALL_NEXT]) for (let k = 0; k < 4; k++) links.add(f * 4 + k);
    const taken: number[] = [];
    for (let i = 0; i < 100; i++) {
      const c = t.allocRow();
      const row = t.u8.subarray(c * ROW_BYTES, (c + 1) * ROW_BYTES);
      expect([...row].every((x, k) => links.has(k) ? x === 255 : x === 0)).toBe(true);
      taken.push(c);
    }
    expect(new Set(taken).size).toBe(100);
    for (const c of taken) t.freeRow(c);
    for (let i = 0; i < 100; i++) addConnection(t, i);
    expectAll(t, 100);
  });

  test('clearedThenRefilledPastOldRows_clear_everyRowZeroedOnReuse', () => {
    const t = new FlowTable(8);
    for (let i = 0; i < 300; i++) addConnection(t, i);
    t.clear();
    for (let i = 0; i < 200; i++) addConnection(t, 1000 + i);
    t.clear();
    // rows 0-299 all dirty (the first fill), not only the 200 of the second
    for (let i = 0; i < 300; i++) {
      const c = t.allocRow();
      expect(t.u32[c * ROW_W + W.HASH]).toBe(0);
      expect(t.u16[c * ROW_H + H.C_PORT]).toBe(0);
    }
  });
});

describe('tracker over a growing table', () => {
  test('churnAcrossWideGrowth_expiryAndClose_everyConnectionReportedOnce', () => {
    // 13,000 connections, one every 10 ms: a third only send a SYN (expire after 1 s), a third
    // close (end 2×MSL = 1 s later), a third stay open to the end: ~4,300 live at the end, so the
    // table grows past 4,096 rows (the wide step) while rows are being freed and reused
    const n = 13000;
    const frames = [];
    for (let i = 0; i < n; i++) {
      const conv = new Conversation({ client: `10.${i >> 8}.${i & 255}.1`, cport: 1024 + (i % 60000), t0: 1_700_000_000 + i * 0.01 });
      if (i % 3 === 0) conv.send('c', SYN, { dt: 0 });
      else if (i % 3 === 1) conv.handshake().data('c', 10).close4('c');
      else conv.handshake().data('s', 100);
      frames.push(...conv.frames);
    }
    const { flows, tracker } = track(frames, { mslSeconds: 0.5, handshakeIdleSeconds: 1 });
    expect(tracker.stats.connections).toBe(n);
    expect(flows).toHaveLength(n);
    expect(new Set(flows.map((f) => f.id)).size).toBe(n);
    const by = (reason: string, k: number): number => flows.filter((f) => f.end_reason === reason && (f.id - 1) % 3 === k).length;
    expect(by('idle', 0) + by('end-of-input', 0)).toBe(Math.ceil(n / 3));
    expect(by('closed', 1) + by('end-of-input', 1)).toBe(Math.floor((n + 1) / 3));
    expect(by('end-of-input', 2)).toBe(Math.floor(n / 3));
    // the open ones' records are whole after their rows moved: the server's 100 bytes each
    expect(flows.filter((f) => (f.id - 1) % 3 === 2).every((f) => f.bytes.server === 100 && f.conn_state === 'S1')).toBe(true);
    expect(tracker.table.peak).toBeGreaterThan(4096);
    expect(tracker.table.capacity).toBe(1 << 22);
  });
});

describe('hash', () => {
  /** Connection i with a hash chosen by the test (so that many share a home slot and a tag). */
  function addWithHash(t: FlowTable, i: number, hash: number): number {
    const c = t.allocRow();
    t.u32[c * ROW_W + W.C_ADDR] = addrOf(i);
    t.u32[c * ROW_W + W.S_ADDR] = SERVER;
    t.u16[c * ROW_H + H.C_PORT] = 1024 + (i & 0x7fff);
    t.u16[c * ROW_H + H.S_PORT] = 80;
    t.u8[c * ROW_BYTES + B.FAMILY] = 4;
    t.u32[c * ROW_W + W.HASH] = hash;
    t.f64[c * ROW_D + D.SERIAL] = i + 1;
    t.insert(c);
    t.linkAll(c);
    return c;
  }

  test('collidingTagsAndHomes_insertRemoveAcrossRehashes_liveFoundRemovedGone', () => {
    const t = new FlowTable();
    // 5 home slots' worth of hash bits and 3 tags: long probe chains, most probes a tag match
    const hashOf = (i: number): number => ((((i % 5) * 0x01000100) | (i % 3)) >>> 0);
    const live = new Map<number, number>(); // connection i -> row
    let next = 0;
    const lookup = (i: number): number => t.find4(hashOf(i), addrOf(i), 1024 + (i & 0x7fff), SERVER, 80);
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 700; k++, next++) live.set(next, addWithHash(t, next, hashOf(next)));
      // take out every third live connection, as the tracker ends one (hash, lists, row)
      let n = 0;
      for (const [i, c] of [...live]) {
        if (n++ % 3 !== round % 3) continue;
        t.remove(c);
        t.unlinkAll(c);
        t.freeRow(c);
        live.delete(i);
        expect(lookup(i)).toBe(-1);
      }
      let bad = 0;
      for (const [i, c] of live) if (lookup(i) !== c || t.foundSide !== 0) bad++;
      expect(bad).toBe(0);
    }
    expect(t.size).toBe(live.size);
  });

  test('manyConnections_slotIsOneWord_hashMemoryHalfThePairs', () => {
    const t = new FlowTable();
    for (let i = 0; i < 5000; i++) addConnection(t, i);
    expectAll(t, 5000);
    // 5000 live: 16,384 slots (load ≤ 0.5) of 4 bytes (the private hash array, looked at directly)
    expect((t as unknown as { slots: Uint32Array }).slots.byteLength).toBe(16384 * 4);
  });
});
