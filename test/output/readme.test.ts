/**
 * Golden test: the README's output examples are what the CLI prints. After a deliberate change
 * to the output, `node test/output/readme-examples.mjs --update` re-pastes them.
 */
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain ESM helper shared with the update script
import { examples, run } from './readme-examples.mjs';

interface Example { args: string[]; expected: string }
const all = examples() as Example[];

describe('README examples', () => {
  test('readme_annotationExamples_coverTheRequiredScenarios', () => {
    const files = all.map((e) => e.args[e.args.length - 1]);
    for (const s of ['close-4way', 'half-close', 'simultaneous-open', 'simultaneous-close', 'rst-refused', 'half-open-peer-reboot', 'syn-unanswered']) {
      expect(files).toContain(`fixtures/scenarios/${s}.pcap`);
    }
  });

  for (const ex of all) {
    test(`readme_${ex.args.join('_')}_matchesCli`, () => {
      expect(run(ex.args)).toBe(ex.expected);
    });
  }
});
