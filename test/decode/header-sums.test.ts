/**
 * The header sums the decoders leave for the tracker's checksum tests (Packet.ipChecksumBad,
 * Packet.tcpHeaderSum) and the Packet fields reset() clears only when a decoder set them
 * (extrasSet). Tests are named layer_situation_outcome.
 */
import { describe, expect, it } from 'vitest';
import { Packet, TCP_ACK, TCP_SYN, decodePacket } from '../../src/decode/index.js';
import { ipv4HeaderChecksumOk, tcpChecksumOk } from '../../src/track/checksum.js';
import { be32, ether, frame, icmp, ip4, tcp, udp } from './build.js';

const SYN_OPTS = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...be32(1000), ...be32(0), 1, 3, 3, 7];
const L3 = 14; // Ethernet header

function decode(bytes: number[], pkt = new Packet()): Packet {
  return decodePacket(frame(bytes), pkt);
}

/** The one's-complement sum of big-endian 16-bit words, folded (what the checksums add up to). */
function folded(words: number[]): number {
  let s = 0;
  for (let i = 0; i < words.length; i += 2) s += (words[i] << 8) | (words[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('ipv4 header checksum', () => {
  it('ipv4_correct_header_with_and_without_options_is_not_flagged', () => {
    for (const opts of [[], [0x94, 4, 0, 0], [1, 1, 1, 1, 0x94, 4, 0, 0]]) {
      const p = decode(ether(0x0800, ip4({ proto: 6, opts }, tcp({ flags: TCP_SYN }))));
      expect(p.ipChecksumBad).toBe(false);
      expect(ipv4HeaderChecksumOk(p)).toBe(true);
    }
  });

  it('ipv4_any_changed_header_byte_is_flagged_like_the_byte_sum', () => {
    for (const opts of [[], [0x94, 4, 0, 0]]) {
      const good = ether(0x0800, ip4({ proto: 6, opts }, tcp({ flags: TCP_SYN })));
      const hlen = 20 + opts.length;
      // every byte of the header but the version/length byte (which would make it another packet)
      for (let k = 1; k < hlen; k++) {
        const bad = good.slice();
        bad[L3 + k] ^= 0x10;
        const p = decode(bad);
        if (p.ipVersion !== 4) continue; // a changed length can make it malformed: nothing to check
        const expected = folded(bad.slice(L3, L3 + hlen)) !== 0xffff;
        expect(p.ipChecksumBad, `byte ${k} of ${hlen}`).toBe(expected);
        expect(ipv4HeaderChecksumOk(p), `byte ${k} of ${hlen}`).toBe(!expected);
      }
    }
  });

  it('ipv4_header_cut_by_the_snap_length_is_not_flagged', () => {
    const bytes = ether(0x0800, ip4({ proto: 6, opts: [0x94, 4, 0, 0] }, tcp({ flags: TCP_SYN })));
    bytes[L3 + 10] ^= 0xff;
    const p = decodePacket(frame(bytes, { caplen: L3 + 22 }), new Packet());
    expect(p.truncatedIn).toBe('ip');
    expect(p.ipChecksumBad).toBe(false);
  });
});

describe('tcp header sum', () => {
  it('tcp_header_sum_is_the_fixed_headers_ten_words', () => {
    const bytes = ether(0x0800, ip4({ proto: 6 }, tcp({ seq: 0xfffffff0, ack: 0x80000001, flags: TCP_SYN | TCP_ACK, opts: SYN_OPTS })));
    const p = decode(bytes);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += (bytes[p.l4Offset - 7 + k] << 8) | bytes[p.l4Offset - 7 + k + 1];
    // (frame() places the bytes 7 into its buffer: l4Offset counts from there)
    expect(p.tcpHeaderSum).toBe(sum);
  });

  it('tcp_checksum_of_control_segments_with_and_without_options_is_checked_over_every_byte', () => {
    for (const spec of [{ flags: TCP_SYN, opts: SYN_OPTS }, { flags: TCP_ACK }, { flags: TCP_ACK, data: [1, 2, 3] }]) {
      const good = ether(0x0800, ip4({ proto: 6 }, tcp(spec)));
      expect(tcpChecksumOk(decode(good))).toBe(true);
      const segLen = good.length - L3 - 20;
      for (let k = 0; k < segLen; k++) {
        if (k === 12) continue; // the data offset: another header length, another segment
        const bad = good.slice();
        bad[L3 + 20 + k] ^= 0x01;
        expect(tcpChecksumOk(decode(bad)), `byte ${k} of ${segLen}`).toBe(false);
      }
    }
  });
});

describe('packet reuse', () => {
  it('packet_fields_of_an_earlier_udp_icmp_or_syn_are_cleared_for_the_next_segment', () => {
    const pkt = new Packet();
    const plain = ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_ACK, data: [1] })));
    const fresh = decode(plain);
    const fields = (p: Packet): unknown[] => [p.optMss, p.optWscale, p.optSackPermitted, p.optSackBlocks, p.optHasTimestamp,
      p.optTsVal, p.optTsEcr, p.udpLength, p.icmpType, p.icmpCode, p.icmpId, p.icmpSeq, p.icmpQuoteOffset, p.arpOp,
      p.arpSenderIp, p.arpTargetIp, p.arpSenderMacOffset, p.arpTargetMacOffset];
    for (const earlier of [
      ether(0x0800, ip4({ proto: 6 }, tcp({ flags: TCP_SYN, opts: SYN_OPTS }))),
      ether(0x0800, ip4({ proto: 17 }, udp(53, 5353, [1, 2, 3]))),
      ether(0x0800, ip4({ proto: 1 }, icmp(8, 0, [0, 7, 0, 9]))),
    ]) {
      decode(earlier, pkt);
      expect(fields(decode(plain, pkt))).toEqual(fields(fresh));
    }
  });
});
