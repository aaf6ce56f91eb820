/**
 * Filters at the size limits (qa5 F2/F3): long chains of `and`/`or` compile and answer as their
 * short equivalents; nesting past MAX_NESTING and programs past MAX_TESTS get one clear filter
 * error, never a stack overflow ("internal error"). Names: state_event_outcome.
 */
import { describe, expect, it } from 'vitest';
import { TcpscopeError } from '../../src/errors.js';
import { compileFilter, MAX_TESTS } from '../../src/filter/index.js';
import { MAX_NESTING } from '../../src/filter/parser.js';
import { readFrames } from './capture-io.mjs';

const frames = readFrames(`${__dirname}/../../fixtures/filter/zoo-ether.pcap`);

function errorOf(expr: string): TcpscopeError {
  try {
    compileFilter(expr);
  } catch (e) {
    if (e instanceof TcpscopeError) return e;
    throw e;
  }
  throw new Error('expected the expression to be refused');
}

/** the answers of `expr` on every zoo frame (Ethernet) */
function answers(expr: string): boolean[] {
  const fn = compileFilter(expr).predicate(1);
  return frames.map((f) => fn(f.data, 0, f.caplen, f.wirelen));
}

describe('long chains', () => {
  it('orChainOf2500_compiles_answersAsItsDistinctTerms', () => {
    // 2,500 terms: the recursive passes (tree depth 2,500, a graph path of ~10,000 tests) ran out of stack
    const terms = Array.from({ length: 2500 }, (_, i) => (i % 3 === 0 ? 'tcp' : i % 3 === 1 ? 'udp' : 'icmp'));
    expect(answers(terms.join(' or '))).toEqual(answers('tcp or udp or icmp'));
  });

  it('andChainOf2500_compiles_answersAsItsDistinctTerms', () => {
    const terms = Array.from({ length: 2500 }, (_, i) => (i % 2 === 0 ? 'ip' : 'not udp'));
    expect(answers(terms.join(' and '))).toEqual(answers('ip and not udp'));
  });

  it('mixedChain_keepsLeftToRightGrouping', () => {
    // one precedence level, to the left: `tcp or udp and port 53 or icmp` is ((tcp or udp) and port 53) or icmp
    expect(answers('tcp or udp and port 53 or icmp')).toEqual(answers('((tcp or udp) and port 53) or icmp'));
    expect(answers('tcp or udp or arp and ip or icmp or ip6')).toEqual(answers('((tcp or udp or arp) and ip) or icmp or ip6'));
  });

  it('hostValueCarriedOver_inALongChain_sameAsShort', () => {
    const hosts = Array.from({ length: 150 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    // the carried `host` reaches every value of the chain, as spelled out
    expect(answers(`host ${hosts.join(' or ')}`)).toEqual(answers(hosts.map((h) => `host ${h}`).join(' or ')));
    expect(answers(`host ${hosts.join(' or ')}`)).toContain(true);
  });
});

describe('limits', () => {
  it('parenthesesAtTheBound_compile', () => {
    expect(answers(`${'('.repeat(MAX_NESTING)}tcp${')'.repeat(MAX_NESTING)}`)).toEqual(answers('tcp'));
    expect(answers(`${'not '.repeat(MAX_NESTING)}tcp`)).toEqual(answers('tcp'));
  });

  it('parenthesesPastTheBound_syntaxError_nestedTooDeeply', () => {
    for (const expr of [`${'('.repeat(3000)}tcp${')'.repeat(3000)}`, `${'not '.repeat(MAX_NESTING + 1)}tcp`, `tcp[${'('.repeat(3000)}1${')'.repeat(3000)}] = 0`]) {
      const e = errorOf(expr);
      expect(e.code).toBe('FILTER_SYNTAX');
      expect(e.exitStatus).toBe(1);
      expect(e.message).toMatch(/^syntax error in filter expression: the expression is nested too deeply/);
      expect(e.message).not.toContain('\n');
    }
  });

  it('alternationsPastTheBound_syntaxError', () => {
    const expr = Array.from({ length: 2 * MAX_NESTING + 2 }, (_, i) => `tcp ${i % 2 === 0 ? 'or' : 'and'}`).join(' ') + ' tcp';
    expect(errorOf(expr).message).toMatch(/nested too deeply \(more than 2000 alternations/);
  });

  it('programPastMaxTests_unsupported_saysHowLarge', () => {
    const e = errorOf(Array.from({ length: 1000 }, (_, i) => `port ${i + 1}`).join(' or '));
    expect(e.code).toBe('FILTER_UNSUPPORTED');
    expect(e.message).toMatch(new RegExp(`^unsupported in filter expression: an expression this large \\(\\d+ tests once lowered, at most ${MAX_TESTS}`));
  });
});
