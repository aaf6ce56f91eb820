/**
 * Code generation: an optimized filter graph → one JavaScript function over the frame bytes.
 *
 * The graph's tests are laid out in topological order inside nested labelled blocks, so every
 * jump is a forward `break` — the shape of a BPF program, with each test run at most once and
 * shared continuations not duplicated. A load past the captured bytes, or a division by zero,
 * `return false`s on the spot: BPF's "reject the packet". The function allocates nothing.
 *
 *   function (d, o, cap, wire)   d: bytes, o: offset of the frame in d, cap: caplen, wire: len
 */
import { type Target, topological } from './cfg.js';
import type { Bool, Val } from './ir.js';

export type MatchFn = (d: Uint8Array, o: number, cap: number, wire: number) => boolean;

class Emitter {
  private readonly lines: string[] = [];
  private temps = 0;
  private maxTemps = 0;

  private emit(line: string): void {
    this.lines.push(`  ${line}`);
  }

  private temp(): string {
    return `v${this.temps++}`;
  }

  /** Emit what computes `v`; returns the expression that holds it (a temp or a literal). */
  private val(v: Val): string {
    switch (v.t) {
      case 'k': return String(v.v);
      case 'len': return 'wire';
      case 'family': {
        const t = this.temp();
        this.emit('if (cap < 4) return false;');
        this.emit(`${t} = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;`);
        this.emit(`if ((${t} & 0xffff) === 0) ${t} = ((${t} >>> 24) | ((${t} >>> 8) & 0xff00)) >>> 0;`);
        return t;
      }
      case 'iphl': {
        const t = this.temp();
        this.emit(`if (cap < ${v.off + 1}) return false;`);
        this.emit(`${t} = (d[o + ${v.off}] & 15) << 2;`);
        return t;
      }
      case 'ld': {
        const t = this.temp();
        let at: string;
        if (v.index === null) {
          this.emit(`if (cap < ${v.base + v.size}) return false;`);
          at = `o + ${v.base}`;
        } else {
          const ix = this.val(v.index);
          const a = this.temp();
          this.emit(`${a} = ${ix} + ${v.base};`);
          this.emit(`if (${a} + ${v.size} > cap) return false;`);
          at = `o + ${a}`;
        }
        if (v.size === 1) this.emit(`${t} = d[${at}];`);
        else if (v.size === 2) this.emit(`${t} = (d[${at}] << 8) | d[${at} + 1];`);
        else this.emit(`${t} = ((d[${at}] << 24) | (d[${at} + 1] << 16) | (d[${at} + 2] << 8) | d[${at} + 3]) >>> 0;`);
        return t;
      }
      case 'alu': {
        const a = this.val(v.a);
        const b = this.val(v.b);
        const t = this.temp();
        switch (v.op) {
          case '+': this.emit(`${t} = (${a} + ${b}) >>> 0;`); break;
          case '-': this.emit(`${t} = (${a} - ${b}) >>> 0;`); break;
          case '*': this.emit(`${t} = Math.imul(${a}, ${b}) >>> 0;`); break;
          case '/':
            this.emit(`if (${b} === 0) return false;`);
            this.emit(`${t} = (${a} / ${b}) >>> 0;`);
            break;
          case '%':
            this.emit(`if (${b} === 0) return false;`);
            this.emit(`${t} = ${a} % ${b};`);
            break;
          case '&': this.emit(`${t} = (${a} & ${b}) >>> 0;`); break;
          case '|': this.emit(`${t} = (${a} | ${b}) >>> 0;`); break;
          case '^': this.emit(`${t} = (${a} ^ ${b}) >>> 0;`); break;
          // libpcap's interpreter shifts everything out for a count of 32 or more (JS would
          // take the count mod 32)
          case '<<': this.emit(`${t} = ${b} < 32 ? (${a} << ${b}) >>> 0 : 0;`); break;
          case '>>': this.emit(`${t} = ${b} < 32 ? ${a} >>> ${b} : 0;`); break;
        }
        return t;
      }
      case 'neg': {
        const a = this.val(v.a);
        const t = this.temp();
        this.emit(`${t} = (-${a}) >>> 0;`);
        return t;
      }
    }
  }

  /** One graph node: its loads, then the jump on its outcome (temps are reused across nodes). */
  node(test: Extract<Bool, { t: 'cmp' }> | null, onTrue: string, onFalse: string): string[] {
    this.lines.length = 0;
    if (test === null) return [`  ${onTrue}`];
    this.temps = 0;
    const a = this.val(test.a);
    const c = this.val(test.b);
    const cond = test.op === 'eq' ? `${a} === ${c}` : test.op === 'gt' ? `${a} > ${c}` : test.op === 'ge' ? `${a} >= ${c}` : `(${a} & ${c}) !== 0`;
    this.maxTemps = Math.max(this.maxTemps, this.temps);
    return [...this.lines, `  if (${cond}) { ${onTrue} }`, `  ${onFalse}`];
  }

  declarations(): string {
    const n = Math.max(this.maxTemps, this.temps);
    return n > 0 ? `  let ${Array.from({ length: n }, (_, i) => `v${i} = 0`).join(', ')};\n` : '';
  }

}

/** Nested blocks are fastest, but a parser has a depth limit: past this many tests, a loop. */
const MAX_NESTING = 1500;

/** The body of `function (d, o, cap, wire)` for an optimized graph. */
export function generateSource(root: Target, maxNesting = MAX_NESTING): string {
  if (typeof root === 'string') return `  return ${root === 'accept'};\n`;
  const order = topological(root);
  const index = new Map(order.map((n, i) => [n, i]));
  const e = new Emitter();
  const body: string[] = [];
  if (order.length <= maxNesting) {
    // node i sits inside blocks N(i+1)..N(last); `break Nj` continues at node j
    const jump = (t: Target): string => (typeof t === 'string' ? `return ${t === 'accept'};` : `break N${index.get(t)};`);
    for (let i = order.length - 1; i >= 1; i--) body.push(`  N${i}: {`);
    order.forEach((n, i) => {
      if (i > 0) body.push('  }');
      body.push(...e.node(n.test, jump(n.jt), jump(n.jf)));
    });
  } else {
    const jump = (t: Target): string => (typeof t === 'string' ? `return ${t === 'accept'};` : `s = ${index.get(t)}; continue;`);
    body.push('  let s = 0;', '  for (;;) switch (s) {');
    order.forEach((n, i) => {
      body.push(`  case ${i}:`);
      body.push(...e.node(n.test, jump(n.jt), jump(n.jf)));
    });
    body.push('  default: return false;', '  }');
  }
  return `${e.declarations()}${body.join('\n')}\n`;
}

export function compileSource(source: string): MatchFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('d', 'o', 'cap', 'wire', source) as MatchFn;
}
