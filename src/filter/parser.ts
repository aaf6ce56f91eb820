/**
 * Parser for pcap-filter expressions: libpcap's yacc grammar (grammar.y), by recursive descent.
 *
 * Three rules of that grammar shape everything here:
 * - `and` and `or` have the SAME precedence and associate to the left: `a or b and c` is
 *   `(a or b) and c`. `not` binds tighter than both.
 * - A bare value after `and`/`or`/`not`/`(` takes the qualifiers of the primitive before it
 *   (`host a or b` → `host a or host b`; `tcp port 80 or 443` → `... or tcp port 443`). What is
 *   carried is libpcap's `$<blk>0.q`: the qualifiers of the last primitive, or, after a
 *   parenthesized expression, those in force before its `(`; after a bare protocol name, a
 *   relation or another keyword primitive there is nothing to carry and a bare value is an error.
 * - In arithmetic, `%` and `^` have no declared precedence, so yacc always shifts them: their
 *   right operand swallows the rest of the arithmetic (`a % 3 + 1` is `a % (3 + 1)`).
 * Where yacc decides between a value and a primitive by looking ahead, this parser tries the
 * value first and falls back, which accepts the same sentences.
 */
import type { Arith, ArithOp, DirQual, Node, ProtoQual, Qual, Span } from './ast.js';
import { QERR } from './ast.js';
import { filterError, syntaxError, unsupportedError } from './diagnostic.js';
import { LexError, type TokKind, type Token, tokenize } from './lexer.js';

/** Protocols tcpscope implements (the rest of libpcap's protocol names are refused by name). */
export const IMPLEMENTED_PROTOS: ReadonlySet<string> = new Set<ProtoQual>([
  'link', 'ip', 'arp', 'rarp', 'sctp', 'tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp',
  'ip6', 'icmp6', 'ah', 'esp',
]);

/** A parse failure at a token; alternatives compare how far they got. */
class ParseFail {
  constructor(readonly message: string, readonly tok: Token) {}
}

const ARITH_PREC: Partial<Record<TokKind, number>> = { '|': 1, '&': 2, LSH: 3, RSH: 3, '+': 4, '-': 4, '*': 5, '/': 5 };
const ARITH_OP: Partial<Record<TokKind, ArithOp>> = {
  '|': '|', '&': '&', LSH: '<<', RSH: '>>', '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '^': '^',
};

/**
 * How deep parentheses, `not`s and unary minus may nest. libpcap's parser (bison, YYMAXDEPTH
 * 10000) refuses ~10,000 levels with "can't parse filter expression: memory exhausted"; this
 * parser and the passes after it recurse per level, so it stops at a bound well inside the
 * JavaScript stack with one clear error instead of a stack overflow. Chains of `and`/`or` are
 * not nesting: they are built balanced (parseExpr), so any length compiles. Mixed chains
 * (`a or b and c or d …`) nest one level per change of operator: checked after parsing.
 */
export const MAX_NESTING = 1000;

/** `ops[from..to)` joined by `op` as a balanced tree (depth log n) */
function balanced(op: 'and' | 'or', ops: Node[], from: number, to: number): Node {
  if (to - from === 1) return ops[from];
  const mid = (from + to) >>> 1;
  return { k: op, l: balanced(op, ops, from, mid), r: balanced(op, ops, mid, to) };
}

/** The tree's depth, without recursion (the check that keeps the recursive passes after parsing within the stack). */
function treeDepth(root: Node): number {
  let deepest = 0;
  const stack: [Node, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > deepest) deepest = d;
    if (n.k === 'and' || n.k === 'or') stack.push([n.l, d + 1], [n.r, d + 1]);
    else if (n.k === 'not') stack.push([n.e, d + 1]);
  }
  return deepest;
}

function describe(t: Token): string {
  return t.kind === 'EOF' ? 'the end of the expression' : `'${t.text}'`;
}

export function parseFilter(expr: string): Node {
  let toks: Token[];
  try {
    toks = tokenize(expr);
  } catch (e) {
    if (e instanceof LexError) throw syntaxError(e.message, expr, { start: e.start, end: e.end });
    throw e;
  }
  return new Parser(expr, toks).parseProgram();
}

class Parser {
  private i = 0;
  /** the failure that got furthest, reported when every alternative fails */
  private furthest: ParseFail | null = null;
  /** terms and arithmetic operands being parsed, one inside the other (parseTerm, parseUnary) */
  private termDepth = 0;
  private arithDepth = 0;

  constructor(private readonly expr: string, private readonly toks: Token[]) {}

  parseProgram(): Node {
    if (this.peek().kind === 'EOF') return { k: 'all' };
    try {
      const { node } = this.parseExpr(QERR);
      if (this.peek().kind !== 'EOF') this.fail(`expected 'and', 'or' or the end of the expression, found ${describe(this.peek())}`);
      // alternating `and`/`or` nest a level per change of operator (see MAX_NESTING)
      if (treeDepth(node) > 2 * MAX_NESTING) {
        throw filterError('FILTER_SYNTAX', `syntax error in filter expression: the expression is nested too deeply (more than ${2 * MAX_NESTING} alternations of 'and' and 'or')`, this.expr, null);
      }
      return node;
    } catch (e) {
      if (e instanceof ParseFail) {
        const f = this.furthest !== null && this.furthest.tok.start > e.tok.start ? this.furthest : e;
        throw syntaxError(f.message, this.expr, { start: f.tok.start, end: Math.max(f.tok.end, f.tok.start + 1) });
      }
      throw e;
    }
  }

  // ---- token helpers --------------------------------------------------------------------

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.toks[this.i];
    if (t.kind !== 'EOF') this.i++;
    return t;
  }

  private at(kind: TokKind): boolean {
    return this.peek().kind === kind;
  }

  private fail(message: string, tok: Token = this.peek()): never {
    const f = new ParseFail(message, tok);
    if (this.furthest === null || tok.start > this.furthest.tok.start) this.furthest = f;
    throw f;
  }

  private expect(kind: TokKind, what: string): Token {
    if (!this.at(kind)) this.fail(`expected ${what}, found ${describe(this.peek())}`);
    return this.next();
  }

  private span(from: Token): Span {
    const last = this.toks[Math.max(this.i - 1, 0)];
    return { start: from.start, end: Math.max(last.end, from.end) };
  }

  /** Run `f`; on a parse failure, rewind and return null. */
  private attempt<T>(f: () => T): T | null {
    const save = this.i;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      this.i = save;
      return null;
    }
  }

  // ---- expressions ----------------------------------------------------------------------

  /**
   * expr: term { (and|or) (term | id) } — left to right, one precedence level. A run of one
   * operator (`port 1 or port 2 or …`) is built as a balanced tree, not libpcap's left-leaning
   * one: the same sentence (and/or of one kind associate), the same flow graph (cfg.ts's
   * buildGraph chains the terms alike either way), but depth log n instead of n, so lowering and
   * building a chain of 20,000 terms do not recurse 20,000 deep (qa5 F2: 700 `or`s ran out of
   * stack). A change of operator closes the run: `a or b and c` stays `(a or b) and c`.
   */
  private parseExpr(carried: Qual): { node: Node; q: Qual } {
    const first = this.parseTerm(carried);
    let q = first.q;
    let run: Node[] = [first.node];
    let runOp: 'and' | 'or' | null = null;
    while (this.at('AND') || this.at('OR')) {
      const op = this.next().kind === 'AND' ? 'and' : 'or';
      if (runOp !== null && op !== runOp) run = [balanced(runOp, run, 0, run.length)];
      runOp = op;
      // a bare value continues with the qualifiers in force (`host a or b`)
      const idStart = this.peek();
      const id = this.attempt(() => {
        const n = this.parseId(q);
        const k = this.peek().kind;
        if (k !== 'AND' && k !== 'OR' && k !== ')' && k !== 'EOF') this.fail(`expected 'and', 'or', ')' or the end of the expression, found ${describe(this.peek())}`);
        return n;
      });
      if (id !== null) {
        // libpcap's gen_ncode/gen_scode answer `syntax error` when nothing carries over
        if (q.addr === 'undef') {
          const span = this.span(idStart);
          throw syntaxError(`'${this.expr.slice(span.start, span.end)}' needs a qualifier such as 'host', 'net' or 'port' (none carries over from a protocol name, comparison or keyword primitive)`, this.expr, span);
        }
        run.push(id);
        continue;
      }
      const t = this.parseTerm(q);
      run.push(t.node);
      q = t.q;
    }
    return { node: runOp === null ? run[0] : balanced(runOp, run, 0, run.length), q };
  }

  /** term: not term | rterm */
  private parseTerm(carried: Qual): { node: Node; q: Qual } {
    // each `not` and `(` comes through here: bound the recursion (see MAX_NESTING)
    if (++this.termDepth > MAX_NESTING + 1) this.tooDeep(); // + 1: the outermost term is not nested
    try {
      if (this.at('NOT')) {
        this.next();
        const t = this.parseTerm(carried);
        return { node: { k: 'not', e: t.node }, q: t.q };
      }
      return this.parseRterm(carried);
    } finally {
      this.termDepth--;
    }
  }

  /** the expression nests `not`s, parentheses or arithmetic deeper than MAX_NESTING */
  private tooDeep(): never {
    // no caret: the line under an expression thousands of characters long helps no one
    throw filterError('FILTER_SYNTAX', `syntax error in filter expression: the expression is nested too deeply (more than ${MAX_NESTING} levels of parentheses, 'not' or unary '-')`, this.expr, null);
  }

  private startsArith(): boolean {
    const t = this.peek();
    return t.kind === 'NUM' || t.kind === 'LEN' || t.kind === '-' || t.kind === '(' || (t.kind === 'PNAME' && this.peek(1).kind === '[');
  }

  private parseRterm(carried: Qual): { node: Node; q: Qual } {
    const first = this.peek();
    if (this.startsArith()) {
      const rel = this.attempt(() => this.parseRelation());
      if (rel !== null) return { node: rel, q: QERR };
    }
    if (first.kind === '(') {
      this.next();
      const inner = this.parseExpr(carried);
      this.expect(')', "')'");
      // after `( ... )` the qualifiers in force are those from before the `(`
      return { node: inner.node, q: carried };
    }
    const head = this.parseHead();
    if (head !== null) {
      if (head.bareProto !== null) {
        return { node: { k: 'proto', proto: head.bareProto, span: this.span(first) }, q: QERR };
      }
      if (head.other !== null) return { node: head.other, q: QERR };
      const node = this.parseId(head.q);
      return { node, q: head.q };
    }
    return { node: this.parseOther(), q: QERR };
  }

  /**
   * head: [pname] [dqual] [aqual] | [pname] proto | [pname] gateway, or a protocol name on its
   * own (returned as bareProto), or `[pname] broadcast|multicast` (returned as other).
   */
  private parseHead(): { q: Qual; bareProto: ProtoQual | null; other: Node | null } | null {
    const start = this.peek();
    let proto: ProtoQual | 'default' = 'default';
    if (this.at('PNAME')) {
      const t = this.next();
      if (!IMPLEMENTED_PROTOS.has(t.pname)) {
        throw unsupportedError(`the protocol qualifier '${t.text}' (tcpscope filters Ethernet, ARP, IPv4, IPv6, TCP, UDP, SCTP, ICMP, ICMPv6, IGMP, IGRP, PIM, VRRP, AH and ESP)`, this.expr, { start: t.start, end: t.end });
      }
      proto = t.pname as ProtoQual;
    }
    if (this.at('BROADCAST') || this.at('MULTICAST')) {
      const k = this.next().kind === 'BROADCAST' ? 'broadcast' : 'multicast';
      return { q: QERR, bareProto: null, other: { k, proto, span: this.span(start) } };
    }
    let dir: DirQual = 'default';
    let hasDir = false;
    const d = this.peek();
    if (d.kind === 'SRC' || d.kind === 'DST') {
      this.next();
      hasDir = true;
      dir = d.kind === 'SRC' ? 'src' : 'dst';
      // `src or dst` / `src and dst` (yacc shifts the and/or: `src or 10.0.0.1` is an error)
      if (this.at('OR') || this.at('AND')) {
        const conj = this.next();
        const other = d.kind === 'SRC' ? 'DST' : 'SRC';
        this.expect(other, `'${other.toLowerCase()}' after '${d.text} ${conj.text}'`);
        dir = conj.kind === 'OR' ? 'or' : 'and';
      }
    } else if (d.kind === 'ADDR1' || d.kind === 'ADDR2' || d.kind === 'ADDR3' || d.kind === 'ADDR4' || d.kind === 'RA' || d.kind === 'TA') {
      throw unsupportedError(`the 802.11 address qualifier '${d.text}'`, this.expr, { start: d.start, end: d.end });
    }
    const a = this.peek();
    const aquals: Partial<Record<TokKind, Qual['addr']>> = { HOST: 'host', NET: 'net', PORT: 'port', PORTRANGE: 'portrange' };
    const aq = aquals[a.kind];
    if (aq !== undefined) {
      this.next();
      return { q: { proto, dir, addr: aq }, bareProto: null, other: null };
    }
    if (!hasDir && (a.kind === 'PROTO' || a.kind === 'PROTOCHAIN' || a.kind === 'GATEWAY')) {
      this.next();
      if (a.kind === 'PROTOCHAIN') throw unsupportedError("'protochain' (following IPv6 extension header chains)", this.expr, { start: a.start, end: a.end });
      if (a.kind === 'GATEWAY') throw unsupportedError("'gateway' (it needs host names resolved to Ethernet addresses)", this.expr, { start: a.start, end: a.end });
      return { q: { proto, dir, addr: 'proto' }, bareProto: null, other: null };
    }
    if (hasDir) return { q: { proto, dir, addr: 'default' }, bareProto: null, other: null };
    if (start.kind === 'PNAME') return { q: QERR, bareProto: proto as ProtoQual, other: null };
    return null;
  }

  /** other: less N | greater N | vlan [N] | inbound | outbound | ifindex N, and the unsupported. */
  private parseOther(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'LESS':
      case 'GREATER': {
        this.next();
        const n = this.expect('NUM', `a length after '${t.text}'`);
        return { k: t.kind === 'LESS' ? 'less' : 'greater', n: n.num, span: this.span(t) };
      }
      case 'VLAN': {
        this.next();
        // yacc shifts a following number or `(`: `vlan (tcp)` is an error, as in libpcap
        const id = this.at('NUM') || this.at('(') ? this.parsePnum() : null;
        return { k: 'vlan', id, span: this.span(t) };
      }
      case 'INBOUND':
      case 'OUTBOUND':
        this.next();
        return { k: t.kind === 'INBOUND' ? 'inbound' : 'outbound', span: this.span(t) };
      case 'IFINDEX': {
        this.next();
        const n = this.expect('NUM', "an interface index after 'ifindex'");
        return { k: 'ifindex', n: n.num, span: this.span(t) };
      }
      case 'BYTE':
        throw unsupportedError("the 'byte' primitive (write ip[N] instead)", this.expr, { start: t.start, end: t.end });
      case 'UNSUPPORTED':
        throw unsupportedError(`'${t.text}' (MPLS, PPPoE, Geneve, ATM, SS7, pf and 802.11 primitives are not implemented)`, this.expr, { start: t.start, end: t.end });
      case 'ID':
      case 'HID':
      case 'HID6':
      case 'EID':
        this.fail(`'${t.text}' needs a qualifier in front of it, such as 'host', 'net', 'port' or 'ether host'`);
      default:
        this.fail(`expected a primitive (host, net, port, a protocol name, a comparison, ...), found ${describe(t)}`);
    }
  }

  // ---- values (grammar `id`, `nid`, `pid`, `pnum`) --------------------------------------

  /** id: nid | pnum | ( pid ) — with the qualifiers `q` in force. */
  private parseId(q: Qual): Node {
    const t = this.peek();
    if (t.kind === 'NUM') return this.valueNode(q, { t: 'num', v: this.next().num }, t);
    if (t.kind === '(') {
      this.next();
      const node = this.parsePid(q);
      this.expect(')', "')'");
      return node;
    }
    return this.parseNid(q);
  }

  /** pid: (nid | pnum) { (and|or) id } — the inside of `host a or (b or c)`. */
  private parsePid(q: Qual): Node {
    const t = this.peek();
    let node: Node;
    if (t.kind === 'NUM' || t.kind === '(') {
      const v = this.parsePnum();
      node = this.valueNode(q, { t: 'num', v }, t);
    } else {
      node = this.parseNid(q);
    }
    while (this.at('AND') || this.at('OR')) {
      const op = this.next().kind === 'AND' ? 'and' : 'or';
      node = { k: op, l: node, r: this.parseId(q) };
    }
    return node;
  }

  /** pnum: NUM | ( pnum ) */
  private parsePnum(): number {
    if (this.at('(')) {
      this.next();
      const v = this.parsePnum();
      this.expect(')', "')'");
      return v;
    }
    return this.expect('NUM', 'a number').num;
  }

  /** nid: ID | HID [/NUM | mask HID] | HID6 [/NUM] | EID | not id */
  private parseNid(q: Qual): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'ID':
        this.next();
        return this.valueNode(q, { t: 'name', s: t.text }, t);
      case 'HID': {
        this.next();
        if (this.at('/')) {
          this.next();
          const n = this.expect('NUM', "a prefix length after '/'");
          return this.valueNode(q, { t: 'hidlen', s: t.text, len: n.num }, t);
        }
        if (this.at('NETMASK')) {
          this.next();
          const m = this.expect('HID', "a netmask (a.b.c.d) after 'mask'");
          return this.valueNode(q, { t: 'hidmask', s: t.text, mask: m.text }, t);
        }
        return this.valueNode(q, { t: 'hid', s: t.text }, t);
      }
      case 'HID6': {
        this.next();
        if (this.at('/')) {
          this.next();
          const n = this.expect('NUM', "a prefix length after '/'");
          return this.valueNode(q, { t: 'hid6', s: t.text, len: n.num, explicitLen: true }, t);
        }
        return this.valueNode(q, { t: 'hid6', s: t.text, len: 128, explicitLen: false }, t);
      }
      case 'EID':
        this.next();
        return this.valueNode(q, { t: 'eid', s: t.text }, t);
      case 'AID':
        throw unsupportedError(`the ARCnet address '${t.text}'`, this.expr, { start: t.start, end: t.end });
      case 'NOT': {
        this.next();
        return { k: 'not', e: this.parseId(q) };
      }
      default:
        this.fail(`expected a host, network, port or protocol (an address, name or number), found ${describe(t)}`);
    }
  }

  private valueNode(q: Qual, arg: Extract<Node, { k: 'id' }>['arg'], from: Token): Node {
    return { k: 'id', q, arg, span: this.span(from) };
  }

  // ---- arithmetic -----------------------------------------------------------------------

  /** arth relop arth, relop one of > >= = == and the inverted < <= != */
  private parseRelation(): Node {
    const first = this.peek();
    const a = this.parseArith(0);
    const r = this.peek();
    const rel: Partial<Record<TokKind, { op: 'eq' | 'gt' | 'ge'; neg: boolean }>> = {
      '>': { op: 'gt', neg: false }, GEQ: { op: 'ge', neg: false }, '=': { op: 'eq', neg: false },
      LEQ: { op: 'gt', neg: true }, '<': { op: 'ge', neg: true }, NEQ: { op: 'eq', neg: true },
    };
    const rop = rel[r.kind];
    if (rop === undefined) this.fail(`expected a comparison (=, !=, <, <=, >, >=) or an arithmetic operator, found ${describe(r)}`);
    this.next();
    const b = this.parseArith(0);
    return { k: 'rel', op: rop.op, neg: rop.neg, a, b, span: this.span(first) };
  }

  private parseArith(minPrec: number): Arith {
    return this.parseArithRest(this.parseUnary(), minPrec);
  }

  private parseArithRest(left: Arith, minPrec: number): Arith {
    for (;;) {
      const t = this.peek();
      if (t.kind === '%' || t.kind === '^') {
        // no precedence in libpcap's grammar: yacc shifts, the right side takes everything
        this.next();
        const right = this.parseArith(0);
        left = { k: 'bin', op: ARITH_OP[t.kind]!, a: left, b: right, span: { start: left.span.start, end: right.span.end } };
        continue;
      }
      const prec = ARITH_PREC[t.kind];
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      const right = this.parseArith(prec + 1);
      left = { k: 'bin', op: ARITH_OP[t.kind]!, a: left, b: right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private parseUnary(): Arith {
    // each `(` and unary `-` of arithmetic comes through here
    if (++this.arithDepth > MAX_NESTING + 1) this.tooDeep();
    try {
      return this.parseUnaryAt();
    } finally {
      this.arithDepth--;
    }
  }

  private parseUnaryAt(): Arith {
    const t = this.peek();
    if (t.kind === '-') {
      this.next();
      let operand = this.parseUnary();
      // `-a % b` is `-(a % b)`: % and ^ are shifted even over unary minus
      while (this.at('%') || this.at('^')) {
        const op = this.next();
        const right = this.parseArith(0);
        operand = { k: 'bin', op: ARITH_OP[op.kind]!, a: operand, b: right, span: { start: operand.span.start, end: right.span.end } };
      }
      return { k: 'neg', a: operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.parseArithAtom();
  }

  private parseArithAtom(): Arith {
    const t = this.peek();
    switch (t.kind) {
      case 'NUM':
        this.next();
        return { k: 'num', v: t.num, span: { start: t.start, end: t.end } };
      case 'LEN':
        this.next();
        return { k: 'len', span: { start: t.start, end: t.end } };
      case '(': {
        this.next();
        const inner = this.parseArith(0);
        this.expect(')', "')'");
        return inner;
      }
      case 'PNAME': {
        this.next();
        this.expect('[', "'['");
        const index = this.parseArith(0);
        let size = 1;
        if (this.at(':')) {
          this.next();
          size = this.expect('NUM', "a size (1, 2 or 4) after ':'").num;
        }
        this.expect(']', "']'");
        if (!IMPLEMENTED_PROTOS.has(t.pname)) {
          throw unsupportedError(`byte access on '${t.text}'`, this.expr, { start: t.start, end: t.end });
        }
        return { k: 'load', proto: t.pname as ProtoQual, index, size, span: this.span(t) };
      }
      default:
        this.fail(`expected a number, 'len' or proto[offset], found ${describe(t)}`);
    }
  }
}
