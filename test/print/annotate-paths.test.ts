/**
 * Annotated output (`tcpscope -n -r`) on corpus captures in fixtures/: the state path each
 * annotation shows must be the one RFC 793 gives for what the packets prove (the third
 * acceptance pass's findings). Through the real command line, not colour.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const fixture = (dir: string, name: string): string => join(root, 'fixtures', dir, name);

/** The annotation lines (`    #N ...`) of `tcpscope -n -r FILE`, and the packet line each follows. */
function annotated(file: string, ...args: string[]): { packet: string; note: string }[] {
  const e: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', NO_COLOR: '1' };
  delete e.FORCE_COLOR;
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), '-n', ...args, '-r', file], { encoding: 'utf8', env: e, cwd: root });
  expect(r.status).toBe(0);
  const lines = r.stdout.split('\n');
  const out: { packet: string; note: string }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (/^ {4}#\d+ /.test(lines[i])) out.push({ packet: lines[i - 1], note: lines[i].replace(/ +/g, ' ') });
  }
  return out;
}

describe('close paths', () => {
  it('simultaneousClose_clientAckOfServerFin_serverPassesThroughCLOSING', () => {
    const notes = annotated(fixture('scenarios', 'simultaneous-close.pcap'));
    const onClientAck = notes.find((n) => /> 10\.0\.0\.2\.7000: Flags \[\.\], ack 12,/.test(n.packet));
    expect(onClientAck?.note).toMatch(/client FIN_WAIT_1 → CLOSING, server FIN_WAIT_1 → CLOSING → TIME_WAIT$/);
    expect(notes.map((n) => n.note).join('\n')).not.toMatch(/FIN_WAIT_2/);
  });
});

describe('reset paths', () => {
  it('ESTABLISHED_bareRstFromHostWithoutState_senderShownCLOSEDLostState', () => {
    const notes = annotated(fixture('scenarios', 'half-open-peer-reboot.pcap'));
    const onRst = notes.find((n) => /Flags \[R\]/.test(n.packet));
    expect(onRst?.note).toMatch(/half-open: server lost the connection .* client ESTABLISHED → CLOSED, server CLOSED \(lost state\)$/);
  });
});

describe('capture loss', () => {
  it('ESTABLISHED_ackCoversOnlyAMissedFin_noAckedUnseenDataClaim', () => {
    // packet 5: ack 3 covers byte 1 (captured) and the client's FIN at 2 (missed): no data unseen
    const notes = annotated(fixture('real', 'real-any-interface-sll2.pcap'));
    const onAck3 = notes.find((n) => /47100 > 127\.0\.0\.1\.47101: Flags \[\.\], ack 3,/.test(n.packet));
    expect(onAck3?.note).toMatch(/this ACK covers a client FIN the capture missed/);
    expect(onAck3?.note).not.toMatch(/ACKs data the capture never showed/);
    // packet 7 does ACK a server byte the capture never showed
    const onLast = notes.find((n) => /47101 > 127\.0\.0\.1\.47100: Flags \[\.\], ack 3,/.test(n.packet));
    expect(onLast?.note).toMatch(/ACKs data the capture never showed/);
  });
});

describe('RST outside the window', () => {
  // fixtures/craft/rst-out-of-window.pcap: scenarios/rst-abort.pcap with the RST's seq moved
  // 100,000,000 ahead (checksum fixed), from the third acceptance pass
  const file = fixture('craft', 'rst-out-of-window.pcap');

  it('ESTABLISHED_rstOutOfWindow_reportedAndIgnoredNoAbort', () => {
    const onRst = annotated(file).find((n) => /Flags \[R\.\]/.test(n.packet));
    expect(onRst?.note).toBe(' #1 RST out of the client\'s window: ignored');
  });

  it('ESTABLISHED_rstOutOfWindow_checkPassesByDefault_failsWhenAsked', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', ...args, file],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, cwd: root });
    const byDefault = run();
    expect(byDefault.status).toBe(0);
    const asked = run('--fail-on', 'rst-out-of-window');
    expect(asked.status).toBe(1);
    expect(asked.stdout).toMatch(/rst-out-of-window: a RST outside its receiver's window/);
    const json = JSON.parse(spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), '--json', '-n', '-r', file],
      { encoding: 'utf8', cwd: root }).stdout.split('\n').find((l: string) => l.includes('"type":"flow"'))!);
    expect(json).toMatchObject({ close: 'none', reset_by: null, anomalies: ['rst-out-of-window'], conn_state: 'RSTR' });
  });
});

describe('open paths', () => {
  it('LISTEN_serverSynCrossesClientSyn_activeOpenFromCLOSED_throughSYN_RCVD_noRtt', () => {
    const notes = annotated(fixture('scenarios', 'simultaneous-open.pcap')).map((n) => n.note);
    expect(notes[1]).toMatch(/handshake 2\/4: .* a simultaneous open .* server CLOSED → SYN_SENT$/);
    expect(notes[3]).toMatch(/client SYN_RCVD → ESTABLISHED, server SYN_SENT → SYN_RCVD → ESTABLISHED$/);
    expect(notes.join('\n')).not.toMatch(/LISTEN|RTT/);
  });
});
