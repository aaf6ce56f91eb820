/**
 * The filter language itself: how expressions are scanned and parsed (precedence, qualifier
 * carry-over), the errors users see (caret under the offending token, exit codes), names
 * looked up in injected databases, and how the compiled predicate reads frame bytes.
 */
import { describe, expect, it } from 'vitest';
import { newFrame } from '../../src/capture/frame.js';
import { TcpscopeError } from '../../src/errors.js';
import type { Node } from '../../src/filter/ast.js';
import { compileSource, generateSource } from '../../src/filter/codegen.js';
import { compileFilter, parseHosts, parseProtocols, parseServices } from '../../src/filter/index.js';
import { tokenize } from '../../src/filter/lexer.js';
import type { NameDatabase } from '../../src/filter/names.js';
import { parseFilter } from '../../src/filter/parser.js';
import { readFrames } from './capture-io.mjs';

/** A compact rendering of a parse tree: `(a or b)`, `host:10.0.0.1`, `tcp:dst:port:80`. */
function show(n: Node): string {
  switch (n.k) {
    case 'and':
    case 'or': return `(${show(n.l)} ${n.k} ${show(n.r)})`;
    case 'not': return `not ${show(n.e)}`;
    case 'id': {
      const q = [n.q.proto, n.q.dir, n.q.addr].filter((x) => x !== 'default').join(':');
      const v = 'v' in n.arg ? n.arg.v : n.arg.s;
      return `${q}:${v}`;
    }
    case 'proto': return n.proto;
    case 'rel': return `rel`;
    case 'vlan': return n.id === null ? 'vlan' : `vlan:${n.id}`;
    default: return n.k;
  }
}

function errorOf(expr: string, names?: NameDatabase): TcpscopeError {
  try {
    compileFilter(expr, names === undefined ? {} : { names });
  } catch (e) {
    if (e instanceof TcpscopeError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to be refused`);
}

const names: NameDatabase = {
  services: () => parseServices('http 80/tcp www\ndomain 53/tcp\ndomain 53/udp\nntp 123/udp\n# comment\nsip 5060/tcp\nsip 5061/udp\n'),
  protocols: () => parseProtocols('tcp 6 TCP\nudp 17 UDP\nospf 89 OSPFIGP\n'),
  hosts: () => parseHosts('10.0.0.1 web web.example\n2001:db8::1 web\n10.0.0.2 db # the database\n'),
};

/** A frame of `linktype` holding `bytes`, placed at `offset` inside a larger buffer whose
 *  remaining bytes are 0xee, so reading past the frame shows. */
function frameOf(bytes: number[], linktype = 1, offset = 7, wirelen = bytes.length) {
  const data = new Uint8Array(offset + bytes.length + 64).fill(0xee);
  data.set(bytes, offset);
  const f = newFrame();
  f.data = data;
  f.offset = offset;
  f.caplen = bytes.length;
  f.wirelen = wirelen;
  f.linktype = linktype;
  f.number = 1;
  return f;
}

const hex = (s: string) => s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16));
// Ethernet + IPv4 (10.0.0.1 → 10.0.0.2) + TCP 40000 → 80 SYN
const SYN = hex(`665544332211 001122334455 0800
  4500 0028 0001 0000 4006 0000 0a000001 0a000002
  9c40 0050 000003e8 00000000 5002 ffff 0000 0000`);
// Ethernet + IPv6 (2001:db8::1 → ::2) + TCP 50000 → 443
const SYN6 = hex(`665544332211 001122334455 86dd
  6000 0000 0014 0640 20010db8000000000000000000000001 20010db8000000000000000000000002
  c350 01bb 000003e8 00000000 5002 ffff 0000 0000`);

describe('scanner: longest match, libpcap rule order on ties', () => {
  it('tcp_syn_isTheNumberTwo', () => {
    const t = tokenize('tcp[tcpflags] & tcp-syn');
    expect(t.map((x) => x.kind)).toEqual(['PNAME', '[', 'NUM', ']', '&', 'NUM', 'EOF']);
    expect(t[2].num).toBe(13);
    expect(t[5].num).toBe(2);
  });
  it('twelveHexDigits_isAMacAddress_butTwoIsAName', () => {
    expect(tokenize('001122334455')[0].kind).toBe('EID');
    expect(tokenize('1e')[0].kind).toBe('ID');
    expect(tokenize('0x1e')[0].kind).toBe('NUM');
  });
  it('doubleColon_startsAnIPv6Address_notTwoColons', () => {
    expect(tokenize('::1')[0].kind).toBe('HID6');
    expect(tokenize('fe80::1:2/64').map((x) => x.kind)).toEqual(['HID6', '/', 'NUM', 'EOF']);
    expect(tokenize('::ffff:10.0.0.1')[0].kind).toBe('HID6');
  });
  it('numbers_areDecimalHexOrOctal', () => {
    expect(tokenize('010')[0].num).toBe(8);
    expect(tokenize('0x50')[0].num).toBe(80);
    expect(() => tokenize('080')).toThrow(/non-octal/);
    expect(() => tokenize('4294967296')).toThrow(/overflows 32 bits/);
  });
  it('backslash_turnsAKeywordIntoAName', () => {
    const t = tokenize('ip proto \\tcp');
    expect(t[2]).toMatchObject({ kind: 'ID', text: 'tcp' });
  });
  it('dottedNumbers_areHostIds_andLengthKeywordsBothSpellings', () => {
    expect(tokenize('10.1').map((x) => x.kind)).toEqual(['HID', 'EOF']);
    expect(tokenize('len length').map((x) => x.kind)).toEqual(['LEN', 'LEN', 'EOF']);
    expect(tokenize('a && b || !c').map((x) => x.kind)).toEqual(['ID', 'AND', 'ID', 'OR', 'NOT', 'ID', 'EOF']);
  });
});

describe('parser: precedence and qualifier carry-over (grammar.y)', () => {
  it('andOr_haveEqualPrecedence_leftToRight', () => {
    expect(show(parseFilter('tcp or udp and icmp'))).toBe('((tcp or udp) and icmp)');
    expect(show(parseFilter('tcp and udp or icmp'))).toBe('((tcp and udp) or icmp)');
  });
  it('not_bindsTighterThanAndOr', () => {
    expect(show(parseFilter('not tcp and udp'))).toBe('(not tcp and udp)');
    expect(show(parseFilter('not (tcp and udp)'))).toBe('not (tcp and udp)');
  });
  it('bareValue_afterOr_takesThePreviousQualifiers', () => {
    expect(show(parseFilter('host 10.0.0.1 or 10.0.0.2'))).toBe('(host:10.0.0.1 or host:10.0.0.2)');
    expect(show(parseFilter('tcp dst port 80 or 443'))).toBe('(tcp:dst:port:80 or tcp:dst:port:443)');
  });
  it('carryOver_followsTheLastPrimitive_notTheFirst', () => {
    expect(show(parseFilter('host 10.0.0.1 or 10.0.0.2 and port 80 or 443'))).toBe(
      '(((host:10.0.0.1 or host:10.0.0.2) and port:80) or port:443)');
  });
  it('carryOver_afterParentheses_isWhatWasInForceBeforeThem', () => {
    expect(show(parseFilter('host 10.0.0.1 and (port 80) or 10.0.0.2'))).toBe('((host:10.0.0.1 and port:80) or host:10.0.0.2)');
    expect(show(parseFilter('host 10.0.0.1 or (10.0.0.2 or 10.0.0.3)'))).toBe('(host:10.0.0.1 or (host:10.0.0.2 or host:10.0.0.3))');
  });
  it('carryOver_throughNot', () => {
    expect(show(parseFilter('host 10.0.0.1 and not 10.0.0.2'))).toBe('(host:10.0.0.1 and not host:10.0.0.2)');
  });
  it('numberAfterAnd_isARelationWhenAnOperatorFollows', () => {
    expect(show(parseFilter('tcp and 80 = tcp[2:2]'))).toBe('(tcp and rel)');
    expect(show(parseFilter('port 80 and 443'))).toBe('(port:80 and port:443)');
  });
  it('srcOrDst_isOneQualifier', () => {
    expect(show(parseFilter('src or dst port 53'))).toBe('or:port:53');
    expect(show(parseFilter('src and dst host 10.0.0.1'))).toBe('and:host:10.0.0.1');
  });
  it('vlanTakesAnOptionalNumber', () => {
    expect(show(parseFilter('vlan 100 and vlan'))).toBe('(vlan:100 and vlan)');
    expect(show(parseFilter('vlan (7)'))).toBe('vlan:7');
  });
});

describe('errors: one clear message, a caret under the offending token, exit status 1', () => {
  it('syntaxError_showsTheExpressionAndACaret', () => {
    const e = errorOf('host 10.0.0.1 and (port)');
    expect(e.code).toBe('FILTER_SYNTAX');
    expect(e.exitStatus).toBe(1);
    expect(e.message.split('\n')).toEqual([
      "syntax error in filter expression: expected a host, network, port or protocol (an address, name or number), found ')'",
      '  host 10.0.0.1 and (port)',
      '                         ^',
    ]);
  });
  it('syntaxError_atTheEnd_pointsPastTheLastToken', () => {
    const e = errorOf('tcp and');
    expect(e.message.split('\n')[0]).toMatch(/^syntax error in filter expression: .*found the end of the expression$/);
    expect(e.message.split('\n')[2]).toBe('         ^');
  });
  it('bareValue_withNothingToCarry_isASyntaxError', () => {
    const e = errorOf('tcp or 10.0.0.1');
    expect(e.code).toBe('FILTER_SYNTAX');
    expect(e.message.split('\n')[2]).toBe('         ^~~~~~~~');
  });
  it('scannerErrors_areSyntaxErrorsAtTheToken', () => {
    const e = errorOf('port 080');
    expect(e.message.split('\n')[0]).toBe('syntax error in filter expression: number 080 contains non-octal digit');
    expect(e.message.split('\n')[2]).toBe('       ^~~');
    // as in libpcap, `1::2::` is scanned as a malformed MAC address before anything else
    expect(errorOf('host 1::2::3').message.split('\n')[0]).toBe('syntax error in filter expression: bogus ethernet address 1::2::');
    expect(errorOf('tcp # comment').message).toMatch(/unexpected character '#'/);
  });
  it('meaninglessValues_areInvalid_withLibpcapsReason', () => {
    expect(errorOf('net 10.1.2.3/8')).toMatchObject({ code: 'FILTER_INVALID' });
    expect(errorOf('net 10.1.2.3/8').message.split('\n')[0]).toBe('invalid filter expression: non-network bits set in "10.1.2.3/8"');
    expect(errorOf('port 99999').message.split('\n')[0]).toBe('invalid filter expression: illegal port number 99999 > 65535');
    expect(errorOf('tcp host 10.0.0.1').message.split('\n')[0]).toBe("invalid filter expression: 'tcp' modifier applied to host");
    expect(errorOf('ip[0:3] = 1').message.split('\n')[0]).toBe('invalid filter expression: data size must be 1, 2, or 4');
    expect(errorOf('ip[0] / 0 = 1').message.split('\n')[0]).toBe('invalid filter expression: division by zero');
    // libpcap checks only the divisor's first instruction, which for ip[0] is its index 0
    expect(errorOf('ip[2:2] / (ip[0] & 3) > 1').message.split('\n')[0]).toBe('invalid filter expression: division by zero');
    expect(errorOf('host 00:11:22:33:44:55').message).toMatch(/ethernet address used in non-ether expression/);
    expect(errorOf('udp port http', names).message.split('\n')[0]).toBe("invalid filter expression: port 'http' is tcp");
  });
  it('unsupportedConstructs_sayExactlyWhich', () => {
    for (const [expr, what] of [
      ['mpls', "'mpls'"], ['pppoes 3', "'pppoes'"], ['gateway router', "'gateway'"], ['ip protochain 6', "'protochain'"],
      ['decnet host 1.2', "'decnet'"], ['byte 5 = 3', "'byte'"], ['host $12', 'ARCnet'], ['ether proto 0x809b', 'AppleTalk'],
      ['wlan addr1 1:2:3:4:5:6', "'addr1'"], ['net loopnet', 'network names'], ['ether host router', 'Ethernet host names'],
    ]) {
      const e = errorOf(expr);
      expect(e.code, expr).toBe('FILTER_UNSUPPORTED');
      expect(e.message.split('\n')[0], expr).toMatch(/^unsupported in filter expression: /);
      expect(e.message.split('\n')[0], expr).toContain(what);
    }
  });
  it('linkTypeSpecificProblems_waitForAFrameOfThatType_andNameIt', () => {
    const f = compileFilter('vlan and tcp');
    expect(f.matches(frameOf(SYN))).toBe(false);
    const sll = frameOf([0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, ...SYN.slice(14)], 113);
    sll.number = 42;
    let err: unknown;
    try { f.matches(sll); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TcpscopeError);
    expect((err as TcpscopeError).code).toBe('FILTER_INVALID');
    expect((err as TcpscopeError).message.split('\n')[0]).toBe('invalid filter expression: no VLAN support for Linux cooked v1 (packet 42 is Linux cooked v1)');
  });
  it('unknownLinkType_isRefusedByNumber', () => {
    const f = compileFilter('tcp');
    expect(() => f.matches(frameOf(SYN, 127))).toThrow(/link type 127/);
  });
});

describe('names: services, protocols and hosts from their databases', () => {
  it('serviceName_meansItsPort_onTheProtocolsItIsListedFor', () => {
    const tcpOnly = compileFilter('port http', { names });
    expect(tcpOnly.explain(1)).toContain('== 0x50');
    expect(tcpOnly.explain(1)).not.toContain('== 0x11'); // http is listed for tcp only
    const both = compileFilter('port domain', { names });
    expect(both.explain(1)).toContain('== 0x11');
    expect(compileFilter('tcp port www', { names }).explain(1)).toContain('== 0x50'); // an alias
  });
  it('portRange_ofNames_andNumbers', () => {
    expect(compileFilter('tcp portrange http-sip', { names }).explain(1)).toContain('>= 0x50');
    expect(errorOf('portrange nosuch-http', names).message).toMatch(/unknown port in range 'nosuch-http'/);
  });
  it('hostName_matchesEveryAddressItHas', () => {
    const f = compileFilter('host web', { names });
    expect(f.matches(frameOf(SYN))).toBe(true);
    expect(f.matches(frameOf(SYN6))).toBe(true);
    expect(compileFilter('ip host web', { names }).matches(frameOf(SYN6))).toBe(false);
    expect(compileFilter('src host db', { names }).matches(frameOf(SYN))).toBe(false);
    expect(errorOf('host nosuch', names).message).toMatch(/unknown host 'nosuch'/);
  });
  it('protocolName_fromTheProtocolsDatabase', () => {
    expect(compileFilter('ip proto \\ospf', { names }).explain(1)).toContain('== 0x59');
    expect(errorOf('ip proto \\nosuch', names).message).toMatch(/unknown ip proto 'nosuch'/);
  });
});

describe('compiled predicate: reads the frame, only the frame', () => {
  it('emptyExpression_matchesEverything', () => {
    expect(compileFilter('').matches(frameOf([]))).toBe(true);
  });
  it('readsRelativeToFrameOffset', () => {
    const f = compileFilter('tcp dst port 80 and src host 10.0.0.1');
    expect(f.matches(frameOf(SYN, 1, 0))).toBe(true);
    expect(f.matches(frameOf(SYN, 1, 1234))).toBe(true);
  });
  it('loadPastCaplen_rejectsThePacket_evenUnderNot_andIgnoresBytesBeyondIt', () => {
    // the buffer goes on (0xee bytes) after the 54 captured bytes; they must not be read
    const f = compileFilter('not tcp[100] = 0xee');
    expect(f.matches(frameOf(SYN))).toBe(false);
    expect(compileFilter('tcp[19] = 0').matches(frameOf(SYN))).toBe(true);
    expect(compileFilter('tcp[20] = 0xee').matches(frameOf(SYN))).toBe(false);
  });
  it('lenIsTheWireLength_notTheCapturedLength', () => {
    const cut = frameOf(SYN.slice(0, 40), 1, 3, 1514);
    expect(compileFilter('greater 1000').matches(cut)).toBe(true);
    expect(compileFilter('len = 1514').matches(cut)).toBe(true);
  });
  it('vlan_shiftsTheOffsetsOfWhatFollows', () => {
    const tagged = [...SYN.slice(0, 12), 0x81, 0x00, 0x00, 0x64, ...SYN.slice(12)];
    expect(compileFilter('vlan 100 and tcp port 80').matches(frameOf(tagged))).toBe(true);
    // the type field cannot be IPv4 and 802.1Q at once: libpcap refuses, so does tcpscope
    expect(() => compileFilter('tcp port 80 and vlan 100').matches(frameOf(tagged))).toThrow(/^expression rejects all packets/);
    expect(compileFilter('tcp port 80 or vlan 100').matches(frameOf(tagged))).toBe(true);
    expect(compileFilter('tcp').matches(frameOf(tagged))).toBe(false);
  });
  it('portTests_skipLaterFragments', () => {
    const later = [...SYN];
    later[20] = 0x00;
    later[21] = 0x10; // fragment offset 16 × 8
    expect(compileFilter('tcp').matches(frameOf(later))).toBe(true);
    expect(compileFilter('port 80').matches(frameOf(later))).toBe(false);
    expect(compileFilter('tcp[13] = 2').matches(frameOf(later))).toBe(false);
  });
  it('hugeProgram_becomesALoop_withTheSameAnswers', () => {
    const frames = readFrames(`${__dirname}/../../fixtures/filter/zoo-ether.pcap`);
    for (const expr of ['host 10.0.0.1 or 10.0.0.2 and port 80 or 443', 'not tcp[13] & 2 != 0 or icmp6 or vlan and udp', 'tcp[100] = 0 or arp']) {
      const f = compileFilter(expr);
      const loop = generateSource(f.graph(1), 0);
      expect(loop).toContain('switch (s)');
      const fn = compileSource(loop);
      for (const fr of frames) expect(fn(fr.data, 0, fr.caplen, fr.wirelen), `${expr} #${fr.number}`).toBe(f.predicate(1)(fr.data, 0, fr.caplen, fr.wirelen));
    }
  });
  it('generatedCode_allocatesNothingPerPacket', () => {
    const src = compileFilter('host 10.0.0.1 and (tcp[tcpflags] & tcp-syn != 0 or udp port 53) and ip[2:2] / (ip[1] & 3) > 1').source(1);
    expect(src).not.toMatch(/\bnew\b|=>|\[\s*\]|\{\s*\}|function|\bString\b|`/);
  });
});
