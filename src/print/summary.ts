/**
 * The end-of-run table (cli-table3) of the connections: endpoints, handshake, how it closed,
 * final states, Zeek's conn_state, packets and bytes each way, duration, handshake RTT and
 * anomalies, with a totals line under it.
 *
 * Rows are kept as strings when each flow ends (the flow table frees the connection). A run with
 * more connections than `maxRows` keeps the notable ones (resets, refusals, half-open or
 * half-closed, unanswered handshakes) first; the totals always count every connection.
 *
 * On a terminal narrower than the table, the least telling columns are left out one by one
 * (NARROWING) until it fits, and a line under it says which: a wrapped table is unreadable.
 */
import { createRequire } from 'node:module';
import type { FlowView } from '../track/flow.js';
import { ANOMALY_NAMES, Anomaly } from '../track/events.js';
import type { Tracker } from '../track/tracker.js';
import { formatDuration } from './annotate.js';
import { boxTable, fitsBoxTable } from './box-table.js';
import type { Output } from './output.js';
import type { Paint } from './paint.js';
import { count } from './count.js';

interface Row {
  id: number;
  notable: boolean;
  cells: string[];
}

const HEAD = ['#', 'client → server', 'handshake', 'close', 'states c/s', 'zeek', 'pkts c/s', 'bytes c/s', 'duration', 'rtt', 'anomalies'];
/** Columns a narrow terminal does without, first to last (indexes into HEAD). */
const NARROWING = [7, 6, 8, 9, 5, 2];

const NOTABLE_ANOMALIES = Anomaly.REFUSED | Anomaly.RESET | Anomaly.HALF_OPEN | Anomaly.HALF_CLOSE;

function formatBytes(n: number): string {
  if (n < 10000) return String(n);
  if (n < 1e7) return `${(n / 1e3).toFixed(1)}k`;
  if (n < 1e10) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

export class SummaryTable {
  private rows: Row[] = [];
  private total = 0;
  /** connections still open (no close, or one side's FIN only) when -c N stopped the read */
  private cutShort = 0;
  private readonly connStates = new Map<string, number>();
  /** connections with each anomaly bit, and the bits in the order they first appeared */
  private readonly anomalyCounts = new Array<number>(ANOMALY_NAMES.length).fill(0);
  private readonly anomalyOrder: number[] = [];

  constructor(private readonly chalk: Paint, private readonly maxRows = 25) {}

  /** Record a connection as it ends. */
  add(f: FlowView): void {
    this.total++;
    const cs = f.connState;
    this.connStates.set(cs, (this.connStates.get(cs) ?? 0) + 1);
    const mask = f.anomalyMask;
    // counted by bit (no array of names per connection); listed in order of first appearance
    if (mask !== 0) {
      for (let i = 0; i < ANOMALY_NAMES.length; i++) {
        if ((mask & (1 << i)) === 0) continue;
        if (this.anomalyCounts[i]++ === 0) this.anomalyOrder.push(i);
      }
    }
    const hs = f.handshake;
    const close = f.close;
    if ((close === 'none' || close === 'half') && f.endReason === 'packet-limit') this.cutShort++;
    const notable = (mask & NOTABLE_ANOMALIES) !== 0 || hs === 'unanswered' || hs === 'no-final-ack' || hs === 'one-sided' || close === 'half';
    if (this.rows.length >= this.maxRows) {
      if (!notable) return;
      // make room for a notable row by dropping the latest ordinary one
      let drop = -1;
      for (let i = this.rows.length - 1; i >= 0; i--) if (!this.rows[i].notable) { drop = i; break; }
      if (drop < 0) return;
      this.rows.splice(drop, 1);
    }
    const ch = this.chalk;
    const rtt = f.rtt;
    const closeText = close === 'rst' ? `rst by ${f.resetBy}` : close === 'fin' ? `fin by ${f.closedBy}` : close === 'half' ? `half by ${f.closedBy}` : 'none';
    const anomalyText = mask !== 0 ? f.anomalies.join(', ') : '';
    this.rows.push({
      id: f.id,
      notable,
      cells: [
        String(f.id),
        `${f.client}\n→ ${f.server}`,
        hs,
        closeText,
        `${f.clientState}\n${f.serverState}`,
        cs,
        `${f.packets('client')}\n${f.packets('server')}`,
        `${formatBytes(f.bytes('client'))}\n${formatBytes(f.bytes('server'))}`,
        formatDuration(Math.max(0, f.duration)),
        rtt === null ? '' : formatDuration(rtt),
        notable ? ch.red(anomalyText) : ch.yellow(anomalyText),
      ],
    });
  }

  /** The table without the columns in `dropped`. */
  private render(dropped: number[]): string {
    const ch = this.chalk;
    const colored = ch.level > 0;
    const keep = (_: unknown, i: number): boolean => !dropped.includes(i);
    const head = HEAD.filter(keep);
    const rows = this.rows.slice().sort((a, b) => a.id - b.id).map((r) => r.cells.filter(keep));
    // without colour the same box drawn directly (box-table.ts: cli-table3 costs ~45 ms of CPU
    // for 25 rows); coloured tables keep cli-table3, whose codes follow its own colour library
    if (!colored && fitsBoxTable(rows)) return boxTable(head, rows);
    // loaded here: runs without a coloured table never pay for it
    const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');
    const table = new Table({
      head,
      style: { head: colored ? ['cyan'] : [], border: colored ? ['grey'] : [], compact: false },
    });
    for (const r of rows) table.push(r);
    return table.toString();
  }

  /**
   * Write the table and the totals; `columns`: the terminal's width when standard output is one
   * (undefined in a pipe or a file: the whole table, always; so is 0, which a terminal that does
   * not know its size reports, e.g. under `script` or a serial console). `stoppedAfter`: the
   * packet count when -c N stopped the read (the connections still open were cut, not ended).
   */
  print(out: Output, tracker: Tracker, columns?: number, stoppedAfter?: number): void {
    let s = '\n';
    if (this.total > 0) {
      let dropped: number[] = [];
      let text = this.render(dropped);
      for (const col of NARROWING) {
        if (columns === undefined || !(columns > 0) || widest(text) <= columns) break;
        dropped = [...dropped, col];
        text = this.render(dropped);
      }
      s += text + '\n';
      if (dropped.length > 0) s += `(hidden for ${columns} columns: ${dropped.map((c) => HEAD[c]).join(', ')})\n`;
    }
    const states = [...this.connStates.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} ${k}`).join(', ');
    s += `${count(this.total, 'connection')}${this.total > 0 ? ` (${states})` : ''}`;
    if (this.anomalyOrder.length > 0) s += `; anomalies: ${this.anomalyOrder.map((i) => `${ANOMALY_NAMES[i]} ${this.anomalyCounts[i]}`).join(', ')}`;
    const st = tracker.stats;
    if (st.evicted > 0) s += `; ${st.evicted} evicted (--max-flows)`;
    if (st.expired > 0) s += `; ${st.expired} expired idle`;
    s += '\n';
    if (this.total > this.rows.length) s += `${this.total - this.rows.length} more not shown (--json lists every connection)\n`;
    if (stoppedAfter !== undefined) {
      s += `(read stopped after ${count(stoppedAfter, 'packet')} (-c ${stoppedAfter})`;
      if (this.cutShort > 0) s += `: ${count(this.cutShort, 'connection')} still open ${this.cutShort === 1 ? 'was' : 'were'} cut short, not closed`;
      s += ')\n';
    }
    out.write(s);
  }
}

/** The widest line of `text` in terminal columns (colour codes take none). */
function widest(text: string): number {
  let max = 0;
  for (const line of text.split('\n')) max = Math.max(max, line.replace(/\x1b\[[0-9;]*m/g, '').length);
  return max;
}
