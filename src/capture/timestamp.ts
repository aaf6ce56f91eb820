/**
 * pcapng time stamps: a 64-bit count of units since the epoch, where the unit is 10^-n or 2^-n
 * seconds (`if_tsresol`), plus a per-interface offset in seconds (`if_tsoffset`).
 *
 * A 64-bit count does not fit a double (nanosecond counts are already past 2^53), so the split
 * into seconds and nanoseconds is done exactly without BigInt for every resolution up to 2^-37 s
 * (which covers micro-, nano- and picosecond-tenths files): short counts in one division, longer
 * ones by long division in 16-bit digits. Resolutions finer than that are exotic; they take a
 * BigInt path (allocating, but exact).
 */

/** How one interface's time stamps turn into seconds and nanoseconds. */
export class TimestampScale {
  /** units per second (10^n or 2^n) as a double; exact for every accepted resolution */
  readonly unitsPerSecond: number;
  /** seconds added to every time stamp (if_tsoffset) */
  readonly offsetSeconds: number;
  /** the fast paths below apply (units ≤ 2^37 and an exact fraction → ns conversion) */
  private readonly exact: boolean;
  /** decimal: 10^(9-n) when n ≤ 9 (multiply), else 10^(n-9) (divide); binary: 0 */
  private readonly nsFactor: number;
  private readonly decimal: boolean;
  private readonly unitsBig: bigint;

  /**
   * @param resolution the if_tsresol byte: bit 7 clear = 10^-n, set = 2^-n (n = low 7 bits)
   * @param offsetSeconds if_tsoffset
   */
  constructor(resolution: number, offsetSeconds = 0) {
    const n = resolution & 0x7f;
    this.decimal = (resolution & 0x80) === 0;
    this.offsetSeconds = offsetSeconds;
    this.unitsPerSecond = this.decimal ? 10 ** n : 2 ** n;
    this.unitsBig = this.decimal ? 10n ** BigInt(n) : 1n << BigInt(n);
    if (this.decimal) {
      this.nsFactor = n <= 9 ? 10 ** (9 - n) : 10 ** (n - 9);
      this.exact = n <= 11;
    } else {
      this.nsFactor = 0;
      this.exact = n <= 23;
    }
  }

  /** 10^-6, the default when an interface has no if_tsresol option. */
  static readonly MICRO = 6;

  /**
   * Split the 64-bit count `hi·2^32 + lo` and store it in `out.tsSec`/`out.tsNsec`.
   * No allocation on the usual resolutions.
   */
  apply(hi: number, lo: number, out: { tsSec: number; tsNsec: number }): void {
    if (!this.exact) { this.applyBig(hi, lo, out); return; }
    const units = this.unitsPerSecond;
    let sec: number;
    let rem: number;
    // Both branches divide an exact integer x < 2^53 by units: floor(x / units) is then exact,
    // because a quotient k - e just below an integer k has e ≥ 1/units, which is at least half
    // an ulp of k (k < 2^53 / units), so the division never rounds up onto k.
    if (hi < 0x200000) {
      // the count is below 2^53: one division
      const t = hi * 4294967296 + lo;
      sec = Math.floor(t / units);
      rem = t - sec * units;
    } else {
      // long division in 16-bit digits: remainder·2^16 + digit stays below 2^53 since units ≤ 2^37
      sec = 0;
      rem = 0;
      for (let i = 0; i < 4; i++) {
        const digit = i === 0 ? hi >>> 16 : i === 1 ? hi & 0xffff : i === 2 ? lo >>> 16 : lo & 0xffff;
        const cur = rem * 65536 + digit;
        const q = Math.floor(cur / units);
        rem = cur - q * units;
        sec = sec * 65536 + q;
      }
    }
    out.tsSec = sec + this.offsetSeconds;
    if (this.decimal) {
      // finer than 1 ns: rem < 10^11 is exact and the same argument makes the floor exact
      out.tsNsec = units <= 1e9 ? rem * this.nsFactor : Math.floor(rem / this.nsFactor);
    } else {
      // rem < 2^23, so rem·10^9 < 2^53 is exact and the division by 2^n is exact too (finer
      // binary resolutions take the BigInt path, though exactness holds a little further)
      out.tsNsec = Math.floor((rem * 1e9) / units);
    }
  }

  private applyBig(hi: number, lo: number, out: { tsSec: number; tsNsec: number }): void {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const sec = t / this.unitsBig;
    const rem = t % this.unitsBig;
    out.tsSec = Number(sec) + this.offsetSeconds;
    out.tsNsec = Number((rem * 1_000_000_000n) / this.unitsBig);
  }
}
