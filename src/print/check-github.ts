/**
 * GitHub Actions workflow commands for `tcpscope check`, written only when GITHUB_ACTIONS=true:
 * an `::error title=…::…` annotation per failing connection (GitHub shows at most 10 error
 * annotations per step, so past 9 the tenth sums up the rest), and, when GITHUB_STEP_SUMMARY
 * names a file, a Markdown summary of the verdict appended to the job's summary page.
 *
 * Annotations go to standard output, where the runner reads workflow commands, or to standard
 * error when standard output carries `--json` records (the runner reads both streams).
 */
import { appendFileSync } from 'node:fs';
import { namesOf } from '../check/conditions.js';
import type { CheckRunInfo, CheckSink, Decision, Verdict } from '../check/judge.js';
import { connectionLabel, describeConditions } from './check-reason.js';
import { count } from './count.js';

/** GitHub's limit on error annotations shown per step. */
export const MAX_ANNOTATIONS = 10;
/** Failing connections listed in the step summary's table (the rest are counted). */
export const SUMMARY_ROWS = 50;

/** Escape a workflow command's message (data). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow command's property value (title=...). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

interface Row {
  id: number;
  label: string;
  conditions: string;
  reasons: string;
}

export class CheckGithub implements CheckSink {
  private readonly pending: Row[] = [];
  private annotated = 0;
  private failed = 0;
  private readonly summaryRows: Row[] = [];

  /** `write` is where workflow commands go; `summaryFile` the GITHUB_STEP_SUMMARY file, if any. */
  constructor(private readonly write: (s: string) => void, private readonly summaryFile: string | undefined) {}

  decide(d: Decision): void {
    if (d.outcome !== 'fail') return;
    this.failed++;
    // past the rows kept, only the count (the record is built only when read: see Decision)
    if (this.summaryRows.length >= SUMMARY_ROWS && this.annotated >= MAX_ANNOTATIONS - 1 && this.pending.length >= 1) return;
    const rec = d.flow.record;
    const row = { id: rec.id, label: connectionLabel(rec), conditions: namesOf(d.judged).join(', '), reasons: describeConditions(d.judged, d.flow).join('; ') };
    if (this.summaryRows.length < SUMMARY_ROWS) this.summaryRows.push(row);
    // keep one slot for the summing-up annotation until we know whether it is needed
    if (this.annotated < MAX_ANNOTATIONS - 1) { this.annotate(row); return; }
    if (this.pending.length < 1) this.pending.push(row);
  }

  finish(v: Verdict, run: CheckRunInfo): void {
    const rest = this.failed - this.annotated;
    if (rest === 1 && this.pending.length === 1) this.annotate(this.pending[0]);
    else if (rest > 0) {
      this.write(`::error title=${escapeProperty(`tcpscope check: ${rest} more abnormal connections`)}::${escapeData(`${rest} more connections failed the check (${v.failed} in all); the job log and the --junit/--json reports list every one`)}\n`);
    }
    if (v.tooFew) {
      this.write(`::error title=${escapeProperty('tcpscope check: too few connections')}::${escapeData(`${v.connections} TCP connections in the capture, fewer than the ${v.minConnections} required: was the capture running?`)}\n`);
    }
    if (run.error !== null) {
      this.write(`::error title=${escapeProperty('tcpscope check: unreadable capture')}::${escapeData(run.error.message)}\n`);
    }
    if (this.summaryFile !== undefined && this.summaryFile !== '') this.stepSummary(v, run);
  }

  private annotate(r: Row): void {
    this.annotated++;
    this.write(`::error title=${escapeProperty(`tcpscope check: ${r.conditions} ${r.label}`)}::${escapeData(r.reasons)}\n`);
  }

  private stepSummary(v: Verdict, run: CheckRunInfo): void {
    const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const head = run.error !== null ? '❗ tcpscope check: input error' : v.pass ? '✅ tcpscope check passed' : '❌ tcpscope check failed';
    let s = `### ${head}\n\n${count(v.connections, 'connection')} in ${run.files.length} capture file(s), ${count(run.packets, 'packet')}: ` +
      `${v.failed} failed, ${v.exempt} exempt, ${v.tolerated} tolerated.\n\n`;
    if (this.summaryRows.length > 0) {
      s += '| connection | conditions | what went wrong |\n| --- | --- | --- |\n';
      for (const r of this.summaryRows) s += `| ${md(r.label)} | ${md(r.conditions)} | ${md(r.reasons)} |\n`;
      if (this.failed > this.summaryRows.length) s += `\n${this.failed - this.summaryRows.length} more not listed.\n`;
    }
    if (run.error !== null) s += `\nThe input could not be read to the end: ${md(run.error.message)}\n`;
    try {
      appendFileSync(this.summaryFile as string, s + '\n');
    } catch {
      // the job summary is a courtesy: a missing or read-only file must not change the verdict
    }
  }
}
