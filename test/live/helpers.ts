/**
 * Live-capture test helpers: when the tests can run, a tcpscope process capturing on `lo`, and
 * real TCP connections on the loopback interface to capture.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { loadPcapBinding } from '../../src/capture/live-binding.js';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'tcpscope.js');
export const IS_ROOT = process.getuid?.() === 0;
export const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;

/**
 * Why live captures cannot run here ('' when they can). With TCPSCOPE_REQUIRE_LIVE_TESTS=1 (CI
 * sets it) a reason is a failure instead: CI must not pass by skipping them.
 */
export function liveSkipReason(): string {
  const reason = liveUnavailable();
  if (reason !== '' && process.env.TCPSCOPE_REQUIRE_LIVE_TESTS === '1') {
    throw new Error(`TCPSCOPE_REQUIRE_LIVE_TESTS=1 but the live-capture tests cannot run: ${reason}`);
  }
  return reason;
}

function liveUnavailable(): string {
  if (process.platform !== 'linux') return 'live-capture tests run on Linux';
  if (!IS_ROOT) return 'live capture needs root (CI runs these tests as root)';
  try {
    loadPcapBinding();
  } catch (e) {
    return `the native pcap module is not available (${(e as Error).message.slice(0, 80)}...)`;
  }
  return '';
}

export interface CaptureProcess {
  proc: ChildProcess;
  stdout(): string;
  stdoutBytes(): Buffer;
  stderr(): string;
  /** resolves once tcpscope says it is listening (rejects if it exits first) */
  ready: Promise<void>;
  /** resolves with the exit status (or the signal) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** wait until `pred(stdout)` holds */
  waitForOutput(pred: (out: string) => boolean, timeoutMs?: number): Promise<void>;
}

const started = new Set<ChildProcess>();

/** Kill captures a failed test left running (call from afterAll). */
export function killStragglers(): void {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  started.clear();
}

/** Start `tcpscope ARGS`; NO_COLOR and TZ=UTC so the text is stable. */
export function startCapture(args: string[], opts: { node?: string; wrapper?: string[]; env?: Record<string, string> } = {}): CaptureProcess {
  const cmd = opts.wrapper !== undefined ? opts.wrapper[0]! : (opts.node ?? process.execPath);
  const argv = opts.wrapper !== undefined ? [...opts.wrapper.slice(1), opts.node ?? process.execPath, CLI, ...args] : [CLI, ...args];
  const proc = spawn(cmd, argv, { env: { ...process.env, NO_COLOR: '1', TZ: 'UTC', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(proc);
  const out: Buffer[] = [];
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => out.push(b));
  proc.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = once(proc, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => { if (err.includes('listening on ')) { proc.stderr!.off('data', check); resolve(); } };
    proc.stderr!.on('data', check);
    void exited.then((e) => reject(new Error(`tcpscope exited before listening (${JSON.stringify(e)}): ${err}`)));
  });
  // tests of failures to start never wait for `ready`
  ready.catch(() => {});
  const stdoutBytes = () => Buffer.concat(out);
  return {
    proc,
    stdout: () => stdoutBytes().toString(),
    stdoutBytes,
    stderr: () => err,
    ready,
    exited,
    async waitForOutput(pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(stdoutBytes().toString())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for output; got:\n${stdoutBytes().toString()}\nstderr:\n${err}`);
        if (proc.exitCode !== null) throw new Error(`tcpscope exited early (${proc.exitCode}): ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** A port nothing listens on (bound, noted and released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  await once(s, 'close');
  return port;
}

export interface Servers {
  /** echoes what it gets and closes when the client does */
  echoPort: number;
  /** reads and waits; the client aborts */
  abortPort: number;
  /** nothing listens here */
  refusedPort: number;
  close(): Promise<void>;
}

export async function startServers(): Promise<Servers> {
  const echo = net.createServer((sock) => {
    sock.on('data', (d) => sock.write(d));
    sock.on('end', () => sock.end());
    sock.on('error', () => {});
  });
  const abort = net.createServer((sock) => {
    sock.on('data', () => {});
    sock.on('error', () => {});
  });
  echo.listen(0, '127.0.0.1');
  abort.listen(0, '127.0.0.1');
  await Promise.all([once(echo, 'listening'), once(abort, 'listening')]);
  return {
    echoPort: (echo.address() as net.AddressInfo).port,
    abortPort: (abort.address() as net.AddressInfo).port,
    refusedPort: await closedPort(),
    async close() {
      echo.close();
      abort.close();
    },
  };
}

/** A normal connection: connect, send `hello\n`, read the echo, close; resolves with the client port. */
export async function normalClose(port: number): Promise<number> {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const local = c.localPort!;
  c.write('hello\n');
  await once(c, 'data');
  c.end();
  await once(c, 'close');
  return local;
}

/** A connection refused by the kernel (RST answers the SYN). */
export async function refused(port: number): Promise<void> {
  const c = net.connect(port, '127.0.0.1');
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    c.on('error', resolve);
    c.on('connect', () => resolve(Object.assign(new Error(`port ${port} accepted a connection`), { code: 'CONNECTED' })));
  });
  if (err.code !== 'ECONNREFUSED') throw err;
}

/**
 * An aborted connection: connect, send 4 bytes, wait for the server to have them, then close
 * with SO_LINGER 0 (Node's resetAndDestroy), which sends a RST instead of a FIN.
 */
export async function abortWithLinger0(port: number): Promise<number> {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const local = c.localPort!;
  c.write('ping');
  await new Promise((r) => setTimeout(r, 100));
  c.resetAndDestroy();
  await once(c, 'close');
  return local;
}

/** The tcpdump lines (not annotations) of a tcpscope or tcpdump listing. */
export function packetLines(out: string): string[] {
  return out.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));
}

/** Flags of the packets between two ports, in order, each tagged with its direction. */
export function flowFlags(lines: string[], clientPort: number, serverPort: number): string[] {
  const c = `127.0.0.1.${clientPort}`;
  const s = `127.0.0.1.${serverPort}`;
  const out: string[] = [];
  for (const l of lines) {
    const m = / IP (\S+) > (\S+): Flags \[([^\]]*)\]/.exec(l);
    if (m === null) continue;
    if (m[1] === c && m[2] === `${s}`) out.push(`>${m[3]}`);
    else if (m[1] === s && m[2] === `${c}`) out.push(`<${m[3]}`);
  }
  return out;
}
