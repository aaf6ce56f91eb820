/**
 * The flow record's numbers are written as text without the general double-to-string
 * conversion (flow.ts: microsText, round6Text, epochText). They must be exactly what
 * JSON.stringify prints for the same doubles, which is what the records promise.
 */
import { describe, expect, test } from 'vitest';
import { epochText, microsText, round6Text } from '../../src/track/flow.js';

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const epoch = (sec: number, nsec: number): number => sec + Math.round(nsec / 1000) / 1e6;

/** deterministic xorshift, so a failure names a value that can be replayed */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

describe('flow record numbers', () => {
  test('round6Text_randomDurations_equalJsonStringify', () => {
    const r = rng(7);
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      // seconds from microseconds to days, some negative, some with noise below the microsecond
      const scale = 10 ** Math.floor(r() * 12 - 6);
      const x = (r() - 0.1) * scale;
      if (round6Text(x) !== JSON.stringify(round6(x)) && wrong.length < 10) wrong.push(`${x}: ${round6Text(x)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('round6Text_edgeValues_equalJsonStringify', () => {
    const values = [0, -0, 1e-7, 4.9e-7, 5e-7, 1e-6, 0.0000015, 0.1, 0.5, 1, 59.999999, 60, 3600.0000005,
      2 ** 33 - 1e-6, 2 ** 33, 2 ** 33 + 0.5, 1e12, 1e15, 1e21, -1e-6, -0.0000004, -123.456789, NaN, Infinity, -Infinity];
    for (const x of values) expect(round6Text(x), `x=${x}`).toBe(JSON.stringify(round6(x)));
  });

  test('microsText_everyFractionNearAYear2023Second_equalsJsonStringify', () => {
    // every microsecond of one second: each fraction's digits, trailing zeros and carry
    const wrong: string[] = [];
    for (let us = 0; us < 1_000_000; us++) {
      const k = 1_700_000_000 * 1e6 + us;
      if (microsText(k) !== JSON.stringify(k / 1e6) && wrong.length < 10) wrong.push(`${k}: ${microsText(k)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('epochText_randomTimes_equalJsonStringify', () => {
    const r = rng(11);
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const sec = Math.floor(r() * 2 ** 33);
      // nanoseconds, including ones that round up to the next second
      const nsec = i % 10 === 0 ? 999_999_500 + Math.floor(r() * 500) : Math.floor(r() * 1e9);
      if (epochText(sec, nsec) !== JSON.stringify(epoch(sec, nsec)) && wrong.length < 10) wrong.push(`${sec} ${nsec}: ${epochText(sec, nsec)}`);
    }
    expect(wrong).toEqual([]);
  });

  test('epochText_outOfRange_fallsBackToTheSameText', () => {
    for (const [sec, nsec] of [[0, 0], [0, 1000], [0, 999], [2 ** 33, 1000], [2 ** 40, 123456789], [1_700_000_000, 1_500_000_000], [4294967295, 999_999_999]]) {
      expect(epochText(sec, nsec), `sec=${sec} nsec=${nsec}`).toBe(JSON.stringify(epoch(sec, nsec)));
    }
  });
});
