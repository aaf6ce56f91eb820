/**
 * `-w FILE` with tcpdump's rotation: `-C size` (a new file once the current one is larger than
 * size × 1,000,000 bytes), `-G seconds` (a new file every so many seconds, the name passed
 * through strftime), `-W count` (with -C: reuse count names in a ring; with -G alone: stop after
 * count files).
 *
 * File names follow tcpdump's MakeFilename exactly:
 *  - -C alone: FILE, FILE1, FILE2, ... (the first file carries no number);
 *  - -C with -W n: FILE0 ... FILE(n-1), the number zero-padded to the digits of n-1, then back
 *    to FILE0 (with -W 1 the single file is FILE, overwritten at each rotation);
 *  - -G: strftime(FILE, time of the rotation) (without a time format each file overwrites the
 *    last, as tcpdump warns in its manual); with -C as well, the -C number is appended and
 *    restarts at 0 on every -G rotation.
 * The checks run before each packet is written, -G first (tcpdump's order): a file can exceed
 * the -C size by one packet, never more.
 *
 * -G's clock is the wall clock for a live capture (tcpdump's time(NULL)). When re-writing a
 * capture file tcpscope uses the packets' own time stamps instead, so that
 * `tcpscope -r day.pcap -w %H.pcap -G 3600` splits a recording by hour; tcpdump would use the
 * wall clock there too, which puts a whole file read in a second into one output file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TcpscopeError } from '../errors.js';
import type { Frame } from './frame.js';
import { type ByteSink, FdSink, type PcapFileHeader, PcapWriter } from './writer.js';

export interface CaptureFileOptions {
  /** -w: the file name ('-' for standard output) */
  path: string;
  header: PcapFileHeader;
  /** -C, already in bytes (tcpdump: millions of bytes) */
  sizeLimit?: number;
  /** -G */
  rotateSeconds?: number;
  /** -W */
  fileCount?: number;
  /** -U: write each packet as it comes */
  packetBuffered?: boolean;
  /** -G's clock: 'wall' (live capture, as tcpdump) or 'packet' (re-writing a capture file) */
  clock?: 'wall' | 'packet';
  /** seconds since the epoch, for the wall clock (tests replace it) */
  now?: () => number;
  /** opens each file (tests replace it); default creates the file on disk */
  openSink?: (name: string) => ByteSink;
  /** a pipe reader went away (`-w - | head`); default ends the process with status 0 */
  onPipeClosed?: () => void;
  /** write buffer size in bytes */
  bufferSize?: number;
}

/** tcpdump's getWflagChars: digits needed for numbers 0 .. count-1. */
export function fileNumberDigits(count: number): number {
  let c = 0;
  let x = count - 1;
  while (x > 0) {
    c += 1;
    x = Math.floor(x / 10);
  }
  return c;
}

/**
 * tcpdump's MakeFilename: `base` through strftime when -G is in use (at `time`, seconds since
 * the epoch, local time), then `count` appended zero-padded to `digits` unless both are 0.
 */
export function makeFilename(base: string, count: number, digits: number, time?: number): string {
  const name = time !== undefined ? strftime(base, new Date(time * 1000)) : base;
  if (count === 0 && digits === 0) return name;
  return name + String(count).padStart(digits, '0');
}

/** Why writing stopped early. */
export type StopReason = 'file-limit';

/**
 * The `-w` output: one pcap file, or a rotating series of them. `write(frame)` returns false
 * when -G with -W has written its last file (tcpdump prints "Maximum file limit reached" and
 * ends); the caller stops the capture then.
 */
export class CaptureFileWriter {
  private current: PcapWriter | null = null;
  private readonly sizeLimit: number;
  private readonly rotateSeconds: number;
  private readonly fileCount: number;
  private readonly digits: number;
  private readonly clock: 'wall' | 'packet';
  private readonly now: () => number;
  private readonly openSink: (name: string) => ByteSink;
  /** tcpdump's Gflag_time: when the current -G period began */
  private gTime = 0;
  private gCount = 0;
  private cCount = 0;
  private done = false;
  /** every file name opened, in order (a name reused by -W appears again) */
  readonly opened: string[] = [];
  /** packets written over all files */
  packets = 0;
  /** set when -G/-W stopped the capture */
  stopReason: StopReason | undefined;

  constructor(private readonly opts: CaptureFileOptions) {
    this.sizeLimit = opts.sizeLimit ?? 0;
    this.rotateSeconds = opts.rotateSeconds ?? 0;
    this.fileCount = opts.fileCount ?? 0;
    this.digits = this.fileCount > 0 ? fileNumberDigits(this.fileCount) : 0;
    this.clock = opts.clock ?? 'wall';
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    if (opts.path === '-' && (this.sizeLimit > 0 || this.rotateSeconds > 0)) {
      throw new TcpscopeError('BAD_OPTION', '-C and -G rotate files: give -w a file name, not - (standard output)');
    }
    this.openSink = opts.openSink ?? ((name: string) => (name === '-' && opts.path === '-'
      ? FdSink.stdout(opts.onPipeClosed)
      : FdSink.create(name, opts.onPipeClosed)));
    // The first file is opened now, so that a name that cannot be written is reported before
    // the capture starts; except when -G follows packet time, which names it after the first packet.
    if (!(this.rotateSeconds > 0 && this.clock === 'packet')) {
      this.gTime = this.now();
      this.openFirst();
    }
  }

  /** Name of the file being written (undefined before the first one is opened). */
  get currentName(): string | undefined { return this.current?.name; }

  /** The link type the file's header gives (every packet written must have it). */
  get linktype(): number {
    return this.opts.header.linktype;
  }

  /** Append one packet, rotating first when -G or -C says so. False: -G/-W has finished. */
  write(frame: Frame): boolean {
    if (this.done) return false;
    if (frame.linktype !== this.opts.header.linktype) {
      // a pcapng input can mix link types; a classic pcap file has one
      throw new TcpscopeError('WRITE_FAILED',
        `packet ${frame.number} has link type ${frame.linktype}, but this pcap file holds link type ${this.opts.header.linktype} (a classic pcap file has one link type)`,
        { file: this.current?.name ?? this.opts.path });
    }
    if (this.current === null) {
      // -G on packet time: the first packet names the first file
      this.gTime = frame.tsSec;
      this.openFirst();
    }
    if (this.rotateSeconds > 0) {
      const t = this.clock === 'packet' ? frame.tsSec : this.now();
      if (t - this.gTime >= this.rotateSeconds) {
        this.gTime = t;
        this.gCount++;
        this.closeCurrent();
        if (this.sizeLimit === 0 && this.fileCount > 0 && this.gCount >= this.fileCount) {
          this.done = true;
          this.stopReason = 'file-limit';
          return false;
        }
        // a new -G period starts the -C numbering again
        this.cCount = 0;
        this.openFile(makeFilename(this.opts.path, 0, this.sizeLimit > 0 ? this.digits : 0, this.gTime));
      }
    }
    if (this.sizeLimit > 0 && this.current!.position > this.sizeLimit) {
      this.cCount++;
      if (this.fileCount > 0 && this.cCount >= this.fileCount) this.cCount = 0;
      this.closeCurrent();
      this.openFile(this.nameFor(this.cCount));
    }
    this.current!.write(frame);
    this.packets++;
    return true;
  }

  /** Push buffered packets to disk (the pipeline does this now and then during a live capture). */
  flush(): void {
    this.current?.flush();
  }

  /** Flush and close the current file (opening an empty one first if none was: tcpdump always leaves a file). */
  close(): void {
    if (this.current === null && !this.done) {
      this.gTime = this.now();
      this.openFirst();
    }
    this.closeCurrent();
    this.done = true;
  }

  private nameFor(count: number): string {
    return makeFilename(this.opts.path, count, this.digits, this.rotateSeconds > 0 ? this.gTime : undefined);
  }

  private openFirst(): void {
    // the first file: FILE (or FILE0 with -C and -W), strftime'd when -G is on
    this.openFile(this.sizeLimit > 0 ? this.nameFor(0) : makeFilename(this.opts.path, 0, 0, this.rotateSeconds > 0 ? this.gTime : undefined));
  }

  private openFile(name: string): void {
    const sink = this.openSink(name);
    this.current = new PcapWriter(sink, this.opts.header, { packetBuffered: this.opts.packetBuffered, bufferSize: this.opts.bufferSize });
    this.opened.push(name);
  }

  private closeCurrent(): void {
    const w = this.current;
    this.current = null;
    if (w !== null) w.close();
  }
}

// ---- strftime ------------------------------------------------------------------------------

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function pad(n: number, width: number, fill: string): string {
  const s = String(Math.abs(n));
  const padded = s.length >= width ? s : fill.repeat(width - s.length) + s;
  return n < 0 ? '-' + padded : padded;
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86400000);
}

/** ISO 8601 week-based year and week number (for %G, %g, %V). */
function isoWeek(d: Date): { year: number; week: number } {
  const wday = (d.getDay() + 6) % 7; // Monday = 0
  const thursday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - wday + 3);
  const year = thursday.getFullYear();
  const week = 1 + Math.floor(dayOfYear(thursday) / 7);
  return { year, week };
}

function tzOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return (off < 0 ? '-' : '+') + pad(Math.floor(a / 60), 2, '0') + pad(a % 60, 2, '0');
}

/** A zone's local-time types from its TZif file: transitions and (offset, abbreviation) pairs. */
interface ZoneInfo { times: number[]; typeOf: number[]; types: Array<{ utoff: number; abbr: string }> }

let zoneCache: { tz: string | undefined; info: ZoneInfo | null } | undefined;

/** Parse a TZif file (RFC 8536): the 64-bit block when there is one, else the 32-bit one. */
export function parseTzif(b: Buffer): ZoneInfo | null {
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'TZif') return null;
  const counts = (o: number) => ({
    isut: b.readUInt32BE(o + 20), isstd: b.readUInt32BE(o + 24), leap: b.readUInt32BE(o + 28),
    time: b.readUInt32BE(o + 32), type: b.readUInt32BE(o + 36), char: b.readUInt32BE(o + 40),
  });
  let o = 0;
  let c = counts(0);
  let timeSize = 4;
  if (b[4]! >= 0x32) {
    // skip the version-1 block to the version-2+ header with 64-bit times
    o = 44 + c.time * 5 + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (o + 44 > b.length || b.toString('latin1', o, o + 4) !== 'TZif') return null;
    c = counts(o);
    timeSize = 8;
  }
  let p = o + 44;
  const need = c.time * (timeSize + 1) + c.type * 6 + c.char;
  if (p + need > b.length) return null;
  const times: number[] = [];
  for (let i = 0; i < c.time; i++, p += timeSize) times.push(timeSize === 8 ? Number(b.readBigInt64BE(p)) : b.readInt32BE(p));
  const typeOf: number[] = [];
  for (let i = 0; i < c.time; i++) typeOf.push(b[p++]!);
  const raw: Array<{ utoff: number; abbrind: number }> = [];
  for (let i = 0; i < c.type; i++, p += 6) raw.push({ utoff: b.readInt32BE(p), abbrind: b[p + 5]! });
  const chars = b.subarray(p, p + c.char);
  const types = raw.map((t) => {
    const end = chars.indexOf(0, t.abbrind);
    return { utoff: t.utoff, abbr: chars.toString('latin1', t.abbrind, end < 0 ? chars.length : end) };
  });
  return { times, typeOf, types };
}

/** The TZif file glibc would use for the local zone (TZ, or /etc/localtime). */
function localZone(): ZoneInfo | null {
  const tz = process.env.TZ;
  if (zoneCache !== undefined && zoneCache.tz === tz) return zoneCache.info;
  let info: ZoneInfo | null = null;
  const name = tz === undefined || tz === '' ? undefined : tz.startsWith(':') ? tz.slice(1) : tz;
  const path = name === undefined ? '/etc/localtime' : name.startsWith('/') ? name : join(process.env.TZDIR ?? '/usr/share/zoneinfo', name);
  if (name === undefined || !name.includes('..')) {
    try {
      info = parseTzif(readFileSync(path));
    } catch {
      info = null;
    }
  }
  zoneCache = { tz, info };
  return info;
}

/**
 * %Z: the zone's abbreviation in effect at `d` (EST, CEST, IST, UTC, +04), as glibc reads it
 * from the zone file; Intl's name, then the numeric offset, when there is no zone file.
 */
function tzName(d: Date): string {
  const zone = localZone();
  const utoff = -d.getTimezoneOffset() * 60;
  if (zone !== null) {
    const t = Math.floor(d.getTime() / 1000);
    let abbr: string | undefined;
    for (let i = 0; i < zone.times.length && zone.times[i]! <= t; i++) {
      const ty = zone.types[zone.typeOf[i]!];
      if (ty !== undefined && ty.utoff === utoff) abbr = ty.abbr;
    }
    abbr ??= zone.types.find((ty) => ty.utoff === utoff)?.abbr;
    if (abbr !== undefined) return abbr;
  }
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName');
    if (part !== undefined && !/^GMT[+-]/.test(part.value)) return part.value;
  } catch {
    // no Intl time-zone data: fall through
  }
  const a = Math.abs(utoff);
  const hh = pad(Math.floor(a / 3600), 2, '0');
  const mm = Math.floor((a % 3600) / 60);
  return (utoff < 0 ? '-' : '+') + hh + (mm !== 0 ? pad(mm, 2, '0') : '');
}

/**
 * C strftime in the POSIX locale, local time (TZ applies), for -G file names: every conversion
 * glibc documents, with the `-` (no padding), `_` (space padding), `0` and `^` (upper case)
 * flags and the E/O modifiers (which the POSIX locale ignores). An unknown conversion is copied
 * as it stands, as glibc does.
 */
export function strftime(format: string, d: Date): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i + 1 >= format.length) { out += c; continue; }
    const start = i;
    let j = i + 1;
    let flag = '';
    while (j < format.length && '-_0^#'.includes(format[j]!)) flag = format[j++]!;
    let width = '';
    while (j < format.length && format[j]! >= '0' && format[j]! <= '9') width += format[j++]!;
    if (j < format.length && (format[j] === 'E' || format[j] === 'O')) j++;
    if (j >= format.length) { out += format.slice(start); break; }
    const conv = format[j]!;
    i = j;
    const num = (n: number, w: number, fill = '0'): string => {
      const ww = width !== '' ? Number(width) : w;
      if (flag === '-') return String(n);
      if (flag === '_') return pad(n, ww, ' ');
      if (flag === '0') return pad(n, ww, '0');
      return pad(n, ww, fill);
    };
    const text = (s: string): string => {
      let r = flag === '^' ? s.toUpperCase() : s;
      if (width !== '' && r.length < Number(width)) r = (flag === '0' ? '0' : ' ').repeat(Number(width) - r.length) + r;
      return r;
    };
    const h12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
    switch (conv) {
      case 'a': out += text(DAYS[d.getDay()]!.slice(0, 3)); break;
      case 'A': out += text(DAYS[d.getDay()]!); break;
      case 'b': case 'h': out += text(MONTHS[d.getMonth()]!.slice(0, 3)); break;
      case 'B': out += text(MONTHS[d.getMonth()]!); break;
      case 'c': out += text(strftime('%a %b %e %H:%M:%S %Y', d)); break;
      case 'C': out += num(Math.floor(d.getFullYear() / 100), 2); break;
      case 'd': out += num(d.getDate(), 2); break;
      case 'D': out += text(strftime('%m/%d/%y', d)); break;
      case 'e': out += num(d.getDate(), 2, ' '); break;
      case 'F': out += text(strftime('%Y-%m-%d', d)); break;
      case 'G': out += num(isoWeek(d).year, 1); break;
      case 'g': out += num(isoWeek(d).year % 100, 2); break;
      case 'H': out += num(d.getHours(), 2); break;
      case 'I': out += num(h12, 2); break;
      case 'j': out += num(dayOfYear(d) + 1, 3); break;
      case 'k': out += num(d.getHours(), 2, ' '); break;
      case 'l': out += num(h12, 2, ' '); break;
      case 'm': out += num(d.getMonth() + 1, 2); break;
      case 'M': out += num(d.getMinutes(), 2); break;
      case 'n': out += '\n'; break;
      case 'p': out += text(d.getHours() < 12 ? 'AM' : 'PM'); break;
      case 'P': out += text(d.getHours() < 12 ? 'am' : 'pm'); break;
      case 'r': out += text(strftime('%I:%M:%S %p', d)); break;
      case 'R': out += text(strftime('%H:%M', d)); break;
      case 's': out += num(Math.floor(d.getTime() / 1000), 1); break;
      case 'S': out += num(d.getSeconds(), 2); break;
      case 't': out += '\t'; break;
      case 'T': out += text(strftime('%H:%M:%S', d)); break;
      case 'u': out += num(d.getDay() === 0 ? 7 : d.getDay(), 1); break;
      case 'U': out += num(Math.floor((dayOfYear(d) + 7 - d.getDay()) / 7), 2); break;
      case 'V': out += num(isoWeek(d).week, 2); break;
      case 'w': out += num(d.getDay(), 1); break;
      case 'W': out += num(Math.floor((dayOfYear(d) + 7 - ((d.getDay() + 6) % 7)) / 7), 2); break;
      case 'x': out += text(strftime('%m/%d/%y', d)); break;
      case 'X': out += text(strftime('%H:%M:%S', d)); break;
      case 'y': out += num(d.getFullYear() % 100, 2); break;
      case 'Y': out += num(d.getFullYear(), 1); break;
      case 'z': out += text(tzOffset(d)); break;
      case 'Z': out += text(tzName(d)); break;
      case '%': out += '%'; break;
      default: out += format.slice(start, j + 1); break;
    }
  }
  return out;
}
