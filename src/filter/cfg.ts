/**
 * The filter as a BPF-style flow graph, and the optimizations of libpcap's optimizer that
 * decide which loads a packet goes through.
 *
 * A lowered filter is a tree; as a program it is a graph of tests, each jumping to another test
 * or to accept/reject on true and false (gencode builds exactly this by backpatching). On that
 * graph, as libpcap's optimizer (optimize.c) does:
 * - jump threading: when every path to an edge has already decided the test the edge leads to
 *   (the same comparison, or `[12:2] == 0x800` deciding `[12:2] == 0x86dd`), the edge skips it;
 * - identical tests with identical successors are merged;
 * - a test whose two successors are the same is removed, with its loads.
 * The last one matters beyond speed: a removed load can no longer reject a short packet, so
 * `host 10.0.0.1 or not udp` accepts a 22-byte ARP frame in tcpdump: once the frame is ARP,
 * `not udp` holds whatever the ARP addresses are, and the address loads go away.
 * Threading and merging change no answer; removal changes answers exactly as libpcap's does.
 */
import type { Bool, Val } from './ir.js';

export type Cmp = Extract<Bool, { t: 'cmp' }>;
export type Target = TestNode | 'accept' | 'reject';

export interface TestNode {
  id: number;
  /**
   * `fixed`: a comparison libpcap decided but kept (see ir.ts); it is never removed.
   * `refused`: a comparison libpcap refuses to compile, if it survives (see `refused` in ir.ts).
   */
  kind: 'test' | 'fixed' | 'refused';
  test: Cmp | null;
  jt: Target;
  jf: Target;
  /** a `fixed` node standing for code libpcap refuses if it is reachable */
  refusal?: unknown;
}

/** A structural key for values and comparisons (built once per link type). */
const valKeys = new WeakMap<object, string>();
export function keyOf(x: Val | Cmp): string {
  let k = valKeys.get(x);
  if (k === undefined) {
    k = JSON.stringify(x);
    valKeys.set(x, k);
  }
  return k;
}

/** Build the graph: each test jumps to the continuation of its outcome (gencode's backpatching). */
export function buildGraph(b: Bool): Target {
  let next = 0;
  const build = (x: Bool, T: Target, F: Target): Target => {
    switch (x.t) {
      case 'true': return T;
      case 'false': return F;
      case 'fixed': {
        // a refused comparison is an ordinary test of unknown outcome until it is compiled
        if (x.refusal !== undefined) return { id: next++, kind: 'refused', test: null, jt: T, jf: F, refusal: x.refusal };
        const to = x.v ? T : F;
        return { id: next++, kind: 'fixed', test: null, jt: to, jf: to };
      }
      case 'cmp': return { id: next++, kind: 'test', test: x, jt: T, jf: F };
      case 'not': return build(x.a, F, T);
      case 'and': return build(x.a, build(x.b, T, F), F);
      case 'or': return build(x.a, T, build(x.b, T, F));
    }
  };
  return build(b, 'accept', 'reject');
}

/**
 * Nodes reachable from `root`, each before every node it jumps to: a depth-first post-order,
 * reversed. Walked with an explicit stack: a chain of n `or`s is a path of ~n tests, and a
 * recursive walk ran out of JavaScript stack at ~700 terms (qa5 F2). Same order as the
 * recursive walk (jt's subtree before jf's), so the passes below see the nodes as before.
 */
export function topological(root: Target): TestNode[] {
  const out: TestNode[] = [];
  if (typeof root === 'string') return out;
  const seen = new Set<TestNode>([root]);
  // each entry: a node and how many of its two successors have been visited
  const stack: TestNode[] = [root];
  const step: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const n = stack[top];
    const k = step[top];
    if (k === 2) {
      stack.pop();
      step.pop();
      out.push(n);
      continue;
    }
    step[top] = k + 1;
    const t = k === 0 ? n.jt : n.jf;
    if (typeof t !== 'string' && !seen.has(t)) {
      seen.add(t);
      stack.push(t);
      step.push(0);
    }
  }
  return out.reverse();
}

/** What holds on every path to an edge: outcomes of comparisons, values known to equal a constant. */
interface Facts {
  outcomes: Map<string, boolean>;
  equal: Map<string, number>;
}

const NO_FACTS: Facts = { outcomes: new Map(), equal: new Map() };

function withOutcome(f: Facts, test: Cmp, outcome: boolean): Facts {
  const outcomes = new Map(f.outcomes);
  outcomes.set(keyOf(test), outcome);
  let equal = f.equal;
  if (outcome && test.op === 'eq' && test.b.t === 'k') {
    equal = new Map(f.equal);
    equal.set(valueKey(test), test.b.v);
  }
  return { outcomes, equal };
}

function intersect(a: Facts, b: Facts): Facts {
  const outcomes = new Map<string, boolean>();
  for (const [k, v] of a.outcomes) if (b.outcomes.get(k) === v) outcomes.set(k, v);
  const equal = new Map<string, number>();
  for (const [k, v] of a.equal) if (b.equal.get(k) === v) equal.set(k, v);
  return { outcomes, equal };
}

/** The compared value, as libpcap's value numbering tells them apart (a relation's is its own). */
function valueKey(test: Cmp): string {
  return test.rel === true ? `rel ${keyOf(test.a)}` : keyOf(test.a);
}

/**
 * The outcome of `test` if the facts decide it — as libpcap's fold_edge decides: the same
 * comparison has the same outcome, and a value known equal to one constant is not equal to
 * another. (No more: `[12:2] == 0x800` does not decide `[12:2] > 1500` for libpcap, so not here.)
 */
function implied(test: Cmp, f: Facts): boolean | undefined {
  const o = f.outcomes.get(keyOf(test));
  if (o !== undefined) return o;
  if (test.op === 'eq' && test.b.t === 'k') {
    const v = f.equal.get(valueKey(test));
    if (v !== undefined && v !== test.b.v) return false;
  }
  return undefined;
}

/** One round of jump threading; true if an edge moved. */
function thread(root: Target): { root: Target; changed: boolean } {
  const order = topological(root);
  const factsIn = new Map<TestNode, Facts>();
  let changed = false;
  const follow = (t: Target, f: Facts): Target => {
    // skip tests the facts decide (repeatedly: the next one may be decided too)
    while (typeof t !== 'string' && t.kind === 'test') {
      const o = implied(t.test!, f);
      if (o === undefined) break;
      t = o ? t.jt : t.jf;
      changed = true;
    }
    return t;
  };
  const newRoot = follow(root, NO_FACTS);
  if (typeof newRoot !== 'string') factsIn.set(newRoot, NO_FACTS);
  for (const n of order) {
    const f = factsIn.get(n);
    if (f === undefined) continue; // no longer reachable
    const tf = n.test === null ? f : withOutcome(f, n.test, true);
    const ff = n.test === null ? f : withOutcome(f, n.test, false);
    n.jt = follow(n.jt, tf);
    n.jf = follow(n.jf, ff);
    for (const [succ, sf] of [[n.jt, tf], [n.jf, ff]] as const) {
      if (typeof succ === 'string') continue;
      const prev = factsIn.get(succ);
      factsIn.set(succ, prev === undefined ? sf : intersect(prev, sf));
    }
  }
  return { root: newRoot, changed };
}

/** Drop tests whose two outcomes lead to the same place (their loads go with them). */
function dropUndecisive(root: Target): { root: Target; changed: boolean } {
  let changed = false;
  const replaced = new Map<TestNode, Target>();
  const resolve = (t: Target): Target => (typeof t === 'string' ? t : replaced.get(t) ?? t);
  for (const n of topological(root).reverse()) {
    n.jt = resolve(n.jt);
    n.jf = resolve(n.jf);
    if (n.kind !== 'fixed' && n.jt === n.jf) {
      replaced.set(n, n.jt);
      changed = true;
    }
  }
  return { root: resolve(root), changed };
}

/** Merge identical nodes (same test, same successors): smaller code, same answers. */
function intern(root: Target): Target {
  const canon = new Map<string, TestNode>();
  const replaced = new Map<TestNode, TestNode>();
  const resolve = (t: Target): Target => (typeof t === 'string' ? t : replaced.get(t) ?? t);
  const name = (t: Target): string => (typeof t === 'string' ? t : String(t.id));
  for (const n of topological(root).reverse()) {
    n.jt = resolve(n.jt);
    n.jf = resolve(n.jf);
    const k = `${n.kind}|${n.test === null ? n.id : keyOf(n.test)}|${name(n.jt)}|${name(n.jf)}`;
    const same = canon.get(k);
    if (same !== undefined) replaced.set(n, same);
    else canon.set(k, n);
  }
  return resolve(root);
}

/** The value a node leaves in BPF's accumulator: the one it compares. */
function accumulator(n: TestNode): string {
  return n.test === null ? `fixed#${n.id}` : keyOf(n.test.a);
}

interface Shape {
  preds: Map<TestNode, { node: TestNode; branch: 'jt' | 'jf' }[]>;
}

function shape(root: Target): Shape {
  const order = topological(root);
  const preds = new Map<TestNode, { node: TestNode; branch: 'jt' | 'jf' }[]>();
  for (const n of order) preds.set(n, []);
  for (const n of order) {
    for (const branch of ['jt', 'jf'] as const) {
      const t = n[branch];
      if (typeof t !== 'string') preds.get(t)!.push({ node: n, branch });
    }
  }
  return { preds };
}

/**
 * libpcap's or_pullup/and_pullup: in a chain of tests joined by `or` (all jumping to the same
 * place when true) or by `and` (when false), a later test on the value the chain started with is
 * moved up before the first test that loads another value. `host a or b` tests the source
 * address against a and b before loading the destination address — so a packet cut short
 * between the two addresses can still match.
 */
function pullup(root: Target, b: TestNode, s: Shape, same: 'jt' | 'jf'): Target | null {
  const next: 'jt' | 'jf' = same === 'jt' ? 'jf' : 'jt';
  const preds = s.preds.get(b)!;
  if (preds.length === 0) return null;
  const val = accumulator(preds[0].node);
  if (preds.some((p) => accumulator(p.node) !== val)) return null;
  // libpcap asks that b dominate the chain; here each later link must be reachable only from
  // the link before it, which implies that and keeps the moves from disturbing other paths
  const inChain = (t: Target, from: TestNode | null): t is TestNode =>
    typeof t !== 'string' && t[same] === b[same] && (from === null || (s.preds.get(t)!.length === 1 && s.preds.get(t)![0].node === from));
  // the chain's tests on `val`, then the first test on another value
  let ref: { node: TestNode; branch: 'jt' | 'jf' } = preds[0];
  let atTop = true;
  let diff: Target = b;
  let from: TestNode | null = null;
  for (;;) {
    if (!inChain(diff, from)) return null;
    if (accumulator(diff) !== val) break;
    ref = { node: diff, branch: next };
    from = diff;
    diff = diff[next];
    atTop = false;
  }
  // further down, the next test on `val` again
  let sref: { node: TestNode; branch: 'jt' | 'jf' } = { node: diff, branch: next };
  let pull: Target = diff[next];
  from = diff;
  for (;;) {
    if (!inChain(pull, from)) return null;
    if (accumulator(pull) === val) break;
    sref = { node: pull, branch: next };
    from = pull;
    pull = pull[next];
  }
  const pulled: TestNode = pull;
  const entries = [...preds]; // b's predecessors before anything moves
  const redirect = (node: TestNode, branch: 'jt' | 'jf', to: Target): void => {
    const old = node[branch];
    if (typeof old !== 'string') {
      const list = s.preds.get(old)!;
      const i = list.findIndex((p) => p.node === node && p.branch === branch);
      if (i >= 0) list.splice(i, 1);
    }
    node[branch] = to;
    if (typeof to !== 'string') s.preds.get(to)!.push({ node, branch });
  };
  redirect(sref.node, sref.branch, pulled[next]);
  redirect(pulled, next, diff);
  if (atTop) {
    for (const p of entries) if (p.node[p.branch] === b) redirect(p.node, p.branch, pulled);
  } else {
    redirect(ref.node, ref.branch, pulled);
  }
  return root;
}

function pullups(root: Target, budget: { pullups: number }): { root: Target; changed: boolean } {
  let changed = false;
  if (typeof root === 'string') return { root, changed };
  // nodes nearest the leaves first, as libpcap walks its levels
  const level = new Map<TestNode, number>();
  const lv = (t: Target): number => (typeof t === 'string' ? 0 : level.get(t)!);
  const order = topological(root);
  for (const n of [...order].reverse()) level.set(n, Math.max(lv(n.jt), lv(n.jf)) + 1);
  const byLevel = [...order].sort((a, b) => level.get(a)! - level.get(b)!);
  const s = shape(root);
  for (const n of byLevel) {
    for (const same of ['jt', 'jf'] as const) {
      // pull up into the same place while there is something to pull (a bounded amount:
      // huge expressions get less of this, as they do in libpcap, which slows to a crawl)
      while (budget.pullups > 0 && s.preds.get(n)!.length > 0 && pullup(root, n, s, same) !== null) {
        changed = true;
        budget.pullups--;
      }
    }
  }
  return { root, changed };
}

/**
 * Where the program really starts, as libpcap's opt_root sees it: tests at the root whose two
 * outcomes go to the same place are skipped — decided (`fixed`) ones too, which are kept
 * anywhere else. libpcap refuses a filter whose program then starts with `ret #0` ("expression
 * rejects all packets"): this is 'reject' exactly then. `ether[0] & 0 = 1` alone starts there;
 * `tcp and ether[0] & 0 = 1` does not (its decided test is not at the root), and is accepted.
 */
export function effectiveRoot(root: Target): Target {
  let t = root;
  while (typeof t !== 'string' && t.jt === t.jf) t = t.jt;
  return t;
}

/** Optimize the graph of `b` to a fixed point, then merge identical nodes. */
export function optimize(b: Bool): Target {
  let root = buildGraph(b);
  const budget = { pullups: 8 * Math.max(1, topological(root).length) };
  for (let round = 0; round < 100; round++) {
    const t = thread(root);
    const d = dropUndecisive(t.root);
    const p = pullups(d.root, budget);
    root = p.root;
    if (!t.changed && !d.changed && !p.changed) break;
  }
  root = intern(root);
  // what libpcap refuses to compile, if it is still there
  for (const n of topological(root)) if (n.refusal !== undefined) throw n.refusal;
  return root;
}
