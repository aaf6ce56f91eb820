/**
 * box-table.ts draws cli-table3's uncoloured box itself: the same text as cli-table3 (the oracle,
 * a dependency of the project) for every shape the summary makes, and a refusal of text whose
 * width is not one column a character.
 */
import { describe, expect, test } from 'vitest';
import { boxTable, fitsBoxTable } from '../../src/print/box-table.js';
import { cliTable3 } from './cli-table3-oracle.js';

/** A deterministic pseudo-random cell: empty, one line or several, of varied widths. */
function cell(seed: number): string {
  const words = ['', '1', 'SF', 'complete', '10.0.0.1:40003\n→ 10.0.0.2:7000', 'TIME_WAIT\nCLOSED', '5\n3', '0.400 ms',
    'retransmission, dup-ack', 'a\nb\nc', '\n', 'x\n', '\nlast', '[fe80::1]:443\n→ [fe80::2]:51000'];
  return words[seed % words.length];
}

describe('boxTable', () => {
  test('summary shapes_same text as cli-table3', () => {
    const head = ['#', 'client → server', 'handshake', 'close', 'states c/s', 'zeek', 'pkts c/s', 'bytes c/s', 'duration', 'rtt', 'anomalies'];
    const rows = [
      ['1', '10.0.0.1:40003\n→ 10.0.0.2:7000', 'complete', 'fin by client', 'TIME_WAIT\nCLOSED', 'SF', '5\n3', '50\n0', '3.0 ms', '0.400 ms', ''],
      ['12', '10.0.0.1:40004\n→ 10.0.0.2:7000', 'refused', 'rst by server', 'CLOSED\nCLOSED', 'REJ', '1\n1', '0\n0', '0.100 ms', '', 'refused'],
    ];
    expect(boxTable(head, rows)).toBe(cliTable3(head, rows));
    expect(boxTable(head, [])).toBe(cliTable3(head, []));
  });

  test('varied cells_every combination of widths, heights and empty lines_same text as cli-table3', () => {
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      const cols = 1 + (n % 6);
      const head = Array.from({ length: cols }, (_, i) => cell(n + i * 3));
      const rows = Array.from({ length: n % 5 }, (_, r) => Array.from({ length: cols }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return cell(seed >>> 16) + (r % 2 === 0 ? '' : ' ');
      }));
      expect(boxTable(head, rows)).toBe(cliTable3(head, rows));
    }
  });
});

describe('fitsBoxTable', () => {
  test('ascii, arrow and newlines_fits', () => {
    expect(fitsBoxTable([['a b', '→ x\ny', '']])).toBe(true);
  });
  test('colour code, wide or combining character, tab_does not fit', () => {
    for (const bad of ['\x1b[31mx\x1b[39m', '漢', 'e\u0301', 'a\tb', 'é']) expect(fitsBoxTable([['ok', bad]])).toBe(false);
  });
});

describe('boxTable compact and right-aligned (check\'s condition table)', () => {
  test('varied cells, alignments and row counts_compact or not_same text as cli-table3', () => {
    let seed = 11;
    for (let n = 0; n < 200; n++) {
      const cols = 1 + (n % 7);
      const aligns = Array.from({ length: cols }, (_, i): 'left' | 'right' => ((n >> i) & 1) === 1 ? 'right' : 'left');
      const head = Array.from({ length: cols }, (_, i) => cell(n + i * 5));
      const rows = Array.from({ length: n % 4 }, () => Array.from({ length: cols }, () => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return cell(seed >>> 16);
      }));
      for (const compact of [true, false]) {
        expect(boxTable(head, rows, { compact, colAligns: aligns })).toBe(cliTable3(head, rows, { compact, colAligns: aligns }));
      }
    }
  });

  test('numbers wider than their heads_right-aligned_same text as cli-table3', () => {
    const head = ['condition', 'connections', 'failed'];
    const rows = [['reset', '12345678901234', '0'], ['retransmission', '7', '4294967296']];
    const aligns: ('left' | 'right')[] = ['left', 'right', 'right'];
    expect(boxTable(head, rows, { compact: true, colAligns: aligns })).toBe(cliTable3(head, rows, { compact: true, colAligns: aligns }));
    expect(boxTable(head, rows, { compact: true, colAligns: aligns })).toContain('│    connections │');
  });
});
