/**
 * Checks on the capture operands shared by `tcpscope -r` and `tcpscope check`: the operands are
 * read as one capture, so a file named twice would double every packet (the tracker would take
 * each copy for a retransmission), and standard input can be read only once.
 */
import { resolve } from 'node:path';

/** The complaint about a capture named twice, or null when every operand is distinct. */
export function repeatedInput(paths: readonly string[], flag: string): string | null {
  const seen = new Set<string>();
  for (const p of paths) {
    const key = p === '-' ? '-' : resolve(p);
    if (seen.has(key)) {
      return p === '-' ? `${flag}- is given twice: standard input can be read only once` : `${p} is given twice${flag === '' ? '' : ` with ${flag.trim()}`}: each capture is read once`;
    }
    seen.add(key);
  }
  return null;
}
