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
 *
 * Speed: the date/time-of-day text changes once a second, so it is formatted with Date only when
 * the second changes and the fraction is appended from a zero-padding table.
 */

const PAD6 = ['', '00000', '0000', '000', '00', '0', ''];
const PAD9 = ['', '00000000', '0000000', '000000', '00000', '0000', '000', '00', '0', ''];
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' + i : String(i)));

function frac6(us: number): string {
  const s = '' + us;
  // a record may carry 1000000 µs or more: printf's %06u prints every digit
  return s.length >= 6 ? s : PAD6[s.length] + s;
}

function frac9(ns: number): string {
  const s = '' + ns;
  return s.length >= 9 ? s : PAD9[s.length] + s;
}

function two(n: number): string {
  return n < 100 ? TWO[n] : String(n);
}

export class TimeFormatter {
  private cachedSec = NaN;
  private cachedText = '';
  /** reference for -ttt (previous packet) and -ttttt (first packet), in seconds + fraction units */
  private refSet = false;
  private refSec = 0;
  private refFrac = 0;

  constructor(readonly mode: number, readonly nano: boolean) {}

  /** The time stamp text (with its trailing space) for a frame's time. */
  format(sec: number, nsec: number): string {
    const frac = this.nano ? nsec : Math.floor(nsec / 1000);
    switch (this.mode) {
      case 0:
        return this.clock(sec, false) + (this.nano ? frac9(frac) : frac6(frac)) + ' ';
      case 1:
        return '';
      case 2:
        return sec + '.' + (this.nano ? frac9(frac) : frac6(frac)) + ' ';
      case 3:
      case 5:
        return this.delta(sec, frac);
      case 4:
        return this.clock(sec, true) + (this.nano ? frac9(frac) : frac6(frac)) + ' ';
      default:
        return '';
    }
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

  private delta(sec: number, frac: number): string {
    if (!this.refSet) {
      this.refSet = true;
      this.refSec = sec;
      this.refFrac = frac;
    }
    const unit = this.nano ? 1_000_000_000 : 1_000_000;
    let dSec = sec - this.refSec;
    let dFrac = frac - this.refFrac;
    if (dFrac < 0) { dFrac += unit; dSec -= 1; }
    let sign = ' ';
    if (dSec < 0) {
      // earlier than the reference: print the magnitude with a minus sign
      sign = '-';
      dSec = this.refSec - sec;
      dFrac = this.refFrac - frac;
      if (dFrac < 0) { dFrac += unit; dSec -= 1; }
    }
    if (this.mode === 3) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    const h = Math.floor(dSec / 3600);
    const m = Math.floor((dSec % 3600) / 60);
    const s = dSec % 60;
    return sign + two(h) + ':' + TWO[m] + ':' + TWO[s] + '.' + (this.nano ? frac9(dFrac) : frac6(dFrac)) + ' ';
  }
}
