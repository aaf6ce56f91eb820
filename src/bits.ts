/**
 * Counting per bit of a mask: one counter per set bit, for the per-connection tallies of
 * conditions (check/judge.ts) and anomalies (print/json.ts). A leaf module (no imports) so either
 * side can use it without loading the other's code.
 */

/**
 * Add one to `counts[i]` for every bit `i` set in `mask` (all 32 bits). Visits the set bits only,
 * lowest first: a connection shows one or two conditions, not twenty.
 */
export function tallyBits(counts: Float64Array, mask: number): void {
  // m & -m isolates the lowest set bit; m & (m - 1) clears it (int32 arithmetic: bit 31 works too)
  for (let m = mask | 0; m !== 0; m &= m - 1) counts[31 - Math.clz32(m & -m)]++;
}
