/**
 * Cheaper programs with the same answers, including which packets a failed load rejects.
 *
 * Two rewrites, both exact under BPF semantics (a load past the captured bytes rejects the
 * packet wherever it happens):
 * - `(A and B) or (A and C)` → `A and (B or C)`: whenever the second A would run, the first
 *   already ran with the same outcome, so no load is added or lost. gencode repeats the
 *   link-type test in every branch (`host X` tests "is IPv4" for src and again for dst).
 * - A comparison already decided on this path (`[12:2] == 0x800` after it held, or
 *   `[12:2] == 0x86dd` after `[12:2] == 0x800` held) becomes a `fixed` outcome. Its loads
 *   ran before without failing, so dropping them changes nothing; `fixed` keeps the tests
 *   around it (folding them away could drop a load that rejects a short packet).
 */
import { type Bool, and, fixed, not, or } from './ir.js';

const keys = new WeakMap<object, string>();

/** A structural key (the IR is small and built once per link type). */
function key(b: Bool): string {
  let k = keys.get(b);
  if (k === undefined) {
    k = JSON.stringify(b);
    keys.set(b, k);
  }
  return k;
}

function factor(b: Bool): Bool {
  switch (b.t) {
    case 'and': return and(factor(b.a), factor(b.b));
    case 'not': return not(factor(b.a));
    case 'or': {
      const x = factor(b.a);
      const y = factor(b.b);
      if (x.t === 'and' && y.t === 'and' && key(x.a) === key(y.a)) return and(x.a, factor(or(x.b, y.b)));
      return or(x, y);
    }
    default: return b;
  }
}

/** What is known on a path: outcomes of comparisons, and values known equal to a constant. */
interface Facts {
  outcomes: Map<string, boolean>;
  equal: Map<string, number>;
}

function learn(facts: Facts, b: Bool, outcome: boolean): Facts {
  const next: Facts = { outcomes: new Map(facts.outcomes), equal: new Map(facts.equal) };
  const add = (x: Bool, v: boolean): void => {
    if (x.t === 'cmp') {
      next.outcomes.set(key(x), v);
      if (v && x.op === 'eq' && x.b.t === 'k') next.equal.set(JSON.stringify(x.a), x.b.v);
    } else if (x.t === 'not') add(x.a, !v);
    else if (x.t === 'and' && v) { add(x.a, true); add(x.b, true); }
    else if (x.t === 'or' && !v) { add(x.a, false); add(x.b, false); }
  };
  add(b, outcome);
  return next;
}

function known(b: Extract<Bool, { t: 'cmp' }>, facts: Facts): boolean | undefined {
  const o = facts.outcomes.get(key(b));
  if (o !== undefined) return o;
  if (b.op === 'eq' && b.b.t === 'k') {
    const v = facts.equal.get(JSON.stringify(b.a));
    if (v !== undefined) return v === b.b.v;
  }
  return undefined;
}

function decide(b: Bool, facts: Facts): Bool {
  switch (b.t) {
    case 'cmp': {
      const k = known(b, facts);
      return k === undefined ? b : fixed(k);
    }
    case 'and': {
      const a = decide(b.a, facts);
      return and(a, decide(b.b, learn(facts, a, true)));
    }
    case 'or': {
      const a = decide(b.a, facts);
      return or(a, decide(b.b, learn(facts, a, false)));
    }
    case 'not': return not(decide(b.a, facts));
    default: return b;
  }
}

export function simplify(b: Bool): Bool {
  return decide(factor(b), { outcomes: new Map(), equal: new Map() });
}
