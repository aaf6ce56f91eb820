/**
 * The one's-complement sum (src/decode/checksum.ts) reads long ranges as 32-bit words of the
 * underlying buffer: it must equal the plain byte-pair sum for every start address parity and
 * alignment, every length (odd ones padded), views with any byteOffset, and any initial sum.
 */
import { describe, expect, test } from 'vitest';
import { foldSum, onesSum } from '../../src/decode/checksum.js';
import { onesSum as trackSum } from '../../src/track/checksum.js';

function reference(d: Uint8Array, o: number, len: number, sum = 0): number {
  for (let i = 0; i + 1 < len; i += 2) sum += (d[o + i] << 8) | d[o + i + 1];
  if (len & 1) sum += d[o + len - 1] << 8;
  return foldSum(sum);
}

describe('one sum', () => {
  test('onesSum_everyAlignmentAndLength_equalsBytePairSum', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const backing = new ArrayBuffer(8192);
    const all = new Uint8Array(backing);
    for (let i = 0; i < all.length; i++) all[i] = Math.floor(rnd() * 256);
    const wrong: string[] = [];
    for (let byteOffset = 0; byteOffset < 8; byteOffset++) {
      // a view starting at any address, as a reader's chunk inside a bigger buffer can
      const d = new Uint8Array(backing, byteOffset, 8000);
      for (let k = 0; k < 600; k++) {
        const o = Math.floor(rnd() * 3000);
        const len = k < 300 ? k : Math.floor(rnd() * 4000);
        const init = k % 3 === 0 ? 0 : Math.floor(rnd() * 0x3ffff);
        const got = foldSum(onesSum(d, o, len, init));
        if (got !== reference(d, o, len, init) && wrong.length < 10) wrong.push(`byteOffset ${byteOffset} o ${o} len ${len} init ${init}`);
        if (trackSum(d, o, o + len) !== reference(d, o, len) && wrong.length < 10) wrong.push(`track: byteOffset ${byteOffset} o ${o} len ${len}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('onesSum_allOnes_foldsWithoutOverflow', () => {
    // 64 kB of 0xff: the largest sums the word path accumulates
    const d = new Uint8Array(65536).fill(0xff);
    for (const len of [65536, 65535, 40001, 1500]) expect(foldSum(onesSum(d, 0, len))).toBe(reference(d, 0, len));
  });
});
