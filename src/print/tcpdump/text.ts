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
