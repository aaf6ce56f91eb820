/**
 * tcpdump's packet dumps: -x (hex), -X (hex and ASCII), -A (ASCII), and the hex-and-ASCII
 * "default print" of bytes no printer understands. Byte-for-byte tcpdump's layout:
 * `\n\t0x0010:  4500 003c ...` with 16 bytes per line, the hex column padded to 40 characters
 * and two spaces before the ASCII column in -X; odd trailing bytes as ` xx`.
 */

/** two lowercase hex digits for every byte value */
export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** `0x%04x` for line offsets (offsets past 0xffff print as more digits, as printf does) */
function offset4(n: number): string {
  return n < 0x10000 ? '0x' + HEX2[n >> 8] + HEX2[n & 0xff] : '0x' + n.toString(16);
}
/** the -X ASCII column shows printable non-space characters, '.' for everything else */
const GRAPH: readonly string[] = Array.from({ length: 256 }, (_, i) => (i > 0x20 && i < 0x7f ? String.fromCharCode(i) : '.'));

const HEXSTUFF_PER_LINE = 40; // 8 groups of " xxxx"

/** hex_and_ascii_print_with_offset: `len` bytes from `o` (all captured: the caller clips). */
export function hexAndAscii(indent: string, d: Uint8Array, o: number, len: number, offset: number): string {
  let out = '';
  let hex = '';
  let asc = '';
  let i = 0;
  let n = len >> 1;
  while (n-- > 0) {
    const a = d[o++];
    const b = d[o++];
    hex += ' ' + HEX2[a] + HEX2[b];
    asc += GRAPH[a] + GRAPH[b];
    if (++i >= 8) {
      out += indent + offset4(offset) + ': ' + hex + '  ' + asc;
      i = 0;
      hex = '';
      asc = '';
      offset += 16;
    }
  }
  if (len & 1) {
    const a = d[o++];
    hex += ' ' + HEX2[a];
    asc += GRAPH[a];
    i++;
  }
  if (i > 0) out += indent + offset4(offset) + ': ' + hex.padEnd(HEXSTUFF_PER_LINE) + '  ' + asc;
  return out;
}

/** hex_print_with_offset: `len` bytes from `o` in hex only (all captured: the caller clips). */
export function hexOnly(indent: string, d: Uint8Array, o: number, len: number, offset: number): string {
  let out = '';
  let i = 0;
  let n = len >> 1;
  while (n-- > 0) {
    if (i++ % 8 === 0) {
      out += indent + offset4(offset) + ': ';
      offset += 16;
    }
    out += ' ' + HEX2[d[o]] + HEX2[d[o + 1]];
    o += 2;
  }
  if (len & 1) {
    if (i % 8 === 0) out += indent + offset4(offset) + ': ';
    out += ' ' + HEX2[d[o]];
  }
  return out;
}

/**
 * ascii_print: a newline, then the bytes with unprintable ones as '.', tabs, spaces and newlines
 * as themselves, and a CR dropped when a LF follows it (or when it is one of the last two bytes).
 */
export function asciiDump(d: Uint8Array, o: number, len: number): string {
  let out = '\n';
  const end = o + len;
  let runStart = o;
  while (o < end) {
    const c = d[o];
    if (c >= 0x20 && c < 0x7f) { o++; continue; }
    if (o > runStart) out += latin1(d, runStart, o);
    o++;
    const left = end - o;
    if (c === 0x0d) {
      if (left > 1 && d[o] !== 0x0a) out += '.';
    } else if (c === 0x09 || c === 0x0a) {
      out += c === 0x09 ? '\t' : '\n';
    } else {
      out += '.';
    }
    runStart = o;
  }
  if (o > runStart) out += latin1(d, runStart, o);
  return out;
}

function latin1(d: Uint8Array, from: number, to: number): string {
  if (to - from < 64) {
    let s = '';
    for (let i = from; i < to; i++) s += String.fromCharCode(d[i]);
    return s;
  }
  return Buffer.from(d.buffer, d.byteOffset + from, to - from).toString('latin1');
}
