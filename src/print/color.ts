/**
 * When to colour: `--color always|never|auto`. With auto, colour only when standard output is a
 * terminal, unless NO_COLOR is set (https://no-color.org: any non-empty value turns it off) or
 * FORCE_COLOR asks for it (0 off, 1 16 colours, 2 256, 3 truecolor; empty or "true" = 1).
 * `--color always` wins over both.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export type ColorChoice = 'auto' | 'always' | 'never';

/** The colour level (0–3) for this run. */
export function colorLevel(choice: ColorChoice, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (choice === 'never') return 0;
  const force = env.FORCE_COLOR;
  const forced = force === undefined ? -1 : force === '' || force === 'true' ? 1 : force === 'false' ? 0 : Math.min(3, Math.max(0, Number.parseInt(force, 10) || 0));
  if (choice === 'always') return forced > 0 ? forced as 1 | 2 | 3 : terminalLevel(env);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (forced >= 0) return forced as 0 | 1 | 2 | 3;
  return isTTY ? terminalLevel(env) : 0;
}

/** What the terminal supports, from the usual environment hints. */
function terminalLevel(env: NodeJS.ProcessEnv): 1 | 2 | 3 {
  const ct = env.COLORTERM ?? '';
  if (ct === 'truecolor' || ct === '24bit') return 3;
  if (/-256(color)?$/i.test(env.TERM ?? '')) return 2;
  return 1;
}

/** A chalk instance for the level (level 0 returns text unchanged). */
export function makeChalk(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({ level });
}
