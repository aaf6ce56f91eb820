/**
 * What the golden tests share: reading a TESTLIST manifest, turning flags into RunOptions with the
 * real command-line parser, and printing a capture in-process with the real reader, decoder and
 * tcpdump printer (output gathered into a string instead of standard output).
 */
import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { Packet, decodePacket } from '../../src/decode/index.js';
import type { RunOptions } from '../../src/pipeline.js';
import { Output } from '../../src/print/output.js';
import { TcpdumpPrinter } from '../../src/print/tcpdump/index.js';

/** The non-blank, non-comment lines of a TESTLIST, split into words. */
export function manifestLines(path: string): string[][] {
  const rows: string[][] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    rows.push(t.split(/\s+/));
  }
  return rows;
}

/** The RunOptions the real command line makes of `args`. */
export async function parseArgs(args: string[]): Promise<RunOptions> {
  let captured: RunOptions | undefined;
  const program = buildProgram(async (opts) => {
    captured = opts;
    return 0;
  });
  await program.parseAsync(args, { from: 'user' });
  if (captured === undefined) throw new Error(`flags not accepted: ${args.join(' ')}`);
  return captured;
}

/** What `tcpscope --plain FLAGS -r CAPTURE` prints, and how many packets a printer threw on. */
export async function printPlain(flags: string[], capture: string): Promise<{ text: string; errors: number }> {
  const opts = await parseArgs(['--plain', ...flags, '-r', capture]);
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
  return { text, errors: printer.printerErrors };
}

/** Tests set TZ per entry; put the caller's back when the file is done. */
export function restoreTzAfterAll(): void {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });
}
