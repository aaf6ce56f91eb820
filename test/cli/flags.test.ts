/**
 * The command line as a tcpdump user types it: combined flags, operands in any order, `--`,
 * --version and --help, and a one-line error with status 1 for every usage mistake.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, NODE, q, ROOT, SCEN, shell, tcpscope } from './helpers.js';
import { pcapHeader } from '../capture/build.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const F = join(SCEN, 'close-4way.pcap');
/** tcpdump's line on stderr for `-r PATH` (an Ethernet capture of 262144-byte snap length) */
const reading = (path: string): string => `reading from file ${path}, link-type EN10MB (Ethernet), snapshot length 262144\n`;

/** A usage error: nothing on stdout, one `tcpscope: ` line on stderr, status 1. */
function usageError(args: string[], message: RegExp): void {
  const r = tcpscope(args);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^tcpscope: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(1);
}

describe('--version and --help', () => {
  test('--version_prints tcpscope and Node.js versions_status 0', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = tcpscope(['--version']);
    expect(r).toEqual({ status: 0, stderr: '', stdout: `tcpscope version ${pkg.version}\nNode.js version ${process.versions.node}\n` });
  });

  test('help and help check_the same help as --help', () => {
    expect(tcpscope(['help'])).toEqual(tcpscope(['--help']));
    const check = tcpscope(['help', 'check']);
    expect(check).toEqual(tcpscope(['check', '--help']));
    expect(check.stdout).toMatch(/^Usage: tcpscope check \[options\] CAPTURE\.\.\. \[expression\]/);
    expect(check.stdout).toMatch(/\nExit status:\n/);
  });

  test('--help_lists every option_status 0', () => {
    const r = tcpscope(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['-r <file>', '-w <file>', '-c <count>', '--json', '--plain', '--no-summary', '--no-progress', '--version']) expect(r.stdout).toContain(flag);
  });

  test('--help_names the tcpdump long options it accepts_each of them works', () => {
    const r = tcpscope(['--help']);
    for (const flag of ['--number', '--time-stamp-precision=nano', '--dont-verify-checksums', '--absolute-tcp-sequence-numbers', '--snapshot-length', '--interface', '--packet-buffered']) {
      expect(r.stdout).toContain(flag);
    }
    const plain = (args: string[]): string => tcpscope(['--plain', '-n', ...args, '-r', F]).stdout;
    expect(plain(['--absolute-tcp-sequence-numbers', '--time-stamp-precision=nano', '--number'])).toBe(plain(['-S', '--nano', '-#']));
  });
});

describe('tcpdump flags', () => {
  test('-# with a filter_numbers the packets the filter passed_1 to N, not their place in the file', () => {
    // tcpdump counts the packets its callback is handed: close-4way's server packets are file
    // packets 2, 5, 6, … and tcpdump numbers them 1, 2, 3, …
    const filter = 'src host 10.0.0.2';
    const lines = tcpscope(['--plain', '-n', '-r', F, filter]).stdout.split('\n').filter(Boolean);
    const numbered = tcpscope(['--plain', '-n', '-#', '-r', F, filter]).stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);
    expect(numbered).toEqual(lines.map((l, i) => `${String(i + 1).padStart(5)}  ${l}`));
  });

  test('-nSvvt combined_same output as -n -S -v -v -t', () => {
    const a = tcpscope(['-nSvvt', '-r', F, '--plain']);
    const b = tcpscope(['-n', '-S', '-v', '-v', '-t', '-r', F, '--plain']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^IP \(tos 0x0, ttl 64, id 101/);
  });

  test('-nr FILE_the file is -r\'s argument', () => {
    expect(tcpscope(['-nr', F, '--plain']).stdout).toBe(tcpscope(['-n', '-r', F, '--plain']).stdout);
  });

  test('expression before -r, after -r, or after --_same packets', () => {
    const after = tcpscope(['-n', '-r', F, '--plain', 'src', 'port', '7000']);
    expect(after.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(tcpscope(['-n', 'src', 'port', '7000', '-r', F, '--plain']).stdout).toBe(after.stdout);
    expect(tcpscope(['-n', '-r', F, '--plain', '--', 'src', 'port', '7000']).stdout).toBe(after.stdout);
  });

  test.each([['-c0', /invalid -c value '0'/], ['-c-1', /invalid -c value '-1'/], ['-cx', /invalid -c value 'x'/]])(
    '%s_usage error', (flag, message) => usageError([flag, '-r', F], message));

  test('--plain with --json_usage error', () => usageError(['--plain', '--json', '-r', F], /--plain and --json are two output modes: choose one/));
  test('unknown option_usage error', () => usageError(['--bogus', '-r', F], /unknown option '--bogus'/));
  test('-r without its file_usage error', () => usageError(['-n', '-r'], /-r <file>.* argument missing/));
  test('-F and an expression_-F wins as in tcpdump, with a warning', () => {
    const filt = join(tmp, 'filter.txt');
    writeFileSync(filt, 'src port 7000 # the server side\n');
    const r = tcpscope(['-n', '--plain', '-F', filt, '-r', F, 'dst', 'port', '7000']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(tcpscope(['-n', '--plain', '-r', F, 'src', 'port', '7000']).stdout);
    expect(r.stderr).toBe(`tcpscope: warning: the filter comes from -F ${filt}; the expression 'dst port 7000' on the command line is ignored\n${reading(F)}`);
  });
  test('-F missing file_usage error', () => usageError(['-F', join(tmp, 'no-filter'), '-r', F], /no-filter: No such file or directory/));
  test('a second capture without its -r_the error says so', () => {
    const r = tcpscope(['-n', '-r', 'close-4way.pcap', 'rst-refused.pcap'], { cwd: SCEN });
    // after tcpdump's line for the file it opened (it opens the file before it compiles the filter)
    expect(r).toEqual({ status: 1, stdout: '', stderr: reading('close-4way.pcap') + "tcpscope: 'rst-refused.pcap' is a file, not a filter expression: give each capture with its own -r (-r close-4way.pcap -r rst-refused.pcap)\n" });
  });
  test('misspelt subcommand as the filter_the error suggests it', () => {
    const r = tcpscope(['-n', '-r', F, 'chekc']);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[1]).toMatch(/^tcpscope: syntax error in filter expression: .* \(did you mean check\?\)$/);
    // a filter keyword, or a word far from every subcommand, gets no suggestion
    expect(tcpscope(['-n', '-r', F, 'host']).stderr).not.toContain('did you mean');
    expect(tcpscope(['-n', '-r', F, 'zebra']).stderr).not.toContain('did you mean');
  });
  test('filter syntax error_usage error with the expression', () => {
    const r = tcpscope(['-n', '-r', F, 'tcp and (']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(reading(F))).toBe(true);
    expect(r.stderr.slice(reading(F).length)).toMatch(/^tcpscope: syntax error in filter expression/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('several -r', () => {
  test('-r - twice_usage error', () => usageError(['-r', '-', '-r', '-'], /-r - is given twice: standard input can be read only once/));
  test('the same file twice (another path)_usage error', () => {
    usageError(['-r', F, '-r', join(SCEN, '..', 'scenarios', 'close-4way.pcap')], /close-4way\.pcap is given twice with -r/);
  });
  test('two files_one capture in time order', () => {
    const r = tcpscope(['-n', '--plain', '-r', F, '-r', join(SCEN, 'rst-refused.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(13);
  });
});

describe('-w and -r the same file', () => {
  test('-w the -r file_refused, the capture untouched', () => {
    const p = join(tmp, 'same.pcap');
    copyFileSync(F, p);
    usageError(['-r', p, '-w', p], /same\.pcap: -w would overwrite the capture being read with -r/);
    expect(readFileSync(p)).toEqual(readFileSync(F));
  });

  test('-w another name of the -r file (a path through ..)_refused', () => {
    const p = join(tmp, 'same2.pcap');
    copyFileSync(F, p);
    usageError(['-r', p, '-w', join(tmp, '..', tmp.split('/').at(-1)!, 'same2.pcap')], /-w would overwrite the capture being read/);
    expect(statSync(p).size).toBe(statSync(F).size);
  });

  test('-w a capture inside a -r directory_refused', () => {
    const dir = join(tmp, 'parts');
    mkdirSync(dir);
    copyFileSync(F, join(dir, 'a.pcap'));
    usageError(['-r', dir, '-w', join(dir, 'a.pcap')], /-w would overwrite a file in a directory being read/);
  });

  test('-w a new file_written', () => {
    const out = join(tmp, 'copy.pcap');
    const r = tcpscope(['-r', F, '-w', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out).subarray(24)).toEqual(readFileSync(F).subarray(24));
  });
});

describe('file names in error lines', () => {
  test('control characters in a name_escaped, the error stays one line', () => {
    const name = join(tmp, 'new\nline\x1b[31m.pcap');
    const r = tcpscope(['-r', name]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tcpscope: ${join(tmp, 'new\\x0aline\\x1b[31m.pcap')}: no such file or directory\n`);
  });

  test('non-ASCII name_read and shown as it is', () => {
    const name = join(tmp, 'café 日本.pcap');
    copyFileSync(F, name);
    expect(tcpscope(['-n', '-r', name, '--plain']).stdout).toBe(tcpscope(['-n', '-r', F, '--plain']).stdout);
    expect(tcpscope(['-r', name + 'x']).stderr).toBe(`tcpscope: ${name}x: no such file or directory\n`);
  });
});

describe('-w - and a terminal', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  test.skipIf(!hasScript)('-w - with stdout a terminal_refused, nothing written', () => {
    const r = shell(`script -qec ${q(`${NODE} ${CLI} -r ${F} -w -; echo "rc=$?"`)} /dev/null`);
    expect(r.stdout).toBe('tcpscope: -w - would write the binary capture to the terminal: redirect standard output (> FILE, | tcpscope -r -) or give -w FILE\r\nrc=1\r\n');
  });

  test('-w - with stdout a pipe_the capture', () => {
    const r = spawnSync(NODE, [CLI, '-r', F, '-w', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.subarray(24)).toEqual(readFileSync(F).subarray(24));
  });
});

describe('tcpdump options and their long names', () => {
  const G = join(SCEN, 'rst-refused.pcap');

  test.each([
    [[], '11 packets\n'],
    [['src', 'port', '7000'], '5 packets\n'],
    [['-c', '3'], '3 packets\n'],
  ])('--count %j_only the number, as tcpdump --count', (extra, expected) => {
    expect(tcpscope(['--count', '-r', F, ...extra])).toEqual({ status: 0, stderr: reading(F), stdout: expected });
  });

  test('--count_one packet_singular', () => {
    const one = join(tmp, 'one.pcap');
    const src = readFileSync(G);
    writeFileSync(one, src.subarray(0, 24 + 16 + src.readUInt32LE(24 + 8)));
    expect(tcpscope(['--count', '-r', one]).stdout).toBe('1 packet\n');
  });

  test('--count_a capture cut short_the packets before the damage, then the error', () => {
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, readFileSync(F).subarray(0, 500));
    const r = tcpscope(['--count', '-r', cut]);
    expect(r.stdout).toBe('4 packets\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/packet 5 is cut short/);
  });

  test('--count with -w -_usage error (the number would follow the capture)', () => usageError(['--count', '-r', F, '-w', '-'], /--count and -w - would both write to standard output/));

  test('--count with -w FILE_counts and writes', () => {
    const out = join(tmp, 'counted.pcap');
    expect(tcpscope(['--count', '-r', F, '-w', out, 'src', 'port', '7000'])).toEqual({ status: 0, stderr: reading(F), stdout: '5 packets\n' });
    expect(tcpscope(['--count', '-r', out]).stdout).toBe('5 packets\n');
  });

  test('--count without -r_usage error', () => usageError(['--count', '-i', 'lo'], /--count counts the packets of capture files/));

  test.each([
    [['--absolute-tcp-sequence-numbers'], ['-S']],
    [['--time-stamp-precision=nano'], ['--nano']],
    [['--time-stamp-precision', 'micro'], ['--micro']],
    [['--dont-verify-checksums', '-v'], ['-K', '-v']],
    [['--snapshot-length=0'], ['-s', '0']],
  ])('tcpdump long option %j_same as %j', (long, short) => {
    const a = tcpscope(['-n', '--plain', '-r', F, ...long]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(tcpscope(['-n', '--plain', '-r', F, ...short]).stdout);
  });

  test('--time-stamp-precision=pico_usage error', () => usageError(['--time-stamp-precision=pico', '-r', F], /unsupported time stamp precision pico/));

  test.each([
    [['-Q', 'in'], /tcpdump's -Q \(capture direction\) is not supported by tcpscope/],
    [['-nQ', 'in'], /tcpdump's -Q \(capture direction\)/],
    [['--direction=in'], /tcpdump's --direction \(capture direction\)/],
    [['-d'], /tcpdump's -d \(dump the compiled filter program\)/],
    [['-y', 'EN10MB'], /tcpdump's -y \(data link type\)/],
  ])('tcpdump option %j that tcpscope lacks_named as such', (args, message) => usageError([...args, '-r', F], message));

  test('-tttttt_usage error as tcpdump', () => usageError(['-tttttt', '-r', F], /^tcpscope: only -t, -tt, -ttt, -tttt and -ttttt are supported\n$/));

  test.each([['1.5'], ['-5'], ['abc'], ['262145']])('-s %s_usage error with tcpdump\'s range', (v) => {
    usageError(['-s', v, '-r', F], new RegExp(`invalid snaplen ${v.replace('.', '\\.')} \\(must be >= 0 and <= 262144\\)`));
  });

  test('-V list_the captures it names, blank lines skipped', () => {
    const list = join(tmp, 'list.txt');
    writeFileSync(list, `${F}\n\n${G}\n`);
    const r = tcpscope(['-n', '--plain', '-V', list]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(tcpscope(['-n', '--plain', '-r', F, '-r', G]).stdout);
  });

  test('-V list with a header-only file_its reading line, the written header from a file with packets', () => {
    // a classic pcap header and nothing else: BSD loopback, snap length 100
    const none = join(tmp, 'header-only.pcap');
    writeFileSync(none, pcapHeader({ linktype: 0, snaplen: 100 }).bytes());
    const list = join(tmp, 'list-header-only.txt');
    writeFileSync(list, `${none}\n${F}\n`);
    const out = join(tmp, 'from-list.pcap');
    const r = tcpscope(['-n', '--plain', '-V', list, '-w', out]);
    expect(r.status).toBe(0);
    // tcpdump -V opens every file and says so, packets or not
    expect(r.stderr).toContain(`reading from file ${none}, link-type NULL (BSD loopback), snapshot length 100\n`);
    expect(r.stderr).toContain(`reading from file ${F}, `);
    const alone = join(tmp, 'from-one.pcap');
    expect(tcpscope(['-n', '--plain', '-r', F, '-w', alone]).status).toBe(0);
    expect(readFileSync(out).equals(readFileSync(alone))).toBe(true);
  });

  test('-V list of header-only files with -w_a file of the first header alone, as tcpdump writes', () => {
    const first = join(tmp, 'empty-first.pcap');
    writeFileSync(first, pcapHeader({ linktype: 0, snaplen: 100 }).bytes());
    const second = join(tmp, 'empty-second.pcap');
    writeFileSync(second, pcapHeader({ linktype: 1, snaplen: 65535 }).bytes()); // Ethernet
    const list = join(tmp, 'list-empty.txt');
    writeFileSync(list, `${first}\n${second}\n`);
    const out = join(tmp, 'from-empty-list.pcap');
    expect(tcpscope(['-n', '-V', list, '-w', out]).status).toBe(0);
    const alone = join(tmp, 'from-empty-one.pcap');
    expect(tcpscope(['-n', '-r', first, '-w', alone]).status).toBe(0);
    expect(readFileSync(out).length).toBe(24);
    expect(readFileSync(out).equals(readFileSync(alone))).toBe(true);
  });

  test('-V with -r_usage error', () => usageError(['-V', F, '-r', F], /-V and -r are mutually exclusive/));
});
