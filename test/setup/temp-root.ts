/**
 * One temporary directory for the whole test run, removed at its end.
 *
 * Many tests make scratch directories with `mkdtemp(os.tmpdir() …)` (generated captures, split
 * and damaged copies, -w outputs, child processes' files) and not all of them remove what they
 * made: a few hundred megabytes per `npm test` were left in /tmp, and repeated runs filled a
 * disk. Pointing TMPDIR at a directory of our own before the test workers start sends all of
 * that (the workers' and their child processes') into one place that teardown removes.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'tcpscope-test-'));
  // as /tmp itself (mkdtemp makes it 0700): the tests that drop root to user nobody (-Z) need
  // nobody to reach the directories they make in it
  chmodSync(root, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
