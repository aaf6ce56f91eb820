/**
 * Golden manifest (fixtures/golden/TESTLIST): for every entry, tcpscope's tcpdump-format output
 * with the entry's flags must equal, byte for byte, what tcpdump 4.99.3 printed for the same
 * capture (fixtures/golden/expected/NAME.out, made by fixtures/golden/regenerate.sh).
 *
 * Runs in-process: the real CLI parser turns the flags into RunOptions, the real reader, decoder
 * and printer do the rest (only the output goes to a string instead of standard output).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestLines, printPlain, restoreTzAfterAll } from './golden-support.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const golden = join(fixtures, 'golden');

interface Entry {
  name: string;
  capture: string;
  tz: string;
  flags: string[];
}

function manifest(): Entry[] {
  return manifestLines(join(golden, 'TESTLIST')).map(([name, capture, ...rest]) => {
    let tz = 'UTC';
    if (rest[0]?.startsWith('TZ=')) tz = rest.shift()!.slice(3);
    return { name, capture, tz, flags: rest };
  });
}

/** What `tcpscope --plain FLAGS -r CAPTURE` prints on standard output; no printer may throw. */
async function printCapture(entry: Entry): Promise<string> {
  const { text, errors } = await printPlain(entry.flags, join(fixtures, entry.capture));
  expect(errors).toBe(0);
  return text;
}

restoreTzAfterAll();

describe('golden manifest: byte-identical to tcpdump 4.99.3', () => {
  const entries = manifest();
  it('has entries for every link type, reader format and flag', () => {
    const all = entries.map((e) => e.flags.join(' ')).join(' ');
    for (const flag of ['-nS', '-nv', '-nvv', '-ne', '-nq', '-nt', '-ntt', '-nttt', '-ntttt', '-nttttt', '-nx', '-nxx', '-nX', '-nXX', '-nA', '-c', '--nano', '-#']) {
      expect(all.includes(flag), flag).toBe(true);
    }
    const captures = entries.map((e) => e.capture).join(' ');
    for (const what of ['linktype-raw-101', 'linktype-raw-12', 'linktype-ipv4-228', 'linktype-ipv6-229', 'linktype-null-le', 'linktype-null-be',
      'linktype-loop', 'linktype-sll.', 'linktype-sll2', 'vlan', 'format-nanosecond', 'format-bigendian', 'format-pcapng', 'format-gzip']) {
      expect(captures.includes(what), what).toBe(true);
    }
  });
  for (const entry of entries) {
    it(`${entry.name}: ${entry.capture} ${entry.flags.join(' ')}${entry.tz !== 'UTC' ? ` (TZ=${entry.tz})` : ''}`, async () => {
      process.env.TZ = entry.tz;
      const want = readFileSync(join(golden, 'expected', `${entry.name}.out`), 'latin1');
      const got = await printCapture(entry);
      expect(Buffer.from(got, 'utf8').toString('latin1')).toBe(want);
    });
  }
});

describe('link types tcpdump refuses but tcpscope reads', () => {
  it('raw IP with OpenBSD link type 14 prints as link type 101 does', async () => {
    process.env.TZ = 'UTC';
    const as101 = await printCapture({ name: '', capture: 'golden/linktype-raw-101.pcap', tz: 'UTC', flags: ['-ne'] });
    const raw = readFileSync(join(golden, 'linktype-raw-101.pcap'));
    const as14 = Buffer.from(raw);
    as14.writeUInt32LE(14, 20);
    const tmp = join(golden, '..', '..', 'node_modules', '.tcpscope-linktype-14.pcap');
    writeFileSync(tmp, as14);
    try {
      const { text } = await printPlain(['-ne'], tmp);
      expect(text).toBe(as101);
    } finally {
      rmSync(tmp, { force: true });
    }
  });
});
