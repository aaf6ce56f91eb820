/**
 * What the annotations and the summary table need of a colour library, and whether to colour at
 * all (`--color always|never|auto`). Apart from color.ts so that a run without colour (a pipe, a
 * file, NO_COLOR, --color never: the usual case for a long capture) never loads chalk, which
 * costs ~15-20 ms of CPU at start-up: NO_PAINT stands in for it.
 *
 * When to colour: with auto, colour only when standard output is a terminal, unless NO_COLOR is
 * set (https://no-color.org: any non-empty value turns it off) or FORCE_COLOR asks for it (0 off,
 * 1 16 colours, 2 256, 3 truecolor; empty or "true" = 1). A terminal that says TERM=dumb gets
 * no colour (as chalk/supports-color decide), unless FORCE_COLOR asks for it. `--color always`
 * wins over all of them.
 */

export type ColorChoice = 'auto' | 'always' | 'never';

/** The painters used here; a chalk instance is one (color.ts's makeChalk). */
export interface Paint {
  /** 0: no colour (every painter returns its text unchanged) */
  readonly level: number;
  cyan(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const same = (text: string): string => text;

/** No colour: what chalk at level 0 does, without chalk. */
export const NO_PAINT: Paint = { level: 0, cyan: same, green: same, yellow: same, red: same, dim: same, bold: same };

/**
 * The painter for a colour level: NO_PAINT at 0 (chalk is not even loaded), chalk at that level
 * otherwise. The one place that turns a level into a painter.
 */
export async function painterFor(level: 0 | 1 | 2 | 3): Promise<Paint> {
  return level === 0 ? NO_PAINT : (await import('./color.js')).makeChalk(level);
}

/** The colour level (0–3) for this run. */
export function colorLevel(choice: ColorChoice, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (choice === 'never') return 0;
  const force = env.FORCE_COLOR;
  const forced = force === undefined ? -1 : force === '' || force === 'true' ? 1 : force === 'false' ? 0 : Math.min(3, Math.max(0, Number.parseInt(force, 10) || 0));
  if (choice === 'always') return forced > 0 ? forced as 1 | 2 | 3 : terminalLevel(env);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (forced >= 0) return forced as 0 | 1 | 2 | 3;
  // a dumb terminal shows escape codes as garbage; the table's colour library already skips it
  if (env.TERM === 'dumb') return 0;
  return isTTY ? terminalLevel(env) : 0;
}

/** What the terminal supports, from the usual environment hints. */
function terminalLevel(env: NodeJS.ProcessEnv): 1 | 2 | 3 {
  const ct = env.COLORTERM ?? '';
  if (ct === 'truecolor' || ct === '24bit') return 3;
  if (/-256(color)?$/i.test(env.TERM ?? '')) return 2;
  return 1;
}
