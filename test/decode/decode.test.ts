/**
 * Decoders on real header bytes: whole packets, every truncation point, malformed fields.
 * Tests are named layer_situation_outcome.
 */
import { describe, expect, it } from 'vitest';
import { Layer, Packet, TCP_ACK, TCP_SYN, decodePacket } from '../../src/decode/index.js';
import { A1, A2, B1, B2, be16, be32, ether, frame, icmp, ip4, ip6, tcp, udp } from './build.js';

const SYN_OPTS = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...be32(1000), ...be32(0), 1, 3, 3, 7];

function decode(bytes: number[], opts: Parameters<typeof frame>[1] = {}): Packet {
  return decodePacket(frame(bytes, opts), new Packet());
}

describe('tcp', () => {
  it('tcp_syn_with_options_fills_every_field', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6 }, tcp({ sport: 40000, dport: 7000, seq: 0xfffffff0, flags: TCP_SYN, opts: SYN_OPTS }))));
    expect(p.isTcp).toBe(true);
    expect(p.layer).toBe(Layer.Transport);
    expect([p.srcPort, p.dstPort, p.seq, p.tcpFlags]).toEqual([40000, 7000, 0xfffffff0, TCP_SYN]);
    expect([p.optMss, p.optWscale, p.optSackPermitted, p.optHasTimestamp, p.optTsVal, p.optTsEcr]).toEqual([1460, 7, true, true, 1000, 0]);
    expect(p.tcpHeaderLength).toBe(40);
    expect(p.payloadLength).toBe(0);
    expect(p.truncatedIn).toBe('');
  });

  it('tcp_options_cut_by_the_snap_length_keep_those_captured_whole', () => {
    // SYN_OPTS is mss (4), sackOK (2), timestamps (10), nop, wscale: cut 3 bytes into the timestamps
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_SYN, opts: SYN_OPTS })));
    const p = decode(bytes, { caplen: 14 + 20 + 20 + 4 + 2 + 3, wirelen: bytes.length });
    expect(p.truncatedIn).toBe('tcp');
    expect([p.optMss, p.optSackPermitted, p.optHasTimestamp, p.optWscale, p.optCut]).toEqual([1460, true, false, -1, true]);
    // options captured whole are not cut
    expect(decode(bytes).optCut).toBe(false);
  });

  it('tcp_payload_captured_is_clipped_by_the_snap_length', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_ACK | 0x08, data: Array(100).fill(0x61) })));
    const p = decode(bytes, { caplen: 14 + 20 + 20 + 30, wirelen: bytes.length });
    expect(p.payloadLength).toBe(100);
    expect(p.payloadCaptured).toBe(30);
  });

  it('tcp_cut_at_every_byte_never_reads_past_the_capture', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_SYN, opts: SYN_OPTS })));
    for (let cut = 0; cut < bytes.length; cut++) {
      const p = decode(bytes, { caplen: cut, wirelen: bytes.length });
      expect(p.isTcp, `cut at ${cut}`).toBe(false);
      // the layer named is the one the cut fell in
      const want = cut < 14 ? 'ether' : cut < 34 ? 'ip' : 'tcp';
      expect(p.truncatedIn, `cut at ${cut}`).toBe(want);
      // an option is believed only when captured whole (the MSS option: bytes 54-57)
      expect(p.optMss).toBe(cut >= 58 ? 1460 : -1);
      expect(p.optCut).toBe(cut >= 54);
    }
  });

  it('tcp_header_length_below_20_is_malformed', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6 }, tcp({ off: 4 }))));
    expect(p.isTcp).toBe(false);
    expect(p.malformed).toMatch(/tcp header length 16/);
  });

  it('tcp_header_length_beyond_the_ip_payload_is_malformed', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6 }, tcp({ off: 15 }))));
    expect(p.malformed).toMatch(/beyond IP payload/);
  });

  it('tcp_option_with_impossible_length_stops_option_parsing', () => {
    // mss, then an option whose length runs past the header, then what would be a wscale
    const p = decode(ether(0x0800, ip4({ proto: 6 }, tcp({ opts: [2, 4, 1, 0, 8, 40, 0, 0, 3, 3, 7, 0] }))));
    expect(p.isTcp).toBe(true);
    expect(p.optMss).toBe(256);
    expect(p.optHasTimestamp).toBe(false);
    expect(p.optWscale).toBe(-1);
  });

  it('tcp_options_md5_tfo_mptcp_sack_are_flagged', () => {
    const opts = [19, 18, ...Array(16).fill(1), 34, 6, ...Array(4).fill(0), 30, 4, 0, 0x81, 5, 10, ...be32(1), ...be32(2), 0, 0];
    const p = decode(ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_SYN, opts }))));
    expect([p.optHasMd5, p.optHasFastOpen, p.optHasMptcp, p.optSackBlocks]).toEqual([true, true, true, 1]);
  });

  it('tcp_over_ipv6_with_extension_headers_is_found', () => {
    const hbh = [6, 0, 5, 2, 0, 0, 1, 0];
    const p = decode(ether(0x86dd, ip6(0, [...hbh, ...tcp({ flags: TCP_SYN }, B1, B2)])));
    expect(p.ipVersion).toBe(6);
    expect(p.ipProto).toBe(6);
    expect(p.ipHeaderLength).toBe(48);
    expect(p.isTcp).toBe(true);
  });
});

describe('ipv4', () => {
  it('ipv4_fragment_later_piece_has_no_transport', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6, off: 0x2000 | 10 }, Array(24).fill(0))));
    expect(p.fragmentOffset).toBe(80);
    expect(p.moreFragments).toBe(true);
    expect(p.l4Offset).toBeGreaterThan(0);
    expect(p.isTcp).toBe(false);
  });

  it('ipv4_with_options_finds_the_transport_after_them', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6, opts: [7, 7, 4, 0, 0, 0, 0, 0] }, tcp({}))));
    expect(p.ipHeaderLength).toBe(28);
    expect(p.isTcp).toBe(true);
  });

  it('ipv4_wrong_version_is_malformed', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({})));
    bytes[14] = 0x55;
    expect(decode(bytes).malformed).toMatch(/IP version 5/);
  });

  it('ipv4_header_length_below_20_is_malformed', () => {
    expect(decode(ether(0x0800, ip4({ proto: 6, ihl: 4 }, tcp({})))).malformed).toMatch(/header length 16/);
  });

  it('ipv4_total_length_below_header_is_malformed', () => {
    expect(decode(ether(0x0800, ip4({ proto: 6, totalLength: 10 }, tcp({})))).malformed).toMatch(/bad IP length 10/);
  });

  it('ipv4_addresses_are_unsigned', () => {
    const p = decode(ether(0x0800, ip4({ proto: 6, src: [200, 1, 2, 3], dst: [255, 255, 255, 255] }, tcp({}))));
    expect(p.src4).toBe(0xc8010203);
    expect(p.dst4).toBe(0xffffffff);
  });
});

describe('ipv6', () => {
  it('ipv6_jumbogram_takes_its_length_from_the_hop_by_hop_option', () => {
    const seg = tcp({ flags: TCP_ACK, data: Array(40).fill(0x62) }, B1, B2);
    const hbh = [6, 0, 0xc2, 4, ...be32(70000 + 8)];
    const p = decode(ether(0x86dd, ip6(0, [...hbh, ...seg], B1, B2, 0)), {});
    expect(p.ipPayloadLength).toBe(70000);
    expect(p.isTcp).toBe(true);
    expect(p.payloadLength).toBe(70000 - 20);
  });

  it('ipv6_fragment_header_gives_offset_and_id', () => {
    const frag = [6, 0, ...be16(1384 | 1), ...be32(42)];
    const p = decode(ether(0x86dd, ip6(44, [...frag, ...Array(16).fill(0)])));
    expect([p.fragmentOffset, p.moreFragments, p.ipId, p.ipProto]).toEqual([1384, true, 42, 6]);
  });

  it('ipv6_cut_inside_an_extension_header_is_truncated', () => {
    const bytes = ether(0x86dd, ip6(0, [6, 0, 5, 2, 0, 0, 1, 0, ...tcp({}, B1, B2)]));
    const p = decode(bytes, { caplen: 14 + 40 + 1, wirelen: bytes.length });
    expect(p.truncatedIn).toBe('ip6');
    expect(p.isTcp).toBe(false);
  });
});

describe('udp', () => {
  it('udp_ports_length_and_payload', () => {
    const p = decode(ether(0x0800, ip4({ proto: 17 }, udp(53001, 53, [1, 2, 3, 4, 5]))));
    expect([p.srcPort, p.dstPort, p.udpLength, p.payloadLength, p.payloadCaptured]).toEqual([53001, 53, 13, 5, 5]);
    expect(p.layer).toBe(Layer.Transport);
    expect(p.isTcp).toBe(false);
  });

  it('udp_length_below_8_is_malformed', () => {
    const u = udp(1, 2, []);
    u[4] = 0;
    u[5] = 4;
    expect(decode(ether(0x0800, ip4({ proto: 17 }, u))).malformed).toMatch(/bad udp length 4/);
  });

  it('udp_length_beyond_ip_is_clipped_to_ip', () => {
    const u = udp(1, 2, [9, 9, 9, 9]);
    u[5] = 50;
    const p = decode(ether(0x0800, ip4({ proto: 17 }, u)));
    expect(p.payloadLength).toBe(4);
  });

  it('udp_cut_inside_header_is_truncated', () => {
    const bytes = ether(0x0800, ip4({ proto: 17 }, udp(1, 2, [])));
    expect(decode(bytes, { caplen: bytes.length - 3, wirelen: bytes.length }).truncatedIn).toBe('udp');
  });
});

describe('icmp', () => {
  it('icmp_echo_gives_id_and_sequence', () => {
    const p = decode(ether(0x0800, ip4({ proto: 1 }, icmp(8, 0, [...be16(7), ...be16(1), 0x61, 0x62]))));
    expect([p.icmpType, p.icmpCode, p.icmpId, p.icmpSeq, p.icmpQuoteOffset]).toEqual([8, 0, 7, 1, -1]);
  });

  it('icmp_unreachable_points_at_the_quoted_datagram', () => {
    const inner = ip4({ proto: 17 }, udp(53002, 9999, [0x7a]));
    const bytes = ether(0x0800, ip4({ proto: 1, src: A2, dst: A1 }, icmp(3, 3, [0, 0, 0, 0, ...inner])));
    const f = frame(bytes);
    const p = decodePacket(f, new Packet());
    expect([p.icmpType, p.icmpCode]).toEqual([3, 3]);
    expect(f.data[p.icmpQuoteOffset] >> 4).toBe(4);
    expect(p.icmpQuoteOffset - f.offset).toBe(14 + 20 + 8);
  });

  it('icmpv6_echo_over_ipv6', () => {
    const body = icmp(128, 0, [...be16(9), ...be16(2)]);
    const p = decode(ether(0x86dd, ip6(58, body)));
    expect([p.icmpType, p.icmpId, p.icmpSeq]).toEqual([128, 9, 2]);
  });

  it('icmp_cut_before_the_code_is_truncated', () => {
    const bytes = ether(0x0800, ip4({ proto: 1 }, icmp(8, 0, [0, 1, 0, 1])));
    const p = decode(bytes, { caplen: 14 + 20 + 2, wirelen: bytes.length });
    expect(p.truncatedIn).toBe('icmp');
    expect(p.icmpType).toBe(-1);
  });
});

describe('arp', () => {
  const arp = (op: number) => [...be16(1), ...be16(0x0800), 6, 4, ...be16(op), 2, 0, 0, 0, 0, 1, ...A1, 0, 0, 0, 0, 0, 0, ...A2];
  it('arp_request_gives_addresses', () => {
    const f = frame(ether(0x0806, arp(1)));
    const p = decodePacket(f, new Packet());
    expect([p.arpOp, p.arpSenderIp, p.arpTargetIp]).toEqual([1, 0x0a000001, 0x0a000002]);
    expect(Array.from(f.data.subarray(p.arpSenderMacOffset, p.arpSenderMacOffset + 6))).toEqual([2, 0, 0, 0, 0, 1]);
  });

  it('arp_cut_before_target_address_is_truncated', () => {
    const bytes = ether(0x0806, arp(2));
    const p = decode(bytes, { caplen: bytes.length - 1, wirelen: bytes.length });
    expect(p.truncatedIn).toBe('arp');
    expect(p.arpTargetIp).toBe(0);
  });
});

describe('link layers', () => {
  const seg = ip4({ proto: 6 }, tcp({}));
  it('vlan_and_qinq_tags_are_passed', () => {
    const p = decode(ether(0x88a8, [...be16(100), 0x81, 0x00, ...be16(0x2005), 0x08, 0x00, ...seg]));
    expect([p.vlanDepth, p.vlanId, p.isTcp]).toEqual([2, 100, true]);
  });

  it('linux_cooked_v1_and_v2', () => {
    const v1 = [0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00, ...seg];
    expect(decode(v1, { linktype: 113 }).isTcp).toBe(true);
    const v2 = [0x08, 0x00, 0, 0, ...be32(1), 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...seg];
    expect(decode(v2, { linktype: 276 }).isTcp).toBe(true);
  });

  it('bsd_loopback_either_byte_order', () => {
    expect(decode([2, 0, 0, 0, ...seg], { linktype: 0 }).isTcp).toBe(true);
    expect(decode([0, 0, 0, 2, ...seg], { linktype: 0 }).isTcp).toBe(true);
    expect(decode([0, 0, 0, 2, ...seg], { linktype: 108 }).isTcp).toBe(true);
    expect(decode([30, 0, 0, 0, ...ip6(6, tcp({}, B1, B2))], { linktype: 0 }).isTcp).toBe(true);
  });

  it('raw_ip_link_types', () => {
    for (const lt of [12, 14, 101, 228]) expect(decode(seg, { linktype: lt }).isTcp, `linktype ${lt}`).toBe(true);
    expect(decode(ip6(6, tcp({}, B1, B2)), { linktype: 229 }).isTcp).toBe(true);
  });

  it('unknown_link_type_decodes_nothing', () => {
    const p = decode(seg, { linktype: 147 });
    expect(p.layer).toBe(Layer.None);
    expect(p.ipVersion).toBe(0);
  });
});

describe('robustness', () => {
  it('random_bytes_on_every_link_type_never_throw', () => {
    // a deterministic xorshift stream: the same bytes on every run
    let x = 0x9e3779b9;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const pkt = new Packet();
    for (let i = 0; i < 20000; i++) {
      const len = rnd() % 120;
      const bytes = Array.from({ length: len }, () => rnd() & 0xff);
      // steer some toward plausible headers so deep paths are reached
      if (len > 20 && i % 2 === 0) { bytes[12] = 0x08; bytes[13] = 0x00; bytes[14] = 0x45; }
      if (len > 40 && i % 4 === 0) { bytes[23] = [6, 17, 1][i % 3]; }
      const lt = [1, 113, 276, 0, 108, 101, 228, 229][i % 8];
      const f = frame(bytes, { linktype: lt, caplen: len, wirelen: len + (rnd() % 3) });
      expect(() => decodePacket(f, pkt)).not.toThrow();
      if (pkt.layer >= Layer.Transport) expect(pkt.payloadOffset + pkt.payloadCaptured).toBeLessThanOrEqual(f.offset + f.caplen);
    }
  });
});

void A2;
