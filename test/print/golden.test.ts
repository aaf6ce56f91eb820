/**
 * Golden manifest (fixtures/golden/TESTLIST): for every entry, tcpscope's tcpdump-format output
 * with the entry's flags must equal, byte for byte, what tcpdump 4.99.3 printed for the same
 * capture (fixtures/golden/expected/NAME.out, made by fixtures/golden/regenerate.sh).
 *
 * Runs in-process: the real CLI parser turns the flags into RunOptions, the real reader, decoder
 * and printer do the rest (only the output goes to a string instead of standard output).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { Packet, decodePacket } from '../../src/decode/index.js';
import type { RunOptions } from '../../src/pipeline.js';
import { Output } from '../../src/print/output.js';
import { TcpdumpPrinter } from '../../src/print/tcpdump/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const golden = join(fixtures, 'golden');

interface Entry {
  name: string;
  capture: string;
  tz: string;
  flags: string[];
}

function manifest(): Entry[] {
  const entries: Entry[] = [];
  for (const line of readFileSync(join(golden, 'TESTLIST'), 'utf8').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const [name, capture, ...rest] = t.split(/\s+/);
    let tz = 'UTC';
    if (rest[0]?.startsWith('TZ=')) tz = rest.shift()!.slice(3);
    entries.push({ name, capture, tz, flags: rest });
  }
  return entries;
}

/** The RunOptions the real command line makes of `args`. */
async function parse(args: string[]): Promise<RunOptions> {
  let captured: RunOptions | undefined;
  const program = buildProgram(async (opts) => {
    captured = opts;
    return 0;
  });
  await program.parseAsync(args, { from: 'user' });
  if (captured === undefined) throw new Error(`flags not accepted: ${args.join(' ')}`);
  return captured;
}

/** What `tcpscope --plain FLAGS -r CAPTURE` prints on standard output. */
async function printCapture(entry: Entry): Promise<string> {
  const opts = await parse(['--plain', ...entry.flags, '-r', join(fixtures, entry.capture)]);
  const printer = new TcpdumpPrinter(opts.print, new Output(-1));
  const pkt = new Packet();
  const limit = opts.count ?? Infinity;
  let seen = 0;
  let text = '';
  await readCapture(opts.read as string, (frame) => {
    decodePacket(frame, pkt);
    text += printer.format(frame, pkt);
    return ++seen < limit;
  });
  expect(printer.printerErrors).toBe(0);
  return text;
}

const savedTz = process.env.TZ;
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

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
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(tmp, as14);
    try {
      const opts = await parse(['--plain', '-ne', '-r', tmp]);
      const printer = new TcpdumpPrinter(opts.print, new Output(-1));
      const pkt = new Packet();
      let text = '';
      await readCapture(tmp, (frame) => {
        decodePacket(frame, pkt);
        text += printer.format(frame, pkt);
      });
      expect(text).toBe(as101);
    } finally {
      rmSync(tmp, { force: true });
    }
  });
});
