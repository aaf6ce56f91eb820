/**
 * Ctrl-C (SIGINT) on a live capture, as tcpdump 4.99.3 ends one (checked with `tcpdump -n -i lo`
 * and SIGINT): without -w, one newline on standard output after the packets (in case a line was
 * cut short), then the three counters on standard error; with -w (even with --print), no
 * newline. The annotated summary table opens with its own blank line, so nothing is doubled.
 * Needs root and the native pcap module; skipped otherwise with the reason in its title.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Servers, killStragglers, liveSkipReason, refused, startCapture, startServers } from './helpers.js';

const SKIP = liveSkipReason();
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-sigint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const COUNTERS = /\n\d+ packets? captured\n\d+ packets? received by filter\n\d+ packets? dropped by kernel\n$/;

describe.skipIf(SKIP !== '')(`SIGINT on a live capture${SKIP !== '' ? ` (skipped: ${SKIP})` : ''}`, () => {
  let servers: Servers;
  beforeAll(async () => { servers = await startServers(); });
  afterAll(async () => { killStragglers(); await servers?.close(); });

  /** capture two refused connects on lo with ARGS, then SIGINT; stdout, stderr, exit */
  async function interrupted(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const cap = startCapture(['-i', 'lo', '-n', '--immediate-mode', ...args, `tcp port ${servers.refusedPort}`]);
    await cap.ready;
    await refused(servers.refusedPort);
    await refused(servers.refusedPort);
    const printsPackets = !args.includes('-w') || args.includes('--print');
    if (printsPackets) await cap.waitForOutput((o) => (o.match(/Flags \[R\.\]/g) ?? []).length >= 2);
    else await new Promise((r) => setTimeout(r, 500));
    cap.proc.kill('SIGINT');
    const exit = await cap.exited;
    return { stdout: cap.stdout(), stderr: cap.stderr(), code: exit.code };
  }

  test('plain_sigint_one newline on stdout after the packets, counters on stderr', async () => {
    const r = await interrupted(['--plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Flags \[R\.\], seq 0, ack \d+, win 0, length 0\n\n$/);
    expect(r.stdout).not.toMatch(/\n\n\n$/);
    expect(r.stderr).toMatch(/^tcpscope: verbose output suppressed, use -v\[v\]\.\.\. for full protocol decode\nlistening on lo, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n\d+ packets? captured\n/);
    expect(r.stderr).toMatch(COUNTERS);
  });

  test('annotated_sigint_one blank line before the summary table, not two', async () => {
    const r = await interrupted([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/[^\n]\n\n┌/);
    expect(r.stdout).not.toMatch(/\n\n\n┌/);
    expect(r.stderr).toMatch(COUNTERS);
  });

  test('annotated without summary_sigint_the newline alone', async () => {
    const r = await interrupted(['--no-summary']);
    expect(r.stdout).toMatch(/[^\n]\n\n$/);
    expect(r.stdout).not.toMatch(/\n\n\n$/);
  });

  test('plain with -w_sigint_nothing on stdout, no newline', async () => {
    const r = await interrupted(['--plain', '-w', join(tmp, 'w.pcap')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tcpscope: listening on lo, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n\d+ packets? captured\n/);
  });

  test('plain with -w --print_sigint_packets but no newline', async () => {
    const r = await interrupted(['--plain', '-w', join(tmp, 'p.pcap'), '--print']);
    expect(r.stdout).toMatch(/length 0\n$/);
    expect(r.stdout).not.toMatch(/\n\n$/);
  });
});
