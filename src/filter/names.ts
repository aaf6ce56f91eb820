/**
 * Name databases a filter may consult, as libpcap does through the C library: service names
 * (`port http`, /etc/services), IP protocol names (`ip proto \ospf`, /etc/protocols), host names
 * (`host localhost`, /etc/hosts; tcpscope never asks DNS), and libpcap's own table of Ethernet
 * protocol names (`ether proto \arp`).
 *
 * Read once, lazily, and only when an expression uses a name. Tests pass their own tables.
 */
import { readFileSync } from 'node:fs';
import { parseIPv6 } from './lexer.js';

export interface ServicePorts {
  tcp?: number;
  udp?: number;
  sctp?: number;
}

export interface HostAddress {
  family: 4 | 6;
  /** IPv4: the address as an unsigned 32-bit number */
  v4: number;
  /** IPv6: the 16 bytes */
  v6: Uint8Array | null;
}

export interface NameDatabase {
  services(): ReadonlyMap<string, ServicePorts>;
  protocols(): ReadonlyMap<string, number>;
  hosts(): ReadonlyMap<string, readonly HostAddress[]>;
}

/** /etc/services: `name port/proto [aliases...] [# comment]`; the first entry per proto wins. */
export function parseServices(text: string): Map<string, ServicePorts> {
  const out = new Map<string, ServicePorts>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(tcp|udp|sctp)$/.exec(portProto ?? '');
    if (m === null) continue;
    const port = Number(m[1]);
    const proto = m[2] as keyof ServicePorts;
    for (const n of [name, ...aliases]) {
      const entry = out.get(n) ?? {};
      if (entry[proto] === undefined) entry[proto] = port;
      out.set(n, entry);
    }
  }
  return out;
}

/** /etc/protocols: `name number [aliases...]`. */
export function parseProtocols(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, num, ...aliases] = line.split(/\s+/);
    if (!/^\d+$/.test(num ?? '')) continue;
    for (const n of [name, ...aliases]) if (!out.has(n)) out.set(n, Number(num));
  }
  return out;
}

/** /etc/hosts: `address name [aliases...]`, IPv4 dotted quads and IPv6 addresses. */
export function parseHosts(text: string): Map<string, HostAddress[]> {
  const out = new Map<string, HostAddress[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [addr, ...names] = line.split(/\s+/);
    let ha: HostAddress | null = null;
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
    if (v4 !== null && v4.slice(1).every((o) => Number(o) <= 255)) {
      ha = { family: 4, v4: ((Number(v4[1]) << 24) | (Number(v4[2]) << 16) | (Number(v4[3]) << 8) | Number(v4[4])) >>> 0, v6: null };
    } else if (addr.includes(':')) {
      const v6 = parseIPv6(addr.replace(/%.*$/, ''));
      if (v6 !== null) ha = { family: 6, v4: 0, v6 };
    }
    if (ha === null) continue;
    for (const n of names) {
      const list = out.get(n) ?? [];
      if (!list.some((x) => x.family === ha.family && x.v4 === ha.v4 && (x.v6 === null || ha.v6 === null || x.v6.every((b, i) => b === ha.v6![i])))) list.push(ha);
      out.set(n, list);
    }
  }
  return out;
}

/** Used when /etc/protocols is missing (minimal containers): the protocols filters name most. */
const FALLBACK_PROTOCOLS = 'ip 0\nicmp 1\nigmp 2\nggp 3\nipencap 4\ntcp 6\negp 8\nigp 9\npup 12\nudp 17\nidp 22\nipv6 41\nipv6-route 43\nipv6-frag 44\nrsvp 46\ngre 47\nesp 50\nah 51\nipv6-icmp 58\nipv6-nonxt 59\nipv6-opts 60\nospf 89\npim 103\nvrrp 112\nl2tp 115\nsctp 132\nudplite 136\n';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** The machine's own databases, read on first use. */
export function systemNames(): NameDatabase {
  let services: Map<string, ServicePorts> | null = null;
  let protocols: Map<string, number> | null = null;
  let hosts: Map<string, HostAddress[]> | null = null;
  return {
    services: () => (services ??= parseServices(readOr('/etc/services', ''))),
    protocols: () => (protocols ??= parseProtocols(readOr('/etc/protocols', FALLBACK_PROTOCOLS))),
    hosts: () => (hosts ??= parseHosts(readOr('/etc/hosts', '127.0.0.1 localhost\n::1 localhost\n'))),
  };
}

/** libpcap's table of Ethernet protocol names (nametoaddr.c), for `ether proto \NAME`. */
export const ETHER_PROTO_NAMES: ReadonlyMap<string, number> = new Map([
  ['pup', 0x0200], ['xns', 0x0600], ['ip', 0x0800], ['ip6', 0x86dd], ['arp', 0x0806], ['rarp', 0x8035],
  ['sprite', 0x0500], ['mopdl', 0x6001], ['moprc', 0x6002], ['decnet', 0x6003], ['lat', 0x6004],
  ['sca', 0x6007], ['lanbridge', 0x8038], ['vexp', 0x805b], ['vprod', 0x805c], ['atalk', 0x809b],
  ['atalkarp', 0x80f3], ['loopback', 0x9000], ['decdts', 0x803e], ['decdns', 0x803c],
]);

/** libpcap's LLC SAP names, tried after the Ethernet names. */
export const LLC_SAP_NAMES: ReadonlyMap<string, number> = new Map([
  ['iso', 0xfe], ['stp', 0x42], ['ipx', 0xe0], ['netbeui', 0xf0],
]);
