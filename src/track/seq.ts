/**
 * Wrap-safe TCP sequence-number arithmetic (RFC 1982 serial numbers, as RFC 793 §3.3 uses them).
 *
 * Sequence numbers are unsigned 32-bit values that wrap: 0xffffff00 is *before* 0x00000010.
 * Comparing them as plain numbers is wrong near the wrap, so every comparison in the tracker
 * goes through these helpers, which look at the signed 32-bit distance between two values.
 */

/** Signed distance a − b, in (−2^31, 2^31]: positive when a is after b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** a is strictly before b. */
export function seqLT(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a is before or equal to b. */
export function seqLE(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a is strictly after b. */
export function seqGT(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a is after or equal to b. */
export function seqGE(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of a and b. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** lo ≤ x < lo + len (a window of len octets starting at lo). */
export function seqInWindow(x: number, lo: number, len: number): boolean {
  const d = (x - lo) | 0;
  return d >= 0 && d < len;
}
