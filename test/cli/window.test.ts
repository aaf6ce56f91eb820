/**
 * Annotated output from files is made in windows of frames (src/pipeline.ts: track and annotate
 * up to 256 frames, then print their tcpdump lines, each followed by its annotation). These tests
 * hold it to the per-frame path, which `-l` keeps (each packet's lines out at once): same bytes
 * in the same order, whatever the read's chunk size, however the read ends.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, REAL, SCEN, tcpscope } from './helpers.js';

const captures = [
  ...readdirSync(SCEN).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(SCEN, f)),
  ...readdirSync(REAL).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(REAL, f)),
];
// 945 packets on one connection (many windows, annotations on most of them), 400 SYNs
const ZERO_WINDOW = join(REAL, 'real-zero-window.pcap');
const SYN_FLOOD = join(SCEN, 'syn-flood.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-window-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('annotated output in windows', () => {
  test('every_fixture_windowed_equals_per_frame', () => {
    for (const f of captures) {
      if (f === ZERO_WINDOW) continue; // the tests below
      const windowed = tcpscope(['-n', '-r', f]);
      const perFrame = tcpscope(['-l', '-n', '-r', f]);
      expect(windowed, f).toEqual(perFrame);
    }
  });

  test('many_windows_lines_then_their_annotations_in_order', () => {
    // the zero-window capture's annotations are spread over many windows (window full is said
    // once per run of full segments: 26 lines in 946 packets); the SYN flood annotates nearly
    // every packet (400 in 402)
    for (const [f, atLeast] of [[ZERO_WINDOW, 20], [SYN_FLOOD, 64]] as const) {
      const windowed = tcpscope(['-n', '-r', f]);
      expect(windowed.status).toBe(0);
      const lines = windowed.stdout.split('\n');
      // a packet line, then (maybe) its annotation: never two annotations in a row, and their
      // connection numbers and the packets' order as the per-frame path has them
      const annotations = lines.filter((l) => l.startsWith('    #')).length;
      expect(annotations).toBeGreaterThan(atLeast);
      for (let i = 1; i < lines.length; i++) {
        if (lines[i].startsWith('    #')) expect(lines[i - 1].startsWith('    #'), `line ${i + 1}`).toBe(false);
      }
      expect(windowed).toEqual(tcpscope(['-l', '-n', '-r', f]));
    }
  });

  test('colour_verbose_and_flags_windowed_equals_per_frame', () => {
    const sets = [['--color', 'always'], ['-S', '-v'], ['-e'], ['-x'], ['-A'], ['-#'], ['-q'], ['-tttt'], ['-c', '70']];
    for (const flags of sets) {
      expect(tcpscope([...flags, '-n', '-r', ZERO_WINDOW]), flags.join(' ')).toEqual(tcpscope([...flags, '-l', '-n', '-r', ZERO_WINDOW]));
    }
  });

  test('filter_windowed_equals_per_frame', () => {
    for (const f of [ZERO_WINDOW, SYN_FLOOD]) {
      expect(tcpscope(['-n', '-r', f, 'tcp[13] & 2 != 0'])).toEqual(tcpscope(['-l', '-n', '-r', f, 'tcp[13] & 2 != 0']));
    }
  });

  test('small_chunks_frames_outlive_no_refill', () => {
    // frames are views of the reader's chunk: a window printed after a refill would show other
    // packets' bytes. Every small chunk size (records straddle every boundary), and a few more.
    const whole = tcpscope(['-n', '-r', ZERO_WINDOW]);
    expect(whole.status).toBe(0);
    const sizes = [...Array.from({ length: 24 }, (_, i) => i + 1), 60, 100, 333, 1000, 4096, 65536];
    for (const size of sizes) {
      const chunked = tcpscope(['-n', '-r', ZERO_WINDOW], { env: { TCPSCOPE_CHUNK_SIZE: String(size) } });
      expect(chunked, `chunk ${size}`).toEqual(whole);
    }
  });

  test('several_files_small_chunks_equal_whole', () => {
    const dir = join(tmp, 'set');
    mkdirSync(dir);
    copyFileSync(ZERO_WINDOW, join(dir, 'a.pcap'));
    copyFileSync(SYN_FLOOD, join(dir, 'b.pcap'));
    const whole = tcpscope(['-n', '-r', dir]);
    expect(whole.status).toBe(0);
    expect(whole).toEqual(tcpscope(['-l', '-n', '-r', dir]));
    for (const size of [1, 7, 100, 1000]) {
      expect(tcpscope(['-n', '-r', dir], { env: { TCPSCOPE_CHUNK_SIZE: String(size) } }), `chunk ${size}`).toEqual(whole);
    }
  });

  test('truncated_capture_good_frames_then_error', () => {
    // cut inside the 700th record: the 699 before it are printed with their annotations, in
    // order, then the summary and the one-line error, as the per-frame path does
    const bytes = readFileSync(ZERO_WINDOW);
    let pos = 24;
    for (let n = 0; n < 699; n++) pos += 16 + bytes.readUInt32LE(pos + 8);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, pos + 16 + 10));
    const windowed = tcpscope(['-n', '-r', cut]);
    expect(windowed.status).not.toBe(0);
    // tcpdump's reading line (the header was read), then the one-line error
    expect(windowed.stderr).toMatch(/^reading from file .*cut\.pcap, link-type EN10MB \(Ethernet\), snapshot length \d+\ntcpscope: .*cut\.pcap: .*\n$/);
    const plain = tcpscope(['--plain', '-n', '-r', cut]);
    expect(plain.stdout.split('\n').length - 1).toBe(699);
    // every packet line of --plain is there, in order, each followed by its annotation if any
    const packetLines = windowed.stdout.split('\n').filter((l) => /^\d\d:/.test(l));
    expect(packetLines.join('\n') + '\n').toBe(plain.stdout);
    expect(windowed).toEqual(tcpscope(['-l', '-n', '-r', cut]));
    for (const size of [5, 1000]) {
      expect(tcpscope(['-n', '-r', cut], { env: { TCPSCOPE_CHUNK_SIZE: String(size) } }), `chunk ${size}`).toEqual(windowed);
    }
  });

  test('unknown_link_type_stops_at_its_packet_as_per_frame', () => {
    // the printer refuses link type 999 at packet 1: nothing on stdout (not even a summary of
    // frames the window would have tracked behind it), one line on stderr, status 1
    const bytes = Buffer.from(readFileSync(ZERO_WINDOW));
    bytes.writeUInt32LE(999, 20);
    const bad = join(tmp, 'lt999.pcap');
    writeFileSync(bad, bytes);
    const windowed = tcpscope(['-n', '-r', bad]);
    expect(windowed.status).toBe(1);
    expect(windowed.stdout).toBe('');
    expect(windowed.stderr).toMatch(/packet 1 has link type 999/);
    expect(windowed).toEqual(tcpscope(['-l', '-n', '-r', bad]));
  });

  test('standard_input_windowed_equals_file', () => {
    const fromFile = tcpscope(['-n', '-r', ZERO_WINDOW]);
    const fromPipe = tcpscope(['-n', '-r', '-'], { input: readFileSync(ZERO_WINDOW) });
    expect(fromPipe.stdout).toBe(fromFile.stdout);
    expect(fromPipe.status).toBe(0);
  });

  test('paused_standard_input_whole_packets_while_waiting_equals_per_frame', async () => {
    // `tcpdump -U -w - | tcpscope -r -`: the capture comes in pieces (records cut anywhere)
    // with pauses longer than the idle flush (100 ms). While the input waits, what is out must
    // be whole packets, each with its annotation (the window is printed before the read waits,
    // never a line whose annotation is still in the side room), and the whole run must be the
    // per-frame path's bytes.
    const bytes = readFileSync(ZERO_WINDOW);
    const perFrame = tcpscope(['-l', '-n', '-r', ZERO_WINDOW]);
    expect(perFrame.status).toBe(0);
    const child = spawn(process.execPath, [CLI, '-n', '-r', '-'], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', FORCE_COLOR: undefined } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
    const seenWhilePaused: string[] = [];
    const cuts = [30, 5000, 5001, 17_333, 40_000, 71_111, bytes.length];
    let from = 0;
    for (const to of cuts) {
      child.stdin.write(bytes.subarray(from, Math.min(to, bytes.length)));
      from = Math.min(to, bytes.length);
      await sleep(400);
      seenWhilePaused.push(stdout);
    }
    child.stdin.end();
    const status = await exited;
    expect({ stdout, status }).toEqual({ stdout: perFrame.stdout, status: 0 });
    expect(stderr).toBe(perFrame.stderr.replace(/reading from file \S+,/, 'reading from file -,'));
    // lines came out during the pauses, and each time up to a packet's end with its annotation
    expect(seenWhilePaused.filter((s) => s.length > 0).length).toBeGreaterThan(3);
    for (const seen of seenWhilePaused) {
      expect(perFrame.stdout.startsWith(seen)).toBe(true);
      if (seen === '') continue;
      expect(seen.endsWith('\n')).toBe(true);
      expect(perFrame.stdout.slice(seen.length).startsWith('    #')).toBe(false);
    }
  }, 30_000);
});
