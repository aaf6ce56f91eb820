/**
 * Writing text as bytes straight into Output's buffer, for the lines printed once per packet.
 *
 * Why: a line built by string concatenation is a rope of a dozen pieces that V8 must allocate,
 * flatten into one more string and then encode as UTF-8 on the way out: on a capture of small
 * packets that was half of the printing time. Here each piece is either a number written as
 * digits or a text encoded once (a table entry, a cached address), copied byte by byte.
 *
 * Every function takes the buffer and a position and returns the position after what it wrote;
 * the caller has reserved the room (Output.reserve) and stores the final position in Output.len.
 */

/** "00".."99" as pairs of ASCII digits: two digits per division */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[i * 2] = 48 + ((i / 10) | 0);
  PAIRS[i * 2 + 1] = 48 + (i % 10);
}

/** The UTF-8 bytes of a text (made once, kept in a table or cache by the caller). */
export function encode(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

/** Copy `src` whole to `buf` at `pos` (a loop: small enough for V8 to inline at every call). */
export function putBytes(buf: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  for (let i = 0; i < n; i++) buf[pos + i] = src[i];
  return pos + n;
}

/**
 * putBytes for pieces usually longer than ~20 bytes (annotation words, state changes): a JS
 * loop costs ~1.5-2 ns a byte (a bounds check on each side), TypedArray#set ~20-30 ns whatever
 * the length (a memcpy behind a native call). Short ones still go through the loop.
 */
export function putLong(buf: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n <= 20) return putBytes(buf, pos, src);
  buf.set(src, pos);
  return pos + n;
}

/** Decimal digits of an integer 0 ≤ n < 2^32. */
export function putUint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = 48 + n;
    return pos + 1;
  }
  const end = pos + digitCount(n);
  let i = end;
  while (n >= 100) {
    const q = (n / 100) >>> 0;
    const r = (n - q * 100) * 2;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    n = q;
  }
  if (n >= 10) {
    buf[--i] = PAIRS[n * 2 + 1];
    buf[--i] = PAIRS[n * 2];
  } else buf[--i] = 48 + n;
  return end;
}

/** Exactly `width` decimal digits of 0 ≤ n < 10^width, zero-padded (fractions of a second). */
export function putFixed(buf: Uint8Array, pos: number, n: number, width: number): number {
  for (let i = pos + width - 1; i >= pos; i--) {
    const q = (n / 10) >>> 0;
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  return pos + width;
}

function digitCount(n: number): number {
  if (n < 100000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 10000000 ? (n < 1000000 ? 6 : 7) : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/**
 * A text of any characters: ASCII is copied as it is, and from the first other character on the
 * rest goes through Buffer's UTF-8 encoder (the caller reserved 3 bytes per character).
 */
export function putString(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return pos + i + buf.write(i === 0 ? s : s.slice(i), pos + i);
    buf[pos + i] = c;
  }
  return pos + n;
}

/** `n` spaces. */
export function putSpaces(buf: Uint8Array, pos: number, n: number): number {
  const end = pos + n;
  for (let i = pos; i < end; i++) buf[i] = 32;
  return end;
}
