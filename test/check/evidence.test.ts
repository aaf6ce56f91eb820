/**
 * The evidence collector on its own: first occurrence of each wanted event per connection, at
 * most six, handed over once and forgotten with the row; rows cleared and used again by another
 * connection start empty. Names: state_event_outcome.
 */
import { describe, expect, test } from 'vitest';
import { type Frame, newFrame } from '../../src/capture/frame.js';
import { ALL_CONDITIONS, EvidenceCollector, conditionBit } from '../../src/check/index.js';
import { warmUpEvidence } from '../../src/check/evidence.js';
import { EVENT_NAMES, Ev } from '../../src/track/events.js';
import { PacketResult } from '../../src/track/result.js';

function frame(number: number): Frame {
  return { ...newFrame(), tsSec: 1_700_000_000 + number, tsNsec: number * 7, number };
}

function observe(e: EvidenceCollector, row: number, number: number, ...events: number[]): void {
  const r = new PacketResult();
  r.tcp = true;
  r.conn = row;
  for (const ev of events) r.add(ev);
  e.observe(frame(number), r);
}

describe('EvidenceCollector', () => {
  test('warmUpTwice_warmUpEvidence_doesNotThrowAndCollectorsWorkAfter', () => {
    warmUpEvidence();
    warmUpEvidence(); // once per process: the second call does nothing
    const e = new EvidenceCollector(ALL_CONDITIONS);
    for (let row = 0; row < 1500; row++) expect(e.take(row)).toEqual([]);
    observe(e, 7, 1, Ev.RESET);
    expect(e.take(7).map((x) => x.packet)).toEqual([1]);
  });

  test('eventsOnManyRows_take_firstOfEachInOrderPerRow', () => {
    const e = new EvidenceCollector(ALL_CONDITIONS);
    // rows far apart and past the first growth of the per-row arrays (1,024 rows)
    const rows = Array.from({ length: 700 }, (_, i) => i * 37);
    rows.forEach((row, i) => observe(e, row, 10 * i, Ev.RESET));
    rows.forEach((row, i) => observe(e, row, 10 * i + 1, Ev.RESET, Ev.REFUSED));
    rows.forEach((row, i) => {
      expect(e.take(row)).toEqual([
        { event: EVENT_NAMES[Ev.RESET], packet: 10 * i, sec: 1_700_000_000 + 10 * i, nsec: 70 * i },
        { event: EVENT_NAMES[Ev.REFUSED], packet: 10 * i + 1, sec: 1_700_000_000 + 10 * i + 1, nsec: 7 * (10 * i + 1) },
      ]);
      // taken once: the row is empty after
      expect(e.take(row)).toEqual([]);
    });
  });

  test('rowWithoutEvents_takeOrClear_emptyAndNothingKept', () => {
    const e = new EvidenceCollector(ALL_CONDITIONS);
    expect(e.take(5)).toEqual([]);
    expect(e.take(1 << 20)).toEqual([]);
    e.clear(1 << 20);
    e.clear(-1);
    expect(e.take(-1)).toEqual([]);
  });

  test('unwantedEvent_observe_notKept', () => {
    const e = new EvidenceCollector(conditionBit('reset'));
    observe(e, 3, 1, Ev.REFUSED);
    expect(e.take(3)).toEqual([]);
    observe(e, 3, 2, Ev.REFUSED, Ev.RESET);
    expect(e.take(3).map((x) => x.packet)).toEqual([2]);
  });

  test('moreThanSixDistinctEvents_observe_firstSixKept', () => {
    const e = new EvidenceCollector(ALL_CONDITIONS);
    const evs = [Ev.RESET, Ev.REFUSED, Ev.SYN_ACK, Ev.FIN_ACTIVE, Ev.HANDSHAKE_RESET, Ev.RESET_NO_STATE, Ev.FIN_UNSEEN, Ev.RESET_AFTER_CLOSE];
    evs.forEach((ev, i) => observe(e, 9, i, ev));
    expect(e.take(9).map((x) => x.packet)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('clearedRowsUsedAgain_observe_noEvidenceLeaksBetweenConnections', () => {
    const e = new EvidenceCollector(ALL_CONDITIONS);
    for (let row = 0; row < 600; row++) observe(e, row, row, Ev.RESET);
    // half cleared, then new connections in other rows, and one in a cleared row
    for (let row = 0; row < 600; row += 2) e.clear(row);
    for (let row = 1000; row < 1300; row++) observe(e, row, row, Ev.REFUSED);
    // a cleared row that is used again starts empty
    observe(e, 0, 5000, Ev.SYN_ACK);
    expect(e.take(0)).toEqual([{ event: EVENT_NAMES[Ev.SYN_ACK], packet: 5000, sec: 1_700_005_000, nsec: 35000 }]);
    for (let row = 1; row < 600; row += 2) expect(e.take(row).map((x) => [x.event, x.packet])).toEqual([[EVENT_NAMES[Ev.RESET], row]]);
    for (let row = 2; row < 600; row += 2) expect(e.take(row)).toEqual([]);
    for (let row = 1000; row < 1300; row++) expect(e.take(row).map((x) => [x.event, x.packet])).toEqual([[EVENT_NAMES[Ev.REFUSED], row]]);
  });
});
