/**
 * Judging connections into a verdict, one flow record at a time.
 *
 * For each connection: its conditions (conditions.ts) ∩ the policy's failing set, less what an
 * exemption covers, is what it is judged on. Nothing left: it passes (or is exempt). A condition
 * with a threshold (`--max reset=2`) tolerates up to N connections: a connection judged only on
 * such conditions is held until the count of its conditions passes a threshold (then it fails)
 * or the input ends below it (then it is tolerated). Every other judged connection fails at once.
 *
 * Decisions go to a sink as they are made, so the outputs can stream: nothing but the held
 * connections (at most the sum of the thresholds) is kept. The judge takes flow records and their
 * evidence — plain data, `add` — or a connection still in the flow table (`addEnding`), whose
 * record is built only when something asks for it: a held connection (it outlives its table row),
 * or an output that writes it. A run with a million failing connections and a report listing the
 * first 200 builds 200 records, not a million.
 */
import { tallyBits } from '../bits.js';
import type { FlowRecord } from '../track/flow.js';
import { CONDITION_NAMES, type ConditionMask } from './conditions.js';
import type { Evidence } from './evidence.js';
import type { Exemption, Policy } from './policy.js';

/** A finished connection as the judge sees it. */
export interface CheckedFlow {
  record: FlowRecord;
  evidence: Evidence[];
}

/** What names a connection in a listing (the fields of its record), without the rest of it. */
export type FlowHead = Pick<FlowRecord, 'id' | 'client' | 'server' | 'duration'>;

/**
 * A connection as it ends, before anything is built of it (see ending.ts for the one over a flow
 * table row). Valid only during the `Judge.addEnding` call it is handed to.
 */
export interface EndingFlow {
  /** its record and evidence, built on the first call (plain data, safe to keep) */
  checked(): CheckedFlow;
  /** its evidence alone (the same list `checked()` gives) */
  evidence(): Evidence[];
  /** its record as JSON: exactly `JSON.stringify(checked().record)`, without building the record */
  recordJson(): string;
  /** those fields of its record, without building the record */
  head(): FlowHead;
  /** does exemption `e` cover its endpoints */
  exemptedBy(e: Exemption): boolean;
}

export type Outcome = 'pass' | 'fail' | 'exempt' | 'tolerated';

/** One decision (see DecisionSink.decide for how long it is valid). */
export interface Decision {
  readonly flow: CheckedFlow;
  /** `flow.evidence`, without building the record */
  readonly evidence: Evidence[];
  /** `JSON.stringify(flow.record)`, without building the record when it is not built yet */
  recordJson(): string;
  /** id, client, server and duration of `flow.record`, without building the record */
  head(): FlowHead;
  outcome: Outcome;
  /** every condition the connection shows */
  conditions: ConditionMask;
  /** the judged conditions: why it failed (fail) or what was let through (tolerated) */
  judged: ConditionMask;
  /** judged conditions an exemption covered */
  exempted: ConditionMask;
  /** the exemptions that applied */
  exemptions: Exemption[];
}

export interface DecisionSink {
  /**
   * `d.flow` may be built when first read. A decision on a connection from `Judge.addEnding` is
   * valid only during this call (the object is reused, the connection's row is gone after); one
   * from `Judge.add` may be kept.
   */
  decide(d: Decision): void;
}

export interface ConditionTally {
  name: string;
  /** connections showing it */
  connections: number;
  /** the policy judges it */
  judged: boolean;
  /** connections tolerated (-1: no threshold) */
  max: number;
  /** connections that failed with it among their reasons */
  failed: number;
  /** connections where an exemption covered it */
  exempt: number;
  /** connections let through by its threshold */
  tolerated: number;
}

export interface Verdict {
  pass: boolean;
  connections: number;
  passed: number;
  failed: number;
  exempt: number;
  tolerated: number;
  /** per condition, indexed by bit */
  conditions: ConditionTally[];
  /** fewer connections than the policy's min_connections */
  tooFew: boolean;
  minConnections: number;
}

interface Held {
  flow: CheckedFlow;
  conditions: ConditionMask;
  judged: ConditionMask;
  exempted: ConditionMask;
  exemptions: Exemption[];
}

const NO_EXEMPTIONS: Exemption[] = [];

/** A CheckedFlow that is already built, as an EndingFlow. */
class BuiltFlow implements EndingFlow {
  constructor(private readonly flow: CheckedFlow) {}
  checked(): CheckedFlow { return this.flow; }
  evidence(): Evidence[] { return this.flow.evidence; }
  recordJson(): string { return JSON.stringify(this.flow.record); }
  head(): FlowHead { return this.flow.record; }
  exemptedBy(e: Exemption): boolean { return e.matches(this.flow.record.client, this.flow.record.server); }
}

/**
 * A decision on a connection, read through its EndingFlow (which builds the flow only if a sink
 * reads it, and keeps what it built). For a connection from `addEnding`, one object serves every
 * decision (a million connections, a million objects fewer): nothing of it is valid after
 * `decide` returns. One on a built flow (`add`, or a held connection) stays valid.
 */
class DecisionNow implements Decision {
  /** false once `decide` has returned on an ending connection (its row is no longer its own) */
  live = false;
  private endingFlow: EndingFlow | null = null;
  outcome: Outcome = 'pass';
  conditions: ConditionMask = 0;
  judged: ConditionMask = 0;
  exempted: ConditionMask = 0;
  exemptions: Exemption[] = NO_EXEMPTIONS;

  set(flow: EndingFlow, outcome: Outcome, conditions: ConditionMask, judged: ConditionMask, exempted: ConditionMask, exemptions: Exemption[]): this {
    this.endingFlow = flow;
    this.outcome = outcome;
    this.conditions = conditions;
    this.judged = judged;
    this.exempted = exempted;
    this.exemptions = exemptions;
    this.live = true;
    return this;
  }

  get flow(): CheckedFlow { return this.ending().checked(); }
  get evidence(): Evidence[] { return this.ending().evidence(); }
  /** from the row while there is one (faster than stringifying the record, even once built) */
  recordJson(): string { return this.ending().recordJson(); }
  head(): FlowHead { return this.ending().head(); }

  private ending(): EndingFlow {
    if (!this.live || this.endingFlow === null) throw new Error('check: a decision\'s flow was read after its decide() call returned');
    return this.endingFlow;
  }
}

export class Judge {
  private connections = 0;
  private passed = 0;
  private failed = 0;
  private exempt = 0;
  private tolerated = 0;
  private readonly observed: Float64Array;
  private readonly failedBy: Float64Array;
  private readonly exemptBy: Float64Array;
  private readonly toleratedBy: Float64Array;
  /** judged connections per threshold condition so far */
  private readonly candidates: Float64Array;
  /** threshold conditions whose count has gone past the threshold */
  private exceeded: ConditionMask = 0;
  /** conditions with a threshold */
  private readonly thresholded: ConditionMask;
  private held: Held[] = [];
  private finished = false;
  /** the decision on each connection from addEnding (see DecisionNow) */
  private readonly now = new DecisionNow();

  constructor(readonly policy: Policy, private readonly sink: DecisionSink | null = null) {
    const n = CONDITION_NAMES.length;
    this.observed = new Float64Array(n);
    this.failedBy = new Float64Array(n);
    this.exemptBy = new Float64Array(n);
    this.toleratedBy = new Float64Array(n);
    this.candidates = new Float64Array(n);
    let t = 0;
    for (let i = 0; i < n; i++) if (policy.maxByBit[i] >= 0) t |= 1 << i;
    this.thresholded = (t & policy.failMask) >>> 0;
  }

  /** Does a connection with these conditions need its record (is it judged at all)? */
  needsRecord(conditions: ConditionMask): boolean {
    return (conditions & this.policy.failMask) !== 0;
  }

  /**
   * Count a connection that passes without building its record (`needsRecord` said no and no
   * output lists passing connections).
   */
  countPass(conditions: ConditionMask): void {
    this.connections++;
    this.passed++;
    tallyBits(this.observed, conditions);
  }

  /** Judge one connection (its record and evidence built: decisions on it may be kept). */
  add(flow: CheckedFlow, conditions: ConditionMask): void {
    this.addEnding(new BuiltFlow(flow), conditions);
  }

  /**
   * Judge one connection as it ends: its CheckedFlow is built only for a held connection or when
   * a sink reads `Decision.flow` (during its `decide` call).
   */
  addEnding(flow: EndingFlow, conditions: ConditionMask): void {
    this.connections++;
    tallyBits(this.observed, conditions);
    const judged = (conditions & this.policy.failMask) >>> 0;
    if (judged === 0) {
      this.passed++;
      this.emitNow(flow, 'pass', conditions, 0, 0, NO_EXEMPTIONS);
      return;
    }
    // exemptions by endpoint
    let exempted = 0;
    let exemptions = NO_EXEMPTIONS;
    for (const e of this.policy.exemptions) {
      if ((e.mask & judged) === 0 || (e.mask & judged & ~exempted) === 0) continue;
      if (!flow.exemptedBy(e)) continue;
      exempted |= e.mask & judged;
      if (exemptions === NO_EXEMPTIONS) exemptions = [];
      exemptions.push(e);
    }
    exempted >>>= 0;
    tallyBits(this.exemptBy, exempted);
    const remaining = (judged & ~exempted) >>> 0;
    if (remaining === 0) {
      this.exempt++;
      this.emitNow(flow, 'exempt', conditions, 0, exempted, exemptions);
      return;
    }
    // thresholds: count, and note the ones this connection takes past their limit
    let crossed = 0;
    const th = remaining & this.thresholded;
    for (let i = 0; th >>> i !== 0; i++) {
      if (((th >>> i) & 1) === 0) continue;
      if (++this.candidates[i] > this.policy.maxByBit[i] && ((this.exceeded >>> i) & 1) === 0) crossed |= 1 << i;
    }
    this.exceeded = (this.exceeded | crossed) >>> 0;
    // the held connections a crossed threshold condemns came first: they fail first
    if (crossed !== 0) this.release(crossed);
    // conditions that fail now: those without a threshold, and those past it
    const failing = remaining & (~this.thresholded | this.exceeded);
    if (failing !== 0) {
      this.countFail(remaining);
      this.emitNow(flow, 'fail', conditions, remaining, exempted, exemptions);
    } else {
      // held past its row's lifetime: built now (at most the sum of the thresholds are)
      this.held.push({ flow: flow.checked(), conditions, judged: remaining, exempted, exemptions });
    }
  }

  /** End of input: held connections are tolerated; the verdict. */
  finish(): Verdict {
    if (!this.finished) {
      this.finished = true;
      for (const h of this.held) {
        this.tolerated++;
        tallyBits(this.toleratedBy, h.judged);
        this.emitHeld(h, 'tolerated');
      }
      this.held = [];
    }
    return this.verdict();
  }

  /** The verdict so far (final after `finish`). */
  verdict(): Verdict {
    const p = this.policy;
    const conditions: ConditionTally[] = CONDITION_NAMES.map((name, i) => ({
      name,
      connections: this.observed[i],
      judged: ((p.failMask >>> i) & 1) === 1,
      max: ((p.failMask >>> i) & 1) === 1 ? p.maxByBit[i] : -1,
      failed: this.failedBy[i],
      exempt: this.exemptBy[i],
      tolerated: this.toleratedBy[i],
    }));
    const tooFew = this.connections < p.minConnections;
    return {
      pass: this.failed === 0 && !tooFew,
      connections: this.connections,
      passed: this.passed,
      failed: this.failed,
      exempt: this.exempt,
      tolerated: this.tolerated,
      conditions,
      tooFew,
      minConnections: p.minConnections,
    };
  }

  /** One more failed connection, judged on `judged`. */
  private countFail(judged: ConditionMask): void {
    this.failed++;
    tallyBits(this.failedBy, judged);
  }

  private fail(h: Held): void {
    this.countFail(h.judged);
    this.emitHeld(h, 'fail');
  }

  /** Thresholds in `crossed` were just passed: the held connections with them fail. */
  private release(crossed: ConditionMask): void {
    const keep: Held[] = [];
    for (const h of this.held) {
      if ((h.judged & crossed) !== 0) this.fail(h);
      else keep.push(h);
    }
    this.held = keep;
  }

  /** A decision on a held connection (built when it was held: the decision may be kept). */
  private emitHeld(h: Held, outcome: Outcome): void {
    if (this.sink !== null) this.sink.decide(new DecisionNow().set(new BuiltFlow(h.flow), outcome, h.conditions, h.judged, h.exempted, h.exemptions));
  }

  /** A decision on the connection being added. */
  private emitNow(flow: EndingFlow, outcome: Outcome, conditions: ConditionMask, judged: ConditionMask, exempted: ConditionMask, exemptions: Exemption[]): void {
    if (this.sink === null) return;
    // a built flow's decision is the caller's to keep; an ending one's is used once
    const built = flow instanceof BuiltFlow;
    const d = (built ? new DecisionNow() : this.now).set(flow, outcome, conditions, judged, exempted, exemptions);
    this.sink.decide(d);
    if (!built) d.live = false;
  }
}

/** What the run read, for the outputs' closing lines. */
export interface CheckRunInfo {
  /** the capture files, in the order they were read */
  files: string[];
  /** packets judged (after the filter) and frames read */
  packets: number;
  frames: number;
  /** the filter expression ('' for none) */
  filter: string;
  /**
   * the input could not be read to the end: the verdict covers what came before; `damaged`:
   * these captures of several went bad after a good header and were given up there, the others
   * read to their end; `left_out`: these could not be opened (missing, a damaged header) and the
   * verdict covers the others. `message` and `code` are the first problem's (a damage first)
   */
  error: { message: string; code: string; damaged?: string[]; left_out?: string[] } | null;
}

/** An output of the check: hears every decision, then the verdict. */
export interface CheckSink extends DecisionSink {
  finish(verdict: Verdict, run: CheckRunInfo): void;
}

/** The process exit status for a verdict: 0 clean, 1 abnormal connections, 2 input unreadable. */
export function exitStatusOf(verdict: Verdict, run: CheckRunInfo): 0 | 1 | 2 {
  if (run.error !== null) return 2;
  return verdict.pass ? 0 : 1;
}
