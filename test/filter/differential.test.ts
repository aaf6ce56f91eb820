/**
 * tcpscope's filters select exactly the packets tcpdump selects.
 *
 * For every expression in expressions.mjs and every capture under fixtures/ (the scenarios, the
 * real captures, the filter zoo in every link type, and tcpdump's own small test captures), the
 * packet numbers tcpscope's compiled filter accepts are compared with the ones tcpdump 4.99.3
 * accepted (fixtures/filter/tcpdump-answers.json, made by regenerate.mjs). Where tcpdump refused
 * an expression for a link type, tcpscope must refuse it for frames of that link type. Every
 * compiled answer is also checked against an interpreter walking the same optimized graph.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newFrame } from '../../src/capture/frame.js';
import { isTcpscopeError } from '../../src/errors.js';
import { type Filter, compileFilter, interpretGraph, parseProtocols, parseServices } from '../../src/filter/index.js';
import type { NameDatabase } from '../../src/filter/names.js';
import { loadFrame, readFrames } from './capture-io.mjs';
import { EXPRESSIONS } from './expressions.mjs';

const root = join(__dirname, '..', '..');
const fixture = (p: string) => join(root, 'fixtures', 'filter', p);

interface Answers {
  tcpdump: string;
  captures: { path: string; frames: number }[];
  answers: Record<string, { sel: Record<string, string>; refused?: Record<string, string> }>;
}
const answers = JSON.parse(readFileSync(fixture('tcpdump-answers.json'), 'utf8')) as Answers;

/** the name databases tcpdump answered with (copied by regenerate.mjs) */
export const fixtureNames: NameDatabase = (() => {
  const services = parseServices(readFileSync(fixture('etc-services'), 'utf8'));
  const protocols = parseProtocols(readFileSync(fixture('etc-protocols'), 'utf8'));
  return { services: () => services, protocols: () => protocols, hosts: () => new Map() };
})();

const captures = answers.captures.map((c) => ({ ...c, frames: readFrames(join(root, c.path)) }));

function fromRanges(s: string | undefined): number[] {
  if (s === undefined || s === '') return [];
  return s.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

function check(expr: string): string[] {
  const expected = answers.answers[expr];
  if (expected === undefined) return [`no tcpdump answer for ${JSON.stringify(expr)}: run node test/filter/regenerate.mjs`];
  const refused = expected.refused ?? {};
  const problems: string[] = [];
  let filter: Filter;
  try {
    filter = compileFilter(expr, { names: fixtureNames });
  } catch (e) {
    if (!isTcpscopeError(e)) throw e;
    // refused up front: tcpdump must have refused it on every link type in the fixtures
    const linktypes = new Set(captures.flatMap((c) => c.frames.map((f) => String(f.linktype))));
    const accepted = [...linktypes].filter((lt) => refused[lt] === undefined);
    if (accepted.length > 0) problems.push(`tcpscope refused it (${e.message.split('\n')[0]}) but tcpdump accepted it on link types ${accepted.join(', ')}`);
    return problems;
  }
  const frame = newFrame();
  captures.forEach((cap, idx) => {
    const want = new Set(fromRanges(expected.sel[idx]));
    const got: number[] = [];
    const refusedHere = new Set<string>();
    for (const f of cap.frames) {
      loadFrame(frame, f);
      let ok: boolean;
      try {
        ok = filter.matches(frame);
      } catch (e) {
        if (!isTcpscopeError(e)) throw e;
        // tcpdump's "expression rejects all packets" is recorded as selecting nothing here
        // (regenerate.mjs); whether tcpscope refuses the same cells is rejects-all.test.ts's
        if (e.code !== 'FILTER_REJECTS_ALL') refusedHere.add(String(f.linktype));
        continue;
      }
      if (ok) got.push(f.number);
      const walked = interpretGraph(filter.graph(f.linktype), f.data, 0, f.caplen, f.wirelen);
      if (walked !== ok) problems.push(`${cap.path} #${f.number}: compiled says ${ok}, graph interpreter says ${walked}`);
    }
    const linktypesHere = new Set(cap.frames.map((f) => String(f.linktype)));
    for (const lt of linktypesHere) {
      if ((refused[lt] !== undefined) !== refusedHere.has(lt)) {
        problems.push(`${cap.path}: link type ${lt}: tcpdump ${refused[lt] !== undefined ? `refused it (${refused[lt]})` : 'accepted it'}, tcpscope ${refusedHere.has(lt) ? 'refused it' : 'accepted it'}`);
      }
    }
    const extra = got.filter((n) => !want.has(n));
    const missing = [...want].filter((n) => !got.includes(n));
    if (extra.length > 0 || missing.length > 0) {
      problems.push(`${cap.path}: tcpscope also selects [${extra.join(',')}], misses [${missing.join(',')}]`);
    }
  });
  return problems;
}

describe(`filters select what ${answers.tcpdump.split(' / ')[0]} selects`, () => {
  it('covers at least 150 expressions on every fixture capture', () => {
    const all = Object.values(EXPRESSIONS).flat();
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(captures.length).toBeGreaterThanOrEqual(60);
    for (const e of all) expect(answers.answers[e], e).toBeDefined();
  });

  for (const [group, exprs] of Object.entries(EXPRESSIONS)) {
    describe(group, () => {
      for (const expr of exprs) {
        it(JSON.stringify(expr), () => {
          expect(check(expr)).toEqual([]);
        });
      }
    });
  }
});
