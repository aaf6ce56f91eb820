/**
 * bin/tcpscope.js run as a program (as an installed `tcpscope` is: the kernel reads its `#!/bin/sh`
 * line): the shell line drops NODE_EXTRA_CA_CERTS and execs node on the same file, and nothing else
 * changes: arguments, standard input, exit status, pid (signals), pipes, symlinks, other shells.
 * `node bin/tcpscope.js` skips the shell line and still loads the certificates (the control that
 * shows these tests see the difference).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, NODE, q, REAL, SCEN } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-launcher-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment of a user's shell: the node running these tests first on PATH. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: dirname(NODE) + delimiter + (process.env.PATH ?? ''), TZ: 'UTC', NO_COLOR: '1', ...extra };
}

interface Run { stdout: string; stderr: string; status: number | null }

/** `argv0 ARGS` (argv0 the bin file itself, or an interpreter and the file) with `input` on stdin. */
function run(argv0: string[], args: string[], opts: { input?: Buffer; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(argv0[0]!, [...argv0.slice(1), ...args], { env: userEnv(opts.env), input: opts.input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status };
}
const asProgram = (args: string[], opts?: Parameters<typeof run>[2]) => run([CLI], args, opts);
const throughNode = (args: string[], opts?: Parameters<typeof run>[2]) => run([NODE, CLI], args, opts);

const CERT_WARNING = /Ignoring extra certs from/;
const F = join(SCEN, 'half-close.pcap');
/** tcpdump's line on stderr for `-r PATH` (the scenarios are Ethernet, 262144-byte snap length) */
const reading = (path: string): string => `reading from file ${path}, link-type EN10MB (Ethernet), snapshot length 262144\n`;

describe('NODE_EXTRA_CA_CERTS', () => {
  // Node warns on stderr when it tries to load a certificate file it cannot read: the sign that
  // it parsed NODE_EXTRA_CA_CERTS at start-up
  const missing = { NODE_EXTRA_CA_CERTS: join(tmp, 'no-such-bundle.crt') };

  test('binRunAsProgram_extraCertsSet_notLoaded', () => {
    const r = asProgram(['check', F], { env: missing });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(CERT_WARNING);
    expect(r.stdout).toMatch(/^PASS: 1 connection/m);
  });

  test('binRunThroughNode_extraCertsSet_loadedAsBefore', () => {
    // the control: the same variable and run through `node` does reach Node's start-up
    const r = throughNode(['check', F], { env: missing });
    expect(r.stderr).toMatch(CERT_WARNING);
    expect(r.status).toBe(0);
  });

  test('binRunAsProgram_extraCertsSet_sameOutputAsThroughNode', () => {
    const args = ['-nv', '-r', join(REAL, 'real-half-close.pcap')];
    const mine = asProgram(args, { env: missing });
    const theirs = throughNode(args);
    expect(mine).toEqual(theirs);
  });
});

describe('the launcher line as JavaScript', () => {
  test('launcherLine_beforeUseStrict_useStrictStillADirective', () => {
    // line 2 is a string statement: with 'use strict' after it the two form the directive
    // prologue, so the script stays strict (a plain statement before it would make it sloppy)
    const source = readFileSync(CLI, 'utf8');
    const lines = source.split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    const strictAt = lines.findIndex((l) => l.startsWith("'use strict'"));
    expect(strictAt).toBeGreaterThan(1);
    const prologue = lines.slice(1, strictAt + 1).join('\n');
    const isStrict = new Function(`${prologue}\nreturn (function () { return this === undefined; })();`);
    expect(isStrict()).toBe(true);
    // the check itself can fail: the same with a statement in front is sloppy
    expect(new Function(`0;\n${prologue}\nreturn (function () { return this === undefined; })();`)()).toBe(false);
  });
});

describe('arguments, input and status arrive unchanged', () => {
  // a capture whose name has spaces, quotes, a glob star and a dollar, and a filter of several words
  const odd = join(tmp, `a b 'c' "d" * $HOME.pcap`);
  copyFileSync(join(SCEN, 'close-4way.pcap'), odd);
  const cases: [string, string[]][] = [
    ['odd file name', ['-n', '-r', odd]],
    ['filter in one argument', ['-n', '-r', odd, 'tcp[tcpflags] & tcp-fin != 0']],
    ['filter in several arguments', ['-n', '-r', odd, 'tcp', 'and', 'port', '80']],
    ['empty argument', ['-n', '-r', odd, '']],
    ['double dash', ['--plain', '-n', '-r', odd, '--', 'tcp']],
    ['unknown file (named in the error)', ['-r', join(tmp, `no such "file" *`)]],
    ['bad option (named in the error)', ['--no-such-option', '']],
    ['check failing (status 1)', ['check', join(SCEN, 'rst-refused.pcap'), odd]],
    ['version', ['--version']],
  ];
  for (const [name, args] of cases) {
    test(`binRunAsProgram_${name}_sameAsThroughNode`, () => {
      const mine = asProgram(args);
      expect(mine).toEqual(throughNode(args));
      expect(mine.stdout.length + mine.stderr.length).toBeGreaterThan(0);
    });
  }

  test('binRunAsProgram_captureOnStdin_sameAsThroughNode', () => {
    const input = readFileSync(join(REAL, 'real-normal.pcap'));
    const mine = asProgram(['-n', '-r', '-'], { input });
    expect(mine.status).toBe(0);
    expect(mine.stdout).toMatch(/Flags \[S\]/);
    expect(mine).toEqual(throughNode(['-n', '-r', '-'], { input }));
  });

  test('binRunAsProgram_checkWithWorkers_sameAsThroughNode', () => {
    const args = ['check', '--jobs', '2', '--json', join(SCEN, 'port-reuse.pcap'), join(SCEN, 'close-4way.pcap')];
    const mine = asProgram(args);
    expect(mine.stdout).toMatch(/"type":"flow"/);
    expect(mine).toEqual(throughNode(args));
  });
});

describe('how it is started', () => {
  test('symlinkToBin_runAsProgram_runsFromThePackage', () => {
    // node_modules/.bin/tcpscope is a symlink: $0 is the link, Node resolves it to bin/ (its dist/)
    const link = join(tmp, 'tcpscope');
    symlinkSync(CLI, link);
    const r = run([link], ['-n', '-r', F], { env: { NODE_EXTRA_CA_CERTS: join(tmp, 'none.crt') } });
    expect(r.stderr).toBe(reading(F)); // tcpdump's line, nothing of the launcher's
    expect(r).toEqual(throughNode(['-n', '-r', F]));
  });

  // dash is Debian's /bin/sh, BusyBox sh Alpine's (the images CI jobs use)
  const shells: [string, string[]][] = [['dash', ['dash']], ['busybox sh', ['busybox', 'sh']], ['bash', ['bash']]];
  for (const [name, sh] of shells) {
    const found = spawnSync(sh[0]!, [...sh.slice(1), '-c', 'exit 0']).status === 0;
    test.skipIf(!found)(`${name}_runsTheBin_sameAsThroughNode`, () => {
      const args = ['--plain', '-n', '-r', F, 'tcp', ''];
      const r = run([...sh, CLI], args, { env: { NODE_EXTRA_CA_CERTS: join(tmp, 'none.crt') } });
      expect(r.stderr).not.toMatch(CERT_WARNING);
      expect(r).toEqual(throughNode(args));
    });
  }

  test('readerGoesAway_binRunAsProgram_quietStatus0', () => {
    // ~120 KB of output into `head -c 1`: the EPIPE is node's, reported as through node (not at all)
    const cmd = `${q(CLI)} -n -r ${q(join(SCEN, 'syn-flood.pcap'))} 2>${q(join(tmp, 'err'))} | head -c 1 >/dev/null; exit "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { env: userEnv() });
    expect(r.status).toBe(0);
    expect(readFileSync(join(tmp, 'err'), 'utf8')).toBe(reading(join(SCEN, 'syn-flood.pcap'))); // no EPIPE report
  });

  test.skipIf(!existsSync('/proc/self/exe'))('binRunAsProgram_sigterm_reachesNodeInSamePid', async () => {
    // exec, not a child: the pid the caller holds is node's, so its signals reach tcpscope
    const child = spawn(CLI, ['-n', '-r', '-'], { env: userEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exe = await (async () => {
      // until the shell has exec'd node (/proc/PID/exe changes from sh to node)
      for (let i = 0; i < 200; i++) {
        try {
          const e = readlinkSync(`/proc/${child.pid}/exe`);
          if (e === NODE || /node/.test(e)) return e;
        } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 10));
      }
      return '';
    })();
    expect(exe).toBe(readlinkSync('/proc/self/exe'));
    // tcpscope reads its standard input: give it a whole capture but leave the pipe open, and
    // SIGTERM once its lines arrive (printed after its signal handlers are set: no fixed sleep,
    // which a loaded machine can outrun)
    let printed!: () => void;
    const linesArrived = new Promise<void>((r) => { printed = r; });
    child.stdout.on('data', () => printed());
    child.stdin.write(readFileSync(F));
    await linesArrived;
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    child.stdin.destroy();
    // what node bin/tcpscope.js does on SIGTERM: ends as tcpdump does, status 0, no stack trace
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
