/**
 * warmUpPays looks at the inputs once per run: `check` asks twice over the same captures (the
 * tracking warm-up and the evidence warm-up), and the second answer comes without a second stat.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, statSync: vi.fn(real.statSync) };
});

const { warmUpPays } = await import('../../src/track/warmup.js');

describe('warmUpPays', () => {
  it('sameInputsTwice_statsThemOnce_sameAnswer', () => {
    const f = join(__dirname, '..', '..', 'fixtures', 'scenarios', 'close-3way.pcap');
    const stat = vi.mocked(fs.statSync);
    stat.mockClear();
    const first = warmUpPays([f]);
    const second = warmUpPays([f]);
    expect(first).toBe(false); // 674 bytes: no warm-up
    expect(second).toBe(first);
    expect(stat.mock.calls.filter((c) => c[0] === f)).toHaveLength(1);
    // other inputs are looked at afresh
    const other = join(__dirname, '..', '..', 'fixtures', 'scenarios', 'close-4way.pcap');
    expect(warmUpPays([f, other])).toBe(false);
    expect(stat.mock.calls.filter((c) => c[0] === other)).toHaveLength(1);
  });
});
