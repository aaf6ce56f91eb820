/**
 * cli-table3's default box table, drawn directly: the same characters for text without colour
 * codes, at a small fraction of the cost. cli-table3 measures every cell with string-width
 * (regular expressions per string, several passes) and needs ~45 ms of CPU for the summary's
 * 25 rows in a fresh process, more than annotating 20,000 connections; this needs well under
 * one.
 *
 * What it reproduces (cli-table3 0.6 with `style: { head: [], border: [] }`, no colWidths,
 * wordWrap or spans): each column as wide as its widest line plus one space of padding each
 * side; a row as high as its cell with the most lines (`\n` separates them), the shorter cells
 * padded with blank lines; text aligned left, or right where `colAligns` says so (head cells
 * too); a `├─┼─┤` line between all rows, or with `compact: true` only between the head and the
 * first row (none when there is no row).
 *
 * Widths are counted in UTF-16 units, which is the terminal width only for printable ASCII and
 * the few one-column symbols the tables use (`→`); `fitsBoxTable` says whether a table's text
 * is all such, and callers leave anything else (and coloured tables) to cli-table3.
 */

/** Whether every character of `cells` takes exactly one column: printable ASCII, `→`, or `\n` between lines. */
export function fitsBoxTable(rows: readonly (readonly string[])[]): boolean {
  for (const row of rows) {
    for (const cell of row) {
      for (let i = 0; i < cell.length; i++) {
        const c = cell.charCodeAt(i);
        if ((c < 0x20 || c > 0x7e) && c !== 0x0a && c !== 0x2192) return false;
      }
    }
  }
  return true;
}

/** cli-table3's options that boxTable reproduces (its `style.compact` and `colAligns`). */
export interface BoxTableOptions {
  /** no rule between body rows (cli-table3's `style.compact`) */
  compact?: boolean;
  /** per column; a missing entry is 'left' */
  colAligns?: readonly ('left' | 'right')[];
}

/** The table of `head` and `rows` (each as many cells as `head`), lines joined by `\n`, no final newline. */
export function boxTable(head: readonly string[], rows: readonly (readonly string[])[], opts: BoxTableOptions = {}): string {
  const all = [head, ...rows];
  const cols = head.length;
  const lines = all.map((row) => row.map((cell) => cell.split('\n')));
  const widths = new Array<number>(cols).fill(0);
  for (const row of lines) {
    for (let c = 0; c < cols; c++) {
      for (const l of row[c]) if (l.length > widths[c]) widths[c] = l.length;
    }
  }
  const rule = (left: string, mid: string, right: string): string =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  const out: string[] = [rule('┌', '┬', '┐')];
  for (let r = 0; r < lines.length; r++) {
    if (r > 0 && (r === 1 || opts.compact !== true)) out.push(rule('├', '┼', '┤'));
    const row = lines[r];
    let height = 1;
    for (const cell of row) if (cell.length > height) height = cell.length;
    for (let n = 0; n < height; n++) {
      let s = '│';
      for (let c = 0; c < cols; c++) {
        const text = n < row[c].length ? row[c][n] : '';
        const pad = ' '.repeat(widths[c] - text.length);
        s += opts.colAligns?.[c] === 'right' ? ' ' + pad + text + ' │' : ' ' + text + pad + ' │';
      }
      out.push(s);
    }
  }
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
