/**
 * The end-of-run summary with the options that cut or change a run: -c N stops after N packets
 * and the summary (table or JSON record) shows the connections as far as they got; --no-summary
 * and --plain drop the table; -q shortens the lines, not the table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, SCEN, tcpscope } from './helpers.js';

const REUSE = join(SCEN, 'port-reuse.pcap'); // 18 packets: one connection closed, then a new one on its 4-tuple
const LINE = /^\d\d:\d\d:\d\d\.\d{6} IP /gm;
const TABLE = /┌.*\n│ # │ client → server/;

describe('-c N', () => {
  test('annotated_-c 5_five packets, the summary shows the open connection', () => {
    const r = tcpscope(['-n', '-c', '5', '-r', REUSE]);
    expect(r.status).toBe(0);
    expect(r.stdout.match(LINE)).toHaveLength(5);
    expect(r.stdout).toMatch(TABLE);
    expect(r.stdout).toMatch(/│ 1 │ 10\.0\.0\.1:40021 +│ complete +│ none +│ ESTABLISHED │ S1 +│ 3 +│ 10 /);
    // the table says the read was cut by -c, not that the connection never closed
    expect(r.stdout).toMatch(/\n1 connection \(1 S1\)\n\(read stopped after 5 packets \(-c 5\): 1 connection still open was cut short, not closed\)\n$/);
  });

  test('annotated_-c 9_first connection closed, the second never began', () => {
    const r = tcpscope(['-n', '-c', '9', '-r', REUSE]);
    expect(r.stdout.match(LINE)).toHaveLength(9);
    // its one connection had closed: nothing was cut short
    expect(r.stdout).toMatch(/\n1 connection \(1 SF\)\n\(read stopped after 9 packets \(-c 9\)\)\n$/);
  });

  test('whole capture_no -c_both connections', () => {
    expect(tcpscope(['-n', '-r', REUSE]).stdout).toMatch(/\n2 connections \(2 SF\); anomalies: port-reuse 1\n$/);
  });

  test('json_-c 9_one flow record cut at 9 packets, summary counts 9', () => {
    const r = tcpscope(['-n', '-c', '9', '--json', '-r', REUSE]);
    const recs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(recs.map((x) => x.type)).toEqual(['flow', 'summary']);
    expect(recs[0]).toMatchObject({ id: 1, packets: { client: 5, server: 4 }, last_packet: 9 });
    expect(recs[1]).toMatchObject({ packets: 9, tcp_packets: 9, connections: 1 });
  });

  test('json=packets_-c 4_four packet records', () => {
    const r = tcpscope(['-n', '-c', '4', '--json=packets', '-r', REUSE]);
    const types = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(['packet', 'packet', 'packet', 'packet', 'flow', 'summary']);
  });

  test('plain_-c 5_tcpdump\'s first five lines, no table', () => {
    const r = tcpscope(['-n', '-c', '5', '--plain', '-r', REUSE]);
    const whole = readFileSync(join(ROOT, 'fixtures', 'expected', 'scenarios', 'port-reuse.pcap.n.out'), 'utf8');
    expect(r.stdout).toBe(whole.split('\n').slice(0, 5).join('\n') + '\n');
  });

  test('-c with a filter_counts matching packets only', () => {
    const r = tcpscope(['-n', '-c', '3', '--plain', '-r', REUSE, 'src', 'port', '7000']);
    expect(r.stdout.match(LINE)).toHaveLength(3);
    expect(r.stdout).not.toMatch(/ > 10\.0\.0\.2\.7000:/);
  });
});

describe('summary switches', () => {
  test('--no-summary_annotated_lines and annotations, no table', () => {
    const r = tcpscope(['-n', '--no-summary', '-r', REUSE]);
    expect(r.stdout.match(LINE)).toHaveLength(18);
    expect(r.stdout).not.toMatch(TABLE);
    expect(r.stdout).not.toMatch(/connections? \(/);
    expect(r.stdout).toMatch(/handshake 3\/3/);
  });

  test('-q_annotated_short lines, the same table', () => {
    const q = tcpscope(['-n', '-q', '-r', REUSE]);
    expect(q.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP 10\.0\.0\.1\.40021 > 10\.0\.0\.2\.7000: tcp 0$/m);
    const table = (s: string) => s.slice(s.indexOf('┌'));
    expect(table(q.stdout)).toBe(table(tcpscope(['-n', '-r', REUSE]).stdout));
  });

  test('--plain_no table even without --no-summary', () => {
    expect(tcpscope(['-n', '--plain', '-r', REUSE]).stdout).not.toMatch(TABLE);
  });

  test('--no-summary with --json_the summary record stays (it is data, not a table)', () => {
    const r = tcpscope(['-n', '--no-summary', '--json', '-r', REUSE]);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\{"type":"summary"/);
  });
});
