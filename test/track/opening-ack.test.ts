/**
 * A segment whose ACK its receiver cannot accept while it opens (RFC 9293 §3.10.7.3 SYN-SENT:
 * SEG.ACK =< ISS or SEG.ACK > SND.NXT; §3.10.7.4 SYN-RECEIVED: not SND.UNA < SEG.ACK =< SND.NXT)
 * is discarded by that receiver: it changes no state, is said and counted (`ack-not-acceptable`),
 * and the real handshake after it reads as one. Zeek's history still has its letter (Zeek's
 * update_history runs on every segment). Real bytes: the crafted captures in fixtures/craft
 * (qa5b's gen6.py / gen7.py / gen3.py), run through the CLI. Names: state_event_outcome.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpscope.js');
const CRAFT = join(ROOT, 'fixtures', 'craft');

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

interface PacketRecord { number: number; states: { client: string; server: string }; events: string[] }

function packets(name: string): PacketRecord[] {
  return cli(['--json=packets', '-n', '-r', join(CRAFT, name)]).trim().split('\n').map((l) => JSON.parse(l))
    .filter((r) => r.type === 'packet');
}

function flows(name: string): Record<string, unknown>[] {
  return cli(['--json', '-n', '-r', join(CRAFT, name)]).trim().split('\n').map((l) => JSON.parse(l))
    .filter((r) => r.type === 'flow');
}

function annotation(name: string, packet: number): string {
  // each packet's tcpdump line, then its annotation lines (indented)
  const lines = cli(['-n', '-r', join(CRAFT, name)]).split('\n');
  let n = 0;
  const out: string[] = [];
  for (const l of lines) {
    if (/^\d\d:\d\d:/.test(l)) n++;
    else if (n === packet && l.startsWith('    ')) out.push(l.trim());
  }
  return out.join('\n');
}

describe('SYN_SENT', () => {
  test('SYN_SENT_finAckNotAcknowledgingSyn_discardedNoClose', () => {
    // client SYN 90000; server FIN/ACK ack 1102 (not 90001); then the real handshake, data, client-first close
    const p = packets('stray-fin-synsent.pcap');
    expect(p[1]).toMatchObject({ states: { client: 'SYN_SENT', server: 'LISTEN' }, events: ['ack-not-acceptable'] });
    expect(annotation('stray-fin-synsent.pcap', 2))
      .toBe('#1 ACK not acceptable to the client in SYN_SENT (ack 1102, expected 90001): discarded, RFC 9293 3.10.7.3');
    // the handshake that follows is one, not the ACK of a FIN
    expect(p[3].events).toContain('handshake-complete');
    expect(p[3].states).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    const [f] = flows('stray-fin-synsent.pcap');
    expect(f).toMatchObject({
      close: 'fin', closed_by: 'client', conn_state: 'SF', anomalies: [],
      events: { 'ack-not-acceptable': 1 }, states: { client: 'TIME_WAIT', server: 'CLOSED' },
    });
    // Zeek's own view keeps the stray FIN's letter
    expect(f.history).toBe('SfhADaFf');
  });

  test('SYN_SENT_dataWithWrongAckBeforeSynAck_discardedServerStaysLISTEN', () => {
    const p = packets('stray-data-synsent.pcap');
    expect(p[1]).toMatchObject({ states: { client: 'SYN_SENT', server: 'LISTEN' }, events: ['ack-not-acceptable'] });
    // no "previous segment not captured" on the SYN-ACK: the discarded data set no sequence space
    expect(p[2].events).toEqual(['syn-ack']);
    expect(flows('stray-data-synsent.pcap')[0]).toMatchObject({ conn_state: 'SF', close: 'fin', closed_by: 'client', anomalies: [] });
  });

  test('SYN_SENT_lateFinOfPreviousIncarnation_discardedNextConnectionEstablished', () => {
    // a FIN of connection #1 stamped 200 s back lands after #2's SYN
    const p = packets('tw-back.pcap');
    expect(p[9]).toMatchObject({ states: { client: 'SYN_SENT', server: 'LISTEN' }, events: ['ack-not-acceptable'] });
    const fl = flows('tw-back.pcap');
    expect(fl[1]).toMatchObject({ handshake: 'complete', close: 'none', closed_by: null, anomalies: [],
      states: { client: 'ESTABLISHED', server: 'ESTABLISHED' } });
  });
  test('SYN_SENT_rstWhoseAckMissesTheSyn_ignoredSaidByTheAckRule', () => {
    // qa5's rst-synsent-badack.pcap: client SYN seq 100; server RST|ACK ack 5555 (not 101); then
    // the real SYN-ACK, handshake, data and close. The RST is judged by the same range as any
    // segment to an opening side, and said as that rule, not as a window test
    const p = packets('rst-synsent-badack.pcap');
    expect(p[1]).toMatchObject({ states: { client: 'SYN_SENT', server: 'LISTEN' }, events: ['reset-ignored'] });
    expect(annotation('rst-synsent-badack.pcap', 2))
      .toBe("#1 RST whose ACK does not acknowledge the client's SYN: ignored, RFC 9293 3.10.7.3");
    expect(flows('rst-synsent-badack.pcap')[0]).toMatchObject({ close: 'fin', reset_by: null });
  });
});

describe('SYN_RCVD', () => {
  test('SYN_RCVD_finAckBeyondSndNxt_discardedThenOrdinaryClose', () => {
    const p = packets('fin-synrcvd-badack.pcap');
    expect(p[2]).toMatchObject({ states: { client: 'SYN_SENT', server: 'SYN_RCVD' }, events: ['ack-not-acceptable'] });
    expect(annotation('fin-synrcvd-badack.pcap', 3))
      .toBe('#1 ACK not acceptable to the server in SYN_RCVD (ack 9999, expected 5001): discarded, RFC 9293 3.10.7.4');
    // the real handshake ACK completes the handshake (not a keep-alive), the data is no data after a FIN
    expect(p[3].events).toContain('handshake-complete');
    expect(p[4].events).toEqual([]);
    expect(flows('fin-synrcvd-badack.pcap')[0]).toMatchObject({
      conn_state: 'SF', close: 'fin', closed_by: 'client', anomalies: [], events: { 'ack-not-acceptable': 1 },
    });
  });

  test('SYN_RCVD_handshakeAckWithWrongAck_discardedRttFromRealAck', () => {
    const p = packets('bad-ack-synrcvd.pcap');
    expect(p[2]).toMatchObject({ states: { client: 'SYN_SENT', server: 'SYN_RCVD' }, events: ['ack-not-acceptable'] });
    expect(p[3].events).toContain('handshake-complete');
    // SYN at .001, the real ACK at .004: 3 ms, not the 2 ms of the discarded one
    expect(flows('bad-ack-synrcvd.pcap')[0]).toMatchObject({ rtt: 0.003, anomalies: [], conn_state: 'SF' });
  });
});
