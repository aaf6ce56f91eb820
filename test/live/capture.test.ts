/**
 * Live capture on the loopback interface, end to end: real TCP connections (a normal close, a
 * refused port, an abort with SO_LINGER 0) captured by `tcpscope -i lo` with a port filter that
 * libpcap compiles, stopped by SIGINT. Checks the printed lines and annotations, the -w file
 * (read back by tcpscope and by tcpdump), that the live output is what reading that file prints,
 * and tcpdump's three counters.
 *
 * Needs root and the native pcap module: CI runs it as root (.ci/run); elsewhere it is skipped
 * with the reason in its title.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import {
  CLI, HAVE_TCPDUMP, type Servers, abortWithLinger0, flowFlags, killStragglers, liveSkipReason, normalClose, packetLines, refused, startCapture, startServers,
} from './helpers.js';

const SKIP = liveSkipReason();
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-live-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function offline(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' }, maxBuffer: 64 << 20 }).toString();
}

/** The three counters tcpdump prints at the end of a live capture. */
function counters(stderr: string): { captured: number; received: number; dropped: number } {
  const m = /(\d+) packets? captured\n(\d+) packets? received by filter\n(\d+) packets? dropped by kernel\n$/.exec(stderr);
  if (m === null) throw new Error(`no counters at the end of stderr:\n${stderr}`);
  return { captured: Number(m[1]), received: Number(m[2]), dropped: Number(m[3]) };
}

describe.skipIf(SKIP !== '')(`live capture on lo${SKIP !== '' ? ` (skipped: ${SKIP})` : ''}`, () => {
  let servers: Servers;
  beforeAll(async () => { servers = await startServers(); });
  afterAll(async () => { killStragglers(); await servers?.close(); });

  test('threeConnections_sigint_linesAnnotationsFileAndCountersAgree', async () => {
    const filter = `tcp port ${servers.echoPort} or tcp port ${servers.abortPort} or tcp port ${servers.refusedPort}`;
    const file = join(tmp, 'three.pcap');
    // annotated output, and the same packets written with -w (--print: tcpdump's "print as well")
    const cap = startCapture(['-i', 'lo', '-n', '--immediate-mode', '-w', file, '--print', filter]);
    await cap.ready;
    expect(cap.stderr()).toBe('tcpscope: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');

    const normalPort = await normalClose(servers.echoPort);
    await refused(servers.refusedPort);
    const abortPort = await abortWithLinger0(servers.abortPort);
    // wait for the RST of the abort, the last packet of all
    const rstLine = new RegExp(`127\\.0\\.0\\.1\\.${abortPort} > 127\\.0\\.0\\.1\\.${servers.abortPort}: Flags \\[R`);
    await cap.waitForOutput((o) => rstLine.test(o));
    cap.proc.kill('SIGINT');
    const exit = await cap.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const live = cap.stdout();
    const lines = packetLines(live);
    // -- the tcpdump lines: each connection's exchange
    const normal = flowFlags(lines, normalPort, servers.echoPort);
    expect(normal.slice(0, 3)).toEqual(['>S', '<S.', '>.']);
    expect(normal.filter((f) => f.endsWith('P.'))).toEqual(['>P.', '<P.']); // hello, and its echo
    expect(normal.filter((f) => f.includes('F')).map((f) => f[0]).sort()).toEqual(['<', '>']); // a FIN each way
    expect(normal[normal.length - 1]).toMatch(/^[<>]\.$/); // the last FIN is acknowledged
    expect(normal.some((f) => f.includes('R'))).toBe(false);
    const refusedSyn = lines.find((l) => l.includes(`> 127.0.0.1.${servers.refusedPort}: Flags [S]`));
    expect(refusedSyn).toBeDefined();
    const refusedClient = Number(/127\.0\.0\.1\.(\d+) >/.exec(refusedSyn!)![1]);
    expect(flowFlags(lines, refusedClient, servers.refusedPort)).toEqual(['>S', '<R.']);
    const aborted = flowFlags(lines, abortPort, servers.abortPort);
    expect(aborted.slice(0, 3)).toEqual(['>S', '<S.', '>.']);
    expect(aborted).toContain('>P.');
    expect(aborted[aborted.length - 1]).toBe('>R.');
    expect(lines.length).toBe(normal.length + 2 + aborted.length);

    // -- annotations under the lines, and the end-of-run table
    expect(live).toContain('handshake 1/3: client SYN');
    expect(live).toMatch(/refused: RST answers the SYN/);
    expect(live).toMatch(/client aborts the connection \(RST\)/);
    expect(live).toMatch(/3 connections \(/);

    // -- tcpdump's counters on stderr, after the listening line
    const c = counters(cap.stderr());
    expect(c.captured).toBe(lines.length);
    expect(c.received).toBeGreaterThanOrEqual(lines.length);
    expect(c.dropped).toBe(0);

    // -- the -w file: every packet printed, nothing else, and a valid capture to its end
    let frames = 0;
    const summary = await readCapture(file, () => { frames++; });
    expect(frames).toBe(lines.length);
    expect(summary.info.interfaces[0]!.linktype).toBe(1);
    expect(summary.info.interfaces[0]!.snaplen).toBe(262144);

    // -- live output = reading the session's own file (an interrupted run with -w adds no
    //    newline, as tcpdump; the table opens with its own blank line either way)
    const replay = offline(['-n', '-r', file]);
    expect(live).toBe(replay);

    // -- the flow records of the file: what each connection was
    const flows = offline(['--json', '-r', file]).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'flow');
    const byServer = new Map(flows.map((f) => [Number(String(f.server).split(':')[1]), f.conn_state]));
    expect(byServer.get(servers.echoPort)).toBe('SF');
    expect(byServer.get(servers.refusedPort)).toBe('REJ');
    expect(byServer.get(servers.abortPort)).toBe('RSTO');

    // -- tcpdump reads the file and prints what tcpscope --plain prints
    if (HAVE_TCPDUMP) {
      const theirs = execFileSync('tcpdump', ['-n', '-r', file], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      expect(offline(['--plain', '-n', '-r', file])).toBe(theirs);
      expect(packetLines(theirs)).toEqual(lines);
    }
  });

  test('plainWithCount_defaultBuffering_stopsByItself_countersSayN', async () => {
    const cap = startCapture(['-i', 'lo', '-n', '--plain', '-c', '4', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    // --plain: tcpdump's own stderr lines
    expect(cap.stderr()).toBe('tcpscope: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');
    await normalClose(servers.echoPort);
    // without --immediate-mode libpcap hands packets over within its 1 s buffer timeout
    const exit = await Promise.race([cap.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    const out = cap.stdout();
    expect(packetLines(out).length).toBe(4);
    expect(out.split('\n').length).toBe(5); // four lines, no interrupt newline
    const c = counters(cap.stderr());
    expect(c.captured).toBe(4);
    expect(cap.stderr()).toMatch(/\n4 packets captured\n/);
  });

  test('sigterm_noPackets_cleanStop_emptyValidFile_zeroCounters', async () => {
    const file = join(tmp, 'empty.pcap');
    const cap = startCapture(['-i', 'lo', '-w', file, `tcp port ${servers.refusedPort} and tcp port ${servers.echoPort}`]);
    await cap.ready;
    cap.proc.kill('SIGTERM');
    const exit = await cap.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(cap.stdout()).toBe('');
    expect(cap.stderr()).toMatch(/\n0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n$/);
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(24);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(bytes.readUInt32LE(20)).toBe(1);
  });

  test('sigusr1_countersSoFar_oneLine_captureGoesOn', async () => {
    const cap = startCapture(['-i', 'lo', '-n', '--immediate-mode', '--plain', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    await normalClose(servers.echoPort);
    await cap.waitForOutput((o) => packetLines(o).length >= 8);
    cap.proc.kill('SIGUSR1');
    const deadline = Date.now() + 10_000;
    while (!/packets dropped by kernel\n/.test(cap.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(cap.stderr()).toMatch(/\ntcpscope: \d+ packets captured, \d+ packets received by filter, 0 packets dropped by kernel\n$/);
    expect(cap.proc.exitCode).toBe(null);
    cap.proc.kill('SIGINT');
    expect((await cap.exited).code).toBe(0);
  });

  test('writeToStdout_tcpdumpReadsThePipe', { skip: !HAVE_TCPDUMP && 'tcpdump is not installed' }, async () => {
    const cap = startCapture(['-i', 'lo', '-U', '-w', '-', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    await normalClose(servers.echoPort);
    // -U: every packet reaches the pipe as it is captured
    const deadline = Date.now() + 10_000;
    const has = () => spawnSync('tcpdump', ['-n', '-r', '-'], { input: cap.stdoutBytes() }).stdout.toString().split('\n').filter(Boolean).length;
    while (has() < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    cap.proc.kill('SIGINT');
    expect((await cap.exited).code).toBe(0);
    const r = spawnSync('tcpdump', ['-n', '-r', '-'], { input: cap.stdoutBytes() });
    expect(r.status).toBe(0);
    expect(packetLines(r.stdout.toString()).length).toBeGreaterThanOrEqual(8);
    expect(r.stderr.toString()).not.toMatch(/truncated/);
  });

  test('badFilter_libpcapsMessage_status1', async () => {
    const cap = startCapture(['-i', 'lo', 'tcp port']);
    const exit = await cap.exited;
    expect(exit.code).toBe(1);
    expect(cap.stderr()).toBe("tcpscope: can't parse filter expression: syntax error\n");
  });

  test('noSuchInterface_oneLine_status1', async () => {
    const cap = startCapture(['-i', 'nosuch0']);
    expect((await cap.exited).code).toBe(1);
    expect(cap.stderr()).toBe('tcpscope: nosuch0: No such device exists (tcpscope -D lists the interfaces you can capture on)\n');
  });

  test('snaplen_tooBig_tcpdumpsMessage; small_packetsCutAndMarked', async () => {
    const big = startCapture(['-i', 'lo', '-s', '300000']);
    expect((await big.exited).code).toBe(1);
    expect(big.stderr()).toBe('tcpscope: invalid snaplen 300000 (must be >= 0 and <= 262144)\n');

    const file = join(tmp, 'snap.pcap');
    const cap = startCapture(['-i', 'lo', '-n', '--immediate-mode', '-s', '60', '-w', file, '--print', '--plain', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    expect(cap.stderr()).toContain('snapshot length 60 bytes');
    await normalClose(servers.echoPort);
    await cap.waitForOutput((o) => packetLines(o).length >= 8);
    cap.proc.kill('SIGINT');
    await cap.exited;
    let maxCaplen = 0;
    let maxWire = 0;
    const s = await readCapture(file, (f) => { maxCaplen = Math.max(maxCaplen, f.caplen); maxWire = Math.max(maxWire, f.wirelen); });
    expect(s.info.interfaces[0]!.snaplen).toBe(60);
    // libpcap cuts at the snap length (in immediate mode a little before it, as for tcpdump)
    expect(maxCaplen).toBeLessThanOrEqual(60);
    expect(maxCaplen).toBeGreaterThan(50);
    expect(maxWire).toBeGreaterThan(60);
    // cut packets print tcpdump's truncation mark
    expect(cap.stdout()).toMatch(/\[\|tcp\]/);
  });

  test('anyInterface_linuxCookedV1_wholeExchange_noDrops', async () => {
    const cap = startCapture(['-i', 'any', '-n', '--immediate-mode', '--plain', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    expect(cap.stderr()).toMatch(/listening on any, link-type LINUX_SLL \(Linux cooked v1\), snapshot length 262144 bytes\n$/);
    await normalClose(servers.echoPort);
    await cap.waitForOutput((o) => packetLines(o).length >= 8);
    cap.proc.kill('SIGINT');
    expect((await cap.exited).code).toBe(0);
    expect(packetLines(cap.stdout()).length).toBeGreaterThanOrEqual(8);
    // loopback packets reach `any` twice (out and in) and burst: the default buffer holds them
    expect(counters(cap.stderr()).dropped).toBe(0);
  });

  test('noInterfaceGiven_firstOfD_asTcpdump', async () => {
    const first = /^1\.(\S+)/.exec(offline(['-D']))![1]!;
    const cap = startCapture(['-c', '1', `tcp port ${servers.refusedPort}`]);
    await cap.ready;
    expect(cap.stderr()).toContain(`listening on ${first}, `);
    cap.proc.kill('SIGINT');
    expect((await cap.exited).code).toBe(0);
  });

  test('interfaceByNumber_asListedByD', async () => {
    const list = offline(['-D']);
    const lo = /^(\d+)\.lo /m.exec(list);
    expect(lo).not.toBe(null);
    const cap = startCapture(['-i', lo![1]!, '-c', '1', `tcp port ${servers.echoPort}`]);
    await cap.ready;
    expect(cap.stderr()).toMatch(/listening on lo,/);
    cap.proc.kill('SIGINT');
    expect((await cap.exited).code).toBe(0);
  });
});
