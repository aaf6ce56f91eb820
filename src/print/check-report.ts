/**
 * `tcpscope check` on a terminal: one line per failing connection (endpoints, what went wrong,
 * the packets that show it), then a summary table of the conditions (box-table.ts, or cli-table3
 * when coloured) and the verdict line. Colour only when chalk's level says so (a terminal, NO_COLOR, FORCE_COLOR).
 *
 * At most `limit` connection lines are kept (the first ones, listed in connection order); the
 * rest are counted, so a capture with a million failing connections costs no memory here.
 */
import type { ChalkInstance } from 'chalk';
import { createRequire } from 'node:module';
import { CONDITION_NAMES } from '../check/conditions.js';
import type { CheckRunInfo, CheckSink, Decision, Verdict } from '../check/judge.js';
import { boxTable, fitsBoxTable } from './box-table.js';
import { connectionLabel, describeConditions } from './check-reason.js';
import type { Output } from './output.js';
import { count } from './count.js';

export interface CheckReportOptions {
  /** connection lines shown at most (0: all) */
  limit: number;
  /** only the verdict line (and the failing connections) */
  quiet: boolean;
}

/** The condition table's columns and their layout (cli-table3's options; box-table.ts draws the same). */
export const CHECK_TABLE_HEAD = ['condition', 'connections', 'policy', 'failed', 'exempt', 'tolerated', 'result'] as const;
export const CHECK_TABLE_LAYOUT = {
  compact: true,
  colAligns: ['left', 'right', 'left', 'right', 'right', 'right', 'left'] as const,
};

interface Line {
  id: number;
  text: string;
}

export class CheckReport implements CheckSink {
  private readonly lines: Line[] = [];
  private notShown = 0;

  constructor(private readonly out: Output, private readonly chalk: ChalkInstance, private readonly opts: CheckReportOptions) {}

  decide(d: Decision): void {
    if (d.outcome !== 'fail') return;
    if (this.opts.limit > 0 && this.lines.length >= this.opts.limit) { this.notShown++; return; }
    const ch = this.chalk;
    const rec = d.flow.record;
    const reasons = describeConditions(d.judged, d.flow);
    let text = `${ch.red.bold('FAIL')} ${ch.bold(connectionLabel(rec))}\n`;
    for (const r of reasons) text += `     ${r}\n`;
    this.lines.push({ id: rec.id, text });
  }

  finish(v: Verdict, run: CheckRunInfo): void {
    const ch = this.chalk;
    let s = '';
    // connection order: the judge decides some connections late (thresholds)
    this.lines.sort((a, b) => a.id - b.id);
    for (const l of this.lines) s += l.text;
    if (this.notShown > 0) s += ch.dim(`… ${this.notShown} more failing connection${this.notShown === 1 ? '' : 's'} not listed (--report-limit 0 lists all; --json gives every record)\n`);
    if (!this.opts.quiet) {
      const table = this.table(v);
      if (table !== '') s += (s !== '' ? '\n' : '') + table + '\n';
    }
    // a capture that missed packets can hide or fake what went wrong: say so, judged or not
    const loss = v.conditions.find((c) => c.name === 'ack-unseen');
    if (loss !== undefined && loss.connections > 0 && !this.opts.quiet) {
      s += ch.yellow(`note: ${loss.connections} connection${loss.connections === 1 ? ' shows' : 's show'} capture loss (ack-unseen: ACKs for data the capture never showed); what the capture says of ${loss.connections === 1 ? 'it' : 'them'} may be incomplete\n`);
    }
    s += this.verdictLine(v, run) + '\n';
    this.out.write(s);
  }

  /** One row per condition that is judged or was seen. */
  private table(v: Verdict): string {
    const ch = this.chalk;
    const colored = ch.level > 0;
    const rows: string[][] = [];
    for (let i = 0; i < CONDITION_NAMES.length; i++) {
      const c = v.conditions[i];
      if (!c.judged && c.connections === 0) continue;
      const policy = !c.judged ? 'not judged' : c.max >= 0 ? `at most ${c.max}` : 'fail';
      const result = !c.judged ? ch.dim('-')
        : c.failed > 0 ? ch.red.bold('FAIL')
          : c.tolerated > 0 ? ch.yellow('tolerated')
            : c.exempt > 0 ? ch.yellow('exempt') : ch.green('ok');
      rows.push([c.name, String(c.connections), policy, String(c.failed), String(c.exempt), String(c.tolerated), result]);
    }
    if (rows.length === 0) return '';
    // without colour the same box drawn directly (box-table.ts): cli-table3 measured every cell
    // with string-width, ~10 ms of a ~95 ms `check` on a small capture; coloured tables keep
    // cli-table3, whose codes follow its own colour library
    if (!colored && fitsBoxTable(rows)) return boxTable(CHECK_TABLE_HEAD, rows, CHECK_TABLE_LAYOUT);
    // loaded on use: a plain tcpscope run never pays for it
    const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
    const t = new Table({
      head: [...CHECK_TABLE_HEAD],
      style: { head: colored ? ['cyan'] : [], border: colored ? ['grey'] : [], compact: CHECK_TABLE_LAYOUT.compact },
      colAligns: [...CHECK_TABLE_LAYOUT.colAligns],
    });
    for (const r of rows) t.push(r);
    return t.toString();
  }

  private verdictLine(v: Verdict, run: CheckRunInfo): string {
    const ch = this.chalk;
    const input = `${count(run.files.length, 'capture file')}, ${count(run.packets, 'packet')}${run.filter !== '' ? ` matching '${run.filter}'` : ''}`;
    const extra: string[] = [];
    if (v.exempt > 0) extra.push(`${v.exempt} exempt`);
    if (v.tolerated > 0) extra.push(`${v.tolerated} tolerated`);
    const extraText = extra.length > 0 ? `; ${extra.join(', ')}` : '';
    const conn = count(v.connections, 'connection');
    if (run.error?.left_out !== undefined || run.error?.damaged !== undefined) {
      const what: string[] = [];
      if (run.error.damaged !== undefined) what.push(`${run.error.damaged.join(', ')} could not be read to the end`);
      if (run.error.left_out !== undefined) what.push(`${run.error.left_out.join(', ')} could not be read`);
      return `${ch.red.bold('ERROR')}: ${what.join('; ')} (${run.error.message}); the other captures: ${v.failed} of ${conn} abnormal${extraText} (${input})`;
    }
    if (run.error !== null) {
      return `${ch.red.bold('ERROR')}: the input could not be read to the end (${run.error.message}); up to there: ${v.failed} of ${conn} abnormal${extraText} (${input})`;
    }
    if (v.failed > 0) {
      const kinds = v.conditions.filter((c) => c.failed > 0).map((c) => `${c.name} ${c.failed}`).join(', ');
      return `${ch.red.bold('FAIL')}: ${v.failed} of ${conn} abnormal (${kinds})${extraText}${v.tooFew ? `; fewer than ${v.minConnections} connections` : ''} (${input})`;
    }
    if (v.tooFew) return `${ch.red.bold('FAIL')}: ${conn}, fewer than the ${v.minConnections} required (${input})`;
    return `${ch.green.bold('PASS')}: ${conn}, none abnormal${extraText} (${input})`;
  }
}
