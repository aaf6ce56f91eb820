/**
 * Window full (Wireshark's tcp.analysis.window_full) flagged on every segment that reaches the
 * right edge of the peer's window, said once per run of them in the annotations. Built exchanges
 * on real bytes, and the real zero-window capture. Names: state_event_outcome.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { ACK, Conversation, LINUX_SYN, PSH, SYN, track, writePcap } from './build.js';

const ROOT = join(__dirname, '..', '..');

/** The server offers a window of 2000 bytes (no scaling): 1000-byte segments fill it two by two. */
function receiverLimited(): Conversation {
  const c = new Conversation({ winS: 2000 });
  c.send('c', SYN, { opts: LINUX_SYN(), dt: 0 }).send('s', SYN | ACK, { opts: LINUX_SYN(2000).slice(0, -3) }).send('c', ACK);
  return c;
}

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-wfull-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The CLI's annotated output of a capture, as lines. */
function annotated(file: string): string[] {
  return execFileSync(process.execPath, [join(ROOT, 'bin', 'tcpscope.js'), '-n', '-r', file],
    { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString().split('\n');
}

/** The payload ranges (tcpdump's relative `seq a:b`) of the packets annotated `server's window is full`. */
function saidFull(lines: string[]): string[] {
  return lines.flatMap((l, i) => (/^ {4}#1 server's window is full$/.test(l) ? [lines[i - 1].match(/seq (\d+:\d+)/)![1]] : []));
}

describe('ESTABLISHED, the receiver\'s window the limit', () => {
  test('ESTABLISHED_segmentsEachFillingTheWindow_windowFullOnEveryPacketEventOnce', () => {
    const c = receiverLimited();
    // two segments fill the 2000-byte window; each ACK of the older one opens it by 1000, and the next segment fills it again
    c.send('c', ACK | PSH, { data: 1000 }).send('c', ACK | PSH, { data: 1000 });
    for (let i = 0; i < 3; i++) c.send('s', ACK, { ack: c.nxt.c - 1000, dt: 0.0002 }).send('c', ACK | PSH, { data: 1000 });
    const { packets, flows } = track(c.frames);
    const full = packets.map((p) => p.events.includes('window-full'));
    expect(full).toEqual([false, false, false, false, true, false, true, false, true, false, true]);
    expect(flows[0].events['window-full']).toBe(4);
  });
});

describe('annotations of a run of full windows', () => {
  test('ESTABLISHED_runBrokenByASegmentShortOfTheEdge_saidAgainOnTheNextRun', () => {
    const c = receiverLimited();
    c.send('c', ACK | PSH, { data: 1000 }).send('c', ACK | PSH, { data: 1000 });
    c.send('s', ACK, { ack: c.nxt.c - 1000, dt: 0.0002 }).send('c', ACK | PSH, { data: 1000 });
    // a segment short of the edge ends the run; the next one reaching it starts another
    c.send('s', ACK, { ack: c.nxt.c - 1000, dt: 0.0002 }).send('c', ACK | PSH, { data: 500 }).send('c', ACK | PSH, { data: 500 });
    const file = join(tmp, 'runs.pcap');
    writePcap(file, c.frames);
    expect(saidFull(annotated(file))).toEqual(['1001:2001', '3501:4001']);
  });

  test('realZeroWindow_465FullSegments_saidOncePerRun', () => {
    const said = saidFull(annotated(join(ROOT, 'fixtures', 'real', 'real-zero-window.pcap')));
    // the segment before the zero window; then, after the probes, the first of the run that lasts to the FIN
    expect(said).toEqual(['2049:4097', '4097:8193']);
    const json = execFileSync(process.execPath, [join(ROOT, 'bin', 'tcpscope.js'), '--json', '-n', '-r', join(ROOT, 'fixtures', 'real', 'real-zero-window.pcap')],
      { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(JSON.parse(json.split('\n')[0]).events['window-full']).toBe(465);
  });
});
