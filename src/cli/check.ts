/**
 * `tcpscope check [options] CAPTURE... [expression]`: the subcommand's options, turned into
 * CheckOptions for src/check. Nothing here knows about packets.
 *
 * Captures and the expression share the operands: the leading operands that name an existing
 * file or directory (or `-`, or look like a capture path) are captures, the first other word
 * starts the filter expression. `--` ends the captures explicitly: everything after it is the
 * expression (for an expression word that happens to be a file name).
 *
 * Every usage mistake exits with status 2, as unreadable input does (1 is the verdict "abnormal").
 */
import { readFileSync, statSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { CONDITION_HELP, CONDITION_NAMES, DEFAULT_FAIL_ON } from '../check/conditions.js';
import { type PolicySettings, buildPolicy, readPolicyFile } from '../check/policy.js';
import type { CheckOptions } from '../check/run.js';
import { TcpscopeError } from '../errors.js';
import { repeatedInput } from './inputs.js';

function usageError(message: string): never {
  throw new TcpscopeError('BAD_OPTION', message, { exitStatus: 2 });
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

function wholeNumber(flag: string, min: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min) usageError(`invalid ${flag} value '${v}': expected a whole number ≥ ${min}`);
    return Number(v);
  };
}

function nonNegative(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) usageError(`invalid ${flag} value '${v}': expected a number ≥ 0`);
    return n;
  };
}

/** `reset=2` (or `reset:2`) → ['reset', 2]. */
function parseMax(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    for (const item of v.split(',').filter((x) => x.trim() !== '')) {
      const m = /^\s*([a-z-]+)\s*[=:]\s*(\d+)\s*$/i.exec(item);
      if (!m) usageError(`invalid --max value '${item}': expected CONDITION=N, e.g. --max reset=2`);
      out[m[1].toLowerCase()] = Number(m[2]);
    }
  }
  return out;
}

const CAPTURE_NAME = /\.(pcap|pcapng|cap|dmp|gz|pcap\d+)$/i;

/**
 * Split the operands into capture paths and the filter expression. `afterDashes` is how many
 * trailing operands came after `--` (-1: no `--`). `exists` tells whether a path exists.
 */
export function splitOperands(operands: string[], afterDashes: number, exists: (p: string) => boolean = pathExists): { captures: string[]; expression: string[] } {
  if (afterDashes >= 0) {
    const cut = operands.length - afterDashes;
    return { captures: operands.slice(0, cut), expression: operands.slice(cut) };
  }
  let i = 0;
  while (i < operands.length) {
    const a = operands[i];
    if (a === '-' || exists(a) || a.includes('/') || CAPTURE_NAME.test(a)) i++;
    else break;
  }
  return { captures: operands.slice(0, i), expression: operands.slice(i) };
}

function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function conditionsHelp(): string {
  const width = Math.max(...CONDITION_NAMES.map((n) => n.length));
  return CONDITION_NAMES.map((n) => `  ${n.padEnd(width)}  ${DEFAULT_FAIL_ON.includes(n) ? '*' : ' '} ${CONDITION_HELP[n]}`).join('\n');
}

const HELP_AFTER = `
Captures and expression:
  Leading operands that name existing files or directories (or '-', or end in .pcap, .pcapng,
  .cap, .gz) are captures; a directory means every capture in it. Several captures are read as
  one, in time order (rotated -C/-G parts). The first other word starts the filter expression,
  which narrows the packets judged. Put '--' before an expression whose first word is a file name.

Conditions (* = failed on by default; --list-conditions prints just the names):
${conditionsHelp()}

Exit status:
  0  no abnormal connection
  1  abnormal connections found (or fewer than --min-connections)
  2  a capture could not be read, or the options or the policy file are wrong

Examples:
  tcpscope check test-run.pcap
  tcpscope check --allow half-closed-at-end --max-resets 2 captures/ port 5432
  tcpscope check --policy tcpscope.json --junit tcp-report.xml capture.pcap
`;

/** The check run, loaded when `check` is used: plain tcpscope runs never load its outputs. */
async function runCheckLazily(opts: CheckOptions): Promise<number> {
  const { runCheck, defaultCheckIO } = await import('../check/run.js');
  const { Output } = await import('../print/output.js');
  // a reader that goes away (`tcpscope check --json caps/ | head -1`) must not turn the verdict
  // into status 0: under `set -o pipefail` that would pass a CI job whose captures are
  // abnormal. Standard output is dropped from then on; the run finishes (a --junit file is
  // still written) and exits with its verdict.
  return runCheck(opts, { ...defaultCheckIO(), stdout: new Output(1, () => {}) });
}

export function registerCheck(program: Command, run: (opts: CheckOptions) => Promise<number> = runCheckLazily): Command {
  // the program's own options (-q, -F, -K, --json, --color, ...) must not take the check's
  // options of the same names: they are recognised only before the subcommand
  program.enablePositionalOptions();
  const cmd = program.command('check')
    .description('Judge every TCP connection in the captures and exit 0 (clean), 1 (abnormal connections) or 2 (unreadable input): for CI.')
    .usage('[options] CAPTURE... [expression]')
    .argument('[operands...]', 'capture files or directories, then an optional filter expression')
    .option('--fail-on <conditions>', `fail on these conditions instead of the default (${DEFAULT_FAIL_ON.join(',')}); 'default', 'all' and 'none' name sets`, collect)
    .option('--allow <conditions>', 'never fail on these conditions', collect)
    .option('--allow-port <ports>', 'exempt connections with this port at either end (9200, 8000-8100; comma-separated or repeated)', collect)
    .option('--allow-host <addresses>', 'exempt connections with this address at either end (10.0.0.5, 10.1.0.0/16, ::1)', collect)
    .option('--max <condition=n>', 'tolerate up to N connections with this condition (judging it), e.g. --max retransmission=5', collect)
    .option('--max-resets <n>', 'tolerate up to N reset connections (--max reset=N)', wholeNumber('--max-resets', 0))
    .option('--min-connections <n>', 'fail when the captures hold fewer TCP connections (a capture that saw nothing)', wholeNumber('--min-connections', 0))
    .option('--policy <file>', 'read these settings from a JSON policy file (options given here override it)')
    .option('--json', 'NDJSON on standard output: every flow record with its check outcome, then a verdict record')
    .option('--junit <file>', 'also write a JUnit XML report: one test case per connection')
    .option('-F <file>', 'read the filter expression from a file')
    .option('-K', "don't verify checksums")
    .option('--msl <seconds>', 'maximum segment lifetime; TIME_WAIT lasts 2×MSL of capture time', nonNegative('--msl'), 60)
    .option('--max-flows <n>', 'cap the connection table, evicting the longest idle (runs on one thread)', wholeNumber('--max-flows', 1))
    .option('-j, --jobs <n>', 'worker threads tracking connections, sharded by 4-tuple; same answer for any number (default: 2 for 512 MB of captures or more on 4+ cores, else 1)', wholeNumber('--jobs', 1))
    .option('--color <when>', 'colour: auto, always or never', 'auto')
    .option('-q, --quiet', 'only the failing connections and the verdict line')
    .option('--report-limit <n>', 'list at most N failing connections (0: all)', wholeNumber('--report-limit', 0), 200)
    .option('--list-conditions', 'print the condition names and exit')
    .option('--no-progress', 'no progress line on standard error (drawn during a read longer than a second, when stderr is a terminal)')
    .addHelpText('after', HELP_AFTER)
    .allowExcessArguments(true);
  // `--json=packets` arrives split in two (see main.ts); it means nothing here
  cmd.addOption(new Option('--json-records <what>').hideHelp());
  // usage errors exit 2 (1 is a verdict): print them through the CLI's one-line error report
  cmd.configureOutput({ writeErr: (s) => { if (!s.startsWith('error: ')) process.stderr.write(s); } });
  cmd.exitOverride((err) => {
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help') throw err;
    let message = err.message.replace(/^error: /, '');
    // a tcpdump user's reflex (`tcpscope -r FILE` reads one): here captures are operands
    if (/^unknown option '-r/.test(message)) message += ": captures are operands here (tcpscope check FILE...)";
    throw new TcpscopeError('BAD_OPTION', message, { exitStatus: 2 });
  });
  cmd.action(async (operands: string[], o: Record<string, unknown>, self: Command) => {
    if (o.listConditions) {
      process.stdout.write(CONDITION_NAMES.join('\n') + '\n');
      process.exitCode = 0;
      return;
    }
    const opts = toCheckOptions(operands, o, dashesAfter(self));
    process.exitCode = await run(opts);
  });
  return cmd;
}

/** How many operands followed `--` on the command line (-1: none). */
function dashesAfter(cmd: Command): number {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const at = raw.indexOf(cmd.name());
  const dd = raw.indexOf('--', at < 0 ? 0 : at + 1);
  return dd < 0 ? -1 : raw.length - dd - 1;
}

export function toCheckOptions(operands: string[], o: Record<string, unknown>, afterDashes = -1): CheckOptions {
  if (o.jsonRecords !== undefined) usageError('--json=packets is not available with check: --json writes each flow record and the verdict');
  const { captures, expression } = splitOperands(operands, afterDashes);
  if (captures.length === 0) {
    usageError(operands.length === 0
      ? 'check needs at least one capture file or directory (tcpscope check --help)'
      : `no such capture file or directory: '${operands[0]}' (put '--' before a filter expression)`);
  }
  const repeated = repeatedInput(captures, '');
  if (repeated !== null) usageError(repeated);
  let filter = expression.join(' ').trim();
  if (o.F !== undefined) {
    if (filter !== '') usageError('give the filter expression either with -F or on the command line, not both');
    try {
      filter = readFileSync(o.F as string, 'utf8').replace(/#.*$/gm, ' ').replace(/\s+/g, ' ').trim();
    } catch (e) {
      usageError(`${o.F as string}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    }
  }
  const color = o.color as string;
  if (!['auto', 'always', 'never'].includes(color)) usageError(`invalid --color value '${color}': expected auto, always or never`);
  // '-' means standard output elsewhere; here it would have made a file named '-'
  if (o.junit === '-') usageError('--junit needs a file name: the report (or --json) already uses standard output');

  const split = (v: string[] | undefined): string[] | undefined => v?.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  const cli: PolicySettings = {
    failOn: o.failOn as string[] | undefined,
    allow: o.allow as string[] | undefined,
    allowPorts: split(o.allowPort as string[] | undefined),
    allowHosts: split(o.allowHost as string[] | undefined),
    minConnections: o.minConnections as number | undefined,
  };
  const max = o.max !== undefined ? parseMax(o.max as string[]) : {};
  if (o.maxResets !== undefined) max.reset = o.maxResets as number;
  if (Object.keys(max).length > 0) cli.max = max;
  const policyFile = o.policy as string | undefined;
  const fromFile = policyFile !== undefined ? readPolicyFile(policyFile) : {};
  const policy = buildPolicy(fromFile, cli, policyFile);

  return {
    captures,
    filter,
    policy,
    json: !!o.json,
    junit: o.junit as string | undefined,
    color: color as CheckOptions['color'],
    quiet: !!o.quiet,
    reportLimit: o.reportLimit as number,
    mslSeconds: o.msl as number,
    maxFlows: o.maxFlows as number | undefined,
    checksums: o.K ? 'off' : 'control',
    jobs: o.jobs as number | undefined,
    progress: o.progress !== false,
  };
}
