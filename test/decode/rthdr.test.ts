/**
 * IPv6 routing headers with segments left (RFC 8200 §8.1): the connection is keyed, and its TCP
 * checksum's pseudo-header addressed, on the final destination: the last address of a type 0 or
 * type 2 header, Segment List[0] of a type 4 (SRH). Captures: fixtures/decode/rt*.pcap (made by
 * make-fixtures.py: the client sends through the routing header, the final destination answers).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tcpscope } from '../cli/helpers.js';
import { B1, B2, decodeBytes, ether, ip6, pcapRecord, tcp } from './build.js';

const DIR = join(ROOT, 'fixtures', 'decode');

const record = (file: string, n = 0): number[] => pcapRecord(DIR, file, n);
const decode = decodeBytes;

function json(file: string): { flows: { client: string; server: string; conn_state: string }[]; summary: { bad_checksums: number } } {
  const r = tcpscope(['--json', '-n', '-r', join(DIR, file)]);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return { flows: lines.filter((o) => o.type === 'flow'), summary: lines.find((o) => o.type === 'summary') };
}

describe('ipv6 routing header', () => {
  const FINAL = '[2001:db8::99]:80';
  it.each(['rt0-segleft.pcap', 'rt2-segleft.pcap', 'rt4-srh-segleft.pcap'])('rthdr_%s_segments_left_keys_and_checksums_on_the_final_destination', (file) => {
    const { flows, summary } = json(file);
    expect(summary.bad_checksums).toBe(0);
    expect(flows.map((f) => [f.client, f.server, f.conn_state])).toEqual([['[2001:db8::1]:40000', FINAL, 'SF']]);
  });

  it('rthdr_segments_left_0_keeps_the_header_destination', () => {
    // type 0, segments left 0: the destination field already is the final destination
    const rt = [6, 2, 0, 0, 0, 0, 0, 0, ...Array(15).fill(0x20), 0x77];
    const p = decode(ether(0x86dd, ip6(43, [...rt, ...tcp({ sport: 1, dport: 2 }, B1, B2)], B1, B2)));
    expect(p.isTcp).toBe(true);
    expect(p.dst6Offset).toBe(p.l3Offset + 24);
  });

  it('rthdr_address_list_cut_keeps_the_header_destination', () => {
    const bytes = record('rt0-segleft.pcap');
    // cut inside the second (final) address of the routing header: 14 + 40 + 8 + 16 + 8
    const p = decode(bytes, 14 + 40 + 8 + 16 + 8);
    expect(p.dst6Offset).toBe(14 + 24 + 7);
  });
});
