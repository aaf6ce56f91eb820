/**
 * TCP carried in encapsulations (GRE, IP in IP, MPLS, PPPoE, Ethernet in GRE) is decoded to the
 * inner packet and tracked by its 4-tuple; IPv6 routing headers with segments left address the
 * connection (and its checksum) to the final destination. Captures: fixtures/decode (made by its
 * make-fixtures.py; each is one whole connection, SYN .. FIN, ACK, 8 packets, unless named damaged).
 * Tests are named layer_situation_outcome.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENCAP_ETHERNET, ENCAP_GRE, ENCAP_IPIP, ENCAP_MPLS, ENCAP_PPPOE, Packet, decodePacket } from '../../src/decode/index.js';
import { ROOT, tcpscope } from '../cli/helpers.js';
import { B1, B2, decodeBytes, ether, frame, ip6, pcapRecord, tcp } from './build.js';

const DIR = join(ROOT, 'fixtures', 'decode');

const record = (file: string, n = 0): number[] => pcapRecord(DIR, file, n);
const decode = decodeBytes;

interface Json { flows: { client: string; server: string; conn_state: string; history: string }[]; summary: { tcp_packets: number; connections: number; bad_checksums: number } }

function json(file: string, extra: string[] = []): Json {
  const r = tcpscope(['--json', '-n', '-r', join(DIR, file), ...extra]);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return { flows: lines.filter((o) => o.type === 'flow'), summary: lines.find((o) => o.type === 'summary') };
}

const TRACKED: [string, number, string, string][] = [
  ['gre.pcap', ENCAP_GRE, '10.0.0.1:40000', '10.0.0.2:80'],
  ['gre-csum-key-seq.pcap', ENCAP_GRE, '10.0.0.1:40000', '10.0.0.2:80'],
  ['gre-ipv6-over-ipv6.pcap', ENCAP_GRE, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
  ['gre-teb.pcap', ENCAP_GRE | ENCAP_ETHERNET, '10.0.0.1:40000', '10.0.0.2:80'],
  ['ipip.pcap', ENCAP_IPIP, '10.0.0.1:40000', '10.0.0.2:80'],
  ['ipv6-in-ipv4.pcap', ENCAP_IPIP, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
  ['ipv4-in-ipv6.pcap', ENCAP_IPIP, '10.0.0.1:40000', '10.0.0.2:80'],
  ['ipv6-in-ipv6.pcap', ENCAP_IPIP, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
  ['mpls.pcap', ENCAP_MPLS, '10.0.0.1:40000', '10.0.0.2:80'],
  ['mpls-ipv6-null.pcap', ENCAP_MPLS, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
  ['pppoe.pcap', ENCAP_PPPOE, '10.0.0.1:40000', '10.0.0.2:80'],
  ['pppoe-ipv6.pcap', ENCAP_PPPOE, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
  ['nested-3.pcap', ENCAP_MPLS | ENCAP_GRE | ENCAP_IPIP, '[2001:db8::1]:40000', '[2001:db8::2]:80'],
];

describe('encapsulation', () => {
  it.each(TRACKED)('encap_%s_inner_tcp_is_decoded', (file, bits) => {
    const p = decode(record(file));
    expect(p.isTcp).toBe(true);
    expect(p.encapsulation).toBe(bits);
    expect([p.srcPort, p.dstPort, p.seq]).toEqual([40000, 80, 1000]);
    expect(p.malformed).toBe('');
  });

  it.each(TRACKED)('encap_%s_is_one_whole_connection_of_the_inner_4_tuple', (file, _bits, client, server) => {
    const { flows, summary } = json(file);
    expect(summary.tcp_packets).toBe(8);
    expect(summary.bad_checksums).toBe(0);
    expect(flows.map((f) => [f.client, f.server, f.conn_state, f.history])).toEqual([[client, server, 'SF', 'ShADaFf']]);
  });

  it('encap_check_judges_the_tunnelled_connection', () => {
    const r = tcpscope(['check', join(DIR, 'gre.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PASS: 1 connection, none abnormal');
  });

  it('encap_filter_matches_the_outer_packet_as_libpcap', () => {
    // libpcap's `tcp` is the outer protocol: GRE-carried TCP does not match it, `proto gre` does
    expect(json('gre.pcap', ['tcp']).summary.connections).toBe(0);
    expect(json('gre.pcap', ['ip proto 47']).summary.connections).toBe(1);
  });

  it('encap_plain_packet_says_no_encapsulation', () => {
    const p = decode(ether(0x86dd, ip6(6, tcp({ sport: 1, dport: 2 }, B1, B2))));
    expect(p.isTcp).toBe(true);
    expect([p.encapsulation, p.encapDepth]).toEqual([0, 0]);
    // and a reused Packet forgets an earlier frame's encapsulation
    const reused = new Packet();
    decodePacket(frame(record('nested-3.pcap')), reused);
    expect(reused.encapDepth).toBe(3);
    decodePacket(frame(ether(0x86dd, ip6(6, tcp({ sport: 1, dport: 2 }, B1, B2)))), reused);
    expect([reused.encapsulation, reused.encapDepth, reused.isTcp]).toEqual([0, 0, true]);
  });

  it.each(TRACKED)('encap_%s_cut_at_every_byte_is_never_tcp_and_never_throws', (file) => {
    const bytes = record(file);
    for (let cut = 0; cut < bytes.length; cut++) {
      const p = decode(bytes, cut);
      // a TCP segment of 20 header bytes ends the frame: whole only when nothing is cut
      expect(p.isTcp, `cut at ${cut}`).toBe(false);
      expect(p.truncatedIn === '' && p.malformed === '', `cut at ${cut}: ${p.truncatedIn}`).toBe(false);
    }
  });

  it('encap_nested_deeper_than_4_is_malformed_and_untracked', () => {
    const p = decode(record('nested-5.pcap'));
    expect(p.isTcp).toBe(false);
    expect(p.malformed).toBe('encapsulations nested deeper than 4');
    const { flows, summary } = json('nested-5.pcap');
    expect([flows.length, summary.tcp_packets]).toEqual([0, 0]);
  });

  it('encap_gre_cut_in_its_header_is_truncated_gre', () => {
    expect(decode(record('gre-cut.pcap')).truncatedIn).toBe('gre');
  });

  it('encap_pppoe_version_2_is_malformed', () => {
    const p = decode(record('pppoe-bad-version.pcap'));
    expect(p.malformed).toBe('PPPoE version/type 0x21');
    expect(p.isTcp).toBe(false);
  });

  it('encap_gre_version_1_is_left_undecoded', () => {
    const p = decode(record('gre-v1.pcap'));
    expect([p.ipProto, p.encapsulation, p.encapDepth, p.malformed, p.truncatedIn]).toEqual([47, 0, 0, "", ""]);
  });
});
