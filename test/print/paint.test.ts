/**
 * painterFor (print/paint.ts), the one place a colour level becomes a painter: level 0 is
 * NO_PAINT (chalk not loaded) and paints exactly as chalk at level 0 does (nothing); levels 1-3
 * are chalk at that level. Checked on every painter the annotations and the summary use, and on
 * the annotation lines of a real capture.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { decodePacket, Packet } from '../../src/decode/index.js';
import { Annotator } from '../../src/print/annotate.js';
import { makeChalk } from '../../src/print/color.js';
import { Output } from '../../src/print/output.js';
import { NO_PAINT, painterFor, type Paint } from '../../src/print/paint.js';
import { Tracker } from '../../src/track/tracker.js';

const PAINTERS = ['cyan', 'green', 'yellow', 'red', 'dim', 'bold'] as const;
const scen = (name: string): string => join(__dirname, '..', '..', 'fixtures', 'scenarios', name);

/** Every annotation line of a capture, painted by `paint`. */
async function annotations(capture: string, paint: Paint): Promise<string[]> {
  const tracker = new Tracker({ onFlowEnd: () => {} });
  const annotator = new Annotator(new Output(-1), tracker, paint);
  const pkt = new Packet();
  const lines: string[] = [];
  await readCapture(capture, (frame) => {
    const r = tracker.track(decodePacket(frame, pkt));
    const line = annotator.line(r, pkt);
    if (line !== '') lines.push(line);
  });
  tracker.finish();
  return lines;
}

describe('painterFor', () => {
  test('level_0_is_no_paint_without_chalk', async () => {
    expect(await painterFor(0)).toBe(NO_PAINT);
  });

  test('level_0_paints_as_chalk_level_0', async () => {
    const none = await painterFor(0);
    const chalk = makeChalk(0);
    for (const p of PAINTERS) {
      for (const text of ['', 'x', 'client SYN_SENT → ESTABLISHED', 'a\nb']) expect(none[p](text)).toBe(chalk[p](text));
    }
    expect(none.level).toBe(0);
  });

  test.each([1, 2, 3] as const)('level_%i_is_chalk_at_that_level', async (level) => {
    const paint = await painterFor(level);
    const chalk = makeChalk(level);
    expect(paint.level).toBe(level);
    for (const p of PAINTERS) {
      expect(paint[p]('words')).toBe(chalk[p]('words'));
      // colour codes really are there
      expect(paint[p]('words')).not.toBe('words');
    }
  });

  test('annotations_level_0_same_as_chalk_level_0_and_colour_only_adds_codes', async () => {
    const capture = scen('simultaneous-open.pcap');
    const plain = await annotations(capture, await painterFor(0));
    expect(plain.length).toBeGreaterThan(3);
    expect(await annotations(capture, makeChalk(0))).toEqual(plain);
    const coloured = await annotations(capture, await painterFor(1));
    expect(coloured).not.toEqual(plain);
    // eslint-disable-next-line no-control-regex
    expect(coloured.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(plain);
  });
});
