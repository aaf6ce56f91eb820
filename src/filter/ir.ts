/**
 * The lowered form of a filter for one link type: boolean combinations of unsigned 32-bit
 * comparisons over loads from the frame, the same vocabulary as a BPF program.
 *
 * Semantics are BPF's, because that is what tcpdump runs: every value is an unsigned 32-bit
 * number; a load past the captured bytes, or a division by zero, REJECTS THE WHOLE PACKET at
 * once (not just the comparison it is in — `not tcp[100] = 1` does not match a short packet);
 * and/or short-circuit left to right, which decides which loads run.
 *
 * The constructors fold what libpcap's optimizer folds, because that changes which loads run:
 * `x & 0` and `x * 0` are 0 without loading x, a comparison of two constants is decided, a test
 * whose outcome cannot matter (`x or true`) is dropped with its loads, and a masked compare with
 * a zero mask (`net ::/0`) loads nothing.
 */
import type { ArithOp } from './ast.js';

export type Val =
  | { t: 'k'; v: number }
  /** the packet's length on the wire (BPF `len`) */
  | { t: 'len' }
  /** `size` bytes, big-endian, at frame offset `index + base` (index computed mod 2^32, then added) */
  | { t: 'ld'; size: 1 | 2 | 4; index: Val | null; base: number }
  /** 4 × (low nibble of the byte at `off`): the IPv4 header length (BPF `ldxb 4*([off]&0xf)`) */
  | { t: 'iphl'; off: number }
  /**
   * The address family in a BSD loopback (DLT_NULL) header: 4 bytes in the capturing host's
   * byte order. Read big-endian; a value whose low 16 bits are 0 was little-endian, swap it.
   */
  | { t: 'family' }
  | { t: 'alu'; op: ArithOp; a: Val; b: Val }
  | { t: 'neg'; a: Val };

export type CmpOp = 'eq' | 'gt' | 'ge' | 'set';

export type Bool =
  | { t: 'true' }
  | { t: 'false' }
  | { t: 'and' | 'or'; a: Bool; b: Bool }
  | { t: 'not'; a: Bool }
  /**
   * a op b, unsigned; `set` is (a & b) != 0 (BPF jset). `rel`: written as a relation
   * (`ether[12:2] = 0x800`), which libpcap's optimizer does not identify with a protocol test
   * of the same field (cfg.ts decides one only from its own kind)
   */
  | { t: 'cmp'; op: CmpOp; a: Val; b: Val; rel?: true }
  /**
   * A comparison libpcap's optimizer computed to be always `v` but left in the program: the
   * tests before it still run (and can reject a short packet). Never folded away.
   */
  | { t: 'fixed'; v: boolean; refusal?: unknown };

export const TRUE: Bool = { t: 'true' };
export const FALSE: Bool = { t: 'false' };

export function k(v: number): Val {
  return { t: 'k', v: v >>> 0 };
}

export const LEN: Val = { t: 'len' };

export function isConst(v: Val): v is { t: 'k'; v: number } {
  return v.t === 'k';
}

/** A load; a constant index folds into the offset as libpcap's optimizer does (mod 2^32). */
export function ld(size: 1 | 2 | 4, index: Val | null, base: number): Val {
  if (index !== null && isConst(index)) return { t: 'ld', size, index: null, base: (base + index.v) >>> 0 };
  return { t: 'ld', size, index, base };
}

/** Fixed-offset load. */
export function at(off: number, size: 1 | 2 | 4): Val {
  return { t: 'ld', size, index: null, base: off };
}

export const FAMILY: Val = { t: 'family' };

export function iphl(off: number): Val {
  return { t: 'iphl', off };
}

/** Evaluate one ALU operation on two u32 values (divisor checked by the caller). */
export function applyAlu(op: ArithOp, a: number, b: number): number {
  switch (op) {
    case '+': return (a + b) >>> 0;
    case '-': return (a - b) >>> 0;
    case '*': return Math.imul(a, b) >>> 0;
    case '/': return Math.floor(a / b) >>> 0;
    case '%': return a % b;
    case '&': return (a & b) >>> 0;
    case '|': return (a | b) >>> 0;
    case '^': return (a ^ b) >>> 0;
    // a shift count of 32 or more shifts everything out (libpcap's interpreter and its folding)
    case '<<': return b >= 32 ? 0 : (a << b) >>> 0;
    case '>>': return b >= 32 ? 0 : a >>> b;
  }
}

/**
 * An ALU operation, folded as the optimizer folds it. The caller rejects constant zero
 * divisors before calling (libpcap reports "division by zero" at compile time).
 */
export function alu(op: ArithOp, a: Val, b: Val): Val {
  if (isConst(a) && isConst(b)) return k(applyAlu(op, a.v, b.v));
  if (isConst(b) && b.v === 0) {
    if (op === '+' || op === '-' || op === '<<' || op === '>>' || op === '|' || op === '^') return a;
    if (op === '*' || op === '&') return k(0);
  }
  if (isConst(a) && a.v === 0) {
    if (op === '+' || op === '|' || op === '^') return b;
    if (op === '*' || op === '/' || op === '%' || op === '&' || op === '<<' || op === '>>') return k(0);
  }
  return { t: 'alu', op, a, b };
}

export function neg(a: Val): Val {
  return isConst(a) ? k(-a.v) : { t: 'neg', a };
}

/** See `fixed` in Bool: a constant outcome that does not let and/or fold the tests around it. */
export function fixed(v: boolean): Bool {
  return { t: 'fixed', v };
}

/**
 * A comparison libpcap's optimizer refuses to compile (a divisor that folds to zero), but only
 * if the optimizer reaches it: `refusal` is thrown when this node survives optimization.
 */
export function refused(refusal: unknown): Bool {
  return { t: 'fixed', v: false, refusal };
}

export function cmp(op: CmpOp, a: Val, b: Val): Bool {
  if (isConst(a) && isConst(b)) {
    const x = a.v;
    const y = b.v;
    const r = op === 'eq' ? x === y : op === 'gt' ? x > y : op === 'ge' ? x >= y : (x & y) !== 0;
    return r ? TRUE : FALSE;
  }
  return { t: 'cmp', op, a, b };
}

/** `(ld & mask) == value`; a zero mask compares nothing (and loads nothing). */
export function mcmp(v: Val, value: number, mask: number): Bool {
  if ((mask >>> 0) === 0xffffffff) return cmp('eq', v, k(value));
  return cmp('eq', alu('&', v, k(mask)), k(value & mask));
}

export function and(a: Bool, b: Bool): Bool {
  if (a.t === 'false') return FALSE;
  if (a.t === 'true') return b;
  if (b.t === 'true') return a;
  if (b.t === 'false') return FALSE; // a's outcome cannot matter: libpcap drops it, loads and all
  return { t: 'and', a, b };
}

export function or(a: Bool, b: Bool): Bool {
  if (a.t === 'true') return TRUE;
  if (a.t === 'false') return b;
  if (b.t === 'false') return a;
  if (b.t === 'true') return TRUE;
  return { t: 'or', a, b };
}

export function not(a: Bool): Bool {
  if (a.t === 'true') return FALSE;
  if (a.t === 'false') return TRUE;
  if (a.t === 'not') return a.a;
  return { t: 'not', a };
}

/** and() over an optional first operand (protocol checks that may be absent). */
export function andOpt(a: Bool | null, b: Bool): Bool {
  return a === null ? b : and(a, b);
}

/** A readable rendering, for debugging and error reports (`tcpscope` has no `-d`). */
export function formatBool(b: Bool): string {
  switch (b.t) {
    case 'true': return 'true';
    case 'false': return 'false';
    case 'fixed': return `always ${b.v}`;
    case 'and': return `(${formatBool(b.a)} && ${formatBool(b.b)})`;
    case 'or': return `(${formatBool(b.a)} || ${formatBool(b.b)})`;
    case 'not': return `!(${formatBool(b.a)})`;
    case 'cmp': {
      const sym = b.op === 'eq' ? '==' : b.op === 'gt' ? '>' : b.op === 'ge' ? '>=' : '&';
      return b.op === 'set' ? `(${formatVal(b.a)} & ${formatVal(b.b)}) != 0` : `${formatVal(b.a)} ${sym} ${formatVal(b.b)}`;
    }
  }
}

export function formatVal(v: Val): string {
  switch (v.t) {
    case 'k': return v.v > 9 ? `0x${v.v.toString(16)}` : String(v.v);
    case 'len': return 'len';
    case 'ld': return `[${v.index === null ? '' : formatVal(v.index) + ' + '}${v.base}:${v.size}]`;
    case 'iphl': return `4*([${v.off}]&0xf)`;
    case 'family': return 'family([0:4])';
    case 'alu': return `(${formatVal(v.a)} ${v.op} ${formatVal(v.b)})`;
    case 'neg': return `-${formatVal(v.a)}`;
  }
}
