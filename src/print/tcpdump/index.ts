/**
 * The tcpdump-format printer: one line (or more, with -v/-x/-X/-A) per packet, byte-identical to
 * tcpdump 4.99 for the link types and protocols it knows.
 *
 * How it is built (tcpdump's netdissect, in TypeScript):
 *  - `PrintContext` (context.ts) is the per-run state every printer gets: the flags, the frame's
 *    bytes and snap end, the text of the current packet (`ctx.s`), the protocol name for
 *    ` [|proto]`, and tcpdump's relative-sequence table (owned by src/track, passed in).
 *  - Printers read the wire only through the context's checked accessors. Reading past what was
 *    captured throws one preallocated TRUNCATED sentinel; `print()` below catches it and appends
 *    ` [|proto]` after whatever the packet had printed so far, exactly where tcpdump's longjmp
 *    lands.
 *  - Dispatch is by tables (dispatch.ts): link type → link printer, EtherType → network printer,
 *    IP protocol → transport printer, TCP/UDP port → application printer, LLC SAP / SNAP OUI.
 *
 * How to add a protocol printer:
 *  1. Write `src/print/tcpdump/<proto>.ts` in the shape of the others: set `ctx.protocol` to
 *     tcpdump's ndo_protocol name first, read fields with `ctx.u8/be16/be32` (or test with
 *     `ctx.ttest` where tcpdump uses ND_TTEST/ND_TCHECK and prints ` [|proto]` in place with
 *     `ctx.trunc()`), append text to `ctx.s` with plain string concatenation.
 *  2. At the bottom of the file register it: `registerLinkType(LINKTYPE, 'NAME', fn)`,
 *     `registerEtherType(0x88cc, fn)`, `registerIpProto(47, fn)`, `registerUdpPort([ports], rank, fn)`
 *     / `registerTcpPort(...)` (rank = position in tcpdump's if-chain when both ports match),
 *     `registerLlcSap(sap, fn)` or `registerSnapOui(oui, fn)` (llc.ts).
 *  3. Import the file in protocols.ts (that is what runs the registration).
 *  4. Add a golden test: a capture in fixtures/golden/, a line in fixtures/golden/TESTLIST with the
 *     flags, and tcpdump's output made by fixtures/golden/regenerate.sh.
 *
 * Containment: a printer bug (any exception other than TRUNCATED) never stops the run. The
 * packet's line keeps what was printed and ends with ` [|proto]`, as for a packet tcpdump cannot
 * decode further; the run goes on, and the first such error is reported once on stderr at the
 * end (`printerErrors`, `firstPrinterError`). With TCPSCOPE_DEBUG set the stack is shown too.
 */
import './protocols.js';
import type { Frame } from '../../capture/frame.js';
import { TcpscopeError } from '../../errors.js';
import { TcpdumpSeqTable } from '../../track/tcpdump-seq.js';
import type { PrintOptions } from '../options.js';
import type { Output } from '../output.js';
import { PrintContext, TRUNCATED } from './context.js';
import { isKnownLinkType, linkPrinter } from './dispatch.js';
import { FastLinePrinter } from './fast.js';
import { asciiDump, hexAndAscii, hexOnly } from './hexdump.js';
import { Names } from './names.js';
import { TimeFormatter } from './time.js';

/** libpcap's MAXIMUM_SNAPLEN: records claiming more are shown as invalid headers */
const MAXIMUM_SNAPLEN = 262144;

export interface TcpdumpPrinterOptions {
  /** tcpdump's relative-sequence table (src/track); a private one is made when absent */
  seqTable?: TcpdumpSeqTable;
  /** name of the input in error messages */
  sourceName?: string;
  /** name files for resolution without -n (tests point them elsewhere) */
  names?: Names;
}

export class TcpdumpPrinter {
  readonly ctx: PrintContext;
  private readonly time: TimeFormatter;
  private readonly sourceName: string | undefined;
  /** the byte-writing path for ordinary Ethernet/IPv4/TCP lines (fast.ts), when the flags allow it */
  private readonly fast: FastLinePrinter | null;
  /**
   * `-#`'s number: tcpdump counts the packets its callback is handed, which are the ones the
   * filter passed, not their place in the file (packet 5 of a file is 2 when the filter let
   * through only two before it); across several files the count goes on.
   */
  private numbered = 0;
  /** packets whose printer threw something other than a truncation */
  printerErrors = 0;
  /** the first such error, with the packet number */
  firstPrinterError: { packet: number; protocol: string; error: unknown } | undefined;

  constructor(readonly opts: PrintOptions, readonly out: Output, extra: TcpdumpPrinterOptions = {}) {
    const names = extra.names ?? new Names(opts.numeric > 0);
    this.ctx = new PrintContext(opts, extra.seqTable ?? new TcpdumpSeqTable(), names);
    this.time = new TimeFormatter(opts.timestampMode, opts.nano);
    this.sourceName = extra.sourceName;
    this.fast = FastLinePrinter.handles(opts) ? new FastLinePrinter(out, this.time, names, this.ctx.seq, opts.absoluteSeq) : null;
  }

  /** The capture's seconds are libpcap's signed field (see TimeFormatter.signedSeconds). */
  setSignedSeconds(signed: boolean): void {
    this.time.signedSeconds = signed;
  }

  /**
   * Print one frame: the common TCP line as bytes straight into the output when fast.ts takes
   * it, else `format`'s text. Both read the frame's bytes with tcpdump's own checks; neither
   * needs src/decode's view of it, so a caller that has not decoded the frame (--plain, the
   * annotated window's second pass) does not decode it for the printer.
   */
  print(frame: Frame): void {
    if (this.fast !== null && this.fast.print(frame)) return;
    this.out.write(this.format(frame));
  }

  /**
   * Whether frames of this link type can be printed: a link type neither tcpscope nor tcpdump
   * knows makes print() throw (UNKNOWN_LINKTYPE), which the annotated pipeline's window must
   * meet at that frame, not after tracking the frames behind it.
   */
  printsLinkType(linktype: number): boolean {
    return linkPrinter(linktype) !== undefined || isKnownLinkType(linktype);
  }

  /** The text tcpdump prints for one frame, newline included. */
  format(frame: Frame): string {
    const ctx = this.ctx;
    let head = '';
    if (this.opts.packetNumbers) head = pad5(++this.numbered) + '  ';
    const caplen = frame.caplen;
    const len = frame.wirelen;
    if (caplen === 0 || len === 0 || len < caplen || caplen > MAXIMUM_SNAPLEN || len > MAXIMUM_SNAPLEN) {
      return head + invalidHeader(caplen, len) + '\n';
    }
    const printer = linkPrinter(frame.linktype);
    if (printer === undefined && !isKnownLinkType(frame.linktype)) {
      throw new TcpscopeError('UNKNOWN_LINKTYPE',
        `packet ${frame.number} has link type ${frame.linktype}, which neither tcpscope nor tcpdump can decode`,
        { file: this.sourceName, offset: frame.fileOffset });
    }
    ctx.begin(frame);
    ctx.s = head + this.time.format(frame.tsSec, frame.tsNsec);
    if (printer === undefined) {
      // a link type libpcap knows but no printer decodes: tcpdump's unsupported_if_print
      ctx.s += 'UNSUPPORTED';
      ctx.llHdrLen = 0;
      ctx.s += hexAndAscii('\n\t', ctx.d, ctx.start, caplen, 0);
    } else {
      try {
        ctx.llHdrLen = printer(ctx, ctx.start, len, caplen);
      } catch (e) {
        if (e !== TRUNCATED) this.contain(frame, e);
        ctx.trunc();
        // as tcpdump after its longjmp: the dumps below then include the link-layer header
        ctx.llHdrLen = 0;
      }
    }
    ctx.snapend = ctx.start + caplen;
    if (ctx.Xflag) {
      if (ctx.Xflag > 1) ctx.s += hexAndAscii('\n\t', ctx.d, ctx.start, caplen, 0);
      else if (caplen > ctx.llHdrLen) ctx.s += hexAndAscii('\n\t', ctx.d, ctx.start + ctx.llHdrLen, caplen - ctx.llHdrLen, 0);
    } else if (ctx.xflag) {
      if (ctx.xflag > 1) ctx.s += hexOnly('\n\t', ctx.d, ctx.start, caplen, 0);
      else if (caplen > ctx.llHdrLen) ctx.s += hexOnly('\n\t', ctx.d, ctx.start + ctx.llHdrLen, caplen - ctx.llHdrLen, 0);
    } else if (ctx.Aflag) {
      if (caplen > ctx.llHdrLen) ctx.s += asciiDump(ctx.d, ctx.start + ctx.llHdrLen, caplen - ctx.llHdrLen);
    }
    const text = ctx.s + '\n';
    ctx.s = '';
    return text;
  }

  /** Report the first printer error once, on stderr, after the run (no stack unless debugging). */
  reportPrinterErrors(write: (line: string) => void = (l) => process.stderr.write(l)): void {
    const first = this.firstPrinterError;
    if (first === undefined) return;
    const msg = first.error instanceof Error ? first.error.message : String(first.error);
    write(`tcpscope: warning: ${this.printerErrors} packet(s) could not be fully printed; first: packet ${first.packet} (${first.protocol || 'link'}): ${msg}\n`);
    if (process.env.TCPSCOPE_DEBUG && first.error instanceof Error && first.error.stack) write(first.error.stack + '\n');
  }

  private contain(frame: Frame, e: unknown): void {
    if (e instanceof TcpscopeError) throw e;
    this.printerErrors++;
    if (this.firstPrinterError === undefined) this.firstPrinterError = { packet: frame.number, protocol: this.ctx.protocol, error: e };
  }
}

function pad5(n: number): string {
  const s = String(n);
  return s.length >= 5 ? s : '     '.slice(s.length) + s;
}

/** pretty_print_packet's sanity checks on the record header */
function invalidHeader(caplen: number, len: number): string {
  let s = '';
  let invalid = false;
  const add = (what: string): void => {
    s += invalid ? ',' + what : '[Invalid header:' + what;
    invalid = true;
  };
  if (caplen === 0) {
    s = '[Invalid header: caplen==0';
    invalid = true;
  }
  if (len === 0) add(' len==0');
  else if (len < caplen) add(` len(${len}) < caplen(${caplen})`);
  if (caplen > MAXIMUM_SNAPLEN) add(` caplen(${caplen}) > ${MAXIMUM_SNAPLEN}`);
  if (len > MAXIMUM_SNAPLEN) add(` len(${len}) > ${MAXIMUM_SNAPLEN}`);
  return s + ']';
}

export { PrintContext, TRUNCATED } from './context.js';
export { Names } from './names.js';
export * from './dispatch.js';
