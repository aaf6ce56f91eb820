/**
 * The corpus situations with other addresses, ports, ISNs, link types and timings (scenarios.ts):
 * the verdicts must hold for every variant, in process and through the CLI.
 *
 * TCPSCOPE_VARIANTS_OUT=DIR also writes the CLI variants as DIR/variants/*.pcap with a
 * DIR/variants/expect.json, so `verdicts.py --dir DIR --set variants` can score them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Tracker } from '../../src/track/tracker.js';
import { feed, track, writePcap } from './build.js';
import { KINDS, makeVariant, verdictMismatches } from './scenarios.js';

const PER_KIND = 12;
const CLI = join(__dirname, '..', '..', 'bin', 'tcpscope.js');

describe('variants in process', () => {
  for (const kind of Object.keys(KINDS)) {
    test(`${kind}_${PER_KIND}Variants_verdictsHold`, () => {
      for (let i = 0; i < PER_KIND; i++) {
        const v = makeVariant(kind, 1000 * i + kind.length);
        const { flows } = track(v.frames);
        const misses = verdictMismatches(v.flows, flows as unknown as Array<Record<string, unknown>>);
        expect(misses, `${kind} variant ${i} (${v.link}, ${v.flows[0].client} -> ${v.flows[0].server})`).toEqual([]);
      }
    });
  }
});

describe('variants through the CLI', () => {
  const outDir = process.env.TCPSCOPE_VARIANTS_OUT;
  const dir = outDir !== undefined ? join(outDir, 'variants') : mkdtempSync(join(tmpdir(), 'tcpscope-variants-'));
  mkdirSync(dir, { recursive: true });
  const expectJson: Record<string, unknown> = {};
  afterAll(() => {
    if (outDir !== undefined) writeFileSync(join(dir, 'expect.json'), JSON.stringify(expectJson, null, 1));
    else rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of Object.keys(KINDS)) {
    test(`${kind}_pcapFile_verdictsHold`, () => {
      for (let i = 0; i < 3; i++) {
        const v = makeVariant(kind, 77 + 31 * i + kind.length);
        const file = join(dir, `${kind}-${i}.pcap`);
        writePcap(file, v.frames);
        expectJson[`${kind}-${i}`] = { file: `${kind}-${i}.pcap`, description: `${kind} variant over ${v.link}`, flows: v.flows };
        const out = execFileSync(process.execPath, [CLI, '--json', '-r', file], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } }).toString();
        const recs = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(recs[recs.length - 1].type).toBe('summary');
        const misses = verdictMismatches(v.flows, recs.filter((r) => r.type === 'flow'));
        expect(misses, `${kind} variant ${i} over ${v.link}`).toEqual([]);
      }
    });
  }
});

describe('flow record text', () => {
  test('jsonText_everyVariant_equalsStringifiedRecord', () => {
    for (const kind of Object.keys(KINDS)) {
      for (let i = 0; i < 4; i++) {
        const v = makeVariant(kind, 5000 + 13 * i + kind.length);
        let n = 0;
        const tracker = new Tracker({
          onFlowEnd: (f) => {
            n++;
            expect(f.jsonText()).toBe(JSON.stringify(f.toRecord()));
          },
        });
        feed(v.frames, tracker);
        expect(n).toBe(v.flows.length);
      }
    }
  });
});
