/**
 * cli-table3 itself (a dependency of the project), the oracle box-table.ts is held to: its
 * uncoloured drawing of a table, with the layout options the reports use.
 */
import { createRequire } from 'node:module';

const Table = createRequire(import.meta.url)('cli-table3') as typeof import('cli-table3');

export interface OracleLayout {
  compact?: boolean;
  colAligns?: readonly ('left' | 'right')[];
}

/** cli-table3's text for `head` and `rows`, without colour (no head or border style). */
export function cliTable3(head: readonly string[], rows: readonly string[][], layout: OracleLayout = {}): string {
  const t = new Table({
    head: [...head],
    style: { head: [], border: [], compact: layout.compact ?? false },
    ...(layout.colAligns !== undefined ? { colAligns: [...layout.colAligns] } : {}),
  });
  for (const r of rows) t.push([...r]);
  return t.toString();
}
