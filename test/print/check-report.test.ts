/**
 * check's condition table: drawn by box-table.ts when uncoloured, it must be cli-table3's text
 * (the oracle, with the report's own options) for every verdict a row can show, for numbers
 * wider than their column heads, and for the real tables of every capture in fixtures/;
 * coloured reports stay with cli-table3.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { CONDITION_NAMES } from '../../src/check/conditions.js';
import { buildPolicy, runCheck } from '../../src/check/index.js';
import type { CheckRunInfo, ConditionTally, Verdict } from '../../src/check/judge.js';
import { CHECK_TABLE_HEAD, CHECK_TABLE_LAYOUT, CheckReport } from '../../src/print/check-report.js';
import { Output } from '../../src/print/output.js';
import { cliTable3 } from './cli-table3-oracle.js';

const root = join(__dirname, '..', '..');

/** cli-table3's drawing of the condition table's cells, with the options the report used to give it. */
function reportTable(rows: string[][]): string {
  return cliTable3(CHECK_TABLE_HEAD, rows, CHECK_TABLE_LAYOUT);
}

/** The box in a report (from its top-left corner to its bottom-right one). */
function tableOf(report: string): string {
  const start = report.indexOf('┌');
  return start < 0 ? '' : report.slice(start, report.indexOf('┘', start) + 1);
}

/** A drawn table's body cells, read back (the text between the bars, trimmed). */
function cellsOf(table: string): string[][] {
  return table.split('\n').filter((l) => l.startsWith('│')).slice(1)
    .map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
}

const run: CheckRunInfo = { files: ['x.pcap'], packets: 10, frames: 10, filter: '', error: null };

function verdictOf(tallies: Partial<ConditionTally>[]): Verdict {
  const conditions = CONDITION_NAMES.map((name, i): ConditionTally => ({
    name, connections: 0, judged: false, max: -1, failed: 0, exempt: 0, tolerated: 0, ...(tallies[i] ?? {}),
  }));
  return { pass: true, connections: 9, passed: 9, failed: 0, exempt: 0, tolerated: 0, conditions, tooFew: false, minConnections: 0 };
}

function report(v: Verdict, level: 0 | 1 | 3): string {
  let text = '';
  const out = { write: (s: string): void => { text += s; } } as unknown as Output;
  new CheckReport(out, new Chalk({ level }), { limit: 200, quiet: false }).finish(v, run);
  return text;
}

describe('check report table', () => {
  it('everyResult_wideNumbers_uncoloured_sameTextAsCliTable3', () => {
    const big = 4294967296;
    const v = verdictOf([
      { connections: 3, judged: true }, // ok
      { connections: big, judged: true, failed: 12345678901 }, // FAIL
      { connections: 5, judged: true, max: 7, tolerated: 5 }, // tolerated, threshold
      { connections: 2, judged: true, exempt: 2 }, // exempt
      { connections: 1 }, // not judged
      { connections: 0 }, // not judged and not seen: no row
      { connections: 0, judged: true, max: 123456789012 },
    ]);
    const text = tableOf(report(v, 0));
    expect(cellsOf(text).map((r) => r[6])).toEqual(['ok', 'FAIL', 'tolerated', 'exempt', '-', 'ok']);
    expect(text).toBe(reportTable(cellsOf(text)));
    expect(text).toContain('│ reset             │  4294967296 │ fail                 │ 12345678901 │');
  });

  it('noRow_uncoloured_noTable', () => {
    expect(report(verdictOf([]), 0)).not.toContain('┌');
  });

  it('coloured_cliTable3_withColourCodes', () => {
    const v = verdictOf([{ connections: 3, judged: true }, { connections: 1, judged: true, failed: 1 }]);
    for (const level of [1, 3] as const) {
      const text = report(v, level);
      expect(text).toContain('\x1b[');
      // the same box once the colour codes are taken out
      expect(tableOf(text.replace(/\x1b\[[0-9;]*m/g, ''))).toBe(tableOf(report(v, 0)));
    }
  });

  const captures = ['scenarios', 'real'].flatMap((dir) => readdirSync(join(root, 'fixtures', dir))
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).map((f) => join(root, 'fixtures', dir, f)));
  it.each(captures)('realCapture_%s_failOnAll_uncolouredTable_sameTextAsCliTable3', async (file) => {
    const path = join(mkdtempSync(join(tmpdir(), 'tcpscope-report-')), 'out.txt');
    const fd = openSync(path, 'w');
    try {
      await runCheck(
        { captures: [file], filter: '', policy: buildPolicy({}, { failOn: ['all'] }), json: false, color: 'never', quiet: false, reportLimit: 200, progress: false },
        { stdout: new Output(fd), stderr: () => {}, env: { TZ: 'UTC' }, isTTY: false },
      );
    } finally {
      closeSync(fd);
    }
    const text = tableOf(readFileSync(path, 'utf8'));
    expect(text).not.toBe('');
    expect(text).toBe(reportTable(cellsOf(text)));
  });
});
