/**
 * Encapsulation and link-layer printers against tcpdump 4.99.3 (fixtures/golden/tcpdump-tests):
 * GRE and PPTP, STP/RSTP/MSTP/SPB, UDLD, VTP, DTP, VXLAN, OTV, Geneve, MPLS, PPP (LCP/IPCP/
 * CCP/CHAP/PAP/HDLC), PPPoE, Frame Relay with Q.933 and FRF.15/16, Cisco HDLC, IPoIB, ARCNET,
 * LWAPP, BCM-LI, ATM, ES-IS, Loopback, Juniper. Crafted captures include every frame cut at every byte
 * boundary; the others are captures from tcpdump's own test suite.
 *
 * MODE full: the whole output must be byte-identical. MODE lines: only the `Flags [...] ...
 * length N` lines are compared (cut after `length N`), as conform.py compares that corpus.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestLines, printPlain, restoreTzAfterAll } from '../golden-support.js';

const here = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'golden', 'tcpdump-tests');

interface Entry {
  name: string;
  capture: string;
  mode: 'full' | 'lines';
  flags: string[];
}

function manifest(): Entry[] {
  return manifestLines(join(here, 'TESTLIST')).map(([name, capture, mode, ...flags]) => {
    if (mode !== 'full' && mode !== 'lines') throw new Error(`TESTLIST: bad mode in ${name}`);
    return { name, capture, mode, flags };
  });
}

/** What `tcpscope --plain FLAGS -r CAPTURE` prints, and how many packets a printer threw on. */
function printCapture(entry: Entry): Promise<{ text: string; errors: number }> {
  return printPlain(entry.flags, join(here, entry.capture));
}

const TCP_CUT = /^(.*?Flags \[[^\]]*\].*?length \d+)/;
function flagLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = TCP_CUT.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

restoreTzAfterAll();

describe('encapsulations and link types: as tcpdump 4.99.3 prints them', () => {
  const entries = manifest();
  it('covers every protocol file and link type it was written for', () => {
    const names = entries.map((e) => e.capture).join(' ');
    for (const what of ['crafted-gre', 'crafted-stp', 'crafted-tunnels', 'crafted-mpls-pppoe', 'crafted-ppp.', 'crafted-ppp-serial', 'crafted-chdlc',
      'crafted-fr', 'crafted-mfr', 'crafted-ipoib', 'crafted-arcnet-bsd', 'crafted-arcnet-linux', 'crafted-atm', 'pptp', 'UDLD', 'spb_bpduv4',
      'lwapp-data', 'bcm-li', 'vtp_asan', 'esis_snpa_asan', 'DTP', 'hdlc_slarp', 'ipoib', 'geneve', 'crafted-juniper', 'bgp-aigp']) {
      expect(names.includes(what), what).toBe(true);
    }
  });
  for (const entry of entries) {
    it(`${entry.capture} ${entry.flags.join(' ')} (${entry.mode})`, async () => {
      process.env.TZ = 'UTC';
      const want = readFileSync(join(here, 'expected', `${entry.name}.out`), 'latin1');
      const { text, errors } = await printCapture(entry);
      // no printer may throw anything but a truncation, even on these hostile captures
      expect(errors).toBe(0);
      const got = Buffer.from(text, 'utf8').toString('latin1');
      if (entry.mode === 'full') expect(got).toBe(want);
      else expect(flagLines(got)).toEqual(flagLines(want));
    });
  }
});
