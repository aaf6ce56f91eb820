/**
 * Per-process keys for the hash tables keyed by capture content (the flow table, tcpdump's
 * relative-sequence table, `check --jobs`'s shard split).
 *
 * Why: the 4-tuples are chosen by whoever wrote the capture. With a fixed, public hash an
 * author can pick thousands of 4-tuples that share one hash (qa5 F1: `src ^ sport << 16`
 * cancelled, so all 32 bits collided), and every lookup walks all of them: tracking becomes
 * quadratic and a few-MB capture holds a CI job for hours. With a random key per process the
 * author cannot know which tuples collide. Nothing printed depends on the key: records come out
 * in creation order (the table's "all" list), connection numbers are given at creation, and
 * `check --jobs` merges its shards' records by start time, so any key gives the same bytes.
 *
 * `TCPSCOPE_HASH_SEED` (a decimal integer) fixes the key, for tests and for proving exactly
 * that; anything else in it is ignored and the key is random, so a stray value can never turn the
 * protection off by becoming one fixed key (`Number('abc')` is NaN, which `| 0` made 0).
 * Math.random is enough: V8 seeds it from the OS per isolate, and the capture's author never
 * sees a value drawn from it.
 */
function seedWord(k: number): number {
  const fixed = process.env.TCPSCOPE_HASH_SEED;
  if (fixed !== undefined && /^-?\d{1,15}$/.test(fixed)) {
    // a fixed seed spread into independent-looking words (a SplitMix-style step per word)
    let x = (Number(fixed) + Math.imul(k + 1, 0x9e3779b9)) | 0;
    x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
    x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
    return (x ^ (x >>> 15)) >>> 0;
  }
  return (Math.random() * 0x100000000) >>> 0;
}

/** the address key of the flow hash's endpoint mix */
export const HASH_KEY_ADDR = seedWord(0);
/** the port key of the flow hash's endpoint mix */
export const HASH_KEY_PORT = seedWord(1);
/** the key of the final mix of the flow hash (and the start of tcpdump-seq's) */
export const HASH_KEY_FINAL = seedWord(2);
