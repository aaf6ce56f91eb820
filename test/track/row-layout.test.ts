/**
 * The flow table's row layout (table.ts, "Row layout by temperature"): every field has its own
 * bytes, naturally aligned, inside a row whose size is whole cache lines; the enums and the
 * FIELDS list agree; and the paths the layout was made for really stay in their lines: a
 * fast-path segment and the lookup touch only the hot lines, a handshake no cold one. "Lines"
 * are 64-byte steps from the row's start (the buffer itself is malloc's, 16 bytes into a line).
 * Names: state_event_outcome.
 */
import { describe, expect, test } from 'vitest';
import { newFrame } from '../../src/capture/frame.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { B, D, FIELDS, type FlowTable, H, ROW_BYTES, ROW_COLD, ROW_WARM, W } from '../../src/track/table.js';
import { Tracker } from '../../src/track/tracker.js';
import { ACK, type BuiltFrame, Conversation } from './build.js';

const LINE = 64;
/** enum members that mark a group's end, not a field */
const MARKERS = new Set(['HOT_END', 'WARM_END', 'WARM_WORDS_END', 'COLD', 'END']);

describe('row layout', () => {
  test('everyField_layout_naturallyAlignedInsideTheRowAndDisjoint', () => {
    expect(ROW_BYTES % LINE).toBe(0);
    const owner: (string | undefined)[] = new Array(ROW_BYTES);
    for (const [name, offset, size, count] of FIELDS) {
      expect(offset % size, `${name} at ${offset} is not ${size}-aligned`).toBe(0);
      expect(offset + size * count, `${name} ends past the row`).toBeLessThanOrEqual(ROW_BYTES);
      for (let i = offset; i < offset + size * count; i++) {
        expect(owner[i], `byte ${i}: ${name} overlaps ${owner[i]}`).toBeUndefined();
        owner[i] = name;
      }
    }
    expect(new Set(FIELDS.map((f) => f[0])).size).toBe(FIELDS.length);
  });

  test('everyEnumMember_fieldsList_listedOnceAtTheEnumsOffset', () => {
    // the enums are what the code indexes by: each member must be a listed field at the same
    // byte offset (in its view's units), so a field added to an enum and not placed fails here
    const views: [Record<string, unknown>, number][] = [[D as never, 8], [W as never, 4], [H as never, 2], [B as never, 1]];
    const listed = new Map(FIELDS.map(([name, offset, size]) => [name, { offset, size }]));
    let members = 0;
    for (const [e, size] of views) {
      for (const [name, value] of Object.entries(e)) {
        if (typeof value !== 'number' || MARKERS.has(name)) continue;
        members++;
        const f = listed.get(name);
        expect(f, `${name} is not in FIELDS`).toBeDefined();
        expect(f!.size, name).toBe(size);
        expect(value * size, name).toBe(f!.offset);
      }
    }
    expect(members).toBe(FIELDS.length);
  });

  test('temperatureGroups_layout_eachWithinItsLines', () => {
    expect(ROW_WARM % LINE).toBe(0);
    for (const [name, offset, size, count, group] of FIELDS) {
      const end = offset + size * count;
      const [lo, hi] = group === 'hot' ? [0, ROW_WARM] : group === 'warm' ? [ROW_WARM, ROW_COLD] : [ROW_COLD, ROW_BYTES];
      expect(offset >= lo && end <= hi, `${group} field ${name} at ${offset}-${end} is outside ${lo}-${hi}`).toBe(true);
    }
  });
});

// ---- which bytes a packet touches -----------------------------------------------------------

/** The byte offsets within row `c` that reads and writes through the table's views touched. */
function watchRow(t: FlowTable, c: number, touched: Set<number>): () => void {
  const names = ['f64', 'u32', 'i32', 'f32', 'u16', 'u8', 'i8'] as const;
  const saved = names.map((n) => t[n]);
  for (const n of names) {
    const view = t[n];
    const width = view.BYTES_PER_ELEMENT;
    const note = (prop: string | symbol): void => {
      if (typeof prop !== 'string') return;
      const i = Number(prop);
      if (!Number.isInteger(i)) return;
      const at = i * width - c * ROW_BYTES;
      if (at >= 0 && at < ROW_BYTES) for (let k = 0; k < width; k++) touched.add(at + k);
    };
    (t as unknown as Record<string, unknown>)[n] = new Proxy(view, {
      get(target, prop) {
        note(prop);
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
      set(target, prop, value) {
        note(prop);
        return Reflect.set(target, prop, value, target);
      },
    });
  }
  return () => names.forEach((n, k) => { (t as unknown as Record<string, unknown>)[n] = saved[k]; });
}

/** Feed frames to `tracker` as a capture would, their packet numbers from `first`. */
function run(tracker: Tracker, frames: BuiltFrame[], first: number): void {
  const pkt = new Packet();
  const frame = newFrame();
  frames.forEach((b, i) => {
    frame.data = b.bytes; frame.offset = 0; frame.caplen = b.bytes.length; frame.wirelen = b.bytes.length;
    frame.tsSec = Math.floor(b.t); frame.tsNsec = Math.round((b.t - Math.floor(b.t)) * 1e9);
    frame.linktype = b.linktype; frame.number = first + i;
    decodePacket(frame, pkt);
    tracker.track(pkt);
  });
}

const linesOf = (touched: Set<number>): number[] => [...new Set([...touched].map((o) => Math.floor(o / LINE)))].sort((a, b) => a - b);

describe('bytes a packet touches', () => {
  test('establishedConnection_inOrderDataAndAcks_onlyHotLines', () => {
    const conv = new Conversation().handshake().data('c', 100).data('s', 1000);
    const setup = conv.frames.length;
    // in-order data both ways, pure ACKs moving the acknowledgement, within one second (no idle-list move)
    conv.data('c', 500).data('s', 1400).data('s', 1400, 0.0001, false).send('c', ACK, { dt: 0.0001 }).data('c', 1);
    const tracker = new Tracker();
    run(tracker, conv.frames.slice(0, setup), 1);
    const c = tracker.table.allHead;
    const touched = new Set<number>();
    const restore = watchRow(tracker.table, c, touched);
    const before = tracker.table.f64[c * (ROW_BYTES / 8) + D.PACKETS] + tracker.table.f64[c * (ROW_BYTES / 8) + D.PACKETS + 1];
    run(tracker, conv.frames.slice(setup), setup + 1);
    restore();
    // the watched packets were counted (the proxies saw the real accesses)
    const after = tracker.table.f64[c * (ROW_BYTES / 8) + D.PACKETS] + tracker.table.f64[c * (ROW_BYTES / 8) + D.PACKETS + 1];
    expect(after - before).toBe(conv.frames.length - setup);
    expect(touched.size).toBeGreaterThan(100);
    expect(Math.max(...touched)).toBeLessThan(ROW_WARM);
    expect(linesOf(touched)).toEqual([0, 1, 2, 3]);
    tracker.finish();
  });

  test('newConnection_handshakeAndClose_noColdLineButZeeksFinPosition', () => {
    // create, SYN, SYN-ACK, ACK and data of a plain connection: hot and warm lines only; its
    // close adds one cold field, Zeek's FIN positions (once a connection)
    const conv = new Conversation().handshake().data('c', 100).data('s', 1000);
    const opened = conv.frames.length;
    conv.close4('c');
    const tracker = new Tracker();
    // a first connection, so that the watched one is not the table's first row
    run(tracker, new Conversation({ cport: 1 }).handshake().frames, 1);
    const t = tracker.table;
    const touched = new Set<number>();
    // the next row handed out is row 1 (no row was freed)
    let restore = watchRow(t, 1, touched);
    run(tracker, conv.frames.slice(0, opened), 4);
    restore();
    expect(t.allTail).toBe(1);
    expect(t.f64[1 * (ROW_BYTES / 8) + D.PACKETS]).toBe(4);
    expect(linesOf(touched)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...touched)).toBeLessThan(ROW_COLD);
    const closing = new Set<number>();
    restore = watchRow(t, 1, closing);
    run(tracker, conv.frames.slice(opened), 4 + opened);
    restore();
    const cold = [...closing].filter((o) => o >= ROW_COLD);
    const finPositions = W.Z_HIST_LAST_FIN * 4;
    expect(cold.length).toBeGreaterThan(0);
    expect(cold.every((o) => o >= finPositions && o < finPositions + 8)).toBe(true);
    tracker.finish();
  });
});
