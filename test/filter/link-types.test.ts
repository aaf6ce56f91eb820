/**
 * Filters on the link types beyond Ethernet/Linux cooked/loopback/raw IP that tcpscope prints
 * (PPP, PPP over serial, PPPoE, Cisco HDLC, Frame Relay, FRF.16, Linux ARCNET, RFC 1483 ATM,
 * Juniper Ethernet, IP over InfiniBand): expression x capture -> packet numbers matched, as
 * tcpdump 4.99.3 (libpcap 1.10.3) answered (`tcpdump -r F -w out EXPR`, out's records located
 * in F). A string is tcpdump's refusal, which tcpscope must give word for word on the first
 * frame of that link type. The captures are tcpdump's own test captures, plus fr-synth.pcap and
 * pppoe-synth.pcap built for this table (Frame Relay IPv4/IPv6/OSI NLPIDs, PPPoE sessions).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newFrame } from '../../src/capture/frame.js';
import { isTcpscopeError } from '../../src/errors.js';
import { compileFilter } from '../../src/filter/index.js';
import { loadFrame, readFrames } from './capture-io.mjs';

const dir = join(__dirname, '..', '..', 'fixtures', 'filter', 'links');

/**
 * tcpdump's answers. 'expression rejects all packets' is libpcap's optimizer noticing a program
 * that can never match; tcpscope refuses it in the same words, at the first frame.
 */
const TCPDUMP: Record<string, Record<string, number[] | string>> = {
  "HDLC.pcap": {
    "tcp": [],
    "ip": [7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    "ip6": [],
    "arp": [],
    "udp": [],
    "ip or ip6": [7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    "port 80 or port 646": [],
    "host 10.0.0.1": [7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for Cisco HDLC",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "arcnet-rfc1201-arp-icmp-http.pcap": {
    "tcp": [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26],
    "ip": [3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26],
    "ip6": [],
    "arp": [1, 2, 7, 8],
    "udp": [9, 10, 11, 12],
    "ip or ip6": [3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26],
    "port 80 or port 646": [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26],
    "host 10.0.0.1": [],
    "ether proto 0xfe": "!expression rejects all packets",
    "ip multicast": [],
    "vlan": "!no VLAN support for Linux ARCNET",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "esis_snpa_asan.pcap": {
    "tcp": [],
    "ip": [],
    "ip6": [],
    "arp": "!expression rejects all packets",
    "udp": [],
    "ip or ip6": [],
    "port 80 or port 646": [],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for Frame Relay",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "fr-synth.pcap": {
    "tcp": [],
    "ip": [1],
    "ip6": [2],
    "arp": "!expression rejects all packets",
    "udp": [],
    "ip or ip6": [1, 2],
    "port 80 or port 646": [],
    "host 10.0.0.1": [1],
    "ether proto 0xfe": [3],
    "ip multicast": [],
    "vlan": "!no VLAN support for Frame Relay",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "frf16_magic_ie-oobr.pcap": {
    "tcp": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "ip": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "ip6": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "arp": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "udp": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "ip or ip6": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "port 80 or port 646": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "host 10.0.0.1": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "ether proto 0xfe": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "ip multicast": "!Multi-link Frame Relay link-layer type filtering not implemented",
    "vlan": "!no VLAN support for FRF.16 Frame Relay",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "heapoverflow-ppp_hdlc_if_print.pcap": {
    "tcp": [],
    "ip": [],
    "ip6": [],
    "arp": [],
    "udp": [],
    "ip or ip6": [],
    "port 80 or port 646": [],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for PPP over serial",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "icmp_inft_name_length_zero.pcap": {
    "tcp": [],
    "ip": [1],
    "ip6": [],
    "arp": [],
    "udp": [],
    "ip or ip6": [1],
    "port 80 or port 646": [],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for PPP",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "isis_poi.pcap": {
    "tcp": [],
    "ip": [1],
    "ip6": [1],
    "arp": [1],
    "udp": [],
    "ip or ip6": [1],
    "port 80 or port 646": [],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [1],
    "ip multicast": [],
    "vlan": "!no VLAN support for Juniper Ethernet",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "llc-xid-heapoverflow.pcap": {
    "tcp": [],
    "ip": [],
    "ip6": [],
    "arp": [],
    "udp": [],
    "ip or ip6": [],
    "port 80 or port 646": [],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for RFC 1483 LLC-encapsulated ATM",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "mpls-ldp-hello.pcap": {
    "tcp": [],
    "ip": [1],
    "ip6": [],
    "arp": [],
    "udp": [1],
    "ip or ip6": [1],
    "port 80 or port 646": [1],
    "host 10.0.0.1": [],
    "ether proto 0xfe": [],
    "ip multicast": [1],
    "vlan": "!no VLAN support for PPP",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
  "pppoe-synth.pcap": {
    "tcp": [1],
    "ip": [1],
    "ip6": [2],
    "arp": [],
    "udp": [2],
    "ip or ip6": [1, 2],
    "port 80 or port 646": [1],
    "host 10.0.0.1": [1],
    "ether proto 0xfe": [],
    "ip multicast": [],
    "vlan": "!no VLAN support for PPPoE",
    "ether host 1:2:3:4:5:6": "!ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
  },
};

const REJECTS_ALL = '!expression rejects all packets';

function run(file: string, expr: string): number[] | string {
  const filter = compileFilter(expr);
  const frame = newFrame();
  const got: number[] = [];
  for (const f of readFrames(join(dir, file))) {
    loadFrame(frame, f);
    try {
      if (filter.matches(frame)) got.push(f.number);
    } catch (e) {
      if (!isTcpscopeError(e)) throw e;
      return '!' + e.message;
    }
  }
  return got;
}

describe('filters on PPP, HDLC, Frame Relay, ARCNET, ATM and Juniper captures', () => {
  for (const [file, row] of Object.entries(TCPDUMP)) {
    for (const [expr, want] of Object.entries(row)) {
      it(`${file}_${expr}_matchesTcpdump`, () => {
        const got = run(file, expr);
        if (want === REJECTS_ALL) expect(got).toMatch(/^!expression rejects all packets \(packet 1 is /);
        else if (typeof want === 'string') expect(got).toMatch(new RegExp(`^!invalid filter expression: ${want.slice(1).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(packet 1 is `));
        else expect(got).toEqual(want);
      });
    }
  }
});
