/** Character and string output helpers shared by printers (util-print.c). */

/** fn_print_char: `M-` for bytes ≥ 0x80, `^X` for control characters (DEL as `^?`). */
export const FN_CHAR: readonly string[] = Array.from({ length: 256 }, (_, c) => {
  let s = '';
  if (c >= 0x80) {
    c &= 0x7f;
    s += 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
});

export function fnPrintChar(c: number): string {
  return FN_CHAR[c & 0xff];
}

const RELTS_UNITS = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']] as const;

/** unsigned_relts_print: seconds as `1y2w3d4h5m6s` (`0s` for none) */
export function relTime(secs: number): string {
  if (secs === 0) return '0s';
  let s = '';
  for (const [n, u] of RELTS_UNITS) {
    if (secs >= n) {
      s += Math.floor(secs / n) + u;
      secs %= n;
    }
  }
  return s;
}
