/**
 * pcapng time stamps: the split of a 64-bit count into seconds and nanoseconds is exact for
 * every resolution pcapng allows, checked against BigInt arithmetic on random and edge counts.
 */
import { describe as group, expect, it } from 'vitest';
import { TimestampScale } from '../../src/capture/timestamp.js';

let seed = 7;
const rnd32 = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };

function reference(resolution: number, t: bigint, offset: number): string {
  const n = BigInt(resolution & 0x7f);
  const units = resolution & 0x80 ? 1n << n : 10n ** n;
  return `${t / units + BigInt(offset)} ${((t % units) * 1000000000n) / units}`;
}

const MAX = (1n << 64n) - 1n;

/**
 * Random counts of every magnitude, plus the counts where rounding would show: just around a
 * whole second, and fractions whose nanosecond value sits just below or on an integer.
 */
const counts = (resolution: number): bigint[] => {
  const n = BigInt(resolution & 0x7f);
  const units = resolution & 0x80 ? 1n << n : 10n ** n;
  const out = [0n, 1n, 999999n, 1000000n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, MAX, 1700000000123456789n];
  for (let i = 0; i < 400; i++) {
    const hi = BigInt(rnd32() >>> (i % 32)); // every magnitude
    out.push((hi << 32n) | BigInt(rnd32()));
  }
  for (let i = 0; i < 300; i++) {
    const whole = ((BigInt(rnd32()) << 32n) | BigInt(rnd32())) % (MAX / units + 1n);
    const ns = BigInt(rnd32() % 1000000000);
    const at = (ns * units) / 1000000000n; // the fraction for that many nanoseconds, rounded down
    for (const rem of [0n, 1n, units - 1n, at, at + 1n, at - 1n]) {
      const t = whole * units + rem;
      if (rem >= 0n && rem < units && t <= MAX) out.push(t);
    }
  }
  return out;
};

group('TimestampScale', () => {
  const resolutions = [...Array.from({ length: 20 }, (_, i) => i), ...Array.from({ length: 64 }, (_, i) => 0x80 | i)];
  for (const resolution of resolutions) {
    it(`${resolution & 0x80 ? '2' : '10'}^-${resolution & 0x7f} s`, () => {
      const scale = new TimestampScale(resolution, resolution === 6 ? -3600 : 0);
      const out = { tsSec: 0, tsNsec: 0 };
      for (const t of counts(resolution)) {
        scale.apply(Number(t >> 32n), Number(t & 0xffffffffn), out);
        const want = reference(resolution, t, resolution === 6 ? -3600 : 0);
        // seconds beyond 2^53 cannot be exact in a number; everything a real file holds is far below
        const [ws, wn] = want.split(' ');
        if (BigInt(ws) < 1n << 53n && BigInt(ws) > -(1n << 53n)) expect(`${out.tsSec} ${out.tsNsec}`, `count ${t}`).toBe(want);
        else expect(out.tsNsec, `count ${t}`).toBe(Number(wn));
      }
    });
  }
});
