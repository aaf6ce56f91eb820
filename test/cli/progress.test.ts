/**
 * The progress line of a long read: drawn on a terminal's stderr only, after the first second, a
 * few times a second at most, erased at the end; never when stderr is a pipe.
 *
 * The CLI runs under a pseudo-terminal made by `script` (util-linux). It writes the packets with
 * -w into a FIFO whose reader waits 2.5 s before draining it: the run then blocks on a full pipe
 * and the read lasts more than a second on any machine, without a large capture or a hidden knob.
 * (With standard output itself a pipe there is no progress line: see the last tests.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatProgress, ProgressLine, wantsProgressLine } from '../../src/capture/progress.js';
import { CLI, NODE, q, ROOT, SCEN, shell, shellAsync } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** close-4way's records 300 times over: ~1.2 MB of capture, ~0.3 MB of tcpdump lines (more than a pipe holds). */
const big = join(tmp, 'big.pcap');
{
  const src = readFileSync(join(SCEN, 'close-4way.pcap'));
  writeFileSync(big, Buffer.concat([src.subarray(0, 24), ...Array<Buffer>(300).fill(src.subarray(24))]));
}

const hasScript = spawnSync('script', ['--version']).status === 0;
const ERASE = '\r\x1b[K';
const SLOW_READER = '(sleep 2.5; cat > /dev/null)';
/** `-w` into a new FIFO drained 2.5 s late: the read lasts that long. */
let fifos = 0;
function slowW(): string {
  const fifo = join(tmp, `slow-${++fifos}.fifo`);
  execFileSync('mkfifo', [fifo]);
  return `-w ${fifo} & ${SLOW_READER} < ${fifo}; wait`;
}
/** Run `cmd` with stderr (and stdin, stdout) on a pseudo-terminal: what the terminal received. */
const underTerminal = (cmd: string) => shellAsync(`script -qec ${q(cmd)} /dev/null`);
/** tcpdump's line on stderr for `-r big` (on a terminal its newline arrives as CR LF) */
const reading = (): string => `reading from file ${big}, link-type EN10MB (Ethernet), snapshot length 262144\n`;
const readingOnTerminal = (): string => reading().replace('\n', '\r\n');

// each test waits 2.5 s for its slow reader: run them side by side
describe.concurrent('progress line under a terminal', () => {
  test.skipIf(!hasScript)('stderr a terminal_long read, stdout unused (-w)_progress drawn then erased', async () => {
    // script's own output is what the pseudo-terminal received: our stderr
    const r = await underTerminal(`${NODE} ${CLI} -r ${big} ${slowW()}`);
    expect(r.status).toBe(0);
    // tcpdump's reading line first, then only the progress line's draws
    expect(r.stdout.startsWith(readingOnTerminal())).toBe(true);
    const tty = r.stdout.slice(readingOnTerminal().length);
    const draws = tty.split(ERASE).filter((s) => s !== '');
    expect(draws.length).toBeGreaterThanOrEqual(1);
    for (const d of draws) expect(d).toMatch(/^tcpscope: \d{1,3}% of 1\.\d MB · [\d,]+ packets? · [\d.,]+ MB\/s$/);
    // the last thing on the terminal is the erase: nothing of the line stays
    expect(tty.endsWith(ERASE)).toBe(true);
    // a few times a second at most, over a read of about 2.5 s
    expect(draws.length).toBeLessThanOrEqual(12);
  });

  test.skipIf(!hasScript)('stderr a terminal_--no-progress_nothing drawn', async () => {
    const r = await underTerminal(`${NODE} ${CLI} --no-progress -r ${big} ${slowW()}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readingOnTerminal()); // tcpdump's line only
  });

  test.skipIf(!hasScript)('stderr a terminal_error after a long read_line erased before the error', async () => {
    const cut = join(tmp, 'cut.pcap');
    const whole = readFileSync(big);
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = await underTerminal(`${NODE} ${CLI} -r ${cut} ${slowW()}`);
    expect(r.stdout).toMatch(/\r\x1b\[Ktcpscope: \S+cut\.pcap: packet \d+ is cut short.*\r?\n$/);
  });

  test('stderr a pipe_long read_no progress at all', async () => {
    const r = await shellAsync(`${q(NODE)} ${q(CLI)} -r ${q(big)} ${slowW()}`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(reading()); // tcpdump's line only
  });

  test.skipIf(!hasScript)('stderr a terminal_stdout a pipe (| less, | grep)_no progress', async () => {
    const r = await underTerminal(`${NODE} ${CLI} -n --plain -r ${big} | ${SLOW_READER}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readingOnTerminal()); // tcpdump's line only
  });

});

describe('stdoutKind', () => {
  const probe = `import(${JSON.stringify(join(ROOT, 'dist', 'capture', 'progress.js'))}).then((m) => process.stderr.write(m.stdoutKind()))`;
  test.each([
    ['a file', `> ${join(tmp, 'out.txt')}`, 'file'],
    ['/dev/null', '> /dev/null', 'file'],
    ['a pipe', '| cat > /dev/null', 'pipe'],
  ])('stdout %s_%s', (_what, redirect, kind) => {
    expect(shell(`${q(NODE)} -e ${q(probe)} ${redirect}`).stderr).toBe(kind);
  });

  test.skipIf(!hasScript)('stdout a terminal_tty', async () => {
    expect((await underTerminal(`${NODE} -e ${q(probe)}`)).stdout).toBe('tty');
  });
});

describe('ProgressLine', () => {
  function line(columns?: number) {
    let t = 0;
    const out: string[] = [];
    const p = new ProgressLine({ write: (s) => out.push(s), now: () => t, columns: () => columns });
    return { p, out, at: (ms: number) => { t = ms; } };
  }

  test('first second_updates_nothing drawn, nothing erased at the end', async () => {
    const { p, out, at } = line();
    for (let ms = 0; ms < 1000; ms += 50) { at(ms); p.update(ms * 1000, 10e6, ms); }
    p.end();
    expect(out).toEqual([]);
  });

  test('after a second_many updates_at most one draw per 250 ms', async () => {
    const { p, out, at } = line();
    for (let ms = 0; ms <= 3000; ms += 10) { at(ms); p.update(ms * 1000, 10e6, ms); }
    expect(out.length).toBe(9); // 1000, 1250, …, 3000
    expect(out[0]).toBe(`${ERASE}tcpscope: 10% of 10.0 MB · 1,000 packets · 1.0 MB/s`);
    expect(p.visible).toBe(true);
    p.end();
    expect(out.at(-1)).toBe(ERASE);
    p.update(1, 1, 1);
    p.end();
    expect(out.length).toBe(10);
  });

  test('narrow terminal_draw_cut to the width less one column', async () => {
    const { p, out, at } = line(30);
    at(2000);
    p.update(5e6, 10e6, 123456);
    expect(out[0]).toBe(ERASE + 'tcpscope: 50% of 10.0 MB · 123,456 packets'.slice(0, 29));
  });

  test('size unknown_format_bytes without a percentage', async () => {
    expect(formatProgress(2_500_000, undefined, 1, 2)).toBe('tcpscope: 2.5 MB · 1 packet · 1.3 MB/s');
  });
});

describe('wantsProgressLine', () => {
  const base = { stderrIsTTY: true, stdout: 'file', stdoutUsed: true, regularFiles: true } as const;
  test.each([
    ['stderr a terminal, stdout a file, files', base, true],
    ['stderr a pipe', { ...base, stderrIsTTY: false }, false],
    ['standard input', { ...base, regularFiles: false }, false],
    ['stdout the terminal with packet lines (or -w -)', { ...base, stdout: 'tty' }, false],
    ['stdout a pipe (| less, | jq)', { ...base, stdout: 'pipe' }, false],
    ['stdout the terminal but unused (-w FILE, --count)', { ...base, stdout: 'tty', stdoutUsed: false }, true],
    ['stdout a pipe but unused', { ...base, stdout: 'pipe', stdoutUsed: false }, true],
  ] as const)('%s', (_what, o, expected) => {
    expect(wantsProgressLine(o)).toBe(expected);
  });
});
