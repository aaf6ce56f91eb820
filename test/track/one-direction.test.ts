/**
 * Connections captured in one direction only (a filter such as `src host A`, asymmetric routing):
 * what the packets of one side prove about the other (inferred states, marked so) and the
 * `peer-unseen` anomaly. Built exchanges run through decodePacket and the tracker; the CLI runs
 * on a real loopback capture with a one-direction filter. Names: state_event_outcome.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ACK, Conversation, FIN, PSH, track } from './build.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpscope.js');

/** close-4way's exchange: handshake, 100 bytes up, 3000 down, the client closes first. */
function closeFourWay(): Conversation {
  return new Conversation().handshake().data('c', 100).data('s', 3000).close4('c');
}

/** The frames one side sent (what `src host` of that side keeps). */
function only(c: Conversation, side: 'c' | 's'): Conversation['frames'] {
  const src = side === 'c' ? '10.0.0.1' : '10.0.0.2';
  return c.frames.filter((_, i) => {
    const b = c.frames[i].bytes;
    // Ethernet (14) + IPv4 source at 12
    return `${b[26]}.${b[27]}.${b[28]}.${b[29]}` === src;
  });
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('only the client\'s packets', () => {
  test('LISTEN_clientAckOfUnseenSynAck_serverThroughSYN_RCVDtoESTABLISHEDinferred', () => {
    const { packets, flows } = track(only(closeFourWay(), 'c'));
    // SYN, then the ACK of a SYN-ACK the capture does not have
    expect(packets[1]).toMatchObject({ client: 'ESTABLISHED', server: 'ESTABLISHED', serverVia: 'SYN_RCVD', inferred: ['server'], events: [] });
    // the handshake was not seen whole: one-sided, no RTT, no handshake-complete
    expect(flows[0]).toMatchObject({ handshake: 'one-sided', rtt: null });
    expect(packets.flatMap((p) => p.events)).not.toContain('handshake-complete');
  });

  test('FIN_WAIT_1_clientAckOneBeyondAfterItsFin_serverPassiveCloseInferred_closed', () => {
    const { packets, flows } = track(only(closeFourWay(), 'c'));
    const last = packets[packets.length - 1];
    expect(last).toMatchObject({
      client: 'TIME_WAIT', clientVia: 'FIN_WAIT_2',
      server: 'CLOSED', serverVia: 'CLOSE_WAIT', serverVia2: 'LAST_ACK',
      inferred: ['client', 'server'],
    });
    expect(last.events).toEqual(['fin-unseen', 'fin-acked', 'closed']);
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'client', states: { client: 'TIME_WAIT', server: 'CLOSED' } });
    // Zeek's view is its own: one direction of a connection is still what Zeek would log
    expect(flows[0]).toMatchObject({ conn_state: 'SH', history: 'SADF' });
  });

  test('FIN_WAIT_1_clientAckOfOneDataOctetWithoutItsFin_noFinInferred', () => {
    // the client has not closed: an ACK one octet further is one octet of data, not a FIN
    const c = new Conversation().handshake().data('s', 1).data('s', 1);
    const { flows } = track(only(c, 'c'));
    expect(flows[0]).toMatchObject({ close: 'none', states: { client: 'ESTABLISHED', server: 'ESTABLISHED' } });
  });

  test('ESTABLISHED_clientFinAcksOneMoreAfterItsAck_serverActiveCloseInferred', () => {
    // the server closes first: the client's pure ACK of the server's FIN moves one octet, then
    // the client's own FIN (RFC 9293 §3.10.7.4 ESTABLISHED → CLOSE-WAIT, §3.10.4 → LAST-ACK)
    const { packets, flows } = track(only(new Conversation().handshake().data('c', 100).data('s', 3000).close4('s'), 'c'));
    const last = packets[packets.length - 1];
    expect(last).toMatchObject({
      client: 'LAST_ACK', clientVia: 'CLOSE_WAIT', server: 'FIN_WAIT_2', serverVia: 'FIN_WAIT_1', inferred: ['client', 'server'],
    });
    expect(last.events).toEqual(['fin-unseen', 'fin-acked', 'fin-passive']);
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'server', states: { client: 'LAST_ACK', server: 'FIN_WAIT_2' } });
  });

  test('ESTABLISHED_clientFinAcksOneMoreOnItself_serverActiveCloseInferred', () => {
    // real-server-closes's client: its FIN itself carries the ACK of the server's FIN (ack 4 → 5)
    const c = new Conversation().handshake().data('c', 5).data('s', 3);
    c.send('s', FIN | ACK).send('c', FIN | ACK, { dt: 0.0002 }).send('s', ACK, { dt: 0.0002 });
    const { packets, flows } = track(only(c, 'c'));
    expect(packets[packets.length - 1]).toMatchObject({ client: 'LAST_ACK', server: 'FIN_WAIT_2', inferred: ['client', 'server'] });
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'server' });
  });

  test('ESTABLISHED_clientAcksOneOctetThenSendsDataThenFin_noFinInferred', () => {
    // one octet of the server's data acknowledged, then the client sends before its FIN: the
    // octet is not taken for a FIN (nothing ties it to the client's close)
    const c = new Conversation().handshake().data('s', 1).data('c', 10, 0.001, false).close4('c');
    const { packets } = track(only(c, 'c').slice(0, 5));
    expect(packets[4]).toMatchObject({ client: 'FIN_WAIT_1', server: 'ESTABLISHED' });
    expect(packets[4].events).not.toContain('fin-unseen');
  });

  test('FIN_WAIT_1_clientAckBeyondInferredServerFin_inferenceWithdrawnThenFinInferredAgain', () => {
    // the client closes first; the server sends one octet (the client's ACK of it looks like the
    // ACK of a FIN), then 10 more and its FIN: the ACK of the 10 withdraws the inference, the
    // ACK of the FIN makes it again, one octet further
    const c = new Conversation().handshake().data('s', 100);
    c.send('c', FIN | ACK).data('s', 1).data('s', 10).send('s', FIN | ACK).send('c', ACK, { dt: 0.0002 });
    const { packets, flows } = track(only(c, 'c'));
    const acks = packets.slice(-3);
    expect(acks[0]).toMatchObject({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(acks[0].events).toContain('fin-unseen');
    expect(acks[1]).toMatchObject({ client: 'FIN_WAIT_1', server: 'ESTABLISHED', inferred: ['client', 'server'] });
    expect(acks[1].events).toEqual(['fin-inference-withdrawn']);
    expect(acks[2]).toMatchObject({ client: 'TIME_WAIT', server: 'CLOSED' });
    // the close said on the first inference was wrong: said again on the real one
    expect(acks[2].events).toEqual(['fin-unseen', 'fin-acked', 'closed']);
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'client', states: { client: 'TIME_WAIT', server: 'CLOSED' } });
  });

  test('realLoopback_serverClosesFirst_clientOnly_serverActiveCloseInferred', () => {
    const file = join(ROOT, 'fixtures', 'real', 'real-server-closes.pcap');
    const out = cli(['-n', '-r', file, 'src port 47011']);
    expect(out).toMatch(/this ACK covers a server FIN the capture missed · client ACKs FIN 1\/2 · close: client FIN 2\/2 \(passive close\) +client ESTABLISHED → CLOSE_WAIT → LAST_ACK \(inferred\), server ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 \(inferred\)\n/);
    const rec = JSON.parse(cli(['--json', '-n', '-r', file, 'src port 47011']).split('\n')[0]);
    expect(rec).toMatchObject({ close: 'fin', closed_by: 'server', states: { client: 'LAST_ACK', server: 'FIN_WAIT_2' } });
  });

  test('ESTABLISHED_clientAcksServerDataOverFourPackets_peerUnseenOnce', () => {
    const { packets, flows } = track(only(closeFourWay(), 'c'));
    expect(packets.filter((p) => p.events.includes('peer-unseen')).map((p) => p.number)).toEqual([4]);
    expect(flows[0].anomalies).toContain('peer-unseen');
  });

  test('realLoopback_srcPortFilter_annotatesInferredServerStates', () => {
    const out = cli(['-n', '-r', join(ROOT, 'fixtures', 'real', 'real-normal.pcap'), 'src port 47001']);
    const lines = out.split('\n');
    expect(lines[3]).toMatch(/client SYN_SENT → ESTABLISHED, server LISTEN → SYN_RCVD → ESTABLISHED \(inferred\)$/);
    expect(out).toMatch(/this ACK covers a server FIN the capture missed · client ACKs FIN 2\/2 · connection closed +client FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT \(inferred\), server ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED \(inferred\)\n/);
    expect(out).toMatch(/none of the server's packets captured, yet the client ACKs data from it \(one direction only\)/);
    const rec = JSON.parse(cli(['--json', '-n', '-r', join(ROOT, 'fixtures', 'real', 'real-normal.pcap'), 'src port 47001']).split('\n')[0]);
    expect(rec).toMatchObject({ handshake: 'one-sided', close: 'fin', states: { client: 'TIME_WAIT', server: 'CLOSED' }, conn_state: 'SH' });
    expect(rec.anomalies).toEqual(['peer-unseen']);
  });
});

describe('--json=packets', () => {
  test('LISTEN_clientOnlyAckOfUnseenSynAck_packetRecordSaysServerInferred', () => {
    const lines = cli(['--json=packets', '-n', '-r', join(ROOT, 'fixtures', 'real', 'real-normal.pcap'), 'src port 47001'])
      .split('\n').filter((l) => l.startsWith('{"type":"packet"')).map((l) => JSON.parse(l));
    // the client's ACK of the SYN-ACK the filter hid: the server's states are inferred
    expect(lines[1]).toMatchObject({ states: { client: 'ESTABLISHED', server: 'ESTABLISHED' }, inferred: ['server'] });
    // the ACK of the server's unseen FIN: both sides' changes are inferred
    expect(lines[lines.length - 1]).toMatchObject({ states: { client: 'TIME_WAIT', server: 'CLOSED' }, inferred: ['client', 'server'] });
    // a packet whose changes its own packets show carries no `inferred` field
    expect(lines[0]).not.toHaveProperty('inferred');
    expect(lines.filter((l) => l.inferred !== undefined)).toHaveLength(2);
  });

  test('ESTABLISHED_peerUnseenWithdrawnAtEnd_packetKeepsEventFlowDropsAnomaly', () => {
    // the server's packets first, then the client's: the packet record keeps `peer-unseen`, what
    // was said at that packet; the flow record, written at the end, no longer has the anomaly
    const c = closeFourWay();
    const frames = [...only(c, 's'), ...only(c, 'c').map((f) => ({ ...f, t: f.t + 10 }))];
    const { packets, flows } = track(frames);
    expect(packets.filter((p) => p.events.includes('peer-unseen'))).toHaveLength(1);
    expect(flows[0].anomalies).not.toContain('peer-unseen');
  });
});

describe('only the server\'s packets', () => {
  test('SYN_RCVD_serverAcksOfEachUnseenUpload_ackUnseenOnce', () => {
    // an upload seen from the receiver only: the client's sequence numbers are known from the
    // SYN-ACK, never from a packet of its own, so each ACK runs ahead of them; said once
    const c = new Conversation().handshake();
    for (let i = 0; i < 6; i++) c.data('c', 1000);
    const { packets, flows } = track(only(c, 's'));
    expect(packets.filter((p) => p.events.includes('ack-unseen'))).toHaveLength(1);
    expect(flows[0].anomalies).toContain('ack-unseen');
  });

  test('SYN_RCVD_serverAcksClientDataAfterItsSynAck_bothESTABLISHEDinferred', () => {
    // RFC 9293 §3.10.7.4: the server ACKs the client's data, so the client had the SYN-ACK and
    // the server had the client's ACK of it; neither may stay in SYN_SENT / SYN_RCVD
    const { packets, flows } = track(only(closeFourWay(), 's'));
    expect(packets[0]).toMatchObject({ client: 'SYN_SENT', server: 'SYN_RCVD' });
    expect(packets[1]).toMatchObject({ client: 'ESTABLISHED', server: 'ESTABLISHED', inferred: ['client', 'server'] });
    expect(packets[1].clientVia).toBeUndefined();
    expect(flows[0].states).toMatchObject({ client: expect.not.stringMatching(/SYN_/), server: expect.not.stringMatching(/SYN_/) });
  });

  test('ESTABLISHED_serverAcksClientDataOverFourPackets_peerUnseenOnce', () => {
    const { packets, flows } = track(only(closeFourWay(), 's'));
    expect(packets.filter((p) => p.events.includes('peer-unseen')).map((p) => p.number)).toEqual([4]);
    expect(flows[0].anomalies).toContain('peer-unseen');
    expect(flows[0].packets).toEqual({ client: 0, server: 5 });
  });

  test('ESTABLISHED_serverOnlyThreePackets_noPeerUnseen', () => {
    const { flows } = track(only(closeFourWay(), 's').slice(0, 3));
    expect(flows[0].anomalies).not.toContain('peer-unseen');
  });

  test('ESTABLISHED_serverAcksWithoutMovingForward_noPeerUnseen', () => {
    // the server sends data and its ACK never moves: nothing of the client's is acknowledged
    const c = new Conversation().handshake();
    for (let i = 0; i < 6; i++) c.send('s', ACK | PSH, { data: 100 });
    const { flows } = track(only(c, 's'));
    expect(flows[0].anomalies).not.toContain('peer-unseen');
  });

  test('ESTABLISHED_serverAckOneBeyondThenItsFin_clientActiveCloseInferred', () => {
    // the client closes first: the server's pure ACK of the client's FIN moves one octet, then
    // the server's FIN; before, the server read as the active closer
    const { packets, flows } = track(only(closeFourWay(), 's'));
    const fin = packets[packets.length - 1];
    expect(fin).toMatchObject({
      client: 'FIN_WAIT_2', clientVia: 'FIN_WAIT_1', server: 'LAST_ACK', serverVia: 'CLOSE_WAIT', inferred: ['client', 'server'],
    });
    expect(fin.events).toEqual(['fin-unseen', 'fin-acked', 'fin-passive']);
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'client', states: { client: 'FIN_WAIT_2', server: 'LAST_ACK' } });
  });

  test('ESTABLISHED_serverAcksOneOctetThenSendsDataThenFin_noFinInferred', () => {
    // one octet from the client acknowledged, then the server answers with data and closes:
    // ambiguous (a one-byte request), so nothing is inferred and the server closes actively
    const c = new Conversation().handshake().data('c', 1).data('s', 10, 0.001, false);
    c.send('s', FIN | ACK);
    const { packets, flows } = track(only(c, 's'));
    expect(packets[packets.length - 1]).toMatchObject({ client: 'ESTABLISHED', server: 'FIN_WAIT_1' });
    expect(flows[0]).toMatchObject({ close: 'half', closed_by: 'server' });
  });

  test('LAST_ACK_serverAckBeyondInferredClientFin_inferenceWithdrawnServerActiveClose', () => {
    // the client sends one octet, the server ACKs it and closes (read as the ACK of the client's
    // FIN, a passive close); the client then sends its FIN, which the server ACKs one octet
    // further: the octet was data, the server closed first, and the client's FIN is that one
    const c = new Conversation().handshake().data('c', 1);
    c.send('s', FIN | ACK, { dt: 0.0005 }).send('c', FIN | ACK, { dt: 0.0002 }).send('s', ACK, { dt: 0.0002 });
    const { packets, flows } = track(only(c, 's'));
    const [fin, ack] = packets.slice(-2);
    expect(fin).toMatchObject({ client: 'FIN_WAIT_2', server: 'LAST_ACK' });
    expect(ack.events).toContain('fin-inference-withdrawn');
    expect(ack).toMatchObject({ client: 'CLOSED', server: 'TIME_WAIT', inferred: ['client', 'server'] });
    expect(flows[0]).toMatchObject({ close: 'fin', closed_by: 'server', states: { client: 'CLOSED', server: 'TIME_WAIT' } });
  });

  test('realLoopback_clientClosesFirst_serverOnly_clientActiveCloseInferred', () => {
    const file = join(ROOT, 'fixtures', 'real', 'real-normal.pcap');
    const out = cli(['-n', '-r', file, 'src port 47000']);
    expect(out).toMatch(/this ACK covers a client FIN the capture missed · server ACKs FIN 1\/2 · close: server FIN 2\/2 \(passive close\) +client ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 \(inferred\), server ESTABLISHED → CLOSE_WAIT → LAST_ACK \(inferred\)\n/);
    const rec = JSON.parse(cli(['--json', '-n', '-r', file, 'src port 47000']).split('\n')[0]);
    expect(rec).toMatchObject({ close: 'fin', closed_by: 'client', states: { client: 'FIN_WAIT_2', server: 'LAST_ACK' } });
  });

  test('realLoopback_srcPortFilter_peerUnseenAnnotatedOnce', () => {
    const out = cli(['-n', '-r', join(ROOT, 'fixtures', 'real', 'real-normal.pcap'), 'src port 47000']);
    expect(out.match(/none of the client's packets captured, yet the server ACKs data from it \(one direction only\)/g)).toHaveLength(1);
  });
});

describe('both directions', () => {
  test('ESTABLISHED_peerShowsUpAfterFourPackets_peerUnseenWithdrawn', () => {
    // the server's first packets alone, then the client's: not a one-direction capture after all
    const c = closeFourWay();
    const frames = [...only(c, 's'), ...only(c, 'c').map((f) => ({ ...f, t: f.t + 10 }))];
    const { flows } = track(frames);
    expect(flows.flatMap((f) => f.anomalies)).not.toContain('peer-unseen');
  });

  test('ESTABLISHED_serverDataBeyondInferredFin_inferenceWithdrawnSaid', () => {
    // the capture lost one octet of the server's; the client's ACK of it reads as the ACK of a
    // server FIN the capture missed, until the server sends beyond it: said on that packet
    const c = new Conversation().handshake().data('s', 100);
    c.send('s', ACK | PSH, { data: 1 });
    const lost = c.frames.length - 1;
    c.send('c', ACK, { dt: 0.0002 }).send('s', ACK | PSH, { data: 10 });
    const { packets, flows } = track(c.frames.filter((_, i) => i !== lost));
    const [ack, data] = packets.slice(-2);
    expect(ack.events).toContain('fin-unseen');
    expect(data.events).toContain('fin-inference-withdrawn');
    expect(data).toMatchObject({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
    expect(flows[0]).toMatchObject({ close: 'none', closed_by: null });
  });

  test('ESTABLISHED_wholeConversation_noPeerUnseenNoInference', () => {
    const { packets, flows } = track(closeFourWay().frames);
    expect(flows[0].anomalies).not.toContain('peer-unseen');
    expect(packets.filter((p) => p.inferred !== undefined)).toEqual([]);
  });
});
