/**
 * The `--json` summary record's `abnormal`: the connections that `tcpscope check` fails under its
 * default policy, counted the same way whatever the mix of connections.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

function lastRecord(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('summary record abnormal', () => {
  const cases: [string[], number][] = [
    [['close-4way.pcap'], 0],
    [['retransmission.pcap'], 0], // anomalies, but none the default policy fails on
    [['rst-refused.pcap'], 1],
    [['half-closed-at-end.pcap'], 1],
    [['synack-no-final-ack.pcap'], 1],
    [['syn-flood.pcap'], 200],
    [['close-4way.pcap', 'rst-abort.pcap', 'syn-unanswered.pcap', 'half-close.pcap'], 2],
  ];
  test.each(cases)('%s_json summary_abnormal %i, as check counts failures', (files, expected) => {
    const paths = files.map((f) => join(SCEN, f));
    const json = tcpscope(['-n', ...paths.flatMap((p) => ['-r', p]), '--json']);
    expect(json.status).toBe(0);
    const summary = lastRecord(json.stdout);
    expect(summary.type).toBe('summary');
    expect(summary.abnormal).toBe(expected);
    const check = tcpscope(['check', '--json', ...paths]);
    const verdict = lastRecord(check.stdout);
    expect(verdict.type).toBe('verdict');
    expect(verdict.failed).toBe(summary.abnormal);
  });
});
