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

export class CheckJson implements CheckSink {
  constructor(private readonly out: Output, private readonly policy: Policy) {}

  decide(d: Decision): void {
    const check = {
      outcome: d.outcome,
      conditions: namesOf(d.conditions),
      judged: namesOf(d.judged),
      exempted: namesOf(d.exempted),
      exemptions: d.exemptions.map((e) => e.describe()),
      evidence: d.flow.evidence.map((e) => ({ event: e.event, packet: e.packet, time: evidenceTime(e) })),
      reasons: d.outcome === 'fail' || d.outcome === 'tolerated' ? describeConditions(d.judged, d.flow) : [],
    };
    this.out.write(JSON.stringify({ ...d.flow.record, check }) + '\n');
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
