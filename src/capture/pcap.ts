/**
 * Classic pcap (libpcap's savefile format): a 24-byte file header, then records of a 16-byte
 * header (seconds, micro- or nanoseconds, captured length, wire length) and the captured bytes.
 *
 * Read as libpcap reads it, because tcpdump's output is the reference: either byte order;
 * microsecond (a1b2c3d4), nanosecond (a1b23c4d) and Kuznetsov's modified (a1b2cd34, 24-byte
 * record headers) magics; versions 2.0–2.4 and DG/UX's 543.0 (with caplen and len swapped
 * before 2.3); the link type's upper bits (FCS length) masked off; a record longer than the
 * snap length cut to it, one longer than the link type allows (256 KiB) refused as damage.
 */
import { hex32, u16, u32, u32le } from './bytes.js';
import type { Frame } from './frame.js';
import type { CaptureInfo, DecodeContext, InterfaceInfo } from './info.js';
import { adjustSnaplen, maxSnaplenForLinktype } from './info.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

export const PCAP_FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** Kuznetsov's records add ifindex (4), protocol (2), pkt_type (1) and a pad byte */
const MODIFIED_RECORD_HEADER_LENGTH = 24;

/** LT_LINKTYPE: the low 26 bits are the link type; the rest carry FCS information */
const LINKTYPE_MASK = 0x03ffffff;
const FCS_LENGTH_PRESENT = 0x04000000;

/** caplen and len are in the pre-2.3 order: never, always, or only when caplen > len */
const enum LengthOrder { Normal, Swapped, MaybeSwapped }

/** Byte order and timestamp unit for a pcap magic number read little-endian, or null. */
export function pcapMagic(word: number): { littleEndian: boolean; nano: boolean; modified: boolean } | null {
  switch (word) {
    case PCAP_MAGIC_MICRO: return { littleEndian: true, nano: false, modified: false };
    case PCAP_MAGIC_NANO: return { littleEndian: true, nano: true, modified: false };
    case PCAP_MAGIC_MODIFIED: return { littleEndian: true, nano: false, modified: true };
    case 0xd4c3b2a1: return { littleEndian: false, nano: false, modified: false };
    case 0x4d3cb2a1: return { littleEndian: false, nano: true, modified: false };
    case 0x34cdb2a1: return { littleEndian: false, nano: false, modified: true };
    default: return null;
  }
}

export class PcapFormat {
  private headerDone = false;
  private le = true;
  private nsPerUnit = 1000;
  private recordHeaderLength = RECORD_HEADER_LENGTH;
  private lengthOrder = LengthOrder.Normal;
  private snaplen = 0;
  private maxCaplen = 262144;
  private linktype = 1;
  /** see drain() */
  drainedTo = 0;

  constructor(private readonly ctx: DecodeContext, magicWord: number) {
    const m = pcapMagic(magicWord);
    if (m === null) throw new Error('PcapFormat: not a pcap magic');
    this.le = m.littleEndian;
    this.nsPerUnit = m.nano ? 1 : 1000;
    this.recordHeaderLength = m.modified ? MODIFIED_RECORD_HEADER_LENGTH : RECORD_HEADER_LENGTH;
    const info: CaptureInfo = ctx.info;
    info.format = 'pcap';
    info.littleEndian = m.littleEndian;
    info.nanosecond = m.nano;
    info.modified = m.modified;
  }

  /** Consume the file header or one record at `pos`; -1 (with ctx.need set) when bytes are missing. */
  step(b: Uint8Array, pos: number, end: number): number {
    const ctx = this.ctx;
    if (!this.headerDone) return this.fileHeader(b, pos, end);
    const hl = this.recordHeaderLength;
    const avail = end - pos;
    if (avail < hl) { ctx.need = hl; return -1; }
    const le = this.le;
    let caplen = u32(b, pos + 8, le);
    let wirelen = u32(b, pos + 12, le);
    if (this.lengthOrder !== LengthOrder.Normal && (this.lengthOrder === LengthOrder.Swapped || caplen > wirelen)) {
      const t = caplen; caplen = wirelen; wirelen = t;
    }
    if (caplen > this.maxCaplen) this.tooBig(caplen, pos);
    const total = hl + caplen;
    if (avail < total) { ctx.need = total; return -1; }
    const f = ctx.frame;
    f.data = b;
    f.offset = pos + hl;
    // libpcap hands on at most the snap length and skips the rest of an over-long record
    f.caplen = caplen > this.snaplen ? this.snaplen : caplen;
    f.wirelen = wirelen;
    f.tsSec = u32(b, pos, le);
    f.tsNsec = u32(b, pos + 4, le) * this.nsPerUnit;
    f.linktype = this.linktype;
    f.ifIndex = 0;
    f.number = ++ctx.frames;
    f.fileOffset = ctx.base + pos;
    ctx.produced = true;
    return pos + total;
  }

  /**
   * Deliver every whole record of `b[pos..end)` to `sink` in one tight loop: what `step` does,
   * for the common file (little-endian, 16-byte record headers, lengths in today's order) once
   * its header is read, without the per-record dispatch, status and flag of step()/next()
   * (LONG, 957k records: ~345 -> ~100 instructions a record). Returns the position after the
   * last record delivered, negated minus one (`~pos`) when `sink` asked to stop; a record it
   * cannot deliver whole and sound (cut by the window's end, too big) is left to `step`.
   * Returns `pos` unchanged when the file is not of that common kind. `drainedTo` follows the
   * position record by record (where the reader stands if `sink` throws).
   */
  drain(b: Uint8Array, pos: number, end: number, sink: (frame: Frame) => boolean | void): number {
    if (!this.headerDone || !this.le || this.recordHeaderLength !== RECORD_HEADER_LENGTH || this.lengthOrder !== LengthOrder.Normal) return pos;
    const ctx = this.ctx;
    const f = ctx.frame;
    const snaplen = this.snaplen, maxCaplen = this.maxCaplen, nsPerUnit = this.nsPerUnit;
    // the same for every record of the window
    f.data = b;
    f.linktype = this.linktype;
    f.ifIndex = 0;
    while (end - pos >= RECORD_HEADER_LENGTH) {
      const caplen = u32le(b, pos + 8);
      if (caplen > maxCaplen || end - pos < RECORD_HEADER_LENGTH + caplen) break;
      f.offset = pos + RECORD_HEADER_LENGTH;
      f.caplen = caplen > snaplen ? snaplen : caplen;
      f.wirelen = u32le(b, pos + 12);
      f.tsSec = u32le(b, pos);
      f.tsNsec = u32le(b, pos + 4) * nsPerUnit;
      f.number = ++ctx.frames;
      f.fileOffset = ctx.base + pos;
      pos += RECORD_HEADER_LENGTH + caplen;
      // moved before the sink runs, as after next(): a sink that throws leaves the reader right
      this.drainedTo = pos;
      if (sink(f) === false) return ~pos;
    }
    return pos;
  }

  private fileHeader(b: Uint8Array, pos: number, end: number): number {
    const ctx = this.ctx;
    if (end - pos < PCAP_FILE_HEADER_LENGTH) { ctx.need = PCAP_FILE_HEADER_LENGTH; return -1; }
    const le = this.le;
    const major = u16(b, pos + 4, le);
    const minor = u16(b, pos + 6, le);
    if (major < 2) ctx.fail('BAD_HEADER', `pcap file header has version ${major}.${minor}, an archaic format that cannot be read (expected 2.4)`, pos + 4);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      ctx.fail('BAD_HEADER', `pcap file header has version ${major}.${minor}, which no libpcap writes (expected 2.4)`, pos + 4);
    }
    this.lengthOrder = major === 543 || minor < 3 ? LengthOrder.Swapped : minor === 3 ? LengthOrder.MaybeSwapped : LengthOrder.Normal;
    const fileSnaplen = u32(b, pos + 16, le);
    const rawLinktype = u32(b, pos + 20, le);
    const linktype = rawLinktype & LINKTYPE_MASK;
    let snaplen = adjustSnaplen(linktype, fileSnaplen);
    // Kuznetsov's patch captured Ethernet in cooked mode and added a 14-byte fake header
    if (this.recordHeaderLength === MODIFIED_RECORD_HEADER_LENGTH && linktype === 1) snaplen = Math.min(snaplen + 14, 0x7fffffff);
    this.snaplen = snaplen;
    this.linktype = linktype;
    this.maxCaplen = maxSnaplenForLinktype(linktype);
    const info = ctx.info;
    info.versionMajor = major;
    info.versionMinor = minor;
    info.sections = 1;
    const iface: InterfaceInfo = {
      index: 0,
      section: 0,
      idInSection: 0,
      linktype,
      snaplen,
      fileSnaplen,
      tsUnitsPerSecond: this.nsPerUnit === 1 ? 1e9 : 1e6,
      tsOffset: 0,
    };
    if (rawLinktype & FCS_LENGTH_PRESENT) iface.fcsLength = ((rawLinktype >>> 28) & 0xf) * 2;
    info.interfaces.push(iface);
    this.headerDone = true;
    return pos + PCAP_FILE_HEADER_LENGTH;
  }

  private tooBig(caplen: number, pos: number): never {
    const n = this.ctx.frames + 1;
    this.ctx.fail(
      'RECORD_TOO_BIG',
      `packet ${n} claims ${caplen} captured bytes (caplen field ${hex32(caplen)}), more than the ${this.maxCaplen} a capture on link type ${this.linktype} can hold: the file is damaged`,
      pos,
    );
  }

  /** The input ended with `avail` (> 0) bytes of an incomplete header or record at `pos`. */
  truncated(b: Uint8Array, pos: number, avail: number): never {
    const ctx: DecodeContext = this.ctx;
    if (!this.headerDone) {
      ctx.fail('TRUNCATED_FILE', `pcap file header is cut short: ${avail} of its ${PCAP_FILE_HEADER_LENGTH} bytes are present`, pos);
    }
    const n = ctx.frames + 1;
    const hl = this.recordHeaderLength;
    if (avail < hl) {
      ctx.fail('TRUNCATED_FILE', `the file ends inside the record header of packet ${n}: ${avail} of its ${hl} bytes are present`, pos);
    }
    let caplen = u32(b, pos + 8, this.le);
    if (this.lengthOrder === LengthOrder.Swapped || (this.lengthOrder === LengthOrder.MaybeSwapped && caplen > u32(b, pos + 12, this.le))) caplen = u32(b, pos + 12, this.le);
    ctx.fail('TRUNCATED_FILE', `packet ${n} is cut short: its record header says ${caplen} captured bytes, only ${avail - hl} are left in the file`, pos);
  }
}
