/**
 * Scanner for pcap-filter expressions, token for token as libpcap's flex scanner (scanner.l).
 *
 * flex takes the longest match at each position and, among equally long matches, the rule
 * written first. That decides things users notice: `tcp-syn` is the number 2 (not `tcp` `-`
 * `syn`), `001122334455` is a MAC address, `1e` is a name, `::1` is an address and not two
 * colons. So every rule is tried and the longest wins, ties broken by libpcap's rule order.
 * Regular expressions are fine here: this runs once per expression, never per packet.
 */
import type { ProtoQual } from './ast.js';

export type TokKind =
  | 'NUM'
  | 'ID'
  | 'HID'
  | 'HID6'
  | 'EID'
  | 'AID'
  | 'PNAME'
  | 'DST'
  | 'SRC'
  | 'HOST'
  | 'NET'
  | 'NETMASK'
  | 'PORT'
  | 'PORTRANGE'
  | 'PROTO'
  | 'PROTOCHAIN'
  | 'GATEWAY'
  | 'LESS'
  | 'GREATER'
  | 'BYTE'
  | 'BROADCAST'
  | 'MULTICAST'
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'LEN'
  | 'INBOUND'
  | 'OUTBOUND'
  | 'IFINDEX'
  | 'VLAN'
  | 'ADDR1'
  | 'ADDR2'
  | 'ADDR3'
  | 'ADDR4'
  | 'RA'
  | 'TA'
  /** a keyword of a libpcap feature tcpscope does not implement (mpls, atm, pf, 802.11...) */
  | 'UNSUPPORTED'
  | '('
  | ')'
  | '['
  | ']'
  | ':'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '&'
  | '|'
  | '^'
  | '<'
  | '>'
  | '='
  | 'GEQ'
  | 'LEQ'
  | 'NEQ'
  | 'LSH'
  | 'RSH'
  | 'EOF';

export interface Token {
  kind: TokKind;
  /** the text as written (for a backslash-escaped ID, without the backslash) */
  text: string;
  start: number;
  end: number;
  /** NUM: the value */
  num: number;
  /** PNAME: the protocol (implemented ones as ProtoQual; others by name, rejected later) */
  pname: ProtoQual | string;
}

/** A problem found while scanning; the parser turns it into a syntax error with a caret. */
export class LexError {
  constructor(readonly message: string, readonly start: number, readonly end: number) {}
}

// ---- keyword tables ------------------------------------------------------------------------

/** Protocol names (grammar `pname`); several spellings mean the link layer. */
const PNAMES: Record<string, string> = {
  link: 'link', ether: 'link', ppp: 'link', slip: 'link', fddi: 'link', tr: 'link', wlan: 'link',
  arp: 'arp', rarp: 'rarp', ip: 'ip', sctp: 'sctp', tcp: 'tcp', udp: 'udp', icmp: 'icmp',
  igmp: 'igmp', igrp: 'igrp', pim: 'pim', vrrp: 'vrrp', carp: 'carp', radio: 'radio',
  ip6: 'ip6', icmp6: 'icmp6', ah: 'ah', esp: 'esp',
  atalk: 'atalk', aarp: 'aarp', decnet: 'decnet', lat: 'lat', sca: 'sca', moprc: 'moprc', mopdl: 'mopdl',
  iso: 'iso', esis: 'esis', 'es-is': 'esis', isis: 'isis', 'is-is': 'isis', l1: 'l1', l2: 'l2',
  iih: 'iih', lsp: 'lsp', snp: 'snp', csnp: 'csnp', psnp: 'psnp', clnp: 'clnp', stp: 'stp',
  ipx: 'ipx', netbeui: 'netbeui',
};

const KEYWORDS: Record<string, TokKind> = {
  dst: 'DST', src: 'SRC', host: 'HOST', net: 'NET', mask: 'NETMASK', port: 'PORT', portrange: 'PORTRANGE',
  proto: 'PROTO', protochain: 'PROTOCHAIN', gateway: 'GATEWAY',
  address1: 'ADDR1', addr1: 'ADDR1', address2: 'ADDR2', addr2: 'ADDR2', address3: 'ADDR3', addr3: 'ADDR3',
  address4: 'ADDR4', addr4: 'ADDR4', ra: 'RA', ta: 'TA',
  less: 'LESS', greater: 'GREATER', byte: 'BYTE', broadcast: 'BROADCAST', multicast: 'MULTICAST',
  and: 'AND', or: 'OR', not: 'NOT', len: 'LEN', length: 'LEN', inbound: 'INBOUND', outbound: 'OUTBOUND',
  ifindex: 'IFINDEX', vlan: 'VLAN',
};

/** libpcap keywords for features outside tcpscope's scope; named in the error. */
const UNSUPPORTED_KEYWORDS = [
  'type', 'subtype', 'direction', 'dir', 'mpls', 'pppoed', 'pppoes', 'geneve',
  'lane', 'llc', 'metac', 'bcc', 'oam', 'oamf4', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'vpi', 'vci',
  'connectmsg', 'metaconnect', 'on', 'ifname', 'rset', 'ruleset', 'rnr', 'rulenum', 'srnr', 'subrulenum',
  'reason', 'action', 'fisu', 'lssu', 'lsu', 'msu', 'hfisu', 'hlssu', 'hmsu', 'sio', 'opc', 'dpc', 'sls',
  'hsio', 'hopc', 'hdpc', 'hsls',
];

/** Named constants the scanner returns as numbers (byte offsets, ICMP types, TCP flag bits). */
export const NUMBER_KEYWORDS: Record<string, number> = {
  icmptype: 0, icmpcode: 1,
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5, 'icmp-echo': 8,
  'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17,
  'icmp-maskreply': 18,
  icmp6type: 0, icmp6code: 1,
  'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3, 'icmp6-parameterproblem': 4,
  'icmp6-echo': 128, 'icmp6-echoreply': 129, 'icmp6-multicastlistenerquery': 130,
  'icmp6-multicastlistenerreportv1': 131, 'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133,
  'icmp6-routeradvert': 134, 'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136, 'icmp6-redirect': 137,
  'icmp6-routerrenum': 138, 'icmp6-nodeinformationquery': 139, 'icmp6-nodeinformationresponse': 140,
  'icmp6-ineighbordiscoverysolicit': 141, 'icmp6-ineighbordiscoveryadvert': 142,
  'icmp6-multicastlistenerreportv2': 143, 'icmp6-homeagentdiscoveryrequest': 144,
  'icmp6-homeagentdiscoveryreply': 145, 'icmp6-mobileprefixsolicit': 146, 'icmp6-mobileprefixadvert': 147,
  'icmp6-certpathsolicit': 148, 'icmp6-certpathadvert': 149, 'icmp6-multicastrouteradvert': 151,
  'icmp6-multicastroutersolicit': 152, 'icmp6-multicastrouterterm': 153,
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10,
  'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

const WORD_KEYWORDS: Map<string, { kind: TokKind; pname: string }> = new Map();
for (const [w, p] of Object.entries(PNAMES)) WORD_KEYWORDS.set(w, { kind: 'PNAME', pname: p });
for (const [w, k] of Object.entries(KEYWORDS)) WORD_KEYWORDS.set(w, { kind: k, pname: '' });
for (const w of UNSUPPORTED_KEYWORDS) WORD_KEYWORDS.set(w, { kind: 'UNSUPPORTED', pname: '' });
const MAX_KEYWORD = Math.max(...[...WORD_KEYWORDS.keys(), ...Object.keys(NUMBER_KEYWORDS)].map((w) => w.length));

// ---- token patterns (scanner.l's definitions) ----------------------------------------------

const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const B = '[0-9A-Fa-f]{1,2}';
const B2 = '[0-9A-Fa-f]{4}';
const W = '[0-9A-Fa-f]{1,4}';
const V4 = `${N}\\.${N}\\.${N}\\.${N}`;

function sticky(src: string): RegExp {
  return new RegExp(src, 'y');
}

const MAC_PATTERNS = [
  `${B}:${B}:${B}:${B}:${B}:${B}`,
  `${B}-${B}-${B}-${B}-${B}-${B}`,
  `${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}`,
  `${B2}\\.${B2}\\.${B2}`,
  `${B2}${B2}${B2}`,
].map(sticky);

const N_PATTERN = sticky(N);
const HID_PATTERNS = [`${N}\\.${N}\\.${N}\\.${N}`, `${N}\\.${N}\\.${N}`, `${N}\\.${N}`].map(sticky);

/** Every IPv6 spelling scanner.l lists: 8 groups, `::` with up to 7 groups around it, and
 *  the forms ending in a dotted quad (6 groups, or `::` with up to 5). */
function ipv6Patterns(): RegExp[] {
  const groups = (n: number) => Array.from({ length: n }, () => W).join(':');
  const out: string[] = [groups(8), `${groups(6)}:${V4}`];
  for (let total = 0; total <= 7; total++) {
    for (let before = 0; before <= total; before++) {
      out.push(`${groups(before)}::${groups(total - before)}`);
    }
  }
  for (let total = 0; total <= 5; total++) {
    for (let before = 0; before <= total; before++) {
      const after = total - before;
      out.push(`${groups(before)}::${after > 0 ? groups(after) + ':' : ''}${V4}`);
    }
  }
  return out.map(sticky);
}
const V6_PATTERNS = ipv6Patterns();
const BOGUS_ETHER = sticky(`${B}:+(?:${B}:+)+`);
const ID_RUN = sticky('[A-Za-z0-9][-_.A-Za-z0-9]*');
/** the characters any address token is made of */
const ADDRESS_RUN = sticky('[0-9A-Fa-fxX:.-]*');

function matchLength(re: RegExp, s: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(s);
  return m === null ? 0 : m[0].length;
}

function longest(res: RegExp[], s: string, at: number): number {
  let best = 0;
  for (const re of res) best = Math.max(best, matchLength(re, s, at));
  return best;
}

/** Rule priorities: lower wins among equally long matches (scanner.l order). */
const enum Rule { Keyword, Punct, Aid, Mac, Num, Hid, V6, BogusEther, NumKeyword, Id, Escaped }

const TWO_CHAR: Record<string, TokKind> = { '>=': 'GEQ', '<=': 'LEQ', '!=': 'NEQ', '==': '=', '<<': 'LSH', '>>': 'RSH', '&&': 'AND', '||': 'OR' };
const ONE_CHAR = '+-*/%:[]!<>()&|^=';

/** stoulen: decimal, 0x hex or 0-prefixed octal, at most 32 bits. */
function parseNumber(text: string, start: number): number {
  let v = 0;
  let base = 10;
  let digits = text;
  if (text.length > 1 && text[0] === '0') {
    if (text[1] === 'x' || text[1] === 'X') { base = 16; digits = text.slice(2); }
    else { base = 8; digits = text.slice(1); }
  }
  for (const ch of digits) {
    const d = parseInt(ch, 16);
    if (base === 8 && d > 7) throw new LexError(`number ${text} contains non-octal digit`, start, start + text.length);
    v = v * base + d;
    if (v > 0xffffffff) throw new LexError(`number ${text} overflows 32 bits`, start, start + text.length);
  }
  return v;
}

export function tokenize(expr: string): Token[] {
  const toks: Token[] = [];
  let p = 0;
  const push = (kind: TokKind, start: number, end: number, text = expr.slice(start, end), num = 0, pname = ''): void => {
    toks.push({ kind, text, start, end, num, pname });
  };
  while (p < expr.length) {
    const c = expr[p];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { p++; continue; }

    let bestLen = 0;
    let bestRule = Rule.Escaped as Rule;
    const consider = (len: number, rule: Rule): void => {
      if (len > bestLen || (len === bestLen && len > 0 && rule < bestRule)) { bestLen = len; bestRule = rule; }
    };

    // keywords: the longest keyword spelled here
    let kwLen = 0;
    let numKwLen = 0;
    for (let l = Math.min(MAX_KEYWORD, expr.length - p); l > 0; l--) {
      const w = expr.slice(p, p + l);
      if (kwLen === 0 && WORD_KEYWORDS.has(w)) kwLen = l;
      if (numKwLen === 0 && w in NUMBER_KEYWORDS) numKwLen = l;
    }
    consider(kwLen, Rule.Keyword);
    if (ONE_CHAR.includes(c)) consider(1, Rule.Punct);
    if (TWO_CHAR[expr.slice(p, p + 2)] !== undefined) consider(2, Rule.Punct);
    if (c === '$') {
      const l = longest([sticky(B)], expr, p + 1);
      if (l > 0) consider(l + 1, Rule.Aid);
    }
    // the address patterns are many; try them only where their separators appear
    const run = matchLength(ADDRESS_RUN, expr, p);
    const chars = expr.slice(p, p + run);
    const colon = chars.includes(':');
    if (run >= 11 || colon) consider(longest(MAC_PATTERNS, expr, p), Rule.Mac);
    consider(matchLength(N_PATTERN, expr, p), Rule.Num);
    if (chars.includes('.')) consider(longest(HID_PATTERNS, expr, p), Rule.Hid);
    if (colon) {
      consider(longest(V6_PATTERNS, expr, p), Rule.V6);
      consider(matchLength(BOGUS_ETHER, expr, p), Rule.BogusEther);
    }
    consider(numKwLen, Rule.NumKeyword);
    let idLen = matchLength(ID_RUN, expr, p);
    while (idLen > 1 && (expr[p + idLen - 1] === '-' || expr[p + idLen - 1] === '_')) idLen--;
    consider(idLen, Rule.Id);
    if (c === '\\') {
      let e = p + 1;
      while (e < expr.length && !' !()\n\t'.includes(expr[e])) e++;
      if (e > p + 1) consider(e - p, Rule.Escaped);
    }

    if (bestLen === 0) throw new LexError(`unexpected character '${c}'`, p, p + 1);
    const start = p;
    const end = p + bestLen;
    const text = expr.slice(start, end);
    p = end;
    switch (bestRule) {
      case Rule.Keyword: {
        const kw = WORD_KEYWORDS.get(text)!;
        push(kw.kind, start, end, text, 0, kw.pname);
        break;
      }
      case Rule.Punct:
        push(bestLen === 2 ? TWO_CHAR[text] : text === '!' ? 'NOT' : (text as TokKind), start, end);
        break;
      case Rule.Aid: push('AID', start, end); break;
      case Rule.Mac: push('EID', start, end); break;
      case Rule.Num: push('NUM', start, end, text, parseNumber(text, start)); break;
      case Rule.Hid: push('HID', start, end); break;
      case Rule.V6:
        if (parseIPv6(text) === null) throw new LexError(`bogus IPv6 address ${text}`, start, end);
        push('HID6', start, end);
        break;
      case Rule.BogusEther: throw new LexError(`bogus ethernet address ${text}`, start, end);
      case Rule.NumKeyword: push('NUM', start, end, text, NUMBER_KEYWORDS[text]); break;
      case Rule.Id: push('ID', start, end); break;
      case Rule.Escaped: push('ID', start, end, text.slice(1)); break;
    }
  }
  push('EOF', expr.length, expr.length, '');
  return toks;
}

/**
 * inet_pton(AF_INET6): eight 16-bit groups, at most one `::`, optionally ending in a dotted
 * quad (decimal octets without leading zeros). Returns the 16 bytes, or null when invalid.
 */
export function parseIPv6(text: string): Uint8Array | null {
  let head = text;
  let tail: number[] | null = null;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  if (text.indexOf('.', lastColon) > 0) {
    tail = parseDottedQuad(text.slice(lastColon + 1));
    if (tail === null) return null;
    // keep a `::` that ends the groups; drop the single `:` that separates them from the quad
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const maxGroups = tail === null ? 8 : 6;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const vals: number[] = [];
    for (const part of s.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(part)) return null;
      vals.push(parseInt(part, 16));
    }
    return vals;
  };
  let groups: number[];
  const dbl = head.indexOf('::');
  if (dbl >= 0) {
    if (head.indexOf('::', dbl + 1) >= 0) return null;
    const before = parseGroups(head.slice(0, dbl));
    const after = parseGroups(head.slice(dbl + 2));
    if (before === null || after === null || before.length + after.length > maxGroups - 1) return null;
    groups = [...before, ...new Array<number>(maxGroups - before.length - after.length).fill(0), ...after];
  } else {
    const all = parseGroups(head);
    if (all === null || all.length !== maxGroups) return null;
    groups = all;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < groups.length; i++) {
    out[i * 2] = groups[i] >> 8;
    out[i * 2 + 1] = groups[i] & 0xff;
  }
  if (tail !== null) out.set(tail, 12);
  return out;
}

function parseDottedQuad(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || (part.length > 1 && part[0] === '0')) return null;
    const v = Number(part);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}
