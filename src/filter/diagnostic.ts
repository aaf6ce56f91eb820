/**
 * Error messages for filter expressions: the headline, then the expression with a caret line
 * under the part that is wrong, as a compiler would show it.
 */
import { type ErrorCode, TcpscopeError } from '../errors.js';
import type { Span } from './ast.js';

/** The expression and a caret line marking `span` (`^` under its first character, `~` after). */
export function caretLines(expression: string, span: Span): string {
  // tabs and newlines would shift the caret; show them as single spaces
  const shown = expression.replace(/[\t\r\n]/g, ' ');
  const start = Math.max(0, Math.min(span.start, shown.length));
  const width = Math.max(1, Math.min(span.end, shown.length) - start);
  return `  ${shown}\n  ${' '.repeat(start)}^${'~'.repeat(width - 1)}`;
}

export function filterError(code: ErrorCode, headline: string, expression: string, span: Span | null): TcpscopeError {
  const msg = span === null ? headline : `${headline}\n${caretLines(expression, span)}`;
  return new TcpscopeError(code, msg, { exitStatus: 1 });
}

/** `syntax error in filter expression: WHAT` + caret. */
export function syntaxError(what: string, expression: string, span: Span): TcpscopeError {
  return filterError('FILTER_SYNTAX', `syntax error in filter expression: ${what}`, expression, span);
}

/** A well-formed expression that means nothing (libpcap refuses it too). */
export function invalidError(what: string, expression: string, span: Span | null): TcpscopeError {
  return filterError('FILTER_INVALID', `invalid filter expression: ${what}`, expression, span);
}

/** Something libpcap accepts but tcpscope does not implement; says exactly which construct. */
export function unsupportedError(what: string, expression: string, span: Span | null): TcpscopeError {
  return filterError('FILTER_UNSUPPORTED', `unsupported in filter expression: ${what}`, expression, span);
}

/**
 * libpcap's refusal of a program its optimizer reduced to "reject every packet" (pcap_compile,
 * tcpdump exits 1): a protocol the link type cannot carry (`arp` on raw IP), the same test both
 * required and forbidden (`tcp and not tcp`), one field equal to two constants (`tcp and udp`).
 * tcpdump's words, no caret: no one part of the expression is to blame.
 */
export function rejectsAllError(expression: string): TcpscopeError {
  return filterError('FILTER_REJECTS_ALL', 'expression rejects all packets', expression, null);
}
