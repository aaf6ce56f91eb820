/**
 * The flow hash against a capture's author (qa5 F1): 4-tuples chosen to share one hash must not
 * make tracking quadratic, and the per-process key must never change what is printed.
 * Names: state_event_outcome.
 */
import { describe, expect, test, vi } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Conversation, SYN, track, writePcap, type BuiltFrame } from './build.js';
import { flowHash4 } from '../../src/track/table.js';
import { tcpscope, SCEN, REAL } from '../cli/helpers.js';

const BASE = 0x0a000001; // 10.0.0.1
const SERVER = '10.9.9.9';
const N = 4096;

/** qa5's collide.py family: src = 10.0.0.1 ^ k << 16, sport = k, which the former `addr ^ port << 16` mix cancelled */
const collidingSrc = (k: number): number => (BASE ^ (k << 16)) >>> 0;
const dotted = (a: number): string => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');

/** Slots read by linear probing as FlowTable places entries (home = the hash above its 8 tag bits), inserting every hash once. */
function probesToInsert(hashes: number[], slotBits: number): number {
  const mask = (1 << slotBits) - 1;
  const used = new Uint8Array(1 << slotBits);
  let probes = 0;
  for (const h of hashes) {
    let i = (h >>> 8) & mask;
    while (used[i] !== 0) { probes++; i = (i + 1) & mask; }
    used[i] = 1;
    probes++;
  }
  return probes;
}

describe('flow hash against chosen 4-tuples', () => {
  test('collidingFamily_hash_spreadOverSlots', () => {
    const hashes: number[] = [];
    for (let k = 1; k <= N; k++) hashes.push(flowHash4(collidingSrc(k), k, 0x0a090909, 80));
    // the former mix gave all N one 32-bit hash: N²/2 probes to insert them, and as many to look each up
    expect(new Set(hashes).size).toBeGreaterThan(N - 8);
    // at the table's load (at most half full) linear probing costs a few slots per entry
    expect(probesToInsert(hashes, 13)).toBeLessThan(3 * N);
  });

  test('collidingFamily_trackedWithTag_fewRowReads', () => {
    // 8 tag bits in the slot: a hash that shares them with the key makes the table read a row
    const tags = new Map<number, number>();
    for (let k = 1; k <= N; k++) {
      const t = flowHash4(collidingSrc(k), k, 0x0a090909, 80) & 255;
      tags.set(t, (tags.get(t) ?? 0) + 1);
    }
    // all N shared one tag before; a random spread puts ~N/256 on each
    expect(Math.max(...tags.values())).toBeLessThan(N / 256 * 3);
  });

  test('collidingSyns_tracked_oneRecordEach', () => {
    const frames: BuiltFrame[] = [];
    for (let k = 1; k <= N; k++) {
      const conv = new Conversation({ client: dotted(collidingSrc(k)), server: SERVER, cport: k, sport: 80, t0: 1000 + k * 1e-5 });
      frames.push(...conv.send('c', SYN).frames);
    }
    const { flows } = track(frames);
    expect(flows.length).toBe(N);
    // one record per 4-tuple, in arrival order (the first SYN's client is 10.1.0.1:1)
    expect(new Set(flows.map((f) => f.client)).size).toBe(N);
    expect(flows[0].client).toBe(`${dotted(collidingSrc(1))}:1`);
  });

  test('bothDirections_hash_same', () => {
    for (let k = 1; k < 200; k++) {
      const a = collidingSrc(k * 7919), b = 0x0a090909 + k;
      expect(flowHash4(a, k, b, 80 + k)).toBe(flowHash4(b, 80 + k, a, k));
    }
  });

  test('seed_changesHash_notTheCommutativity', async () => {
    vi.stubEnv('TCPSCOPE_HASH_SEED', '1');
    vi.resetModules();
    const one = (await import('../../src/track/table.js')).flowHash4;
    vi.stubEnv('TCPSCOPE_HASH_SEED', '2');
    vi.resetModules();
    const two = (await import('../../src/track/table.js')).flowHash4;
    vi.unstubAllEnvs();
    let differ = 0;
    for (let k = 1; k <= 64; k++) {
      if (one(collidingSrc(k), k, 0x0a090909, 80) !== two(collidingSrc(k), k, 0x0a090909, 80)) differ++;
      expect(one(0x0a090909, 80, collidingSrc(k), k)).toBe(one(collidingSrc(k), k, 0x0a090909, 80));
    }
    expect(differ).toBeGreaterThan(60);
  });

  test('seed_notAnInteger_ignored_keyStaysRandom', async () => {
    // review: 'abc' became NaN, then 0: one fixed key, the protection silently off
    const load = async (v: string) => {
      vi.stubEnv('TCPSCOPE_HASH_SEED', v);
      vi.resetModules();
      return (await import('../../src/track/hash-seed.js')).HASH_KEY_FINAL;
    };
    const twice = [await load('abc'), await load('abc')];
    const fixed = [await load('0'), await load('0')];
    vi.unstubAllEnvs();
    expect(fixed[0]).toBe(fixed[1]);
    expect(twice).not.toContain(fixed[0]);
    expect(twice[0]).not.toBe(twice[1]);
  });
});

describe('what is printed does not depend on the hash key', () => {
  const runs = (file: string, args: string[]): string[] =>
    ['1', '987654321'].map((seed) => {
      const r = tcpscope([...args, file], { env: { TCPSCOPE_HASH_SEED: seed } });
      return `${r.status}\n${r.stdout}`;
    });

  test.each([
    ['--json', '-n', '-r'],
    ['-n', '-r'],
    ['check', '--jobs', '2', '--json'],
  ])('twoSeeds_%s_sameBytes', (...args) => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-seed-'));
    try {
      // many connections on few 4-tuples' worth of slots: a capture where slot order could show
      const frames: BuiltFrame[] = [];
      for (let k = 1; k <= 300; k++) {
        const conv = new Conversation({ client: dotted(collidingSrc(k)), server: SERVER, cport: k, sport: 80, t0: 1000 + k * 1e-3 });
        frames.push(...conv.send('c', SYN).frames);
      }
      const file = join(dir, 'syns.pcap');
      writePcap(file, frames);
      for (const f of [file, join(SCEN, 'port-reuse.pcap'), join(REAL, 'real-simultaneous-open.pcap')]) {
        const [a, b] = runs(f, args);
        expect(a).toBe(b);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
