/**
 * The flow record's handshake RTTs are differences of the time stamps rounded to the microsecond
 * (as `start` and `end` are written), so on a nanosecond capture the parts add up to the whole.
 * fixtures/clock/nsec-handshake.pcap: a nanosecond pcap, SYN at .000000000, SYN-ACK at
 * .000000500, ACK at .000000900: rounded, 0, 1 and 1 µs. Rounding each difference alone gave
 * rtt 0.000001 (900 ns), rtt_server 0 (500 ns), rtt_client 0 (400 ns). Named capture_field_outcome.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, tcpscope } from '../cli/helpers.js';

it('nsec_handshake_rtt_parts_add_up_to_the_whole', () => {
  const r = tcpscope(['--json', '-n', '-r', join(ROOT, 'fixtures', 'clock', 'nsec-handshake.pcap')]);
  const flow = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'flow');
  expect([flow.rtt, flow.rtt_server, flow.rtt_client]).toEqual([0.000001, 0.000001, 0]);
  expect(Math.round((flow.rtt_server + flow.rtt_client) * 1e6)).toBe(Math.round(flow.rtt * 1e6));
});

it('usec_handshake_rtts_are_the_exact_differences', () => {
  // a microsecond capture's stamps are already whole microseconds: nothing moves
  const r = tcpscope(['--json', '-n', '-r', join(ROOT, 'fixtures', 'scenarios', 'close-4way.pcap')]);
  const flow = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'flow');
  expect(Math.round((flow.rtt_server + flow.rtt_client) * 1e6)).toBe(Math.round(flow.rtt * 1e6));
  expect(flow.rtt).toBeGreaterThan(0);
});
