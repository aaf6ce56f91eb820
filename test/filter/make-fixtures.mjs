#!/usr/bin/env node
// Builds the captures under fixtures/filter/ that the filter tests run on:
//
//   zoo-*.pcap / zoo-mixed.pcapng   packets made to hit every corner of the filter language:
//       IPv4 options, first and later fragments (IPv4 and IPv6), VLAN/QinQ tags, ARP/RARP,
//       802.3 LLC and SNAP, ICMP/ICMPv6/IGMP/PIM/SCTP/AH/ESP/VRRP, multicast and broadcast,
//       IPv6 extension headers, and frames cut short at every interesting length (a filter
//       that reads past the captured bytes rejects the whole packet in BPF). The same network
//       packets are wrapped in every link type tcpscope reads.
//   tt-*.pcap   the small captures of tcpdump's own test suite (BSD licence) whose link type
//       tcpscope reads, merged per link type; tt-sources.json says where each frame came from.
//
// Usage: node test/filter/make-fixtures.mjs [path to the corpus' tcpdump-tests folder]
// Deterministic: the same output every run. Needs the corpus only for the tt-* files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFrames, writePcap, writePcapng } from './capture-io.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'fixtures', 'filter');
mkdirSync(outDir, { recursive: true });

// ---- a tiny packet builder ---------------------------------------------------------------

const bytes = (...parts) => {
  const flat = parts.flatMap((p) => (p instanceof Uint8Array ? [...p] : Array.isArray(p) ? p : [p]));
  return Uint8Array.from(flat);
};
const u16 = (v) => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ip4 = (s) => s.split('.').map(Number);
function ip6(s) {
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => u16(parseInt(g, 16)));
}
const mac = (s) => s.split(':').map((x) => parseInt(x, 16));

function checksum(b) {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function ipv4({ src, dst, proto, payload, ttl = 64, id = 1, mf = false, fragOffset = 0, options = [], tos = 0, version = 4, totalLen }) {
  const ihl = 5 + options.length / 4;
  const len = totalLen ?? ihl * 4 + payload.length;
  const h = bytes((version << 4) | ihl, tos, u16(len), u16(id), u16((mf ? 0x2000 : 0) | (fragOffset >> 3)), ttl, proto, 0, 0, ip4(src), ip4(dst), options);
  const c = checksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return bytes(h, payload);
}

function ipv6({ src, dst, nh, payload, hlim = 64 }) {
  return bytes(0x60, 0, 0, 0, u16(payload.length), nh, hlim, ip6(src), ip6(dst), payload);
}

function tcp({ sport, dport, seq = 1000, ack = 0, flags = 0x02, payload = [], win = 65535 }) {
  return bytes(u16(sport), u16(dport), u32(seq), u32(ack), 0x50, flags, u16(win), 0, 0, 0, 0, payload);
}
const udp = ({ sport, dport, payload = [] }) => bytes(u16(sport), u16(dport), u16(8 + payload.length), 0, 0, payload);
const icmp = ({ type, code = 0, payload = [0, 1, 0, 1] }) => bytes(type, code, 0, 0, payload);
const arp = ({ op, sha, spa, tha = '00:00:00:00:00:00', tpa }) => bytes(0, 1, 0x08, 0, 6, 4, u16(op), mac(sha), ip4(spa), mac(tha), ip4(tpa));

const A = '00:11:22:33:44:55';
const B = '66:77:88:99:aa:bb';
function ether({ dst = B, src = A, type, payload, tags = [] }) {
  return bytes(mac(dst), mac(src), tags.flatMap(([tpid, tci]) => [...u16(tpid), ...u16(tci)]), u16(type), payload);
}

// ---- the network-layer packets (shared by every link type) -------------------------------

const SYN = 0x02, ACK = 0x10, PSH = 0x08, RST = 0x04, FIN = 0x01, URG = 0x20, ECE = 0x40, CWR = 0x80;
const data = (n, fill = 0x61) => Array(n).fill(fill);

/** [name, EtherType, network packet] */
const l3 = [
  ['tcp4-syn', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: tcp({ sport: 40000, dport: 80, flags: SYN }) })],
  ['tcp4-synack', 0x0800, ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 6, payload: tcp({ sport: 80, dport: 40000, flags: SYN | ACK }) })],
  ['tcp4-data', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: tcp({ sport: 40001, dport: 443, flags: PSH | ACK, payload: data(100) }) })],
  ['tcp4-rst', 0x0800, ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 6, payload: tcp({ sport: 3306, dport: 40002, flags: RST | ACK }) })],
  ['tcp4-fin', 0x0800, ipv4({ src: '192.168.1.10', dst: '10.0.0.2', proto: 6, payload: tcp({ sport: 6379, dport: 40003, flags: FIN | ACK }) })],
  ['tcp4-options', 0x0800, ipv4({ src: '172.16.5.4', dst: '10.1.2.3', proto: 6, options: [0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00], payload: tcp({ sport: 8080, dport: 22, flags: ACK | URG }) })],
  ['tcp4-ecn', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, tos: 2, payload: tcp({ sport: 40004, dport: 80, flags: SYN | ECE | CWR }) })],
  ['tcp4-x11', 0x0800, ipv4({ src: '10.9.8.7', dst: '10.0.0.1', proto: 6, payload: tcp({ sport: 6000, dport: 6001, flags: ACK }) })],
  ['udp4-mdns', 0x0800, ipv4({ src: '192.168.1.10', dst: '224.0.0.251', proto: 17, ttl: 255, payload: udp({ sport: 5353, dport: 5353, payload: data(12, 0) }) })],
  ['udp4-dhcp-bcast', 0x0800, ipv4({ src: '0.0.0.0', dst: '255.255.255.255', proto: 17, payload: udp({ sport: 68, dport: 67, payload: data(20, 0) }) })],
  ['udp4-dns', 0x0800, ipv4({ src: '10.0.0.1', dst: '8.8.8.8', proto: 17, payload: udp({ sport: 33000, dport: 53, payload: data(20, 1) }) })],
  ['udp4-ntp', 0x0800, ipv4({ src: '10.0.0.5', dst: '10.0.0.6', proto: 17, payload: udp({ sport: 123, dport: 123, payload: data(48, 0x23) }) })],
  ['icmp4-echo', 0x0800, ipv4({ src: '10.0.0.1', dst: '8.8.8.8', proto: 1, payload: icmp({ type: 8 }) })],
  ['icmp4-reply', 0x0800, ipv4({ src: '8.8.8.8', dst: '10.0.0.1', proto: 1, payload: icmp({ type: 0 }) })],
  ['icmp4-unreach', 0x0800, ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 1, payload: icmp({ type: 3, code: 3, payload: [0, 0, 0, 0, ...data(28, 0x45)] }) })],
  // a UDP datagram in two fragments; the second fragment's first bytes look like ports 80 → 53
  ['frag4-first', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, id: 77, mf: true, payload: udp({ sport: 5000, dport: 6000, payload: data(24) }).slice(0, 32) })],
  ['frag4-later', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, id: 77, fragOffset: 32, payload: bytes(u16(80), u16(53), data(20)) })],
  ['frag4-tcp-later', 0x0800, ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 6, id: 78, fragOffset: 1480, payload: bytes(u16(443), u16(80), data(30)) })],
  ['sctp4', 0x0800, ipv4({ src: '10.0.0.7', dst: '10.0.0.8', proto: 132, payload: bytes(u16(9899), u16(5060), u32(1), u32(0), data(16, 0)) })],
  ['igmp4', 0x0800, ipv4({ src: '10.0.0.9', dst: '224.0.0.22', proto: 2, ttl: 1, payload: bytes(0x16, 0, 0, 0, ip4('239.1.2.3')) })],
  ['pim4', 0x0800, ipv4({ src: '10.0.0.9', dst: '224.0.0.13', proto: 103, payload: bytes(0x20, 0, 0, 0, 0, 1, 0, 2, 0, 105) })],
  ['esp4', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 50, payload: bytes(u32(0x1000), u32(1), data(16, 0x33)) })],
  ['ah4', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 51, payload: bytes(6, 4, 0, 0, u32(0x2000), u32(1), data(12, 0x44)) })],
  ['vrrp4', 0x0800, ipv4({ src: '10.0.0.3', dst: '224.0.0.18', proto: 112, ttl: 255, payload: bytes(0x21, 1, 100, 1, 0, 1, 0, 0, ip4('10.0.0.254')) })],
  ['ip4-ihl0', 0x0800, (() => { const p = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: tcp({ sport: 1, dport: 2 }) }); p[0] = 0x40; return p; })()],
  ['ip4-version6', 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, version: 6, payload: udp({ sport: 53, dport: 53 }) })],
  ['tcp6-syn', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nh: 6, payload: tcp({ sport: 50000, dport: 443, flags: SYN }) })],
  ['tcp6-rst', 0x86dd, ipv6({ src: '2001:db8::2', dst: '2001:db8::1', nh: 6, payload: tcp({ sport: 443, dport: 50000, flags: RST }) })],
  ['udp6-mdns', 0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::fb', nh: 17, hlim: 255, payload: udp({ sport: 5353, dport: 5353, payload: data(12, 0) }) })],
  ['icmp6-echo', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8:1::9', nh: 58, payload: icmp({ type: 128 }) })],
  ['icmp6-ns', 0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::1:ff00:2', nh: 58, hlim: 255, payload: bytes(135, 0, 0, 0, 0, 0, 0, 0, ip6('fe80::2')) })],
  ['frag6-first', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nh: 44, payload: bytes(17, 0, u16(1), u32(99), udp({ sport: 7000, dport: 7001, payload: data(16) })) })],
  ['frag6-later', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nh: 44, payload: bytes(17, 0, u16(24 << 3), u32(99), u16(80), u16(53), data(16)) })],
  ['frag6-icmp6', 0x86dd, ipv6({ src: '2001:db8::3', dst: '2001:db8::1', nh: 44, payload: bytes(58, 0, u16(0), u32(100), icmp({ type: 129 })) })],
  ['hbh6-tcp', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nh: 0, payload: bytes(6, 0, 1, 4, 0, 0, 0, 0, tcp({ sport: 50001, dport: 80 })) })],
  ['sctp6', 0x86dd, ipv6({ src: '2001:db8::7', dst: '2001:db8::8', nh: 132, payload: bytes(u16(2905), u16(2905), u32(1), u32(0)) })],
  ['esp6', 0x86dd, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nh: 50, payload: bytes(u32(0x1000), u32(2), data(8)) })],
];

const arpPackets = [
  ['arp-request', 0x0806, arp({ op: 1, sha: A, spa: '10.0.0.1', tpa: '10.0.0.2' })],
  ['arp-reply', 0x0806, arp({ op: 2, sha: B, spa: '10.0.0.2', tha: A, tpa: '10.0.0.1' })],
  ['rarp-request', 0x8035, arp({ op: 3, sha: A, spa: '0.0.0.0', tha: A, tpa: '0.0.0.0' })],
];

// ---- Ethernet zoo --------------------------------------------------------------------------

const eth = [];
const addEth = (payload, opts = {}, wirelen) => eth.push({ data: ether({ ...opts, payload }), wirelen });
for (const [, type, p] of [...l3, ...arpPackets]) addEth(p, { type });
// link-layer addressing: broadcast, IPv4 and IPv6 multicast MACs
addEth(l3.find((x) => x[0] === 'udp4-dhcp-bcast')[2], { type: 0x0800, dst: 'ff:ff:ff:ff:ff:ff' });
addEth(l3.find((x) => x[0] === 'udp4-mdns')[2], { type: 0x0800, dst: '01:00:5e:00:00:fb' });
addEth(l3.find((x) => x[0] === 'udp6-mdns')[2], { type: 0x86dd, dst: '33:33:00:00:00:fb', src: 'aa:bb:cc:dd:ee:ff' });
addEth(arpPackets[0][2], { type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff' });
// VLAN: 802.1Q, 802.1ad outer + 802.1Q inner (QinQ), the old 0x9100 TPID, VLAN 0 priority tag
addEth(l3[0][2], { type: 0x0800, tags: [[0x8100, 100]] });
addEth(l3[1][2], { type: 0x0800, tags: [[0x8100, 0x2000 | 100]] });
addEth(l3.find((x) => x[0] === 'tcp6-syn')[2], { type: 0x86dd, tags: [[0x8100, 200]] });
addEth(l3.find((x) => x[0] === 'icmp4-echo')[2], { type: 0x0800, tags: [[0x88a8, 300], [0x8100, 400]] });
addEth(l3.find((x) => x[0] === 'udp4-dns')[2], { type: 0x0800, tags: [[0x9100, 5], [0x8100, 6]] });
addEth(arpPackets[0][2], { type: 0x0806, tags: [[0x9100, 7]] });
addEth(l3.find((x) => x[0] === 'frag4-later')[2], { type: 0x0800, tags: [[0x8100, 0]] });
addEth(l3.find((x) => x[0] === 'tcp4-options')[2], { type: 0x0800, tags: [[0x8100, 4095]] });
// 802.3 with LLC: spanning tree (SAP 0x42), ISO (0xfe), NetBEUI (0xf0), and SNAP-encapsulated IP
const llc = (dsap, ssap, rest) => bytes(dsap, ssap, 0x03, rest);
const dot3 = (payload, dst = '01:80:c2:00:00:00') => bytes(mac(dst), mac(A), u16(payload.length), payload);
eth.push({ data: dot3(llc(0x42, 0x42, bytes(0, 0, 0, 0, data(32, 0)))) });
eth.push({ data: dot3(llc(0xfe, 0xfe, bytes(0x81, 0x1b, data(20, 0))), '09:00:2b:00:00:05') });
eth.push({ data: dot3(llc(0xf0, 0xf0, data(20, 0)), '03:00:00:00:00:01') });
eth.push({ data: dot3(llc(0xaa, 0xaa, bytes(0, 0, 0, u16(0x0800), l3[0][2])), B) });
eth.push({ data: dot3(llc(0x06, 0x06, l3[0][2]), B) });
// other EtherTypes: IPX, loopback, a made-up one
addEth(data(30, 0xff), { type: 0x8137 });
addEth(data(46, 0), { type: 0x9000 });
addEth(data(46, 0), { type: 0x1234 });
// cut short by the snap length: inside the Ethernet header, the IPv4 header, before and inside
// the TCP ports, inside the IPv6 header and before a fragment header's next header
const full = (name) => ether({ type: l3.find((x) => x[0] === name)[1], payload: l3.find((x) => x[0] === name)[2] });
for (const [name, cut] of [['tcp4-syn', 10], ['tcp4-syn', 13], ['tcp4-syn', 14], ['tcp4-syn', 20], ['tcp4-syn', 33], ['tcp4-syn', 34], ['tcp4-syn', 35],
  ['tcp4-syn', 37], ['tcp4-syn', 40], ['tcp4-syn', 47], ['tcp4-syn', 48], ['tcp4-options', 50], ['udp4-dns', 36], ['icmp4-echo', 34],
  ['tcp6-syn', 20], ['tcp6-syn', 40], ['tcp6-syn', 54], ['tcp6-syn', 56], ['frag6-first', 54], ['frag6-later', 54], ['icmp6-echo', 54]]) {
  const f = full(name);
  eth.push({ data: f.slice(0, cut), wirelen: f.length });
}
addEth(bytes(l3[2][2], data(1400, 0x62)), { type: 0x0800 }, 1514);
eth[eth.length - 1].data = eth[eth.length - 1].data.slice(0, 96); // snap length 96, 1514 on the wire
addEth(data(2, 0), { type: 0x0800 }); // "IPv4" of two bytes
eth.push({ data: new Uint8Array(0), wirelen: 60 }); // nothing captured at all

const stamp = (frames) => frames.map((f, i) => ({ ...f, tsSec: 1700000000 + i, tsUsec: i * 1000 }));
writePcap(join(outDir, 'zoo-ether.pcap'), 1, stamp(eth));

// ---- the same network packets on the other link types ------------------------------------

const net = [...l3, ...arpPackets];
const cutNet = [['tcp4-syn', 5], ['tcp4-syn', 20], ['tcp4-syn', 21], ['tcp4-syn', 23], ['tcp4-syn', 26], ['tcp6-syn', 7], ['tcp6-syn', 40], ['tcp6-syn', 41], ['frag6-later', 40]];

/** Linux cooked v1: packet type, ARPHRD, address length, address, protocol. */
function sll(proto, payload, pkttype = 0) {
  return bytes(u16(pkttype), u16(1), u16(6), mac(A), 0, 0, u16(proto), payload);
}
const sllFrames = [];
net.forEach(([, type, p], i) => sllFrames.push({ data: sll(type, p, i % 3 === 0 ? 4 : i % 3 === 1 ? 0 : 1) }));
sllFrames.push({ data: sll(0x0004, llc(0x42, 0x42, data(20, 0))) }); // 802.2 frame
sllFrames.push({ data: sll(0x0004, llc(0xfe, 0xfe, data(20, 0))) });
sllFrames.push({ data: sll(0x8100, bytes(u16(100), u16(0x0800), l3[0][2])) }); // a tag left in place
for (const [name, cut] of cutNet) {
  const p = l3.find((x) => x[0] === name);
  const f = sll(p[1], p[2]);
  sllFrames.push({ data: f.slice(0, 16 + cut), wirelen: f.length });
}
writePcap(join(outDir, 'zoo-sll.pcap'), 113, stamp(sllFrames));

/** Linux cooked v2: protocol, reserved, interface index, ARPHRD, packet type, address. */
function sll2(proto, payload, ifindex = 1, pkttype = 0) {
  return bytes(u16(proto), 0, 0, u32(ifindex), u16(1), pkttype, 6, mac(A), 0, 0, payload);
}
const sll2Frames = [];
net.forEach(([, type, p], i) => sll2Frames.push({ data: sll2(type, p, 1 + (i % 3), i % 2 === 0 ? 4 : 0) }));
sll2Frames.push({ data: sll2(0x0004, llc(0x42, 0x42, data(20, 0))) });
for (const [name, cut] of cutNet) {
  const p = l3.find((x) => x[0] === name);
  const f = sll2(p[1], p[2]);
  sll2Frames.push({ data: f.slice(0, 20 + cut), wirelen: f.length });
}
writePcap(join(outDir, 'zoo-sll2.pcap'), 276, stamp(sll2Frames));

/** BSD loopback: a 32-bit address family, host byte order (NULL) or network order (LOOP). */
function loopback(family, payload, littleEndian) {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, littleEndian);
  return bytes(h, payload);
}
for (const [file, linktype, le] of [['zoo-null-le.pcap', 0, true], ['zoo-null-be.pcap', 0, false], ['zoo-loop.pcap', 108, false]]) {
  const frames = [];
  for (const [, type, p] of l3) {
    // IPv6 under each BSD's AF_INET6 value, and Linux's (10), which libpcap's test does not include
    const families = type === 0x0800 ? [2] : [24, 28, 30, 10];
    for (const fam of families) frames.push({ data: loopback(fam, p, le) });
  }
  frames.push({ data: loopback(7, data(20, 0), le) });
  for (const [name, cut] of cutNet) {
    const p = l3.find((x) => x[0] === name);
    const f = loopback(p[1] === 0x0800 ? 2 : 24, p[2], le);
    frames.push({ data: f.slice(0, 4 + cut), wirelen: f.length });
  }
  frames.push({ data: new Uint8Array([2, 0]), wirelen: 40 });
  writePcap(join(outDir, file), linktype, stamp(frames), { littleEndian: le });
}

/** Raw IP: nothing before the IP header; the version nibble tells v4 from v6. */
for (const [file, linktype, keep] of [['zoo-raw.pcap', 101, () => true], ['zoo-raw12.pcap', 12, () => true], ['zoo-raw14.pcap', 14, () => true],
  ['zoo-ipv4.pcap', 228, (t) => t === 0x0800], ['zoo-ipv6.pcap', 229, (t) => t === 0x86dd]]) {
  const frames = [];
  for (const [, type, p] of l3) if (keep(type)) frames.push({ data: p });
  for (const [name, cut] of cutNet) {
    const p = l3.find((x) => x[0] === name);
    if (keep(p[1])) frames.push({ data: p[2].slice(0, cut), wirelen: p[2].length });
  }
  if (linktype !== 228 && linktype !== 229) frames.push({ data: bytes(0x50, data(30, 0)) }); // version 5
  writePcap(join(outDir, file), linktype, stamp(frames));
}

/** pcapng with three interfaces of different link types, frames interleaved. */
{
  const frames = [];
  l3.slice(0, 12).forEach(([, type, p], i) => {
    frames.push({ ifIndex: 0, data: ether({ type, payload: p }) });
    frames.push({ ifIndex: 1, data: p });
    frames.push({ ifIndex: 2, data: sll(type, p, i % 2 === 0 ? 4 : 0) });
  });
  frames.push({ ifIndex: 0, data: ether({ type: 0x0800, payload: l3[0][2], tags: [[0x8100, 100]] }) });
  frames.push({ ifIndex: 2, data: sll(0x0806, arpPackets[0][2]) });
  writePcapng(join(outDir, 'zoo-mixed.pcapng'), [1, 101, 113], stamp(frames));
}

// ---- tcpdump's own test captures -----------------------------------------------------------

const corpus = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'corpus', 'tcpdump-tests');
if (existsSync(corpus)) {
  const READ = new Set([0, 1, 12, 101, 108, 113, 228, 229, 276]);
  const groups = new Map(); // file name → { linktype, le, frames, sources }
  for (const name of readdirSync(corpus).sort()) {
    const path = join(corpus, name);
    if (!/\.pcap$/.test(name) || statSync(path).size > 3000) continue;
    let frames;
    try { frames = readFrames(path); } catch { continue; }
    if (frames.length === 0 || !READ.has(frames[0].linktype)) continue;
    // only what libpcap itself reads without complaint, so both sides see the same frames
    try {
      execFileSync('tcpdump', ['-r', path, '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch { continue; }
    const lt = frames[0].linktype;
    const le = frames[0].littleEndian;
    const key = lt === 0 ? `tt-null-${le ? 'le' : 'be'}.pcap` : `tt-linktype${lt}.pcap`;
    const g = groups.get(key) ?? { linktype: lt, le, frames: [], sources: [] };
    g.sources.push({ file: name, first: g.frames.length + 1, count: frames.length });
    g.frames.push(...frames);
    groups.set(key, g);
  }
  const sources = {};
  for (const [file, g] of groups) {
    writePcap(join(outDir, file), g.linktype, g.frames, { littleEndian: g.le });
    sources[file] = g.sources;
  }
  writeFileSync(join(outDir, 'tt-sources.json'), JSON.stringify(sources, null, 1) + '\n');
  console.log(`tcpdump-tests: ${[...groups.values()].reduce((n, g) => n + g.sources.length, 0)} captures in ${groups.size} files`);
} else {
  console.log(`(no tcpdump-tests corpus at ${corpus}: tt-* files left as they are)`);
}
console.log(`zoo: ${eth.length} Ethernet frames, and the other link types, in ${outDir}`);
