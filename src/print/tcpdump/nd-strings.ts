/**
 * String and dump helpers that several protocol printers share (util-print.c): counted and
 * NUL-terminated strings with tcpdump's escaping, and `print_unknown_data`'s hex dump.
 */
import type { PrintContext } from './context.js';
import { FN_CHAR } from './text.js';
import { hexOnly } from './hexdump.js';

/**
 * nd_printjnp: at most `n` bytes from `o`, stopping at a NUL, each through fn_print_char.
 * A byte past the snap end throws TRUNCATED (tcpdump's GET_U_1).
 */
export function ndPrintjnp(ctx: PrintContext, o: number, n: number): void {
  // appended byte by byte: when the string runs past the snap end, what came before stays printed
  for (let i = 0; i < n; i++) {
    const c = ctx.u8(o + i);
    if (c === 0) break;
    ctx.s += FN_CHAR[c];
  }
}

/** nd_printn: exactly `n` bytes from `o` through fn_print_char (NULs included, as `^@`). */
export function ndPrintn(ctx: PrintContext, o: number, n: number): void {
  for (let i = 0; i < n; i++) ctx.s += FN_CHAR[ctx.u8(o + i)];
}

/**
 * print_unknown_data: a hex dump (no ASCII column) of what was captured of `len` bytes, each
 * line starting with `indent`; never throws. Returns false when `o` is already past the snap end.
 */
export function printUnknownData(ctx: PrintContext, o: number, indent: string, len: number): boolean {
  if (o > ctx.snapend || o < ctx.start) {
    ctx.s += indent + 'Dissector error: print_unknown_data called with pointer past end of packet';
    return false;
  }
  const avail = ctx.snapend - o;
  if (len > avail) len = avail;
  if (len > 0) ctx.s += hexOnly(indent, ctx.d, o, len, 0);
  return true;
}

/** `%02x` */
export function hex2(v: number): string {
  const s = (v & 0xff).toString(16);
  return s.length < 2 ? '0' + s : s;
}

/** `%04x` */
export function hex4(v: number): string {
  const s = (v & 0xffff).toString(16);
  return s.length >= 4 ? s : '0000'.slice(s.length) + s;
}

/** `%08x` */
export function hex8(v: number): string {
  const s = (v >>> 0).toString(16);
  return s.length >= 8 ? s : '00000000'.slice(s.length) + s;
}
