/**
 * The print context: what every protocol printer gets (tcpdump's `netdissect_options`).
 *
 * It holds the flags, the frame's bytes with the current snap end, the line being built, the
 * name of the protocol being printed (for ` [|proto]`), the link-layer header length (for -x/-X/-A
 * without the link header) and the per-connection tables the printers consult (tcpdump's
 * relative-sequence table, owned by src/track and passed in).
 *
 * Reading the wire: every byte goes through a checked accessor (`u8`, `be16`, `be32`, ...).
 * Reading past the snap end throws TRUNCATED, one preallocated sentinel (no stack is recorded),
 * which the packet's entry point turns into ` [|proto]` after what was already printed — this is
 * tcpdump's `GET_*` + longjmp. Printers that in tcpdump check first and print ` [|proto]` in
 * place (`ND_TCHECK` + `goto trunc`) use `ttest` and `trunc()` and return normally; the two
 * differ in what tcpdump does next (after a longjmp the hex dump includes the link header).
 */
import type { Frame } from '../../capture/frame.js';
import type { TcpdumpSeqTable } from '../../track/tcpdump-seq.js';
import type { PrintOptions } from '../options.js';
import { hexAndAscii, hexOnly } from './hexdump.js';
import type { Names } from './names.js';

/** Thrown by the checked accessors when a read runs past the snap end. Never allocated per packet. */
export const TRUNCATED: { readonly truncated: true } = Object.freeze({ truncated: true as const });

export class PrintContext {
  // ---- flags (tcpdump's names, unpacked once for the hot path) -----------------------------
  readonly nflag: number;
  readonly vflag: number;
  readonly eflag: boolean;
  readonly qflag: boolean;
  readonly Sflag: boolean;
  readonly Kflag: boolean;
  readonly xflag: number;
  readonly Xflag: number;
  readonly Aflag: boolean;
  readonly nano: boolean;
  /** -x/-X/-q given: printers do not hex-dump payloads they cannot decode (tcpdump's ndo_suppress_default_print) */
  readonly suppressDefaultPrint: boolean;

  // ---- the frame -----------------------------------------------------------------------------
  frame!: Frame;
  /** bytes of the frame (a view shared with the reader: never keep it) */
  d: Uint8Array = new Uint8Array(0);
  /** index in `d` of the first captured byte */
  start = 0;
  /** index in `d` one past the last byte printers may read (tcpdump's ndo_snapend) */
  snapend = 0;

  // ---- output state --------------------------------------------------------------------------
  /** the text printed so far for this packet */
  s = '';
  /** protocol whose name goes in ` [|proto]` */
  protocol = '';
  /** bytes of link-layer header, left out of -x/-X/-A dumps */
  llHdrLen = 0;

  constructor(
    readonly opts: PrintOptions,
    readonly seq: TcpdumpSeqTable,
    readonly names: Names,
  ) {
    this.nflag = opts.numeric;
    this.vflag = opts.verbose;
    this.eflag = opts.linkHeader;
    this.qflag = opts.quick;
    this.Sflag = opts.absoluteSeq;
    this.Kflag = opts.noChecksum;
    this.xflag = opts.hex;
    this.Xflag = opts.hexAscii;
    this.Aflag = opts.ascii;
    this.nano = opts.nano;
    this.suppressDefaultPrint = opts.hex > 0 || opts.hexAscii > 0 || opts.quick;
  }

  /** Point the context at a new frame. */
  begin(frame: Frame): void {
    this.frame = frame;
    this.d = frame.data;
    this.start = frame.offset;
    this.snapend = frame.offset + frame.caplen;
    this.protocol = '';
    this.llHdrLen = 0;
  }

  // ---- checked accessors (throw TRUNCATED past the snap end) --------------------------------

  u8(o: number): number {
    if (o >= this.snapend || o < this.start) throw TRUNCATED;
    return this.d[o];
  }

  be16(o: number): number {
    if (o + 2 > this.snapend || o < this.start) throw TRUNCATED;
    const d = this.d;
    return (d[o] << 8) | d[o + 1];
  }

  be24(o: number): number {
    if (o + 3 > this.snapend || o < this.start) throw TRUNCATED;
    const d = this.d;
    return (d[o] << 16) | (d[o + 1] << 8) | d[o + 2];
  }

  be32(o: number): number {
    if (o + 4 > this.snapend || o < this.start) throw TRUNCATED;
    const d = this.d;
    return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
  }

  le16(o: number): number {
    if (o + 2 > this.snapend || o < this.start) throw TRUNCATED;
    const d = this.d;
    return d[o] | (d[o + 1] << 8);
  }

  le32(o: number): number {
    if (o + 4 > this.snapend || o < this.start) throw TRUNCATED;
    const d = this.d;
    return (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
  }

  /** Throw TRUNCATED unless `len` bytes from `o` were captured (ND_TCHECK_LEN with longjmp). */
  need(o: number, len: number): void {
    if (len < 0 || o < this.start || o + len > this.snapend) throw TRUNCATED;
  }

  /** Were `len` bytes from `o` captured? (ND_TTEST_LEN) */
  ttest(o: number, len: number): boolean {
    return len >= 0 && o >= this.start && o + len <= this.snapend;
  }

  /** Captured bytes from `o` to the snap end (ND_BYTES_AVAILABLE_AFTER). */
  bytesAfter(o: number): number {
    return o >= this.snapend ? 0 : this.snapend - o;
  }

  /** Captured bytes between `o` and the snap end, at most `len` (ND_BYTES_BETWEEN-style clip). */
  clip(o: number, len: number): number {
    const avail = this.bytesAfter(o);
    return len < avail ? len : avail;
  }

  /**
   * Cut the snap end to `end` if that is shorter (nd_push_snaplen/snapend); returns the previous
   * snap end for `popSnapend`. A printer that returns normally restores it; a TRUNCATED throw
   * needs no restore (the packet is over).
   */
  pushSnapend(end: number): number {
    const prev = this.snapend;
    if (end < prev) this.snapend = end;
    return prev;
  }

  popSnapend(prev: number): void {
    this.snapend = prev;
  }

  // ---- common output --------------------------------------------------------------------------

  /** ` [|proto]` (nd_print_trunc) */
  trunc(): void {
    this.s += ` [|${this.protocol}]`;
  }

  /** ` (invalid)` (nd_print_invalid) */
  invalid(): void {
    this.s += ' (invalid)';
  }

  /** Hex and ASCII dump of undecodable bytes, unless -x/-X/-A print the packet anyway (ND_DEFAULTPRINT). */
  defaultPrint(o: number, len: number): void {
    if (this.suppressDefaultPrint) return;
    this.hexAndAscii('\n\t', o, len);
  }

  /** print_unknown_data: hex only (no ASCII column), as much as was captured. */
  unknownData(indent: string, o: number, len: number): void {
    this.s += hexOnly(indent, this.d, o, this.clip(o, len), 0);
  }

  /** hex_and_ascii_print: dumps what was captured of `len` bytes, then ` [|proto]` if some were not. */
  hexAndAscii(indent: string, o: number, len: number): void {
    const avail = this.bytesAfter(o);
    this.s += hexAndAscii(indent, this.d, o, len < avail ? len : avail, 0);
    if (len > avail) throw TRUNCATED;
  }
}
