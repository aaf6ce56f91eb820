/**
 * A check policy: which conditions fail a connection, which peers are exempt, how many
 * connections of a kind are tolerated, from the command line and/or a policy file.
 *
 * Precedence: the command line over the policy file over the defaults. `--fail-on` replaces the
 * failing set (`default` and `all` name the built-in sets); `--allow` removes conditions from it;
 * a threshold (`--max NAME=N`, `--max-resets N`) judges its condition and tolerates up to N
 * connections with it; `--allow-port`, `--allow-host` and the file's `exempt` entries exempt
 * connections by endpoint. Lists from the file and the command line add up.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BlockList } from 'node:net';
import { TcpscopeError, type ErrorCode } from '../errors.js';
import { parseIp4, parseIp6 } from '../track/address.js';
import {
  ALL_CONDITIONS, CONDITION_NAMES, type ConditionMask, DEFAULT_FAIL_MASK, closestName, conditionBit, namesOf, suggestCondition,
} from './conditions.js';

/**
 * node:net (isIP, BlockList), loaded when a policy names hosts, not with this module: every run
 * loads this module (the CLI's options), and node:net brings its streams along.
 */
let netModule: typeof import('node:net') | null = null;
function net(): typeof import('node:net') {
  return netModule ??= createRequire(import.meta.url)('node:net') as typeof import('node:net');
}

/** Settings as the command line or a policy file give them (all optional). */
export interface PolicySettings {
  failOn?: string[];
  allow?: string[];
  allowPorts?: string[];
  allowHosts?: string[];
  /** condition name → connections tolerated */
  max?: Record<string, number>;
  minConnections?: number;
  exempt?: ExemptionSpec[];
}

/** One `exempt` entry of a policy file. */
export interface ExemptionSpec {
  host?: string | string[];
  port?: number | string | (number | string)[];
  conditions?: string[];
  reason?: string;
}

interface PortRange { lo: number; hi: number }

/**
 * A connection's two endpoints as numbers, for matching exemptions without formatting addresses:
 * `words` holds the client's address (0–3) then the server's (4–7), each as four big-endian
 * 32-bit words in IPv6 form, an IPv4 address as IPv4-mapped (::ffff:a.b.c.d: see Exemption).
 */
export interface EndpointWords {
  words: Uint32Array;
  clientPort: number;
  serverPort: number;
}

/** Connections exempted by endpoint: any listed host AND any listed port (either end), for some conditions. */
export class Exemption {
  private readonly blocks: BlockList | null;
  /**
   * The hosts as 128-bit networks, five words each (four address words, then the prefix length),
   * for `matchesWords`; null when a host has a form this parser leaves to BlockList (a zone).
   *
   * One address space for both families, as node's BlockList (what `matches` asks) compares
   * them: an IPv4 address or block is its IPv4-mapped IPv6 form (a.b.c.d/p is ::ffff:a.b.c.d/96+p),
   * so an IPv4 block covers a mapped IPv6 address and an IPv6 block such as ::/64 covers IPv4
   * addresses (test/check/lazy-record.test.ts checks both against BlockList).
   */
  private readonly nets: Uint32Array | null;
  constructor(
    readonly hosts: string[],
    private readonly ports: PortRange[],
    /** the conditions it exempts */
    readonly mask: ConditionMask,
    /** why, for the report: the policy's reason or the option that made it */
    readonly reason: string,
  ) {
    this.blocks = hosts.length === 0 ? null : new (net().BlockList)();
    for (const h of hosts) addHost(this.blocks as BlockList, h);
    this.nets = hostNets(hosts);
  }

  /** Does it cover the connection between these endpoints ("addr:port", IPv6 in brackets)? */
  matches(client: string, server: string): boolean {
    const c = splitEndpoint(client), s = splitEndpoint(server);
    if (this.blocks !== null && !(hostIn(this.blocks, c.addr) || hostIn(this.blocks, s.addr))) return false;
    return this.portsCover(c.port, s.port);
  }

  /** Do the ports (when it lists any) cover either end's port? */
  private portsCover(clientPort: number, serverPort: number): boolean {
    if (this.ports.length === 0) return true;
    for (const r of this.ports) {
      if ((clientPort >= r.lo && clientPort <= r.hi) || (serverPort >= r.lo && serverPort <= r.hi)) return true;
    }
    return false;
  }

  /**
   * The same question on numbers (a connection as the flow table holds it: no address text is
   * formatted or parsed). `text` gives the endpoints' text, asked only when a host is one the
   * numeric form does not cover.
   */
  matchesWords(ep: EndpointWords, text: () => [string, string]): boolean {
    if (this.nets === null) {
      const [client, server] = text();
      return this.matches(client, server);
    }
    if (!this.portsCover(ep.clientPort, ep.serverPort)) return false;
    const nets = this.nets;
    if (nets.length === 0) return true;
    for (let n = 0; n < nets.length; n += 5) {
      if (inNet(nets, n, ep.words, 0) || inNet(nets, n, ep.words, 4)) return true;
    }
    return false;
  }

  describe(): string {
    return this.reason;
  }
}

export interface Policy {
  /** conditions that fail a connection */
  failMask: ConditionMask;
  /** connections tolerated per condition bit index (-1: none tolerated) */
  maxByBit: Int32Array;
  exemptions: Exemption[];
  /** fewer TCP connections than this fails the check (a capture that saw nothing) */
  minConnections: number;
}

/** The built-in policy. */
export function defaultPolicy(): Policy {
  return buildPolicy({}, {});
}

function fail(code: ErrorCode, message: string, file?: string): never {
  throw new TcpscopeError(code, message, { file, exitStatus: 2 });
}

/**
 * Parse a list of condition names: comma and/or space separated, with the keywords `default`
 * (the built-in set), `all` and `none`. `where` names the option or key for messages.
 */
export function parseConditionList(words: string[], where: string, code: ErrorCode = 'BAD_OPTION', file?: string): ConditionMask {
  let mask = 0;
  for (const word of words.flatMap((w) => w.split(/[\s,]+/)).filter((w) => w !== '')) {
    const name = word.toLowerCase();
    if (name === 'default') mask |= DEFAULT_FAIL_MASK;
    else if (name === 'all') mask |= ALL_CONDITIONS;
    else if (name === 'none') continue;
    else {
      const bit = conditionBit(name);
      if (bit === 0) {
        const hint = suggestCondition(name);
        fail(code, `unknown condition '${word}' in ${where}${hint !== null ? ` (did you mean '${hint}'?)` : ''}; conditions: ${CONDITION_NAMES.join(', ')}, default, all, none`, file);
      }
      mask |= bit;
    }
  }
  return mask >>> 0;
}

/**
 * An empty failing set is refused: `--fail-on "$CONDITIONS"` with the variable unset, or
 * `"fail_on": []`, would otherwise turn the gate off without a word. Judging nothing is said
 * with `none`.
 */
function refuseEmptyList(words: string[], where: string, code: ErrorCode, file?: string): void {
  if (words.some((w) => /[^\s,]/.test(w))) return;
  fail(code, `${where} names no condition: list the conditions to fail on ('default', 'all', or 'none' to judge nothing)`, file);
}

/** A port or range: `9200`, `8000-8100`. */
export function parsePort(v: string | number, where: string, code: ErrorCode = 'BAD_OPTION', file?: string): PortRange {
  const s = String(v).trim();
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  const lo = m ? Number(m[1]) : NaN, hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo > 65535 || hi > 65535 || lo > hi) fail(code, `invalid port '${s}' in ${where}: expected a port 0-65535 or a range such as 8000-8100`, file);
  return { lo, hi };
}

/** An address or CIDR block: `10.0.0.5`, `10.1.0.0/16`, `::1`, `2001:db8::/32`. */
export function checkHost(v: string, where: string, code: ErrorCode = 'BAD_OPTION', file?: string): string {
  const s = String(v).trim();
  const [addr, prefix, extra] = s.split('/');
  const family = net().isIP(addr ?? '');
  const maxPrefix = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxPrefix))) {
    fail(code, `invalid host '${s}' in ${where}: expected an IPv4 or IPv6 address, optionally with a /prefix (e.g. 10.1.0.0/16)`, file);
  }
  // as the filter language refuses `net 10.0.0.1/8`: a typo for a host or for a network
  if (prefix !== undefined && hostBitsSet(addr, Number(prefix), family)) {
    fail(code, `invalid host '${s}' in ${where}: non-network bits set (a network is written with them 0, e.g. 10.0.0.0/8; a host without /prefix)`, file);
  }
  return s;
}

/**
 * Does `addr` have a 1 bit past its first `len` bits? In the exemptions' one 128-bit space
 * (ipv4Words: IPv4 as ::ffff:a.b.c.d, its prefix 96 longer); a zone does not count.
 */
function hostBitsSet(addr: string, len: number, family: number): boolean {
  const words = family === 4 ? ipv4Words(addr) : ipv6Words(addr.split('%')[0]);
  if (words === null) return false; // a form the tracker's parser does not take (checked by isIP)
  const bits = len + (family === 4 ? 96 : 0);
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, bits - i * 32));
    if (keep < 32 && (words[i] & (0xffffffff >>> keep)) !== 0) return true;
  }
  return false;
}

function addHost(list: BlockList, s: string): void {
  const [addr, prefix] = s.split('/');
  const type = net().isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) list.addAddress(addr, type);
  else list.addSubnet(addr, Number(prefix), type);
}

function hostIn(list: BlockList, addr: string): boolean {
  const fam = net().isIP(addr);
  if (fam === 0) return false;
  return list.check(addr, fam === 6 ? 'ipv6' : 'ipv4');
}

/** Is the address at `words[at..at+3]` in the network at `nets[n..n+4]` (four words, prefix length)? */
function inNet(nets: Uint32Array, n: number, words: Uint32Array, at: number): boolean {
  let bits = nets[n + 4];
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const m = bits >= 32 ? 0xffffffff : ~(0xffffffff >>> bits);
    if (((words[at + i] ^ nets[n + i]) & m) !== 0) return false;
  }
  return true;
}

/** `hosts` (checked by checkHost) as five words each: see Exemption.nets. Null when one is not parsed here. */
function hostNets(hosts: string[]): Uint32Array | null {
  const nets = new Uint32Array(hosts.length * 5);
  for (let k = 0; k < hosts.length; k++) {
    const [addr, prefix] = hosts[k].split('/');
    const v4 = net().isIP(addr) === 4;
    const words = v4 ? ipv4Words(addr) : ipv6Words(addr);
    if (words === null) return null;
    nets.set(words, k * 5);
    nets[k * 5 + 4] = prefix === undefined ? 128 : Number(prefix) + (v4 ? 96 : 0);
  }
  return nets;
}

/** a.b.c.d as its IPv4-mapped IPv6 words (::ffff:a.b.c.d). */
function ipv4Words(s: string): number[] | null {
  const w = parseIp4(s);
  return w === undefined ? null : [0, 0, 0xffff, w];
}

/** An IPv6 address's four big-endian words ('::' and a dotted IPv4 tail allowed); null for anything else (a zone). */
function ipv6Words(s: string): number[] | null {
  if (s.includes('%')) return null;
  const b = parseIp6(s);
  if (b === undefined) return null;
  const v = new DataView(b.buffer, b.byteOffset, 16);
  return [v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)];
}

/** "10.0.0.1:80" or "[2001:db8::1]:80" → address and port. */
export function splitEndpoint(ep: string): { addr: string; port: number } {
  const i = ep.lastIndexOf(':');
  let addr = ep.slice(0, i);
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  return { addr, port: Number(ep.slice(i + 1)) };
}

/** Combine the policy file's settings and the command line's into a Policy. */
export function buildPolicy(file: PolicySettings, cli: PolicySettings, fileName?: string): Policy {
  const fileCode: ErrorCode = 'POLICY';
  // the failing set: --fail-on, else the file's fail_on, else the default
  if (cli.failOn !== undefined) refuseEmptyList(cli.failOn, '--fail-on', 'BAD_OPTION');
  else if (file.failOn !== undefined) refuseEmptyList(file.failOn, 'fail_on', fileCode, fileName);
  let failMask = cli.failOn !== undefined ? parseConditionList(cli.failOn, '--fail-on')
    : file.failOn !== undefined ? parseConditionList(file.failOn, 'fail_on', fileCode, fileName)
      : DEFAULT_FAIL_MASK;
  // thresholds judge their condition
  const maxByBit = new Int32Array(CONDITION_NAMES.length).fill(-1);
  const setMax = (src: Record<string, number> | undefined, where: string, code: ErrorCode, f?: string): void => {
    for (const [name, n] of Object.entries(src ?? {})) {
      const bit = parseConditionList([name], where, code, f);
      if (!Number.isInteger(n) || n < 0) fail(code, `invalid threshold for '${name}' in ${where}: expected a whole number ≥ 0`, f);
      for (let i = 0; i < CONDITION_NAMES.length; i++) if ((bit >>> i) & 1) maxByBit[i] = n;
      failMask |= bit;
    }
  };
  setMax(file.max, 'max', fileCode, fileName);
  setMax(cli.max, '--max', 'BAD_OPTION');
  // --allow and the file's allow take conditions out
  const allow = (file.allow !== undefined ? parseConditionList(file.allow, 'allow', fileCode, fileName) : 0) |
    (cli.allow !== undefined ? parseConditionList(cli.allow, '--allow') : 0);
  failMask = (failMask & ~allow) >>> 0;

  const exemptions: Exemption[] = [];
  const label = fileName ?? 'the policy file';
  for (const h of file.allowHosts ?? []) exemptions.push(new Exemption([checkHost(h, 'allow_hosts', fileCode, fileName)], [], ALL_CONDITIONS, `allow_hosts ${h} (${label})`));
  for (const p of file.allowPorts ?? []) exemptions.push(new Exemption([], [parsePort(p, 'allow_ports', fileCode, fileName)], ALL_CONDITIONS, `allow_ports ${p} (${label})`));
  for (const [i, e] of (file.exempt ?? []).entries()) exemptions.push(exemptionFromSpec(e, `exempt[${i}]`, fileName, label));
  for (const h of cli.allowHosts ?? []) exemptions.push(new Exemption([checkHost(h, '--allow-host')], [], ALL_CONDITIONS, `--allow-host ${h}`));
  for (const p of cli.allowPorts ?? []) exemptions.push(new Exemption([], [parsePort(p, '--allow-port')], ALL_CONDITIONS, `--allow-port ${p}`));

  const minConnections = cli.minConnections ?? file.minConnections ?? 0;
  if (!Number.isInteger(minConnections) || minConnections < 0) fail(cli.minConnections !== undefined ? 'BAD_OPTION' : fileCode, 'invalid min_connections: expected a whole number ≥ 0', fileName);
  return { failMask, maxByBit, exemptions, minConnections };
}

function exemptionFromSpec(e: ExemptionSpec, where: string, fileName: string | undefined, label: string): Exemption {
  const code: ErrorCode = 'POLICY';
  if (e === null || typeof e !== 'object' || Array.isArray(e)) fail(code, `${where} must be an object with host and/or port`, fileName);
  for (const k of Object.keys(e)) {
    if (!['host', 'port', 'conditions', 'reason'].includes(k)) fail(code, `unknown key '${k}' in ${where}: expected host, port, conditions, reason`, fileName);
  }
  const hosts = e.host === undefined ? [] : (Array.isArray(e.host) ? e.host : [e.host]).map((h) => checkHost(String(h), `${where}.host`, code, fileName));
  const ports = e.port === undefined ? [] : (Array.isArray(e.port) ? e.port : [e.port]).map((p) => parsePort(p, `${where}.port`, code, fileName));
  if (hosts.length === 0 && ports.length === 0) fail(code, `${where} needs a host or a port (exempting every connection is --fail-on none)`, fileName);
  if (e.conditions !== undefined && !isStringList(e.conditions)) fail(code, `${where}.conditions must be a list of condition names`, fileName);
  const mask = e.conditions === undefined ? ALL_CONDITIONS : parseConditionList(e.conditions, `${where}.conditions`, code, fileName);
  if (e.reason !== undefined && typeof e.reason !== 'string') fail(code, `${where}.reason must be a string`, fileName);
  const what = [hosts.length ? `host ${hosts.join(' ')}` : '', ports.length ? `port ${[e.port].flat().join(' ')}` : ''].filter(Boolean).join(' ');
  const conds = e.conditions === undefined ? '' : ` for ${namesOf(mask).join(', ')}`;
  return new Exemption(hosts, ports, mask, e.reason !== undefined ? `${e.reason} (${label}: ${what}${conds})` : `${label} ${where}: ${what}${conds}`);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

const FILE_KEYS = ['fail_on', 'allow', 'allow_ports', 'allow_hosts', 'max', 'min_connections', 'exempt'];

/**
 * Read a policy file (JSON). Keys: fail_on, allow, allow_ports, allow_hosts, max, min_connections,
 * exempt (`-` and `_` are the same in keys; `$schema` and `comment` are ignored). Every mistake
 * is a POLICY error naming the file (exit status 2).
 */
export function readPolicyFile(path: string): PolicySettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail('POLICY', code === 'ENOENT' ? 'no such policy file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a policy file' : (e as Error).message, path);
  }
  return parsePolicyText(text, path);
}

/** Parse the text of a policy file (`path` names it in messages). */
export function parsePolicyText(text: string, path: string): PolicySettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    // V8 names the position in some messages only (never for `Unexpected token` or the end of
    // the input): the error is located here the same way for every message
    const pos = /position (\d+)/.exec(msg);
    const end = /^Unexpected end of JSON input/.test(msg);
    // the end of the input: just after its last character that is not white space
    const at = pos ? Number(pos[1]) : end ? text.replace(/[ \t\n\r]+$/, '').length : jsonErrorIndex(text);
    // JSON's white space only (not String#trim's, which takes U+00A0 and U+FEFF too)
    const what = /^[ \t\n\r]*$/.test(text) ? 'the file is empty' : end ? 'the text ends inside a value'
      // V8 quotes the token raw (a line break too) and a piece of the text after it: one line here
      : /^Unexpected token/.test(msg) && at !== undefined ? `unexpected ${describeChar(text.codePointAt(at))}`
      : msg.replace(/ (?:in JSON )?at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '').replace(/^JSON\.parse: /, '').replace(/\s+/g, ' ');
    // text that starts as YAML, TOML or an INI file would (a name, a comment, `---`), not as
    // JSON: say what a policy file is, beside where JSON.parse stopped
    const hint = /^\ufeff?[ \t\n\r]*(?:[A-Za-z_#]|---)/.test(text) ? ' (policy files are JSON: {"fail_on": ["default"]})' : '';
    if (at === undefined) throw new TcpscopeError('POLICY', `not valid JSON: ${what}${hint}`, { file: path, exitStatus: 2 });
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new TcpscopeError('POLICY', `not valid JSON at line ${line}, column ${column}: ${what}${hint}`, { file: path, offset: Buffer.byteLength(before, 'utf8'), exitStatus: 2 });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('POLICY', 'a policy file holds one JSON object, e.g. {"fail_on": ["default"]}', path);
  // JSON.parse keeps the last of two equal keys without a word: one setting would be lost
  const dup = duplicateKey(text);
  if (dup !== null) {
    const before = text.slice(0, dup.at);
    throw new TcpscopeError('POLICY', `key '${dup.key}' given twice in one object (line ${before.split('\n').length}): JSON would keep only the last`, { file: path, offset: Buffer.byteLength(before, 'utf8'), exitStatus: 2 });
  }
  const obj: Record<string, unknown> = {};
  const spelt: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = k.replace(/-/g, '_').toLowerCase();
    if (key === '$schema' || key === 'comment') continue;
    // `fail-on` and `fail_on` are the same key
    if (spelt[key] !== undefined) fail('POLICY', `key '${k}' given twice (also as '${spelt[key]}'): JSON would keep only the last`, path);
    spelt[key] = k;
    if (!FILE_KEYS.includes(key)) {
      const near = closestName(key, FILE_KEYS);
      fail('POLICY', `unknown key '${k}'${near ? ` (did you mean '${near}'?)` : ''}; keys: ${FILE_KEYS.join(', ')}`, path);
    }
    obj[key] = v;
  }
  const out: PolicySettings = {};
  const list = (key: string): string[] | undefined => {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      return fail('POLICY', `${key} must be a list, not a string: ${JSON.stringify(key)}: [${JSON.stringify(v)}]`, path);
    }
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || (typeof x === 'number' && key === 'allow_ports'))) return v.map(String);
    return fail('POLICY', `${key} must be a list of ${key === 'allow_ports' ? 'ports' : key === 'allow_hosts' ? 'addresses' : 'condition names'}`, path);
  };
  out.failOn = list('fail_on');
  out.allow = list('allow');
  out.allowPorts = list('allow_ports');
  out.allowHosts = list('allow_hosts');
  if (obj.max !== undefined) {
    if (obj.max === null || typeof obj.max !== 'object' || Array.isArray(obj.max)) fail('POLICY', 'max must be an object of condition names to counts, e.g. {"reset": 2}', path);
    out.max = obj.max as Record<string, number>;
  }
  if (obj.min_connections !== undefined) out.minConnections = obj.min_connections as number;
  if (obj.exempt !== undefined) {
    if (!Array.isArray(obj.exempt)) fail('POLICY', 'exempt must be a list of {host, port, conditions, reason} objects', path);
    out.exempt = obj.exempt as ExemptionSpec[];
  }
  return out;
}

/**
 * The first key that repeats a key of the same object in `text` (valid JSON: JSON.parse took
 * it), with the index of its opening quote; null when none does. Keys compare as JSON.parse
 * reads them (escapes decoded).
 */
function duplicateKey(text: string): { key: string; at: number } | null {
  // per open object or array: the keys seen (null for an array)
  const stack: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') stack.push(new Set());
    else if (ch === '[') stack.push(null);
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const keys = stack[stack.length - 1];
      if (keys === null || keys === undefined) continue;
      // a key is a string followed by ':'
      let j = i + 1;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (text[j] !== ':') continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) return { key, at: start };
      keys.add(key);
    }
  }
  return null;
}

/** The policy as data, for the verdict record and the JUnit properties. */
export function describePolicy(p: Policy): { fail_on: string[]; max: Record<string, number>; exempt: string[]; min_connections: number } {
  const max: Record<string, number> = {};
  for (let i = 0; i < p.maxByBit.length; i++) if (p.maxByBit[i] >= 0 && ((p.failMask >>> i) & 1)) max[CONDITION_NAMES[i]] = p.maxByBit[i];
  return { fail_on: namesOf(p.failMask), max, exempt: p.exemptions.map((e) => e.describe()), min_connections: p.minConnections };
}

/** A character as an error message shows it: quoted when printable, else by its code point. */
function describeChar(c: number | undefined): string {
  if (c === undefined) return 'end of the text';
  if (c === 0x0a || c === 0x0d) return 'line break';
  if (c > 0x20 && c < 0x7f) return `'${String.fromCodePoint(c)}'`;
  return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Where JSON.parse gave up on `text` (which it refused): the index of the first character that
 * cannot continue a JSON value, or text.length when the text ends inside one; undefined when the
 * walk cannot tell. Only for messages; a small recursive walk over JSON's grammar (RFC 8259).
 */
function jsonErrorIndex(text: string): number | undefined {
  let i = 0;
  const fail = (): never => { throw i; };
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const literal = (word: string): void => {
    for (const c of word) { if (text[i] !== c) fail(); i++; }
  };
  const str = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c < 0x20) fail();
      if (c !== 0x5c) { i++; continue; }
      i++; // a backslash: one of JSON's escapes
      if (text[i] === 'u') {
        i++;
        for (let k = 0; k < 4; k++) { if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail(); i++; }
      } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
      else fail();
    }
  };
  const digits = (): void => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };
  const num = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') { i++; digits(); }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str(); ws();
        if (text[i] !== ':') fail();
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    } else if (c === '"') str();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || isDigit(c)) num();
    else fail();
  };
  try {
    value(); ws();
    return Math.min(i, text.length);
  } catch (at) {
    // a number is where the walk stopped; anything else (a RangeError: nesting deeper than this
    // recursive walk's stack, which V8's own parser does not mind) leaves the place unknown
    return typeof at === 'number' ? Math.min(at, text.length) : undefined;
  }
}
