/**
 * The tracker's output through the CLI: annotations, the summary table, colour, and the --json
 * records, on the fixture captures.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { Annotator } from '../../src/print/annotate.js';
import { makeChalk } from '../../src/print/color.js';
import { colorLevel } from '../../src/print/paint.js';
import { JsonWriter } from '../../src/print/json.js';
import { defaultPrintOptions } from '../../src/print/options.js';
import { Output } from '../../src/print/output.js';
import { TcpdumpPrinter } from '../../src/print/tcpdump/index.js';
import { Tracker } from '../../src/track/tracker.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpscope.js');
const SCEN = join(ROOT, 'fixtures', 'scenarios');
const REAL = join(ROOT, 'fixtures', 'real');

/** Run the CLI; env entries given as undefined are removed (NO_COLOR=1 unless overridden). */
function cli(args: string[], env: Record<string, string | undefined> = {}): string {
  const e: Record<string, string | undefined> = { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...env };
  delete e.FORCE_COLOR;
  if (env.FORCE_COLOR !== undefined) e.FORCE_COLOR = env.FORCE_COLOR;
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return execFileSync(process.execPath, [CLI, ...args], { env: e as NodeJS.ProcessEnv, maxBuffer: 64 << 20 }).toString();
}

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * What the pipeline prints for one capture, in process (one CLI process per capture is slow):
 * 'json' (the NDJSON records), 'plain' (tcpdump's lines) or 'annotated' (with annotations).
 */
async function inProcess(file: string, mode: 'json' | 'plain' | 'annotated'): Promise<string> {
  const path = join(tmp, 'out');
  const fd = openSync(path, 'w');
  const out = new Output(fd);
  const print = defaultPrintOptions();
  print.numeric = 1;
  const json = mode === 'json' ? new JsonWriter(out, false) : null;
  const tracker = new Tracker({ onFlowEnd: (f) => json?.flow(f) });
  const printer = new TcpdumpPrinter(print, out);
  const annotator = mode === 'annotated' ? new Annotator(out, tracker, makeChalk(0)) : null;
  const pkt = new Packet();
  let n = 0;
  await readCapture(file, (frame) => {
    n++;
    decodePacket(frame, pkt);
    const r = tracker.track(pkt);
    if (mode !== 'json') printer.print(frame, pkt);
    if (annotator !== null) annotator.annotate(r, pkt);
  });
  tracker.finish();
  json?.summary(tracker, { packets: n });
  out.flush();
  closeSync(fd);
  return readFileSync(path, 'utf8');
}

function records(args: string[]): Array<Record<string, any>> {
  return cli(['--json', ...args]).trim().split('\n').map((l) => JSON.parse(l));
}

const captures = [
  ...readdirSync(SCEN).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(SCEN, f)),
  ...readdirSync(REAL).filter((f) => f.endsWith('.pcap')).map((f) => join(REAL, f)),
];

describe('--json', () => {
  test('json_everyFixture_ndjsonEndingWithSummary', async () => {
    for (const file of captures) {
      const recs = (await inProcess(file, 'json')).trim().split('\n').map((l) => JSON.parse(l));
      expect(recs[recs.length - 1].type, file).toBe('summary');
      const flows = recs.filter((r) => r.type === 'flow');
      expect(recs.slice(0, -1).every((r) => r.type === 'flow'), file).toBe(true);
      expect(recs[recs.length - 1].connections).toBe(flows.length);
      // ids are 1..n, each once
      expect(flows.map((f) => f.id).sort((a, b) => a - b)).toEqual(flows.map((_, i) => i + 1));
    }
  });

  test('json_close4way_flowRecordFields', () => {
    const [flow, summary] = records(['-r', join(SCEN, 'close-4way.pcap')]);
    expect(flow).toMatchObject({
      type: 'flow', id: 1, client: '10.0.0.1:40001', server: '10.0.0.2:7000', ip_version: 4,
      handshake: 'complete', close: 'fin', reset_by: null, closed_by: 'client',
      states: { client: 'TIME_WAIT', server: 'CLOSED' }, conn_state: 'SF', history: 'ShADadFf', anomalies: [], events: {},
      first_packet: 1, last_packet: 11, packets: { client: 6, server: 5 }, bytes: { client: 100, server: 3000 },
      options: { client: { mss: 1460, wscale: 7, sack: true, timestamps: true }, window_scaling: true, sack: true, timestamps: true },
      syn_retransmits: [], synack_retransmits: [], midstream: false, end_reason: 'end-of-input',
    });
    expect(flow.start).toBe(1700000000);
    expect(flow.duration).toBeCloseTo(0.0047, 6);
    expect(flow.rtt).toBeCloseTo(0.0004, 6);
    expect(summary).toMatchObject({ type: 'summary', packets: 11, tcp_packets: 11, connections: 1, conn_states: { SF: 1 }, closes: { fin: 1 } });
  });

  test('json_packets_recordPerPacketThenFlows', () => {
    const recs = records(['--json=packets', '-r', join(SCEN, 'rst-refused.pcap')]);
    expect(recs.map((r) => r.type)).toEqual(['packet', 'packet', 'flow', 'summary']);
    expect(recs[0]).toMatchObject({ number: 1, src: '10.0.0.1', dst: '10.0.0.2', sport: 40007, dport: 7999, flags: 'S', seq: 1000, conn: 1, from: 'client', events: ['syn'], states: { client: 'SYN_SENT', server: 'LISTEN' } });
    expect(recs[1]).toMatchObject({ flags: 'R.', ack: 1001, from: 'server', events: ['refused'], states: { client: 'CLOSED', server: 'CLOSED' } });
  });

  test('json_packets_nonTcpPacketsHaveNoConnection', () => {
    const recs = records(['--json=packets', '-r', join(SCEN, 'mixed-protocols.pcap')]);
    const pk = recs.filter((r) => r.type === 'packet');
    expect(pk[0].conn).toBeUndefined(); // ARP
    expect(pk[1]).toMatchObject({ proto: 17 }); // UDP
    expect(pk.filter((r) => r.conn === 1).length).toBeGreaterThan(0);
  });

  test('json_ipv6_bracketedEndpoints', () => {
    const [flow] = records(['-r', join(SCEN, 'ipv6.pcap')]);
    expect(flow).toMatchObject({ client: '[2001:db8::1]:40025', server: '[2001:db8::2]:7000', ip_version: 6 });
  });

  test('json_count_stopsAndStillReportsFlows', () => {
    const recs = records(['-c', '3', '-r', join(SCEN, 'close-4way.pcap')]);
    expect(recs[0]).toMatchObject({ type: 'flow', handshake: 'complete', close: 'none', last_packet: 3, end_reason: 'packet-limit' });
    expect(recs[1]).toMatchObject({ type: 'summary', packets: 3 });
  });

  test('json_countBeyondCapture_endOfInput', () => {
    // -c larger than the capture: the input ended first, so the open connection says so
    const recs = records(['-c', '100', '-r', join(SCEN, 'keepalive.pcap')]);
    expect(recs.filter((r) => r.type === 'flow').map((f) => f.end_reason)).toEqual(['end-of-input']);
  });

  test('json_maxFlows_evictionsCounted', () => {
    const recs = records(['--max-flows', '10', '-r', join(SCEN, 'syn-flood.pcap')]);
    const flows = recs.filter((r) => r.type === 'flow');
    expect(flows).toHaveLength(200);
    expect(flows.filter((f) => f.end_reason === 'evicted')).toHaveLength(190);
    expect(recs[recs.length - 1]).toMatchObject({ evicted: 190, peak_connections: 10 });
  });
});

describe('annotations', () => {
  test('annotated_everyFixture_onlyAddsLinesToTcpdumpOutput', async () => {
    for (const file of captures) {
      const plain = await inProcess(file, 'plain');
      const annotated = await inProcess(file, 'annotated');
      const stripped = annotated.split('\n').filter((l) => !/^ {4}#\d+ /.test(l)).join('\n');
      expect(stripped, file).toBe(plain);
      expect(plain).not.toMatch(/^ {4}#\d+ /m);
    }
  });

  test('annotated_cli_plainHasNoAnnotations', () => {
    const file = join(SCEN, 'close-4way.pcap');
    const plain = cli(['-n', '--plain', '-r', file]);
    expect(plain).toBe(readFileSync(join(ROOT, 'fixtures', 'expected', 'scenarios', 'close-4way.pcap.n.out'), 'utf8'));
    expect(cli(['-n', '--no-summary', '-r', file]).split('\n').filter((l) => !/^ {4}#\d+ /.test(l)).join('\n')).toBe(plain);
  });

  test('annotated_summary_tableAndTotals', () => {
    const out = cli(['-n', '-r', join(SCEN, 'port-reuse.pcap')]);
    expect(out).toMatch(/│ 1 │ 10\.0\.0\.1:40021/);
    expect(out).toMatch(/│ 2 │ 10\.0\.0\.1:40021/);
    expect(out.trimEnd().split('\n').pop()).toBe('2 connections (2 SF); anomalies: port-reuse 1');
    expect(cli(['-n', '--no-summary', '-r', join(SCEN, 'port-reuse.pcap')])).not.toContain('connections (');
  });

  test('annotated_badChecksums_reportedUnlessK', () => {
    const file = join(SCEN, 'bad-checksums.pcap');
    expect(cli(['-n', '--no-summary', '-r', file])).toContain('bad checksum: the receiver drops it');
    expect(cli(['-n', '-K', '--no-summary', '-r', file])).not.toContain('bad checksum');
    // -v sums every payload too: the corrupted data segment is caught as well
    const v = cli(['-nv', '--no-summary', '-r', file]).split('\n').filter((l) => l.includes('bad checksum'));
    const d = cli(['-n', '--no-summary', '-r', file]).split('\n').filter((l) => l.includes('bad checksum'));
    expect(v.length).toBe(2);
    expect(d.length).toBe(1);
  });
});

describe('colour', () => {
  const ESC = '\u001b[';
  test('color_notATerminal_none', () => {
    expect(cli(['-n', '-r', join(SCEN, 'rst-refused.pcap')], { NO_COLOR: undefined })).not.toContain(ESC);
  });
  test('color_always_evenInAPipe', () => {
    expect(cli(['-n', '--color', 'always', '-r', join(SCEN, 'rst-refused.pcap')])).toContain(ESC);
  });
  test('color_forceColor_inAPipe', () => {
    expect(cli(['-n', '-r', join(SCEN, 'rst-refused.pcap')], { NO_COLOR: undefined, FORCE_COLOR: '1' })).toContain(ESC);
  });
  test('color_never_overridesForceColor', () => {
    expect(cli(['-n', '--color', 'never', '-r', join(SCEN, 'rst-refused.pcap')], { FORCE_COLOR: '3' })).not.toContain(ESC);
  });
  test('color_plain_neverColoured', () => {
    expect(cli(['-n', '--plain', '--color', 'always', '-r', join(SCEN, 'rst-refused.pcap')])).not.toContain(ESC);
  });
  test('colorLevel_rules', () => {
    expect(colorLevel('auto', true, {})).toBe(1);
    expect(colorLevel('auto', true, { NO_COLOR: '1' })).toBe(0);
    expect(colorLevel('auto', true, { NO_COLOR: '' })).toBe(1); // empty NO_COLOR does not count
    expect(colorLevel('auto', false, {})).toBe(0);
    expect(colorLevel('auto', false, { FORCE_COLOR: '2' })).toBe(2);
    expect(colorLevel('auto', true, { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel('auto', true, { TERM: 'xterm-256color' })).toBe(2);
    expect(colorLevel('auto', true, { COLORTERM: 'truecolor' })).toBe(3);
    expect(colorLevel('always', false, { NO_COLOR: '1' })).toBe(1);
    expect(colorLevel('never', true, { FORCE_COLOR: '3' })).toBe(0);
  });
  test('colorLevel_termDumb_noColourUnlessForced', () => {
    expect(colorLevel('auto', true, { TERM: 'dumb' })).toBe(0);
    expect(colorLevel('auto', true, { TERM: 'dumb', FORCE_COLOR: '1' })).toBe(1);
    expect(colorLevel('always', true, { TERM: 'dumb' })).toBe(1);
  });
});
