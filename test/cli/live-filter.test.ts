/**
 * A filter libpcap rejects on a live capture: libpcap says only "syntax error"; tcpscope shows
 * where, as it does offline.
 */
import { describe, expect, test } from 'vitest';
import { liveSkipReason } from '../live/helpers.js';
import { tcpscope } from './helpers.js';

const skip = liveSkipReason();

describe('live capture with a bad filter', () => {
  test.skipIf(skip !== '')('-i lo_unbalanced parenthesis_the offline message with its caret, status 1', () => {
    const r = tcpscope(['-i', 'lo', '-c', '1', 'tcp and (']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tcpscope: syntax error in filter expression: expected a primitive (host, net, port, a protocol name, a comparison, ...), found the end of the expression\n  tcp and (\n           ^\n');
  });
});
