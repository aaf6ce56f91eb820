/**
 * The handshake's step numbers in the annotations: a three-way handshake counts to 3/3; a
 * simultaneous open (RFC 793 fig. 13: SYN, SYN, SYN-ACK, SYN-ACK) to 4/4, from the crossing SYN
 * on, which says why the count changed (the first SYN was announced before the crossing one
 * existed). On the corpus captures through the CLI. Names: state_event_outcome.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(__dirname, '..', '..');

function steps(file: string): string[] {
  const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'tcpscope.js'), '-n', '--no-summary', '-r', join(ROOT, 'fixtures', file)],
    { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return [...out.matchAll(/#1 handshake (\d\/\d): (\w+ [\w-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('handshake steps', () => {
  test('SYN_SENT_crossingSyn_stepsTwoToFourOfFour', () => {
    expect(steps('scenarios/simultaneous-open.pcap')).toEqual(['1/3 client SYN', '2/4 server SYN', '3/4 client SYN-ACK', '4/4 server SYN-ACK']);
  });

  test('SYN_SENT_crossingSyn_saysWhyTheCountChanged', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'tcpscope.js'), '-n', '-r', join(ROOT, 'fixtures', 'real', 'real-simultaneous-open.pcap')],
      { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    expect(out).toContain("#7 handshake 2/4: server SYN crosses the client's, a simultaneous open (4 segments, not 3)  server CLOSED → SYN_SENT\n");
    expect(out).toContain('#7 handshake 4/4: server SYN-ACK');
  });

  test('SYN_SENT_ackOfSynAck_stepsOneToThreeOfThree', () => {
    expect(steps('scenarios/close-4way.pcap')).toEqual(['1/3 client SYN', '2/3 server SYN-ACK', '3/3 client ACK']);
  });
});
