/**
 * Addresses and ports as text (tcpdump's addrtoname.c), with -n and without.
 *
 * With -n: dotted IPv4, RFC 5952-style IPv6 (tcpdump's own inet_ntop), decimal ports, colon MACs.
 * Without -n, what tcpdump prints on a machine that cannot (or must not) query DNS:
 *  - IPv4/IPv6 addresses: the first name given to the address in /etc/hosts, else the number
 *    (tcpdump asks gethostbyaddr, which reads /etc/hosts and then DNS; tcpscope never sends a
 *    DNS query, so a name only DNS knows stays a number);
 *  - TCP and UDP ports: the service's primary name from /etc/services (first entry per port and
 *    protocol, as tcpdump's init_servarray keeps it), else the number;
 *  - IP protocol numbers (non-first fragments, unknown protocols): tcpdump's own table of IANA's
 *    keywords (ipproto-names.ts), not /etc/protocols;
 *  - MAC addresses: `Broadcast` for ff:ff:ff:ff:ff:ff, a name from /etc/ethers, else the address
 *    followed by ` (oui Vendor)` or ` (oui Unknown)`.
 * The files are read once, lazily, the first time a name is asked for.
 *
 * Every answer is cached in a small direct-mapped table, so a busy connection formats its
 * addresses once rather than once per packet.
 */
import { readFileSync } from 'node:fs';
import { parseIp4, parseIp6 } from '../../track/address.js';
import { HEX2 } from './hexdump.js';
import { IP_PROTOCOL_NAMES } from './ipproto-names.js';
import { OUI_NAMES } from './oui.js';

/** decimal text of 0..255 */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const CACHE_BITS = 12;
const CACHE_SIZE = 1 << CACHE_BITS;

export interface NameFiles {
  hosts?: string;
  services?: string;
  ethers?: string;
}

export class Names {
  readonly numeric: boolean;
  private readonly files: NameFiles;
  private loaded = false;
  private hosts4 = new Map<number, string>();
  private hosts6 = new Map<string, string>();
  private tcpServices = new Map<number, string>();
  private udpServices = new Map<number, string>();
  private ethers = new Map<string, string>();

  private readonly v4Keys = new Uint32Array(CACHE_SIZE);
  private readonly v4Vals: (string | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
  private readonly v6Keys = new Uint32Array(CACHE_SIZE * 4);
  private readonly v6Vals: (string | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
  private readonly epKeys = new Uint32Array(CACHE_SIZE * 4);
  private readonly epVals: (string | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
  private tcpPorts: (string | undefined)[] = new Array(65536).fill(undefined);
  private udpPorts: (string | undefined)[] = new Array(65536).fill(undefined);

  /** `numeric`: -n given. `files`: paths of the name files (tests point them elsewhere). */
  constructor(numeric: boolean, files: NameFiles = {}) {
    this.numeric = numeric;
    this.files = files;
  }

  // ---- IPv4 -------------------------------------------------------------------------------

  /** The address at `o` in `d` (4 bytes, already bounds-checked by the caller). */
  ip4At(d: Uint8Array, o: number): string {
    return this.ip4(((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0);
  }

  /** An IPv4 address given as an unsigned 32-bit number. */
  ip4(addr: number): string {
    const slot = (Math.imul(addr, 0x9e3779b1) >>> (32 - CACHE_BITS));
    const hit = this.v4Vals[slot];
    if (hit !== undefined && this.v4Keys[slot] === addr) return hit;
    let s = DEC[addr >>> 24] + '.' + DEC[(addr >>> 16) & 0xff] + '.' + DEC[(addr >>> 8) & 0xff] + '.' + DEC[addr & 0xff];
    if (!this.numeric) {
      this.load();
      const name = this.hosts4.get(addr);
      if (name !== undefined) s = name;
    }
    this.v4Keys[slot] = addr;
    this.v4Vals[slot] = s;
    return s;
  }

  /**
   * `SRC.SPORT > DST.DPORT: ` for an IPv4 TCP (or UDP) segment. The same connection prints the
   * same text on every packet, so it is kept in a small direct-mapped cache keyed by the 4-tuple.
   */
  endpoints4(src: number, dst: number, sport: number, dport: number, tcp: boolean): string {
    const ports = ((sport << 16) | dport) >>> 0;
    const slot = (Math.imul(src ^ Math.imul(dst, 0x85ebca6b) ^ Math.imul(ports, 0xc2b2ae35) ^ (tcp ? 0x27d4eb2f : 0), 0x9e3779b1) >>> (32 - CACHE_BITS));
    const k = this.epKeys;
    const hit = this.epVals[slot];
    if (hit !== undefined && k[slot * 4] === src && k[slot * 4 + 1] === dst && k[slot * 4 + 2] === ports && k[slot * 4 + 3] === (tcp ? 1 : 0)) return hit;
    const s = tcp
      ? this.ip4(src) + '.' + this.tcpPort(sport) + ' > ' + this.ip4(dst) + '.' + this.tcpPort(dport) + ': '
      : this.ip4(src) + '.' + this.udpPort(sport) + ' > ' + this.ip4(dst) + '.' + this.udpPort(dport) + ': ';
    k[slot * 4] = src;
    k[slot * 4 + 1] = dst;
    k[slot * 4 + 2] = ports;
    k[slot * 4 + 3] = tcp ? 1 : 0;
    this.epVals[slot] = s;
    return s;
  }

  // ---- IPv6 -------------------------------------------------------------------------------

  /** The 16-byte address at `o` in `d` (bounds-checked by the caller). */
  ip6At(d: Uint8Array, o: number): string {
    const w0 = ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
    const w1 = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
    const w2 = ((d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11]) >>> 0;
    const w3 = ((d[o + 12] << 24) | (d[o + 13] << 16) | (d[o + 14] << 8) | d[o + 15]) >>> 0;
    const slot = (Math.imul(w0 ^ Math.imul(w1, 31) ^ Math.imul(w2, 961) ^ Math.imul(w3, 0x9e3779b1), 0x85ebca6b) >>> (32 - CACHE_BITS));
    const k = this.v6Keys;
    const hit = this.v6Vals[slot];
    if (hit !== undefined && k[slot * 4] === w0 && k[slot * 4 + 1] === w1 && k[slot * 4 + 2] === w2 && k[slot * 4 + 3] === w3) return hit;
    let s = formatIp6(d, o);
    if (!this.numeric) {
      this.load();
      const name = this.hosts6.get(s);
      if (name !== undefined) s = name;
    }
    k[slot * 4] = w0;
    k[slot * 4 + 1] = w1;
    k[slot * 4 + 2] = w2;
    k[slot * 4 + 3] = w3;
    this.v6Vals[slot] = s;
    return s;
  }

  // ---- ports and protocols ----------------------------------------------------------------

  tcpPort(port: number): string {
    const hit = this.tcpPorts[port];
    if (hit !== undefined) return hit;
    let s = String(port);
    if (!this.numeric) {
      this.load();
      s = this.tcpServices.get(port) ?? s;
    }
    this.tcpPorts[port] = s;
    return s;
  }

  udpPort(port: number): string {
    const hit = this.udpPorts[port];
    if (hit !== undefined) return hit;
    let s = String(port);
    if (!this.numeric) {
      this.load();
      s = this.udpServices.get(port) ?? s;
    }
    this.udpPorts[port] = s;
    return s;
  }

  /** netdb_protoname: tcpdump's name of an IP protocol, undefined with -n or when it has none. */
  protoName(proto: number): string | undefined {
    if (this.numeric) return undefined;
    return IP_PROTOCOL_NAMES[proto];
  }

  // ---- MAC addresses ----------------------------------------------------------------------

  /** etheraddr_string: the 6-byte MAC at `o` (bounds-checked by the caller). */
  mac(d: Uint8Array, o: number): string {
    const s = HEX2[d[o]] + ':' + HEX2[d[o + 1]] + ':' + HEX2[d[o + 2]] + ':' + HEX2[d[o + 3]] + ':' + HEX2[d[o + 4]] + ':' + HEX2[d[o + 5]];
    if (this.numeric) return s;
    this.load();
    const name = this.ethers.get(s);
    if (name !== undefined) return name;
    const oui = (d[o] << 16) | (d[o + 1] << 8) | d[o + 2];
    return s + ' (oui ' + (OUI_NAMES.get(oui) ?? 'Unknown') + ')';
  }

  /** le64addr_string / generic link addresses: bytes joined by ':' (never resolved). */
  linkAddr(d: Uint8Array, o: number, len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += (i ? ':' : '') + HEX2[d[o + i]];
    return s;
  }

  // ---- the name files -----------------------------------------------------------------------

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    this.ethers.set('ff:ff:ff:ff:ff:ff', 'Broadcast');
    parseHosts(readText(this.files.hosts ?? '/etc/hosts'), this.hosts4, this.hosts6);
    parseServices(readText(this.files.services ?? '/etc/services'), this.tcpServices, this.udpServices);
    parseEthers(readText(this.files.ethers ?? '/etc/ethers'), this.ethers);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function fields(line: string): string[] {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim().split(/\s+/).filter((f) => f !== '');
}

/** /etc/hosts: `address name [aliases...]`; the first line naming an address wins. */
export function parseHosts(text: string, v4: Map<number, string>, v6: Map<string, string>): void {
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.length < 2) continue;
    const a4 = parseIp4(f[0]);
    if (a4 !== undefined) {
      if (!v4.has(a4)) v4.set(a4, f[1]);
      continue;
    }
    const a6 = parseIp6(f[0]);
    if (a6 !== undefined) {
      const key = formatIp6(a6, 0);
      if (!v6.has(key)) v6.set(key, f[1]);
    }
  }
}

/** /etc/services: `name port/proto [aliases...]`; the first name per port and protocol wins. */
export function parseServices(text: string, tcp: Map<number, string>, udp: Map<number, string>): void {
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.length < 2) continue;
    const slash = f[1].indexOf('/');
    if (slash < 0) continue;
    const port = Number(f[1].slice(0, slash));
    if (!Number.isInteger(port) || port < 0 || port > 65535) continue;
    const proto = f[1].slice(slash + 1);
    const table = proto === 'tcp' ? tcp : proto === 'udp' ? udp : undefined;
    if (table !== undefined && !table.has(port)) table.set(port, f[0]);
  }
}

/** /etc/ethers: `xx:xx:xx:xx:xx:xx name`. */
export function parseEthers(text: string, out: Map<string, string>): void {
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.length < 2) continue;
    const parts = f[0].split(/[:-]/);
    if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) continue;
    const key = parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
    if (!out.has(key)) out.set(key, f[1]);
  }
}

/**
 * tcpdump's addrtostr6 (BIND's inet_ntop6): lowercase hex without leading zeros, the longest run
 * of two or more zero groups (the first, on a tie) as `::`, and an embedded IPv4 address for
 * IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses.
 */
export function formatIp6(d: Uint8Array, o: number): string {
  const w0 = (d[o] << 8) | d[o + 1];
  const w1 = (d[o + 2] << 8) | d[o + 3];
  const w2 = (d[o + 4] << 8) | d[o + 5];
  const w3 = (d[o + 6] << 8) | d[o + 7];
  const w4 = (d[o + 8] << 8) | d[o + 9];
  const w5 = (d[o + 10] << 8) | d[o + 11];
  const w6 = (d[o + 12] << 8) | d[o + 13];
  const w7 = (d[o + 14] << 8) | d[o + 15];
  const words = [w0, w1, w2, w3, w4, w5, w6, w7];
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w5 === 0xffff))) {
      s += DEC[d[o + 12]] + '.' + DEC[d[o + 13]] + '.' + DEC[d[o + 14]] + '.' + DEC[d[o + 15]];
      return s;
    }
    s += words[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}
