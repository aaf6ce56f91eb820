/**
 * Code generation: a lowered filter → one JavaScript function over the frame bytes.
 *
 * The boolean structure becomes jumps, as in a BPF program: each test ends in `break T` or
 * `break F` to labelled blocks, so and/or/not cost nothing and every test runs at most once.
 * A load past the captured bytes, or a division by zero, `return false`s on the spot — BPF's
 * "reject the packet" — without a flag to check afterwards. The function allocates nothing.
 *
 *   function (d, o, cap, wire)   d: bytes, o: offset of the frame in d, cap: caplen, wire: len
 */
import type { Bool, Val } from './ir.js';

export type MatchFn = (d: Uint8Array, o: number, cap: number, wire: number) => boolean;

class Emitter {
  private readonly lines: string[] = [];
  private temps = 0;
  private labels = 0;
  private depth = 1;

  private emit(line: string): void {
    this.lines.push('  '.repeat(this.depth) + line);
  }

  private temp(): string {
    return `v${this.temps++}`;
  }

  private label(): string {
    return `L${this.labels++}`;
  }

  /** Emit what computes `v`; returns the expression that holds it (a temp or a literal). */
  private val(v: Val): string {
    switch (v.t) {
      case 'k': return String(v.v);
      case 'len': return 'wire';
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
          // the count is taken mod 32, as x86 does for the C `<<` in libpcap's interpreter
          case '<<': this.emit(`${t} = (${a} << ${b}) >>> 0;`); break;
          case '>>': this.emit(`${t} = ${a} >>> ${b};`); break;
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

  /** Emit code that ends by breaking to `T` when `b` holds and to `F` when it does not. */
  bool(b: Bool, T: string, F: string): void {
    switch (b.t) {
      case 'true': this.emit(`break ${T};`); return;
      case 'false': this.emit(`break ${F};`); return;
      case 'fixed': this.emit(`break ${b.v ? T : F};`); return;
      case 'not': this.bool(b.a, F, T); return;
      case 'and':
      case 'or': {
        const L = this.label();
        this.emit(`${L}: {`);
        this.depth++;
        if (b.t === 'and') this.bool(b.a, L, F);
        else this.bool(b.a, T, L);
        this.depth--;
        this.emit('}');
        this.bool(b.b, T, F);
        return;
      }
      case 'cmp': {
        const a = this.val(b.a);
        const c = this.val(b.b);
        const cond = b.op === 'eq' ? `${a} === ${c}` : b.op === 'gt' ? `${a} > ${c}` : b.op === 'ge' ? `${a} >= ${c}` : `(${a} & ${c}) !== 0`;
        this.emit(`if (${cond}) break ${T};`);
        this.emit(`break ${F};`);
        return;
      }
    }
  }

  source(b: Bool): string {
    if (b.t === 'true') return '  return true;\n';
    if (b.t === 'false') return '  return false;\n';
    this.depth = 3;
    this.bool(b, 'T', 'F');
    const body = this.lines.join('\n');
    const decl = this.temps > 0 ? `  let ${Array.from({ length: this.temps }, (_, i) => `v${i} = 0`).join(', ')};\n` : '';
    return `${decl}  T: {\n    F: {\n${body}\n    }\n    return false;\n  }\n  return true;\n`;
  }
}

/** The body of `function (d, o, cap, wire)` for `b`. */
export function generateSource(b: Bool): string {
  return new Emitter().source(b);
}

export function compileBool(b: Bool): MatchFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('d', 'o', 'cap', 'wire', generateSource(b)) as MatchFn;
}
