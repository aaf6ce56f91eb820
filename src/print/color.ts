/**
 * Colour through chalk, for the runs that colour (paint.ts decides when, and stands in for chalk
 * when they do not).
 */
import { Chalk, type ChalkInstance } from 'chalk';

/** A chalk instance for the level (level 0 returns text unchanged). */
export function makeChalk(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({ level });
}
