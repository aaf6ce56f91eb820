/**
 * Time stamps as tcpdump prints them before each packet (util-print.c ts_print):
 *   default   `HH:MM:SS.ffffff ` in the local time zone (honours TZ, as localtime() does)
 *   -t        nothing
 *   -tt       `SECONDS.ffffff ` since the epoch
 *   -ttt      ` HH:MM:SS.ffffff ` since the previous packet (`-` instead of the space when negative)
 *   -tttt     `YYYY-MM-DD HH:MM:SS.ffffff ` local
 *   -ttttt    like -ttt but since the first packet
 * with 9 fraction digits under --nano. Without --nano a nanosecond capture is cut to microseconds
 * first, as libpcap does when it opens the file with microsecond precision.
 * A time whose seconds have the top bit of their low 32 bits set (libpcap reads a host-order
 * classic pcap's field as signed, so 0x80000000.. are negative times) prints as
 * `[Error converting time] ` in every mode but -t; a -ttt/-ttttt delta goes through gmtime(), so
 * its hours wrap at 24 (the days are dropped), and a delta with that bit set gets the same text
 * after its sign.
 *
 * Speed: the date/time-of-day text changes once a second, so it is formatted with Date only when
 * the second changes and the fraction is appended from a zero-padding table.
 */
import { encode, putBytes, putFixed, putString } from '../../bytes.js';

const PAD6 = ['', '00000', '0000', '000', '00', '0', ''];
const PAD9 = ['', '00000000', '0000000', '000000', '00000', '0000', '000', '00', '0', ''];
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' + i : String(i)));

/** "000".."999": a fraction is two or three table lookups, no number formatting */
const THREE: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

function frac6(us: number): string {
  if (us < 1_000_000) return THREE[(us / 1000) | 0] + THREE[us % 1000];
  const s = '' + us;
  // a record may carry 1000000 µs or more: printf's %06u prints every digit
  return s.length >= 6 ? s : PAD6[s.length] + s;
}

function frac9(ns: number): string {
  if (ns < 1_000_000_000) return THREE[(ns / 1_000_000) | 0] + THREE[((ns / 1000) | 0) % 1000] + THREE[ns % 1000];
  const s = '' + ns;
  return s.length >= 9 ? s : PAD9[s.length] + s;
}

/** tcpdump's `(unsigned)sec & 0x80000000` test (ts_date_hmsfrac_print, ts_unix_print) */
function unconvertible(sec: number): boolean {
  return sec >>> 0 >= 0x80000000;
}

const ERROR_CONVERTING = '[Error converting time]';

function two(n: number): string {
  return n >= 0 && n < 100 ? TWO[n] : String(n);
}

/**
 * The sub-second field as libpcap holds it: a signed 32-bit count of microseconds (or of
 * nanoseconds with --nano). Valid captures give 0..999999(999); a damaged field of 2^31 or more
 * goes negative there, which is why tcpdump prints it as a huge unsigned number and computes odd
 * deltas from it. The reader hands every capture over as nanoseconds: a nanosecond capture read at
 * microsecond precision is divided *as a signed number*; a microsecond capture's field (a whole
 * number of microseconds) comes back as it was.
 */
function subsecond(nsec: number, nano: boolean): number {
  if (nano) return nsec | 0; // libpcap's int32 (a microsecond file scaled up wraps the same way)
  if (nsec < 0x80000000) return Math.floor(nsec / 1000);
  if (nsec % 1000 === 0) return (nsec / 1000) | 0; // a microsecond capture's own field
  return Math.trunc((nsec | 0) / 1000); // a nanosecond capture's field, divided signed
}

export class TimeFormatter {
  private cachedSec = NaN;
  private cachedText = '';
  /** the cached clock text as bytes, for `put`, and the second it belongs to */
  private bytesSec = NaN;
  private clockBytes: Uint8Array = new Uint8Array(0);
  /**
   * reference for -ttt (previous packet) and -ttttt (first packet), in seconds + fraction units;
   * 0.0 means unset, as tcpdump's timevalisset() has it (a packet at 0.0 is no reference)
   */
  private refSec = 0;
  private refFrac = 0;

  /**
   * the seconds are libpcap's signed 32-bit field (a classic pcap in the host's byte order, see
   * Frame.tsSec): it changes only the -ttt/-ttttt deltas, as every other mode prints a top-bit
   * time as `[Error converting time]` either way
   */
  signedSeconds = false;

  constructor(readonly mode: number, readonly nano: boolean) {}

  /** The time stamp text (with its trailing space) for a frame's time. */
  format(sec: number, nsec: number): string {
    const frac = subsecond(nsec, this.nano);
    const mode = this.mode;
    if (mode !== 1 && mode !== 3 && mode !== 5 && unconvertible(sec)) return ERROR_CONVERTING + ' ';
    switch (mode) {
      case 0:
        return this.clock(sec, false) + (this.nano ? frac9(frac >>> 0) : frac6(frac >>> 0)) + ' ';
      case 1:
        return '';
      case 2:
        return (sec >>> 0) + '.' + (this.nano ? frac9(frac >>> 0) : frac6(frac >>> 0)) + ' ';
      case 3:
      case 5:
        return this.delta(sec, frac);
      case 4:
        return this.clock(sec, true) + (this.nano ? frac9(frac >>> 0) : frac6(frac >>> 0)) + ' ';
      default:
        return '';
    }
  }

  /**
   * `format()` written as bytes into `buf` at `pos` (room reserved by the caller); returns the
   * position after it. The time of day (and date) with an ordinary fraction is the clock's bytes,
   * cached per second, and the fraction's digits; everything else is format()'s text.
   */
  put(buf: Buffer, pos: number, sec: number, nsec: number): number {
    const mode = this.mode;
    if ((mode === 0 || mode === 4) && nsec >= 0 && nsec < 1_000_000_000 && sec >= 0 && sec < 0x80000000) {
      if (sec !== this.bytesSec) {
        this.clockBytes = encode(this.clock(sec, mode === 4));
        this.bytesSec = sec;
      }
      pos = putBytes(buf, pos, this.clockBytes);
      // what subsecond() gives for a valid field: the nanoseconds, or whole microseconds
      pos = this.nano ? putFixed(buf, pos, nsec, 9) : putFixed(buf, pos, Math.floor(nsec / 1000), 6);
      buf[pos] = 32;
      return pos + 1;
    }
    return putString(buf, pos, this.format(sec, nsec));
  }

  /** `HH:MM:SS.` (or `YYYY-MM-DD HH:MM:SS.`) local time, cached per second. */
  private clock(sec: number, withDate: boolean): string {
    if (sec === this.cachedSec) return this.cachedText;
    const t = new Date(sec * 1000);
    let s = two(t.getHours()) + ':' + two(t.getMinutes()) + ':' + two(t.getSeconds()) + '.';
    if (withDate) s = t.getFullYear() + '-' + two(t.getMonth() + 1) + '-' + two(t.getDate()) + ' ' + s;
    this.cachedSec = sec;
    this.cachedText = s;
    return s;
  }

  /** -ttt/-ttttt: tcpdump's netdissect_timevalsub on libpcap's signed fields, sign from timevalcmp. */
  private delta(sec: number, frac: number): string {
    if (this.signedSeconds) sec |= 0;
    if (this.refSec === 0 && this.refFrac === 0) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    const unit = this.nano ? 1_000_000_000 : 1_000_000;
    const negative = sec < this.refSec || (sec === this.refSec && frac < this.refFrac);
    let dSec: number;
    let dFrac: number;
    if (negative) {
      dSec = this.refSec - sec;
      dFrac = this.refFrac - frac;
    } else {
      dSec = sec - this.refSec;
      dFrac = frac - this.refFrac;
    }
    if (dFrac < 0) {
      dSec -= 1;
      dFrac += unit;
    }
    if (this.mode === 3) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    const sign = negative ? '-' : ' ';
    if (unconvertible(dSec)) return sign + ERROR_CONVERTING + ' ';
    // gmtime()'s %H:%M:%S of the difference: whole days are dropped; the fraction as %06u/%09u
    const h = Math.floor(dSec / 3600) % 24;
    const m = Math.floor((dSec % 3600) / 60);
    const s = dSec % 60;
    const f = (dFrac | 0) >>> 0;
    return sign + two(h) + ':' + two(m) + ':' + two(s) + '.' + (this.nano ? frac9(f) : frac6(f)) + ' ';
  }
}
