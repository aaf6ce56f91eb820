/**
 * pcapng: a sequence of blocks (type, total length, body, total length again). A file is one
 * or more sections, each opened by a section header block that sets the byte order for the
 * blocks after it and starts a fresh set of interfaces.
 *
 * Read like libpcap where libpcap reads (block length and trailer checks, if_tsresol and
 * if_tsoffset rules, simple packet blocks taking their captured length from the snap length),
 * and like Wireshark where libpcap gives up: interfaces with different link types or snap
 * lengths in one file, sections in different byte orders, and a captured length above the
 * interface's snap length (but within what the link type allows) are all read. The frame's
 * `linktype` and `ifIndex` say which interface a packet came from.
 */
import { TcpscopeError } from '../errors.js';
import { hex32, u16, u32, u32le } from './bytes.js';
import type { DecodeContext, InterfaceInfo } from './info.js';
import { adjustSnaplen, maxSnaplenForLinktype } from './info.js';
import { TimestampScale } from './timestamp.js';

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const BLOCK_HEADER = 8;
const BLOCK_MIN = 12;
/** type, length, byte-order magic, versions, section length, trailer */
const SHB_MIN = 28;
/** libpcap's BT_SHB_INSANE_MAX */
const SHB_MAX = 1024 * 1024;
/** libpcap's INITIAL_MAX_BLOCKSIZE: big enough for any packet block of a 256 KiB snap length */
const INITIAL_MAX_BLOCK = 16 * 1024 * 1024;

const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;

const BLOCK_NAMES: Record<number, string> = {
  [BT_SHB]: 'section header block',
  [BT_IDB]: 'interface description block',
  [BT_PB]: 'packet block',
  [BT_SPB]: 'simple packet block',
  [BT_NRB]: 'name resolution block',
  [BT_ISB]: 'interface statistics block',
  [BT_EPB]: 'enhanced packet block',
};

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block of type ${hex32(type)}`;
}

const utf8 = new TextDecoder('utf-8');

export class PcapngFormat {
  /** byte order of the current section */
  private le = true;
  private sawSection = false;
  private maxBlock = INITIAL_MAX_BLOCK;
  /** global index of the current section's interface 0, and how many it has so far */
  private sectionIfBase = 0;
  private sectionIfCount = 0;
  // per interface (global index), what the packet path needs without a property chase
  private readonly linktypes: number[] = [];
  private readonly snaplens: number[] = [];
  private readonly maxCaplens: number[] = [];
  private readonly scales: TimestampScale[] = [];

  constructor(private readonly ctx: DecodeContext) {
    ctx.info.format = 'pcapng';
  }

  /** Consume one block at `pos`; -1 (with ctx.need set) when bytes are missing. */
  step(b: Uint8Array, pos: number, end: number): number {
    const ctx = this.ctx;
    const avail = end - pos;
    if (avail < BLOCK_HEADER) { ctx.need = BLOCK_HEADER; return -1; }
    let le = this.le;
    // the SHB's type reads the same in both byte orders; its byte-order magic says which it is
    const type = u32(b, pos, le);
    if (type === BT_SHB) {
      if (avail < 12) { ctx.need = 12; return -1; }
      const bom = u32le(b, pos + 8);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else ctx.fail('BAD_HEADER', `section header block has byte-order magic ${hex32(bom)}, expected 0x1a2b3c4d in either byte order`, pos + 8);
    } else if (!this.sawSection) {
      ctx.fail('BAD_HEADER', `pcapng file does not start with a section header block (found a ${blockName(type)})`, pos);
    }
    const length = u32(b, pos + 4, le);
    if (length < BLOCK_MIN || (length & 3) !== 0) {
      ctx.fail('BAD_HEADER', `${this.blockLabel(type)} has a total length of ${length}, expected a multiple of 4 and at least ${BLOCK_MIN}`, pos);
    }
    if (type === BT_SHB) {
      if (length < SHB_MIN) ctx.fail('BAD_HEADER', `section header block has a total length of ${length}, less than the ${SHB_MIN} it needs`, pos);
      if (length > SHB_MAX) ctx.fail('RECORD_TOO_BIG', `section header block has a total length of ${length}, more than the ${SHB_MAX} allowed: the file is damaged`, pos);
    } else if (length > this.maxBlock) {
      ctx.fail('RECORD_TOO_BIG', `${this.blockLabel(type)} has a total length of ${length}, more than the ${this.maxBlock} allowed: the file is damaged`, pos);
    }
    if (avail < length) { ctx.need = length; return -1; }
    const trailer = u32(b, pos + length - 4, le);
    // libpcap never looks at the first section header's trailer, so neither do we: a file
    // tcpdump reads in full must not be refused for it
    if (trailer !== length && !(type === BT_SHB && !this.sawSection)) {
      ctx.fail('BAD_HEADER', `${this.blockLabel(type)} says its total length is ${length} in its header but ${trailer} in its trailer; they must be equal`, pos + length - 4);
    }
    switch (type) {
      case BT_EPB: this.packet(b, pos, length, le, false); break;
      case BT_SPB: this.simplePacket(b, pos, length, le); break;
      case BT_PB: this.packet(b, pos, length, le, true); break;
      case BT_IDB: this.interfaceDescription(b, pos, length, le); break;
      case BT_SHB: this.sectionHeader(b, pos, le); break;
      default: break; // name resolution, statistics, secrets, custom…: not needed to read packets
    }
    return pos + length;
  }

  /** Enhanced packet block, or the obsolete packet block (16-bit interface id and drop count). */
  private packet(b: Uint8Array, pos: number, length: number, le: boolean, obsolete: boolean): void {
    const ctx = this.ctx;
    const body = length - BLOCK_MIN;
    const n = ctx.frames + 1;
    if (body < 20) ctx.fail('BAD_HEADER', `packet ${n}: ${blockName(obsolete ? BT_PB : BT_EPB)} of ${length} bytes is too short for its 32-byte fixed part`, pos);
    const id = obsolete ? u16(b, pos + 8, le) : u32(b, pos + 8, le);
    const caplen = u32(b, pos + 20, le);
    if (id >= this.sectionIfCount) this.unknownInterface(id, n, pos);
    const g = this.sectionIfBase + id;
    if (caplen > this.maxCaplens[g]) {
      ctx.fail('RECORD_TOO_BIG', `packet ${n} claims ${caplen} captured bytes, more than the ${this.maxCaplens[g]} a capture on link type ${this.linktypes[g]} can hold: the file is damaged`, pos + 20);
    }
    if (caplen > body - 20) {
      ctx.fail('BAD_HEADER', `packet ${n} claims ${caplen} captured bytes, but its ${length}-byte block holds only ${body - 20}`, pos + 20);
    }
    const f = ctx.frame;
    f.data = b;
    f.offset = pos + 28;
    f.caplen = caplen;
    f.wirelen = u32(b, pos + 24, le);
    this.scales[g].apply(u32(b, pos + 12, le), u32(b, pos + 16, le), f);
    f.linktype = this.linktypes[g];
    f.ifIndex = g;
    f.number = ++ctx.frames;
    f.fileOffset = ctx.base + pos;
    ctx.produced = true;
  }

  /** Simple packet block: no interface id (always the first), no time stamp, no captured length. */
  private simplePacket(b: Uint8Array, pos: number, length: number, le: boolean): void {
    const ctx = this.ctx;
    const n = ctx.frames + 1;
    const body = length - BLOCK_MIN;
    if (body < 4) ctx.fail('BAD_HEADER', `packet ${n}: simple packet block of ${length} bytes is too short for its 16-byte fixed part`, pos);
    if (this.sectionIfCount === 0) this.unknownInterface(0, n, pos);
    const g = this.sectionIfBase;
    const wirelen = u32(b, pos + 8, le);
    // the captured length is whatever the snap length let through, and the block must hold it
    let caplen = wirelen < this.snaplens[g] ? wirelen : this.snaplens[g];
    if (caplen > body - 4) caplen = body - 4;
    const f = ctx.frame;
    f.data = b;
    f.offset = pos + 12;
    f.caplen = caplen;
    f.wirelen = wirelen;
    f.tsSec = this.scales[g].offsetSeconds;
    f.tsNsec = 0;
    f.linktype = this.linktypes[g];
    f.ifIndex = g;
    f.number = ++ctx.frames;
    f.fileOffset = ctx.base + pos;
    ctx.produced = true;
  }

  private unknownInterface(id: number, n: number, pos: number): never {
    const have = this.sectionIfCount;
    this.ctx.fail(
      'BAD_HEADER',
      have === 0
        ? `packet ${n} comes before any interface description block in its section, so its link type is unknown`
        : `packet ${n} names interface ${id}, but its section describes only ${have} interface${have === 1 ? '' : 's'} (0–${have - 1})`,
      pos,
    );
  }

  private sectionHeader(b: Uint8Array, pos: number, le: boolean): void {
    const ctx = this.ctx;
    const major = u16(b, pos + 12, le);
    const minor = u16(b, pos + 14, le);
    if (major !== 1) ctx.fail('BAD_HEADER', `section header block has pcapng version ${major}.${minor}, expected 1.0`, pos + 12);
    const info = ctx.info;
    if (!this.sawSection) {
      info.littleEndian = le;
      info.versionMajor = major;
      info.versionMinor = minor;
    }
    info.sections++;
    this.sawSection = true;
    this.le = le;
    this.sectionIfBase = this.linktypes.length;
    this.sectionIfCount = 0;
  }

  private interfaceDescription(b: Uint8Array, pos: number, length: number, le: boolean): void {
    const ctx = this.ctx;
    if (length - BLOCK_MIN < 8) ctx.fail('BAD_HEADER', `interface description block of ${length} bytes is too short for its 20-byte fixed part`, pos);
    const linktype = u16(b, pos + 8, le);
    const fileSnaplen = u32(b, pos + 12, le);
    const snaplen = adjustSnaplen(linktype, fileSnaplen);
    const maxCaplen = maxSnaplenForLinktype(linktype);
    const iface: InterfaceInfo = {
      index: this.linktypes.length,
      section: ctx.info.sections - 1,
      idInSection: this.sectionIfCount,
      linktype,
      snaplen,
      fileSnaplen,
      tsUnitsPerSecond: 1e6,
      tsOffset: 0,
    };
    let resolution = TimestampScale.MICRO;
    let sawResolution = false;
    let sawOffset = false;
    const optEnd = pos + length - 4;
    let o = pos + 16;
    while (o < optEnd) {
      if (optEnd - o < 4) ctx.fail('BAD_HEADER', `interface description block: an option header is cut short by the end of the block`, o);
      const code = u16(b, o, le);
      const olen = u16(b, o + 2, le);
      const v = o + 4;
      if (v + olen > optEnd) ctx.fail('BAD_HEADER', `interface description block: option ${code} of ${olen} bytes runs past the end of the block`, o);
      if (code === OPT_ENDOFOPT) {
        if (olen !== 0) ctx.fail('BAD_HEADER', `interface description block: end-of-options has length ${olen}, expected 0`, o);
        break;
      }
      switch (code) {
        case IF_NAME: iface.name = utf8.decode(b.subarray(v, v + olen)).replace(/\0+$/, ''); break;
        case IF_DESCRIPTION: iface.description = utf8.decode(b.subarray(v, v + olen)).replace(/\0+$/, ''); break;
        case IF_TSRESOL: {
          if (olen !== 1) ctx.fail('BAD_HEADER', `interface description block: if_tsresol has length ${olen}, expected 1`, o);
          if (sawResolution) ctx.fail('BAD_HEADER', `interface description block has more than one if_tsresol option`, o);
          sawResolution = true;
          resolution = b[v];
          const exp = resolution & 0x7f;
          if (resolution & 0x80 ? exp > 63 : exp > 19) {
            ctx.fail('BAD_HEADER', `interface description block: if_tsresol ${resolution & 0x80 ? '2' : '10'}^-${exp} is finer than a 64-bit time stamp can count`, v);
          }
          break;
        }
        case IF_TSOFFSET: {
          if (olen !== 8) ctx.fail('BAD_HEADER', `interface description block: if_tsoffset has length ${olen}, expected 8`, o);
          if (sawOffset) ctx.fail('BAD_HEADER', `interface description block has more than one if_tsoffset option`, o);
          sawOffset = true;
          const lo = u32(b, le ? v : v + 4, le);
          const hi = u32(b, le ? v + 4 : v, le);
          iface.tsOffset = (hi | 0) * 4294967296 + lo; // signed 64-bit seconds
          break;
        }
        case IF_FCSLEN: if (olen >= 1) iface.fcsLength = b[v]; break;
        default: break;
      }
      o = v + ((olen + 3) & ~3);
    }
    const scale = new TimestampScale(resolution, iface.tsOffset);
    iface.tsUnitsPerSecond = scale.unitsPerSecond;
    this.linktypes.push(linktype);
    this.snaplens.push(snaplen);
    this.maxCaplens.push(maxCaplen);
    this.scales.push(scale);
    // a packet block can be as big as the biggest packet this link type allows plus options
    const blockForLinktype = 28 + maxCaplen + 131072 + 4;
    if (blockForLinktype > this.maxBlock) this.maxBlock = blockForLinktype;
    this.sectionIfCount++;
    ctx.info.interfaces.push(iface);
  }

  private blockLabel(type: number): string {
    const name = blockName(type);
    return type === BT_EPB || type === BT_SPB || type === BT_PB ? `${name} of packet ${this.ctx.frames + 1}` : name;
  }

  /** The input ended with `avail` (> 0) bytes of an incomplete block at `pos`. */
  truncated(b: Uint8Array, pos: number, avail: number): never {
    const ctx: DecodeContext = this.ctx;
    if (avail < BLOCK_HEADER || (avail < 12 && u32(b, pos, this.le) === BT_SHB)) {
      ctx.fail('TRUNCATED_FILE', `the file ends inside a block header: ${avail} of its ${avail < BLOCK_HEADER ? BLOCK_HEADER : 12} bytes are present`, pos);
    }
    let le = this.le;
    const type = u32(b, pos, le);
    if (type === BT_SHB) le = u32le(b, pos + 8) === BYTE_ORDER_MAGIC;
    const length = u32(b, pos + 4, le);
    ctx.fail('TRUNCATED_FILE', `${this.blockLabel(type)} is cut short: its header says ${length} bytes, only ${avail} are left in the file`, pos);
  }

  /** The input ended cleanly after whole blocks. */
  finish(): void {
    if (this.linktypes.length === 0) {
      // about the whole file, so no offset
      throw new TcpscopeError('BAD_HEADER', 'pcapng file has no interface description block, so it holds no packets', { file: this.ctx.name });
    }
  }
}
