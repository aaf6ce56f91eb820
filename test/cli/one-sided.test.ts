/**
 * A filter that hides one direction (`src host A`): the tracker sees only the client's packets.
 * Tests are named capture_situation_outcome.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from './helpers.js';

describe('one direction filtered out', () => {
  for (const capture of ['close-4way.pcap', 'simultaneous-close.pcap']) {
    test(`${capture}_src-host-client_every annotation line has words`, () => {
      const out = tcpscope(['-n', '--color', 'never', '-r', join(SCEN, capture), 'src', 'host', '10.0.0.1']).stdout;
      // no line whose description is empty (only padding before the state change)
      expect(out).not.toMatch(/^ {4}#\d+ {20,}\S/m);
      expect(out).toContain('client ACKs a server SYN-ACK the capture did not show (server\'s packets not seen)  client SYN_SENT → ESTABLISHED');
    });
  }
  test('close-4way_src-host-client_handshake one-sided, not unanswered', () => {
    const r = tcpscope(['-n', '--color', 'never', '-r', join(SCEN, 'close-4way.pcap'), 'src', 'host', '10.0.0.1']);
    expect(r.stdout).toMatch(/│ 1 │ 10\.0\.0\.1:40001 +│ one-sided +│/);
    const flow = JSON.parse(tcpscope(['-n', '--json', '-r', join(SCEN, 'close-4way.pcap'), 'src', 'host', '10.0.0.1']).stdout.split('\n')
      .find((l) => l.includes('"type":"flow"'))!) as { handshake: string };
    expect(flow.handshake).toBe('one-sided');
  });
  test('close-4way_no filter_handshake complete', () => {
    expect(tcpscope(['-n', '--color', 'never', '-r', join(SCEN, 'close-4way.pcap')]).stdout).toMatch(/│ 1 │ 10\.0\.0\.1:40001 +│ complete +│/);
  });
});
