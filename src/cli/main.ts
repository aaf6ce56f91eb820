/**
 * Command line: tcpdump's flags (combinable as in tcpdump: -nS, -ntttt, -vv) plus tcpscope's own,
 * turned into RunOptions for the pipeline. Nothing here knows about packets.
 */
import { readFileSync, statSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { TcpscopeError, isTcpscopeError } from '../errors.js';
import { stoppedBySignal } from '../capture/live-signals.js';
import { type RunOptions, runPipeline } from '../pipeline.js';
import { registerCheck } from './check.js';
import { tokenize } from '../filter/lexer.js';
import { closestName } from '../check/conditions.js';
import { repeatedInput } from './inputs.js';
import { defaultPrintOptions } from '../print/options.js';

const increase = (_v: string, prev: number): number => prev + 1;

/** Live capture (and the native libpcap binding behind it), loaded only by runs that need it. */
let liveModule: typeof import('../capture/live.js') | null = null;
const loadLive = async (): Promise<typeof import('../capture/live.js')> => (liveModule ??= await import('../capture/live.js'));

function positiveInt(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new TcpscopeError('BAD_OPTION', `invalid ${flag} value '${v}': expected a positive integer`, { exitStatus: 1 });
    return Number(v);
  };
}

function nonNegativeNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new TcpscopeError('BAD_OPTION', `invalid ${flag} value '${v}': expected a number ≥ 0`, { exitStatus: 1 });
    return n;
  };
}

/**
 * -C: tcpdump 4.99's rule (tcpdump.c): a whole decimal number of million bytes, > 0, whose byte
 * count fits 64 bits; `0.01`, `1k` or `0` are refused with tcpdump's words.
 */
function fileSizeMB(v: string): number {
  const m = /^[ \t\n\v\f\r]*\+?(\d+)$/.exec(v);
  const n = m ? Number(m[1]) : 0;
  if (!(n > 0)) throw new TcpscopeError('BAD_OPTION', `invalid file size ${v}`, { exitStatus: 1 });
  if (n > 9223372036854) throw new TcpscopeError('BAD_OPTION', `file size ${v} is too large`, { exitStatus: 1 });
  return n;
}

/** -s: tcpdump's range, 0 meaning the largest. */
function snaplen(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 262144) throw new TcpscopeError('BAD_OPTION', `invalid snaplen ${v} (must be >= 0 and <= 262144)`);
  return Number(v);
}

/** tcpdump's long options (getopt_long in tcpdump.c) that are another name of a short one here. */
const TCPDUMP_LONG: Readonly<Record<string, { short: string; arg: boolean }>> = {
  'buffer-size': { short: '-B', arg: true },
  'interface': { short: '-i', arg: true },
  'snapshot-length': { short: '-s', arg: true },
  'relinquish-privileges': { short: '-Z', arg: true },
  'list-interfaces': { short: '-D', arg: false },
  'dont-verify-checksums': { short: '-K', arg: false },
  'no-promiscuous-mode': { short: '-p', arg: false },
  'absolute-tcp-sequence-numbers': { short: '-S', arg: false },
  'packet-buffered': { short: '-U', arg: false },
};

/** The help's note on tcpdump's long names (from TCPDUMP_LONG, so the two cannot disagree). */
function tcpdumpLongNamesHelp(): string {
  const names = [...Object.entries(TCPDUMP_LONG).map(([name, o]) => `--${name}${o.arg ? ' ARG' : ''} (${o.short})`),
    '--time-stamp-precision=nano|micro (--nano or not)'];
  let text = "\ntcpdump's long option names are accepted as well:";
  let line = '';
  for (const [i, n] of names.entries()) {
    const item = n + (i < names.length - 1 ? ',' : '.');
    if (line !== '' && line.length + 1 + item.length > 78) { text += '\n' + line; line = ''; }
    line = line === '' ? '  ' + item : line + ' ' + item;
  }
  return text + '\n' + line + '\n';
}

/**
 * tcpdump options tcpscope does not have, and what they do: a tcpdump user who types one is told
 * it is a known option that is missing, not a typo.
 */
const TCPDUMP_UNSUPPORTED: Readonly<Record<string, string>> = {
  '-b': 'BGP AS numbers in ASDOT notation',
  '-d': 'dump the compiled filter program',
  '-E': 'ESP decryption',
  '-H': '802.11s mesh headers',
  '-I': 'monitor mode',
  '--monitor-mode': 'monitor mode',
  '-j': 'time stamp type',
  '--time-stamp-type': 'time stamp type',
  '-J': 'list of time stamp types',
  '--list-time-stamp-types': 'list of time stamp types',
  '-L': 'list of data link types',
  '--list-data-link-types': 'list of data link types',
  '-M': 'TCP-MD5 shared secret',
  '-N': 'host names without their domain',
  '-O': 'filter without the optimiser',
  '--no-optimize': 'filter without the optimiser',
  '-Q': 'capture direction',
  '--direction': 'capture direction',
  '-T': 'packets read as a given protocol',
  '-u': 'undecoded NFS handles',
  '-y': 'data link type',
  '--linktype': 'data link type',
  '-Y': 'filter parser debugging',
  '-z': 'post-rotate command',
  '--fp-type': 'floating-point check',
};

/**
 * Before commander sees the arguments: `--json=packets` is one word for the user, two for
 * commander; tcpdump's long names (`--interface=eth0`, `--snapshot-length 96`,
 * `--time-stamp-precision=nano`) become the short options they stand for. Nothing after `--`.
 */
function normaliseArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.push(...argv.slice(i)); break; }
    if (a.startsWith('--json=')) { out.push('--json', '--json-records', a.slice(7)); continue; }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
    if (m !== null && m[1] === 'time-stamp-precision') {
      const v = m[2] ?? argv[++i];
      if (v !== 'nano' && v !== 'micro') throw new TcpscopeError('BAD_OPTION', `unsupported time stamp precision ${v ?? '(none)'}: expected micro or nano`);
      out.push(`--${v}`);
      continue;
    }
    const long = m !== null ? TCPDUMP_LONG[m[1]] : undefined;
    if (long === undefined) { out.push(a); continue; }
    out.push(long.short);
    if (long.arg && m![2] !== undefined) out.push(m![2]);
    else if (!long.arg && m![2] !== undefined) throw new TcpscopeError('BAD_OPTION', `option '--${m![1]}' takes no value`);
  }
  return out;
}

/** commander's usage error, as one `tcpscope: ` line; a tcpdump option we lack is named as such. */
function usageLine(s: string): string {
  if (!s.startsWith('error: ')) return s;
  const m = /^error: unknown option '([^'=]+)/.exec(s);
  const what = m !== null ? TCPDUMP_UNSUPPORTED[m[1]] : undefined;
  if (what !== undefined) return `tcpscope: tcpdump's ${m![1]} (${what}) is not supported by tcpscope\n`;
  return `tcpscope: ${s.slice(7)}`;
}

export function buildProgram(run: (opts: RunOptions) => Promise<number>): Command {
  const program = new Command('tcpscope');
  program
    .description('Read or capture packets, print them as tcpdump does, and follow every TCP connection through its RFC 793 states.')
    .usage('[options] [expression]')
    .option('-r <file>', 'read packets from a pcap/pcapng file (- for standard input; gzip is read transparently); repeat -r, or name a directory, to read several files as one capture in time order (rotated -C/-G parts)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('-V <file>', 'read the captures named in this file, one per line (as several -r)')
    .option('-i <interface>', 'capture live on an interface (any for all)')
    .option('-D', 'list the interfaces available for live capture')
    .option('-w <file>', 'write the packets to a pcap file (- for standard output)')
    .option('-c <count>', 'stop after this many packets', positiveInt('-c'))
    .option('--count', 'print only the number of packets read (that match the expression), as tcpdump --count')
    .option('-F <file>', 'read the filter expression from a file')
    .option('-n', "don't convert addresses and ports to names", increase, 0)
    .option('-S', 'print absolute TCP sequence numbers')
    .option('-v', 'more detail (-vv, -vvv for even more)', increase, 0)
    .option('-e', 'print the link-level header')
    .option('-t', 'time stamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first', increase, 0)
    .option('-q', 'quick output: less protocol information')
    .option('-x', 'hex dump of each packet (-xx with the link header)', increase, 0)
    .option('-X', 'hex and ASCII dump (-XX with the link header)', increase, 0)
    .option('-A', 'ASCII dump of each packet')
    .option('-K', "don't verify checksums")
    .option('-#, --number', 'print a packet number at the start of each line')
    .option('-l', 'line-buffered standard output')
    .option('-U', 'packet-buffered output for -w')
    .option('--nano', 'nanosecond time stamps')
    .option('--micro', 'microsecond time stamps (the default)')
    .option('-s <snaplen>', 'live capture: bytes to capture per packet (0: 262144)', snaplen)
    .option('-p', "live capture: don't put the interface in promiscuous mode")
    .option('--immediate-mode', 'live capture: deliver packets as soon as they arrive')
    .option('-B <KiB>', 'live capture: kernel buffer size in KiB', positiveInt('-B'))
    .option('-Z <user>', 'live capture: drop privileges to this user once the capture is open')
    .option('--print', 'with -w: print the packets as well as writing them')
    .option('-C <MB>', 'with -w: start a new file when the current one exceeds this many million bytes', fileSizeMB)
    .option('-G <seconds>', 'with -w: start a new file every this many seconds (strftime names)', positiveInt('-G'))
    .option('-W <count>', 'with -C/-G: number of files to keep/write', positiveInt('-W'))
    .option('--plain', "tcpdump's lines alone (byte-identical for TCP/IP): no annotations, no colour, no summary")
    .option('--json', 'NDJSON on standard output: flow records and a summary (--json=packets adds packet records)')
    .option('--no-summary', 'no end-of-run connection table')
    .option('--color <when>', 'colour: auto, always or never', 'auto')
    .option('--msl <seconds>', 'maximum segment lifetime; TIME_WAIT lasts 2×MSL of capture time', nonNegativeNumber('--msl'), 60)
    .option('--max-flows <n>', 'cap the connection table, evicting the longest idle', positiveInt('--max-flows'))
    .option('--version', 'print the versions of tcpscope and Node.js and exit')
    .option('--no-progress', 'no progress line on standard error (drawn during a read longer than a second, when stderr is a terminal and standard output a file or unused)')
    .argument('[expression...]', 'filter expression (pcap-filter syntax)')
    .allowExcessArguments(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(usageLine(s)),
    });
  // hidden carrier for --json=packets
  program.addOption(new Option('--json-records <what>').hideHelp());
  program.action(async (expression: string[], o: Record<string, unknown>) => {
    // `tcpscope help [check]`, as git and npm take it ('help' is no filter primitive)
    if (expression[0] === 'help' && expression.length <= 2) {
      const sub = expression[1] === undefined ? undefined : program.commands.find((c) => c.name() === expression[1]);
      if (expression[1] !== undefined && sub === undefined) throw new TcpscopeError('BAD_OPTION', `no help for '${expression[1]}': tcpscope help, or tcpscope help check`);
      (sub ?? program).outputHelp();
      process.exitCode = 0;
      return;
    }
    if (o.version) {
      process.stdout.write(versionText());
      process.exitCode = 0;
      return;
    }
    // as tcpdump: with neither -r nor -i, capture on the first interface libpcap lists
    if (o.r === undefined && o.V === undefined && o.i === undefined && !o.D) o.i = (await loadLive()).defaultInterface();
    const opts = toRunOptions(expression, o);
    if (opts.interface !== undefined) await loadLive();
    try {
      process.exitCode = await run(opts);
    } catch (e) {
      throw captureGivenAsFilter(e, o.F === undefined ? expression : [], opts.reads ?? []);
    }
  });
  program.addHelpText('after', tcpdumpLongNamesHelp());
  registerCheck(program);
  return program;
}

/** `tcpscope --version`: as `tcpdump --version`, one line per component. */
function versionText(): string {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    version = pkg.version ?? version;
  } catch { /* an installation without its package.json still answers */ }
  return `tcpscope version ${version}\nNode.js version ${process.versions.node}\n`;
}

function toRunOptions(expression: string[], o: Record<string, unknown>): RunOptions {
  const print = defaultPrintOptions();
  print.numeric = (o.n as number) ?? 0;
  print.absoluteSeq = !!o.S;
  print.verbose = (o.v as number) ?? 0;
  print.linkHeader = !!o.e;
  if (((o.t as number) ?? 0) > 5) throw new TcpscopeError('BAD_OPTION', 'only -t, -tt, -ttt, -tttt and -ttttt are supported');
  print.timestampMode = (o.t as number) ?? 0;
  print.quick = !!o.q;
  print.hex = (o.x as number) ?? 0;
  print.hexAscii = (o.X as number) ?? 0;
  print.ascii = !!o.A;
  print.nano = !!o.nano;
  print.packetNumbers = !!o.number;
  print.noChecksum = !!o.K;

  let filter = expression.join(' ').trim();
  if (o.F !== undefined) {
    // tcpdump ignores the command-line expression silently; say so, the run goes on as tcpdump's
    if (filter !== '') process.stderr.write(`tcpscope: warning: the filter comes from -F ${o.F as string}; the expression '${filter}' on the command line is ignored\n`);
    try {
      filter = readFileSync(o.F as string, 'utf8').replace(/#.*$/gm, ' ').replace(/\s+/g, ' ').trim();
    } catch (e) {
      throw new TcpscopeError('BAD_OPTION', `${o.F as string}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    }
  }

  const jsonRecords = o.jsonRecords as string | undefined;
  if (jsonRecords !== undefined && jsonRecords !== 'packets' && jsonRecords !== 'flows') {
    throw new TcpscopeError('BAD_OPTION', `invalid --json value '${jsonRecords}': expected --json or --json=packets`);
  }
  const color = o.color as string;
  if (!['auto', 'always', 'never'].includes(color)) throw new TcpscopeError('BAD_OPTION', `invalid --color value '${color}': expected auto, always or never`);

  if (o.json && o.plain) throw new TcpscopeError('BAD_OPTION', '--plain and --json are two output modes: choose one');
  const mode: RunOptions['mode'] = o.json ? 'json' : o.plain ? 'plain' : 'annotated';
  if (o.V !== undefined) {
    if (o.r !== undefined) throw new TcpscopeError('BAD_OPTION', '-V and -r are mutually exclusive');
    o.r = readCaptureList(o.V as string);
  }
  if (o.r === undefined && o.i === undefined && !o.D) {
    // no interface to capture on (the action asked libpcap for one): say what to give
    throw new TcpscopeError('BAD_OPTION', 'nothing to read: give -r FILE to read a capture or -i INTERFACE to capture live (tcpscope --help lists the options)');
  }
  if (o.r !== undefined && o.i !== undefined) throw new TcpscopeError('BAD_OPTION', '-r and -i cannot be used together');
  refuseRepeatedInputs((o.r as string[] | undefined) ?? []);
  if (o.count && o.r === undefined) throw new TcpscopeError('BAD_OPTION', '--count counts the packets of capture files: give -r FILE');

  return {
    read: (o.r as string[] | undefined)?.[0],
    reads: o.r as string[] | undefined,
    interface: o.i as string | undefined,
    listInterfaces: !!o.D,
    write: o.w as string | undefined,
    printWhileWriting: !!o.print,
    countOnly: !!o.count,
    count: o.c as number | undefined,
    filter,
    print,
    mode,
    jsonPackets: jsonRecords === 'packets',
    summary: mode === 'annotated' && o.summary !== false,
    color: color as 'auto' | 'always' | 'never',
    mslSeconds: o.msl as number,
    maxFlows: o.maxFlows as number | undefined,
    lineBuffered: !!o.l,
    packetBuffered: !!o.U,
    progress: o.progress !== false,
    live: {
      snaplen: o.s as number | undefined,
      promiscuous: !o.p,
      immediate: !!o.immediateMode,
      bufferKiB: o.B as number | undefined,
      user: o.Z as string | undefined,
    },
    rotate: {
      sizeMB: o.C as number | undefined,
      seconds: o.G as number | undefined,
      files: o.W as number | undefined,
    },
  };
}

/**
 * `tcpscope -r a.pcap b.pcap`: the second capture is taken for a filter expression, which does
 * not parse. When the expression's first word names an existing file, say what was meant.
 */
function captureGivenAsFilter(e: unknown, expression: string[], reads: string[]): unknown {
  if (!isTcpscopeError(e) || !e.code.startsWith('FILTER_') || expression.length === 0) return e;
  const word = expression[0];
  let isFile = false;
  try { isFile = statSync(word).isFile(); } catch { /* not a file: the filter error stands */ }
  if (!isFile) {
    const meant = misspeltSubcommand(word);
    if (meant === null) return e;
    // on the first line, before the caret lines of a syntax error
    const nl = e.message.indexOf('\n');
    const message = nl < 0 ? `${e.message} (did you mean ${meant}?)` : `${e.message.slice(0, nl)} (did you mean ${meant}?)${e.message.slice(nl)}`;
    return new TcpscopeError(e.code, message, { file: e.file, offset: e.offset, exitStatus: e.exitStatus });
  }
  const given = reads.map((r) => `-r ${r} `).join('');
  return new TcpscopeError(e.code, `'${word}' is a file, not a filter expression: give each capture with its own -r (${given}-r ${word})`);
}

/** The subcommands a misspelt first word may have meant (`help` is one too, see above). */
const SUBCOMMANDS = ['check', 'help'];

/**
 * `tcpscope chekc x.pcap`: the misspelt subcommand is read as a filter expression, which fails.
 * When the first word is no filter keyword (a bare word, not `host`, `tcp`, ...) and is close to
 * a subcommand (check's "did you mean" rule, closestName), the subcommand it was probably meant
 * to be; null otherwise.
 */
function misspeltSubcommand(word: string): string | null {
  let kind: string;
  try { kind = tokenize(word)[0]?.kind ?? ''; } catch { return null; }
  if (kind !== 'ID') return null;
  const w = word.toLowerCase();
  const meant = closestName(w, SUBCOMMANDS);
  return meant !== w ? meant : null;
}

/** -V FILE: the capture paths it lists, one per line (blank lines skipped), as tcpdump reads them. */
function readCaptureList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TcpscopeError('BAD_OPTION', code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message, { file });
  }
  const paths = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (paths.length === 0) throw new TcpscopeError('BAD_OPTION', 'no file names in this -V list', { file });
  return paths;
}

/** Several -r are read as one capture: each must be a different one (see inputs.ts). */
function refuseRepeatedInputs(reads: string[]): void {
  const repeated = repeatedInput(reads, '-r ');
  if (repeated !== null) throw new TcpscopeError('BAD_OPTION', repeated);
}

/** Print one line for an error and return the exit status; never a stack trace. */
export function reportError(e: unknown): number {
  if (isTcpscopeError(e)) {
    process.stderr.write(`tcpscope: ${e.describe()}\n`);
    return e.exitStatus;
  }
  if (e instanceof CommanderError) {
    // commander has already printed its message (help, version or a usage error)
    return e.exitCode === 0 ? 0 : 1;
  }
  const failed = writeFailure(e);
  if (failed !== null) {
    process.stderr.write(`tcpscope: ${failed}\n`);
    return writeFailureStatus;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`tcpscope: internal error: ${msg}\n`);
  if (process.env.TCPSCOPE_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return 2;
}

/** Exit status when standard output cannot be written: 1 (as tcpdump), 2 for check (1 is a verdict). */
let writeFailureStatus = 1;

/**
 * Standard output that cannot be written (a full disk, an I/O error): tcpdump's "Unable to write
 * output: No space left on device", as `cannot write to standard output: …`; null for any
 * other error. (A pipe whose reader went away is not a failure: see exitQuietlyOnClosedPipe.)
 */
function writeFailure(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || err.syscall !== 'write' || typeof err.code !== 'string') return null;
  // Node's message is "ENOSPC: no space left on device, write": keep the words, as strerror has them
  const words = err.message.replace(/^[A-Z0-9]+: /, '').replace(/, write$/, '');
  return `cannot write to standard output: ${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

/**
 * Text that does not go through Output (commander's help and usage, a table written with
 * process.stdout) can meet a reader that has gone away (`tcpscope --help | head -1`): end quietly
 * with status 0 as tcpdump does, instead of Node's unhandled 'error' event and its stack trace.
 */
let pipeGuardInstalled = false;
function exitQuietlyOnClosedPipe(): void {
  if (pipeGuardInstalled) return;
  pipeGuardInstalled = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // standard error gone: the run goes on and ends with its own status (an error it could
      // not report must not turn into status 0)
      if (stream === process.stderr) return;
      if (e.code === 'EPIPE') process.exit(0);
      // a full disk or a broken device under `tcpscope --help > FILE`: one line, not a trace
      if (stream === process.stdout) {
        try { process.stderr.write(`tcpscope: ${writeFailure(e) ?? e.message}\n`); } catch { /* stderr is gone too */ }
      }
      process.exit(writeFailureStatus);
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  writeFailureStatus = argv.find((a) => !a.startsWith('-')) === 'check' ? 2 : 1;
  const program = buildProgram(runPipeline);
  let status: number;
  try {
    await program.parseAsync(normaliseArgs(argv), { from: 'user' });
    status = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    status = reportError(e);
  }
  // A stopped live capture can keep libpcap's handle open, and a signal can leave a read of
  // standard input pending: either holds Node's event loop, so end the process explicitly once
  // everything has been written (stdout/stderr writes are synchronous for files and pipes).
  if ((liveModule !== null && liveModule.liveCaptureLingers()) || stoppedBySignal() !== null) setImmediate(() => process.exit(status));
  return status;
}
