/**
 * The packets that show what went wrong: for each connection, the first packet of each event
 * that matters to the policy (the RST that aborted it, the SYN-ACK of a handshake never
 * finished, the FIN of a connection left half-closed, the first retransmission, ...).
 *
 * Kept per flow-table row in typed arrays (a few slots per row, reused when the row is), so
 * following a million connections allocates nothing per packet; `take(row)` hands a finished
 * connection's evidence over as plain objects and clears the row.
 */
import { type Frame, newFrame } from '../capture/frame.js';
import { EVENT_ANOMALY, EVENT_NAMES, Ev } from '../track/events.js';
import { PacketResult } from '../track/result.js';
import { ALL_CONDITIONS, type ConditionMask, conditionBit } from './conditions.js';

/** One packet that shows a condition. */
export interface Evidence {
  /** tracker event name (EVENT_NAMES): `reset`, `refused`, `syn-ack`, `fin-active`, ... */
  event: string;
  /** packet number in the input (over all files when several are read as one) */
  packet: number;
  /** capture time: whole seconds since the epoch and nanoseconds */
  sec: number;
  nsec: number;
}

/** Distinct events remembered per connection (the first of each). */
const SLOTS = 6;

/** Events that show a derived condition (the anomaly ones come from the tracker's EVENT_ANOMALY). */
const DERIVED_EVIDENCE: ReadonlyArray<[string, number[]]> = [
  ['handshake-incomplete', [Ev.SYN_ACK, Ev.HANDSHAKE_RESET]],
  ['half-closed-at-end', [Ev.FIN_ACTIVE]],
  ['syn-unanswered', [Ev.HANDSHAKE_RESET]],
  // a reset of any kind (after close, from a host without state) is what a reset is shown by
  ['reset', [Ev.RESET, Ev.RESET_AFTER_CLOSE, Ev.RESET_NO_STATE]],
  ['half-open', [Ev.RESET_NO_STATE]],
  ['ack-unseen', [Ev.FIN_UNSEEN]],
];

/** Which events to remember for the conditions in `mask`. */
export function evidenceEvents(mask: ConditionMask): Uint8Array {
  const want = new Uint8Array(Ev.COUNT);
  for (let ev = 0; ev < Ev.COUNT; ev++) if ((EVENT_ANOMALY[ev] & mask) !== 0) want[ev] = 1;
  for (const [name, evs] of DERIVED_EVIDENCE) if ((conditionBit(name) & mask) !== 0) for (const ev of evs) want[ev] = 1;
  return want;
}

export class EvidenceCollector {
  private readonly want: Uint8Array;
  private capacity = 0;
  private count = new Uint8Array(0);
  private event = new Uint8Array(0);
  private packet = new Float64Array(0);
  private sec = new Float64Array(0);
  private nsec = new Uint32Array(0);

  /** Remember the events that show the conditions in `mask`. */
  constructor(mask: ConditionMask) {
    this.want = evidenceEvents(mask);
    this.grow(1024);
  }

  /** After the tracker has seen a packet: note its first occurrence of each wanted event. */
  observe(frame: Frame, r: PacketResult): void {
    const n = r.eventCount;
    if (n === 0 || !r.tcp) return;
    const row = r.conn;
    if (row < 0) return;
    const want = this.want;
    for (let i = 0; i < n; i++) {
      const ev = r.events[i];
      if (want[ev] === 0) continue;
      // rows grow only as far as a wanted event goes: a SYN flood's million rows, none of which
      // shows one, cost nothing here (they took 120 MB of slots)
      if (row >= this.capacity) this.grow(Math.max(row + 1, this.capacity * 2));
      const base = row * SLOTS;
      const used = this.count[row];
      let seen = false;
      for (let k = 0; k < used; k++) if (this.event[base + k] === ev) { seen = true; break; }
      if (seen || used >= SLOTS) continue;
      const at = base + used;
      this.event[at] = ev;
      this.packet[at] = frame.number;
      this.sec[at] = frame.tsSec;
      this.nsec[at] = frame.tsNsec;
      this.count[row] = used + 1;
    }
  }

  /** The evidence of the connection in `row`, which is ending; clears the row for reuse. */
  take(row: number): Evidence[] {
    if (row < 0 || row >= this.capacity) return [];
    const used = this.count[row];
    if (used === 0) return [];
    const out: Evidence[] = [];
    const base = row * SLOTS;
    for (let k = 0; k < used; k++) {
      out.push({ event: EVENT_NAMES[this.event[base + k]], packet: this.packet[base + k], sec: this.sec[base + k], nsec: this.nsec[base + k] });
    }
    this.count[row] = 0;
    return out;
  }

  /** Forget a row without building anything (a connection with nothing to report). */
  clear(row: number): void {
    if (row >= 0 && row < this.capacity) this.count[row] = 0;
  }

  private grow(rows: number): void {
    const copy = <T extends Uint8Array | Float64Array | Uint32Array>(old: T, make: (n: number) => T, per: number): T => {
      const a = make(rows * per);
      a.set(old as never);
      return a;
    };
    this.count = copy(this.count, (n) => new Uint8Array(n), 1);
    this.event = copy(this.event, (n) => new Uint8Array(n), SLOTS);
    this.packet = copy(this.packet, (n) => new Float64Array(n), SLOTS);
    this.sec = copy(this.sec, (n) => new Float64Array(n), SLOTS);
    this.nsec = copy(this.nsec, (n) => new Uint32Array(n), SLOTS);
    this.capacity = rows;
  }
}

let warmed = false;

/** Calls of `observe` in the warm-up: past V8's lazy feedback allocation, short of optimising it. */
const WARM_UP_CALLS = 300;

/**
 * Run `observe` through every branch once per process, on a throwaway collector, before the
 * input. Why: the reading loop inlines it, and V8 optimises that loop long before a capture's first
 * wanted event (the first reset or refusal may come thousands of packets in); the branches past
 * the `want` test then had no type feedback, and their first use threw the loop's optimised code
 * away (a deoptimisation and a second compilation, on MANY ~15 ms of CPU).
 */
export function warmUpEvidence(): void {
  if (warmed) return;
  warmed = true;
  const e = new EvidenceCollector(ALL_CONDITIONS);
  const frame = newFrame();
  const r = new PacketResult();
  const kinds = [Ev.SYN_ACK, Ev.RESET, Ev.FIN_ACTIVE, Ev.REFUSED, Ev.HANDSHAKE_RESET, Ev.RESET_NO_STATE, Ev.FIN_UNSEEN, Ev.RETRANSMISSION];
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    r.reset();
    r.tcp = true;
    // rows spread past the first growth; a row sees each kind, repeats, and more than SLOTS kinds
    r.conn = (i * 7) % 1500;
    r.add(kinds[i % kinds.length]);
    r.add(kinds[(i + 3) % kinds.length]);
    r.add(kinds[i % kinds.length]);
    frame.number = i + 1;
    frame.tsSec = 1_700_000_000 + i;
    frame.tsNsec = i * 1000;
    e.observe(frame, r);
    if (i % 3 === 0) e.take(r.conn);
    else if (i % 3 === 1) e.clear(r.conn);
  }
}
