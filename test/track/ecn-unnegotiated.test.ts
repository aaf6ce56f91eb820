/**
 * ECE and CWR on a connection that did not negotiate ECN (RFC 3168 §6.1.1: a host sets ECT only
 * after an ECN-setup SYN and SYN-ACK, so no router marks CE and no ECE or CWR has anything to
 * answer). Built exchanges on real bytes through decodePacket and the tracker, and the CLI's
 * annotation. Names: state_event_outcome.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ACK, Conversation, CWR, ECE, LINUX_SYN, PSH, SYN, track, writePcap } from './build.js';

const AE = 0x100;
const CLI = join(__dirname, '..', '..', 'bin', 'tcpscope.js');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-ecn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A handshake whose SYN and SYN-ACK carry `synFlags` / `synAckFlags` besides SYN and ACK, then data with ECE/CWR both ways. */
function exchange(synFlags: number, synAckFlags: number): Conversation {
  const c = new Conversation();
  c.send('c', SYN | synFlags, { opts: LINUX_SYN(), dt: 0 }).send('s', SYN | ACK | synAckFlags, { opts: LINUX_SYN(2000) }).send('c', ACK);
  c.send('c', ACK | PSH, { data: 100 }).send('s', ACK | ECE).send('c', ACK | PSH | CWR, { data: 100 }).send('s', ACK | ECE);
  return c;
}

const events = (c: Conversation): string[][] => track(c.frames).packets.map((p) => p.events);

describe('ESTABLISHED with ECE/CWR', () => {
  test('ESTABLISHED_eceAfterPlainSyn_ecnUnnegotiatedOnce', () => {
    const { packets, flows } = track(exchange(0, 0).frames);
    // the first ECE says it; the CWR and the second ECE do not repeat it
    expect(packets.map((p) => p.events.filter((e) => e.startsWith('ecn') || e === 'cwr'))).toEqual([[], [], [], [], ['ecn-unnegotiated'], [], []]);
    expect(flows[0].anomalies).toEqual(['ecn-unnegotiated']);
    expect(flows[0].options.ecn).toBe(false);
  });

  test('ESTABLISHED_eceAfterPlainSynAck_ecnUnnegotiated', () => {
    // the client offered ECN, the server's SYN-ACK declined it
    expect(events(exchange(ECE | CWR, 0))[4]).toEqual(['ecn-unnegotiated']);
  });

  test('ESTABLISHED_eceAfterEcnSetupHandshake_ecnEchoNoAnomaly', () => {
    const { packets, flows } = track(exchange(ECE | CWR, ECE).frames);
    expect(packets[4].events).toEqual(['ecn-echo']);
    expect(packets[5].events).toEqual(['cwr']);
    expect(flows[0].anomalies).toEqual([]);
  });

  test('ESTABLISHED_eceAfterAccEcnLikeSynAck_unknownNothingSaid', () => {
    // AccECN's SYN (AE, CWR, ECE) and a SYN-ACK of its forms (CWR alone): not RFC 3168's, not a refusal
    const { flows, packets } = track(exchange(AE | CWR | ECE, CWR).frames);
    expect(packets.flatMap((p) => p.events)).not.toContain('ecn-unnegotiated');
    expect(flows[0].anomalies).toEqual([]);
  });

  test('ESTABLISHED_eceWithoutHandshakeSeen_unknownNothingSaid', () => {
    const c = new Conversation();
    c.send('c', ACK | PSH, { data: 100, dt: 0 }).send('s', ACK | ECE).send('c', ACK | PSH | CWR, { data: 100 });
    const { flows, packets } = track(c.frames);
    expect(packets.flatMap((p) => p.events)).not.toContain('ecn-unnegotiated');
    expect(flows[0].anomalies).toEqual(['midstream']);
  });

  test('ESTABLISHED_eceAfterPlainSyn_annotationSaysWhoAndWhy', () => {
    const file = join(tmp, 'ece-unnegotiated.pcap');
    writePcap(file, exchange(0, 0).frames);
    const out = execFileSync(process.execPath, [CLI, '-n', '-r', file], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(out).toContain("#1 server sets ECE, yet ECN was not negotiated (the client's SYN did not offer it): no ECT packet to mark (RFC 3168 §6.1.1)\n");
    expect(out.match(/not negotiated/g)).toHaveLength(1);
  });
});
