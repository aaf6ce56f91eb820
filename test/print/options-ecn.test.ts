/**
 * What the annotations and the flow records say of SYN options cut by the snap length, of ECN
 * (RFC 3168) and of the TCP-MD5 option, on the corpus captures copied into fixtures/scenarios.
 * Tests are named capture_situation_outcome.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SCEN, tcpscope } from '../cli/helpers.js';

/** The annotation line under packet `n` (1-based) of `tcpscope -n -r CAPTURE`, '' when none. */
function annotationOf(capture: string, n: number): string {
  const lines = tcpscope(['-n', '--color', 'never', '-r', join(SCEN, capture)]).stdout.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^\d\d:\d\d:\d\d\.\d{6} /.test(lines[i]) && ++seen === n) return /^ {4}#/.test(lines[i + 1] ?? '') ? lines[i + 1].trim() : '';
  }
  throw new Error(`no packet ${n}`);
}

function flowOptions(capture: string): Record<string, unknown> {
  const out = tcpscope(['-n', '--json', '-r', join(SCEN, capture)]).stdout;
  const flow = out.split('\n').filter((l) => l.includes('"type":"flow"')).map((l) => JSON.parse(l) as { options: Record<string, unknown> })[0];
  return flow.options;
}

describe('options cut by the snaplen', () => {
  test('snaplen-64_syn_lists_what_was_captured_and_says_the_rest_was_cut', () => {
    expect(annotationOf('snaplen-64.pcap', 1)).toMatch(/^#1 handshake 1\/3: client SYN \(mss 1460, sackOK; options cut by the snaplen\) +client CLOSED → SYN_SENT$/);
    const synack = annotationOf('snaplen-64.pcap', 2);
    expect(synack).toContain('negotiated SACK; window scaling, TS unknown (options cut by the snaplen)');
    expect(synack).not.toContain('no window scaling');
  });
  test('snaplen-64_json_unknown_is_null_and_cut_is_marked', () => {
    const o = flowOptions('snaplen-64.pcap');
    const side = { mss: 1460, wscale: null, sack: true, timestamps: null, ecn: false, cut: true };
    expect(o).toEqual({ client: side, server: side, window_scaling: null, sack: true, timestamps: null, ecn: false });
  });
  test('close-4way_json_nothing_cut_stays_known', () => {
    const o = flowOptions('close-4way.pcap');
    expect(o.window_scaling).toBe(true);
    expect((o.client as Record<string, unknown>).cut).toBe(false);
  });
});

describe('ECN', () => {
  test('ecn_handshake_offer_and_negotiation_are_named', () => {
    expect(annotationOf('ecn.pcap', 1)).toContain('client SYN (mss 1460, wscale 7, sackOK, TS, ECN)');
    expect(annotationOf('ecn.pcap', 2)).toContain('negotiated wscale 7/7, SACK, TS, ECN');
    expect(flowOptions('ecn.pcap')).toMatchObject({ ecn: true, client: { ecn: true }, server: { ecn: true } });
  });
  test('ecn_ece_repeating_an_ack_with_nothing_outstanding_is_no_loss', () => {
    expect(annotationOf('ecn.pcap', 6)).toBe('#1 duplicate ACK #1 · ECN-Echo (congestion experienced): the ACK is repeated to echo congestion, not loss (no data outstanding)');
  });
  test('ecn_cwr_is_explained', () => {
    expect(annotationOf('ecn.pcap', 7)).toBe('#1 CWR (window reduced): answers the ECN-Echo');
  });
  test('close-4way_no_ecn_setup_no_ecn_field_true', () => {
    expect(annotationOf('close-4way.pcap', 2)).not.toContain('ECN');
    expect(flowOptions('close-4way.pcap')).toMatchObject({ ecn: false, client: { ecn: false } });
  });
});

describe('TCP-MD5', () => {
  test('options-zoo_md5_signature_listed_with_the_options', () => {
    expect(annotationOf('options-zoo.pcap', 1)).toContain('client SYN (mss 1380, wscale 14, sackOK, TS, TCP-MD5)');
  });
});
