/**
 * `tcpscope check --json`: NDJSON on standard output. Every connection's flow record (the same
 * record `tcpscope --json` writes) with a `check` object added — outcome, conditions, the
 * judged ones, exemptions, the evidence packets and the reasons in words — as it is decided,
 * then one `"type":"verdict"` record: the verdict, the exit status, the counts per condition,
 * the policy and what was read.
 */
import { namesOf } from '../check/conditions.js';
import type { CheckRunInfo, CheckSink, Decision, Verdict } from '../check/judge.js';
import { exitStatusOf } from '../check/judge.js';
import { type Policy, describePolicy } from '../check/policy.js';
import { describeConditions, evidenceTime } from './check-reason.js';
import type { Output } from './output.js';

/** A number as JSON.stringify writes it (null for what JSON cannot hold). */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

export class CheckJson implements CheckSink {
  constructor(private readonly out: Output, private readonly policy: Policy) {}

  /** JSON text of the condition names of a mask (a few masks recur: cached) */
  private readonly namesText = new Map<number, string>();

  decide(d: Decision): void {
    // the text of JSON.stringify({ ...record, check }), made without the objects: the record's
    // text comes from the flow table (no record is built for a connection that passes) with
    // `"check":…` put before its closing brace, and the check object is written field by field
    // in its key order (spreading forty fields into a new object and stringifying it was most
    // of a --json run's time)
    const failing = d.outcome === 'fail' || d.outcome === 'tolerated';
    let ev = '[';
    for (const e of d.evidence) {
      ev += (ev.length > 1 ? ',{"event":' : '{"event":') + JSON.stringify(e.event) + ',"packet":' + numberText(e.packet) + ',"time":' + numberText(evidenceTime(e)) + '}';
    }
    const check = '{"outcome":"' + d.outcome + '","conditions":' + this.names(d.conditions) + ',"judged":' + this.names(d.judged) +
      ',"exempted":' + this.names(d.exempted) + ',"exemptions":' + (d.exemptions.length === 0 ? '[]' : JSON.stringify(d.exemptions.map((e) => e.describe()))) +
      ',"evidence":' + ev + '],"reasons":' + (failing ? JSON.stringify(describeConditions(d.judged, d.flow)) : '[]') + '}';
    const rec = d.recordJson();
    this.out.write(rec.slice(0, -1) + ',"check":' + check + '}\n');
  }

  private names(mask: number): string {
    let text = this.namesText.get(mask);
    if (text === undefined) {
      text = JSON.stringify(namesOf(mask));
      this.namesText.set(mask, text);
    }
    return text;
  }

  finish(v: Verdict, run: CheckRunInfo): void {
    const conditions: Record<string, { connections: number; judged: boolean; max: number | null; failed: number; exempt: number; tolerated: number }> = {};
    for (const c of v.conditions) {
      if (!c.judged && c.connections === 0) continue;
      conditions[c.name] = { connections: c.connections, judged: c.judged, max: c.max >= 0 ? c.max : null, failed: c.failed, exempt: c.exempt, tolerated: c.tolerated };
    }
    const status = exitStatusOf(v, run);
    const rec = {
      type: 'verdict',
      verdict: status === 2 ? 'error' : v.pass ? 'pass' : 'fail',
      exit_status: status,
      connections: v.connections,
      passed: v.passed,
      failed: v.failed,
      exempt: v.exempt,
      tolerated: v.tolerated,
      too_few_connections: v.tooFew,
      conditions,
      policy: describePolicy(this.policy),
      files: run.files,
      filter: run.filter,
      packets: run.packets,
      frames: run.frames,
      error: run.error,
    };
    this.out.write(JSON.stringify(rec) + '\n');
  }
}
