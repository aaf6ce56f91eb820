/**
 * putDuration (annotations) writes a duration without toFixed: for every value it must write
 * exactly formatDuration's text, including values on and next to a rounding tie, at the unit
 * boundaries, and the odd ones (negative, NaN, huge) it hands to formatDuration.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, putDuration } from '../../src/print/annotate.js';

const buf = Buffer.alloc(128);
function written(sec: number): string {
  return buf.toString('utf8', 5, putDuration(buf, 5, sec));
}

describe('putDuration', () => {
  it('boundaries_ties_and_odd_values_write_formatDuration_text', () => {
    const values = [0, 1e-9, 0.0000005, 0.0005, 0.0009995, 0.00099995, 0.001, 0.00105, 0.0015, 0.00125, 0.0124999, 0.01245,
      0.1, 0.2, 0.3, 0.9999, 0.99995, 0.999951, 1, 1.0005, 1.2345, 2.5, 9.9995, 9.99949, 10, 12.25, 12.35, 99.95, 999.94,
      999.95, 999.96, 1000, 1000.5, 7200.4999, 4294967294.6, 1e12, -0.0005, -1, NaN, Infinity];
    for (const v of values) expect({ v, text: written(v) }).toEqual({ v, text: formatDuration(v) });
  });

  it('values_from_time_stamp_differences_write_formatDuration_text', () => {
    // the way the tracker makes them: differences of seconds-since-epoch doubles, over every
    // microsecond offset near the unit boundaries and at random across the ranges
    let seed = 12345;
    const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; };
    const base = 1700000000.123456;
    for (let us = 0; us < 3000; us++) {
      const v = (base + us / 1e6) - base;
      expect(written(v)).toBe(formatDuration(v));
    }
    for (let i = 0; i < 20000; i++) {
      const v = Math.floor(rand() * 10 ** (2 + Math.floor(rand() * 9))) / 1e6;
      const d = (base + v) - base;
      expect(written(v)).toBe(formatDuration(v));
      expect(written(d)).toBe(formatDuration(d));
    }
  });
});
