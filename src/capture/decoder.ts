/**
 * The format-independent part of reading a capture: recognise the file by its first bytes, then
 * hand every step to the pcap or pcapng reader. A step consumes one unit (file header, record,
 * block) from a window of bytes and reports how many bytes it needs when the window holds only
 * part of one, which is what lets the same code run over a file's big reusable chunk
 * (`CaptureReader`) and over whatever chunks a stream delivers (`CaptureParser`).
 */
import { TcpscopeError, type ErrorCode } from '../errors.js';
import { u32le } from './bytes.js';
import { type Frame, newFrame } from './frame.js';
import type { CaptureInfo, DecodeContext } from './info.js';
import { PcapFormat, pcapMagic } from './pcap.js';
import { BT_SHB, PcapngFormat } from './pcapng.js';

/** What the first bytes of an input say it is. */
export type Magic = 'pcap' | 'pcapng' | 'gzip' | 'unknown';

/** Classify an input by its first bytes (at least 4 wanted; fewer give 'unknown' unless gzip). */
export function sniffMagic(b: Uint8Array, pos = 0, end = b.length): Magic {
  if (end - pos >= 2 && b[pos] === 0x1f && b[pos + 1] === 0x8b) return 'gzip';
  if (end - pos < 4) return 'unknown';
  const w = u32le(b, pos);
  if (pcapMagic(w) !== null) return 'pcap';
  if (w === BT_SHB) return 'pcapng';
  return 'unknown';
}

/** Other formats people hand to a pcap reader, recognised so the error can say what to do. */
const FOREIGN: Array<{ bytes: number[]; what: string }> = [
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file: decompress it first (zstd -d), or pipe it: zstd -dc FILE | tcpscope -r -' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file: decompress it first (xz -d), or pipe it: xz -dc FILE | tcpscope -r -' },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file: decompress it first (bunzip2), or pipe it: bzip2 -dc FILE | tcpscope -r -' },
  { bytes: [0x04, 0x22, 0x4d, 0x18], what: 'an lz4-compressed file: decompress it first (lz4 -d)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive: extract the capture from it first' },
  { bytes: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], what: 'a Solaris snoop capture: convert it with editcap -F pcap FILE OUT.pcap' },
  { bytes: [0x47, 0x4d, 0x42, 0x55], what: 'a Microsoft Network Monitor capture: convert it with editcap -F pcap FILE OUT.pcap' },
];

/** bytes looked at to say what a file that is not a capture looks like */
const FOREIGN_LOOK = 64;

function describeForeign(b: Uint8Array, pos: number, end: number): string {
  for (const f of FOREIGN) {
    if (end - pos >= f.bytes.length && f.bytes.every((v, i) => b[pos + i] === v)) return f.what;
  }
  const n = Math.min(end - pos, 4);
  const shown = Array.from(b.subarray(pos, pos + n), (v) => v.toString(16).padStart(2, '0')).join(' ');
  let printable = n > 0;
  for (let i = pos; i < Math.min(end, pos + FOREIGN_LOOK); i++) {
    const c = b[i];
    if (!(c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2)) { printable = false; break; }
  }
  const hint = printable ? ' It looks like text: was it written with tcpdump -w (not tcpdump > FILE)?' : '';
  return `not a capture file: it starts with ${shown}, expected a pcap magic number (a1b2c3d4 or a1b23c4d, either byte order) or a pcapng section header (0a 0d 0d 0a).${hint}`;
}

export class CaptureDecoder implements DecodeContext {
  readonly frame: Frame = newFrame();
  readonly info: CaptureInfo = {
    format: 'pcap',
    compression: null,
    littleEndian: true,
    versionMajor: 0,
    versionMinor: 0,
    nanosecond: false,
    modified: false,
    sections: 0,
    interfaces: [],
  };
  need = 4;
  produced = false;
  frames = 0;
  base = 0;
  private format: PcapFormat | PcapngFormat | null = null;

  /** @param name how the input is named in error messages */
  constructor(public name: string) {}

  /** The file header has been recognised and the first interface is known. */
  get ready(): boolean {
    return this.info.interfaces.length > 0;
  }

  fail(code: ErrorCode, message: string, pos: number): never {
    throw new TcpscopeError(code, message, { file: this.name, offset: this.base + pos });
  }

  /**
   * Consume one unit of `b[pos..end)`. Returns the position after it (and sets `produced` when
   * it was a packet, now in `frame`), or -1 when the window holds only part of the unit and
   * `need` bytes from `pos` are required. Throws a TcpscopeError on damaged input.
   */
  step(b: Uint8Array, pos: number, end: number): number {
    if (this.format !== null) return this.format.step(b, pos, end);
    return this.recognise(b, pos, end);
  }

  /** The classic pcap reader once the file is recognised as one (its `drain` fast loop), else null. */
  get pcap(): PcapFormat | null {
    return this.format instanceof PcapFormat ? this.format : null;
  }

  private recognise(b: Uint8Array, pos: number, end: number): number {
    const avail = end - pos;
    if (avail < 4) {
      if (avail >= 2 && b[pos] === 0x1f && b[pos + 1] === 0x8b) this.gzipHere(pos);
      this.need = 4;
      return -1;
    }
    const w = u32le(b, pos);
    if (pcapMagic(w) !== null) {
      this.format = new PcapFormat(this, w);
      return pos; // nothing consumed: the pcap reader reads its header on the next step
    }
    if (w === BT_SHB) {
      if (avail < 12) { this.need = 12; return -1; }
      const bom = u32le(b, pos + 8);
      if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) {
        // the offset of the field that is wrong: the magic, after the block's type and length
        this.fail('BAD_MAGIC', 'not a capture file: it starts like a pcapng section header (0a 0d 0d 0a) but has no byte-order magic after it', pos + 8);
      }
      this.format = new PcapngFormat(this);
      return pos;
    }
    if (b[pos] === 0x1f && b[pos + 1] === 0x8b) this.gzipHere(pos);
    // not a capture: look at the same 64 bytes however the input is chunked, so the message
    // (which guesses at text) never depends on where a chunk happened to end
    if (avail < FOREIGN_LOOK) { this.need = FOREIGN_LOOK; return -1; }
    this.fail('BAD_MAGIC', describeForeign(b, pos, end), pos);
  }

  private gzipHere(pos: number): never {
    this.fail('BAD_MAGIC', 'gzip-compressed data where a capture was expected: decompress it first (readCapture does this for files and standard input)', pos);
  }

  /**
   * The input has ended with `avail` unconsumed bytes at `b[pos..]`: throws when they are part
   * of a unit (or when the input held nothing at all), otherwise checks the file was complete.
   */
  finish(b: Uint8Array, pos: number, avail: number): void {
    if (this.format === null) {
      if (avail === 0 && this.base + pos === 0) this.fail('BAD_MAGIC', 'the file is empty, expected a pcap or pcapng capture', pos);
      if (avail > 0 && sniffMagic(b, pos, pos + avail) === 'unknown' && !(avail < 4 && isMagicPrefix(b, pos, avail))) {
        this.fail('BAD_MAGIC', describeForeign(b, pos, pos + avail), pos);
      }
      this.fail('TRUNCATED_FILE', `the file is only ${avail} byte${avail === 1 ? '' : 's'} long, too short for a capture file header`, pos);
    }
    if (avail > 0) this.format.truncated(b, pos, avail);
    if (this.format instanceof PcapngFormat) this.format.finish();
    else if (!this.ready) this.fail('TRUNCATED_FILE', 'the pcap file header is missing', pos);
  }
}

const MAGIC_PREFIXES = [
  [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d],
  [0x34, 0xcd, 0xb2, 0xa1], [0xa1, 0xb2, 0xcd, 0x34], [0x0a, 0x0d, 0x0d, 0x0a],
];

function isMagicPrefix(b: Uint8Array, pos: number, avail: number): boolean {
  return MAGIC_PREFIXES.some((m) => m.slice(0, avail).every((v, i) => b[pos + i] === v));
}
