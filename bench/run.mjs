#!/usr/bin/env node
// tcpscope's benchmark: `npm run bench` (builds, then runs this).
//
//   node bench/run.mjs [--only long,many,flood,linear,parallel,filter] [--runs N] [--basis cpu|wall] [--data DIR]
//
// Generates the workloads when missing (LONG, MANY, FLOOD and twice-as-long variants for the
// linearity check) into DIR (default $TCPSCOPE_BENCH_DATA, else bench/data/, which git ignores)
// with ../shared/bench/gen-flows.py when it is there, else with bench/gen-flows.mjs (the same
// generator in JavaScript, byte-identical output), and prints one table: for each workload and
// mode, tcpscope's time beside the reference tool's (tcpdump -n -r for printing, tcptrace -n for
// tracking), measured alternately in the same run, medians of N runs (default 3), output to
// /dev/null, the ratio against the issue's target, packets per second, peak RSS, and a mark.
//
// tcpscope is run as an installed `tcpscope` is: through bin/tcpscope.js's sh line, which drops
// NODE_EXTRA_CA_CERTS and execs node (the node running the bench, put first on PATH).
//
// Times: a shared machine makes wall-clock time mostly a measure of the neighbours, so the
// ratios are judged on CPU time (user + system) by default; --basis wall judges wall time. Both
// are printed. Peak RSS comes from GNU time (/usr/bin/time -f %M) when installed, else from
// python3's resource.getrusage(RUSAGE_CHILDREN) (ru_maxrss), which any machine with python3 has.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TCPSCOPE = join(root, 'bin', 'tcpscope.js');
const SHARED_GEN = resolve(root, '..', 'shared', 'bench', 'gen-flows.py');
const OWN_GEN = join(root, 'bench', 'gen-flows.mjs');

// ---- options ---------------------------------------------------------------------------------

const ALL_PARTS = ['long', 'many', 'flood', 'linear', 'parallel', 'filter'];
const opts = { only: ALL_PARTS, runs: 3, basis: 'cpu', data: process.env.TCPSCOPE_BENCH_DATA ?? join(root, 'bench', 'data') };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const val = () => {
    if (i + 1 >= process.argv.length) fail(`${a} needs a value`);
    return process.argv[++i];
  };
  if (a === '--only') opts.only = val().split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (a === '--runs') opts.runs = Math.max(1, parseInt(val(), 10) || 1);
  else if (a === '--basis') opts.basis = val();
  else if (a === '--data') opts.data = resolve(val());
  else if (a === '--help' || a === '-h') {
    process.stdout.write('usage: node bench/run.mjs [--only ' + ALL_PARTS.join(',') + '] [--runs N] [--basis cpu|wall] [--data DIR]\n');
    process.exit(0);
  } else fail(`unknown option ${a}`);
}
for (const p of opts.only) if (!ALL_PARTS.includes(p)) fail(`--only: unknown part '${p}' (${ALL_PARTS.join(', ')})`);
if (opts.basis !== 'cpu' && opts.basis !== 'wall') fail(`--basis: cpu or wall, not '${opts.basis}'`);
const want = (p) => opts.only.includes(p);

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

function note(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

// ---- workloads -------------------------------------------------------------------------------

const WORKLOADS = {
  long: { args: ['--flows', '2000', '--payload', '1500000'], flows: 2000 },
  many: { args: ['--flows', '20000'], flows: 20000 },
  flood: { args: ['--only', 'unanswered', '--flows', '1000000', '--rate', '50000'], flows: 1000000 },
  // twice the packets of each (the same kinds and rates over twice the flows), for the linearity check
  long2: { args: ['--flows', '4000', '--payload', '1500000'], flows: 4000 },
  many2: { args: ['--flows', '40000'], flows: 40000 },
  flood2: { args: ['--only', 'unanswered', '--flows', '2000000', '--rate', '50000'], flows: 2000000 },
};

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
const python = have('python3');
const generator = existsSync(SHARED_GEN) && python ? 'gen-flows.py' : 'gen-flows.mjs';

/** The workload's capture, generated if missing (or made by other arguments); its packet count. */
function workload(name) {
  const w = WORKLOADS[name];
  mkdirSync(opts.data, { recursive: true });
  const file = join(opts.data, `${name}.pcap`);
  const metaFile = `${file}.json`;
  let meta = null;
  try { meta = JSON.parse(readFileSync(metaFile, 'utf8')); } catch { /* none yet */ }
  if (meta === null || !existsSync(file) || meta.args.join(' ') !== w.args.join(' ') || statSync(file).size !== meta.bytes) {
    note(`generating ${name} (${w.args.join(' ')}) with ${generator} into ${file} ...`);
    const t0 = Date.now();
    const r = generator === 'gen-flows.py'
      ? spawnSync('python3', [SHARED_GEN, file, ...w.args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
      : spawnSync(process.execPath, ['--max-old-space-size=4096', OWN_GEN, file, ...w.args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) fail(`generating ${name} failed`);
    const packets = Number(/: (\d+) packets/.exec(r.stdout)?.[1] ?? countRecords(file));
    meta = { args: w.args, generator, packets, bytes: statSync(file).size };
    writeFileSync(metaFile, JSON.stringify(meta) + '\n');
    note(`${name}: ${packets} packets, ${(meta.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  return { name, file, packets: meta.packets, bytes: meta.bytes, generator: meta.generator, flows: w.flows };
}

/** Records in a little-endian classic pcap (for a capture generated by another tool). */
function countRecords(file) {
  const fd = openSync(file, 'r');
  const h = Buffer.alloc(16);
  let pos = 24, n = 0;
  while (readSync(fd, h, 0, 16, pos) === 16) { n++; pos += 16 + h.readUInt32LE(8); }
  closeSync(fd);
  return n;
}

// ---- measuring -------------------------------------------------------------------------------

const gnuTime = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
const meter = gnuTime ? 'GNU time (/usr/bin/time -f %M)' : python ? "python3 resource.getrusage(RUSAGE_CHILDREN).ru_maxrss" : null;
if (meter === null) fail('neither /usr/bin/time nor python3 is available to measure peak memory');
const timeOut = join(tmpdir(), `tcpscope-bench-${process.pid}.time`);

const PY_METER = `
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], 'wb'), stderr=subprocess.DEVNULL)
w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(w, r.ru_utime, r.ru_stime, r.ru_maxrss, p.returncode)
`;

/** One run of `argv` with standard output to `out` (default /dev/null): wall and CPU seconds, peak RSS in MB. */
function runOnce(argv, out = '/dev/null') {
  if (gnuTime) {
    const fd = openSync(out, 'w');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M %x', '-o', timeOut, ...argv], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    const [wall, user, sys, rss, status] = readFileSync(timeOut, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
    if (status !== 0 && status !== 1) note(`${argv.join(' ')}: exit status ${status}: ${r.stderr.toString().trim().split('\n').pop()}`);
    return { wall, cpu: user + sys, rss: rss / 1024, status };
  }
  const r = spawnSync('python3', ['-c', PY_METER, out, ...argv], { encoding: 'utf8' });
  const [wall, user, sys, rss, status] = r.stdout.trim().split(/\s+/).map(Number);
  if (status !== 0 && status !== 1) note(`${argv.join(' ')}: exit status ${status}`);
  return { wall, cpu: user + sys, rss: rss / 1024, status };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Run the commands alternately, `opts.runs` times each (so both see the same machine); medians. */
function measureTogether(commands) {
  const runs = commands.map(() => []);
  for (let i = 0; i < opts.runs; i++) {
    commands.forEach((argv, k) => { if (argv !== null) runs[k].push(runOnce(argv)); });
  }
  return runs.map((rs) => rs.length === 0 ? null : {
    wall: median(rs.map((r) => r.wall)),
    cpu: median(rs.map((r) => r.cpu)),
    rss: Math.max(...rs.map((r) => r.rss)),
  });
}

const basis = (m) => (m === null ? NaN : m[opts.basis]);

// ---- the table -------------------------------------------------------------------------------

const rows = [];
const verdicts = [];

/**
 * One row. `ref` is the reference measurement (or null: tool missing), `target` the largest
 * allowed ratio (undefined: none), `minPps` the packets/s floor, `maxRss` the peak RSS ceiling.
 */
function addRow(w, mode, me, refName, ref, { target, minPps, maxRss, extra } = {}) {
  // judged on the chosen basis; the other basis's verdict is shown beside it when it differs
  const judge = (b) => {
    const ratio = ref ? me[b] / ref[b] : NaN;
    const pps = w.packets / me[b];
    const checks = [];
    if (target !== undefined) checks.push(ref ? ratio <= target : null);
    if (minPps !== undefined) checks.push(pps >= minPps);
    if (maxRss !== undefined) checks.push(me.rss <= maxRss);
    if (extra !== undefined) checks.push(extra);
    const known = checks.filter((c) => c !== null);
    const mark = checks.length === 0 ? '' : known.length < checks.length && known.every(Boolean) ? 'n/a' : known.every(Boolean) ? 'pass' : 'FAIL';
    return { ratio, pps, mark };
  };
  const other = opts.basis === 'cpu' ? 'wall' : 'cpu';
  const main = judge(opts.basis), alt = judge(other);
  const targets = [];
  if (target !== undefined) targets.push(`≤${target}×`);
  if (minPps !== undefined) targets.push(`≥${minPps / 1e6}M pkt/s`);
  if (maxRss !== undefined) targets.push(`≤${maxRss >= 1000 ? maxRss / 1000 + ' GB' : maxRss + ' MB'}`);
  const fmt = (x) => Number.isNaN(x) ? '–' : x.toFixed(3) + '×';
  rows.push([
    w.name.toUpperCase(), mode,
    `${me.wall.toFixed(2)} / ${me.cpu.toFixed(2)}`,
    ref === undefined ? '' : ref === null ? `${refName}: not installed` : `${refName} ${ref.wall.toFixed(2)} / ${ref.cpu.toFixed(2)}`,
    Number.isNaN(main.ratio) ? '–' : `${fmt(main.ratio)} (${other} ${fmt(alt.ratio)})`,
    targets.join(', '),
    `${(main.pps / 1e6).toFixed(2)}M`,
    `${me.rss.toFixed(0)} MB`,
    main.mark + (alt.mark !== main.mark && alt.mark !== '' ? ` (${other}: ${alt.mark})` : ''),
  ]);
  if (main.mark !== '') verdicts.push(main.mark);
}

function printTable(extraNotes) {
  const head = ['workload', 'mode', `tcpscope s (wall / cpu)`, 'reference s (wall / cpu)', `ratio ${opts.basis} (${opts.basis === 'cpu' ? 'wall' : 'cpu'})`, 'target', `pkt/s (${opts.basis})`, 'peak RSS', `${opts.basis} (${opts.basis === 'cpu' ? 'wall' : 'cpu'})`];
  const all = [head, ...rows];
  const width = head.map((_, k) => Math.max(...all.map((r) => String(r[k]).length)));
  const line = (r) => r.map((c, k) => String(c).padEnd(width[k])).join('  ').trimEnd();
  const out = [];
  out.push('');
  out.push(`tcpscope benchmark — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${new Date().toISOString().slice(0, 16)}Z`);
  out.push(`medians of ${opts.runs} runs, tools alternated, output to /dev/null; ratios and pkt/s on ${opts.basis === 'cpu' ? 'CPU time (user+sys)' : 'wall time'}; peak RSS by ${meter}`);
  // Node parses every certificate this names at each start, before any JavaScript runs (~60 ms of
  // CPU for Debian's bundle): bin/tcpscope.js run as a program drops it (its sh line), `node
  // bin/tcpscope.js` pays it
  out.push(`tcpscope runs as an installed \`tcpscope\` does: bin/tcpscope.js itself (its sh line execs node; ${dirname(process.execPath)} first on PATH), not \`node bin/tcpscope.js\``);
  if (process.env.NODE_EXTRA_CA_CERTS) out.push(`NODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): tcpscope's launcher drops it (\`node bin/tcpscope.js\` would parse those certificates at every start)`);
  out.push(...extraNotes);
  out.push('');
  out.push(line(head));
  out.push(width.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) out.push(line(r));
  out.push('');
  const failed = verdicts.filter((v) => v === 'FAIL').length;
  out.push(`${verdicts.length - failed} of ${verdicts.length} targets met${failed ? `, ${failed} missed` : ''}`);
  process.stdout.write(out.join('\n') + '\n');
}

// ---- the runs --------------------------------------------------------------------------------

const tcpdump = have('tcpdump') ? ['tcpdump', '-n', '-r'] : null;
const tcptrace = have('tcptrace') ? ['tcptrace', '-n'] : null;
// tcpscope as an installed `tcpscope` is run (see the header): this node first on PATH, for the
// launcher's `exec node`; `/bin/sh bin/tcpscope.js` is what its #! line does, and runs in a
// checkout without the exec bit (a zip, core.fileMode=false) too
process.env.PATH = dirname(process.execPath) + delimiter + (process.env.PATH ?? '');
const me = (...a) => ['/bin/sh', TCPSCOPE, ...a];
const notes = [];
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) fail('not built: run `npm run build` (npm run bench builds first)');

/** Flow records in tcpscope --json's output of a capture (every connection must be reported). */
function countFlowRecords(w) {
  const out = join(opts.data, `${w.name}.records.tmp`);
  const r = runOnce(me('--json', '-n', '-r', w.file), out);
  let flows = 0;
  const fd = openSync(out, 'r');
  const buf = Buffer.alloc(1 << 22);
  const needle = Buffer.from('{"type":"flow"');
  let n, carry = Buffer.alloc(0);
  while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) {
    const chunk = Buffer.concat([carry, buf.subarray(0, n)]);
    let at = 0, nl;
    while ((nl = chunk.indexOf(10, at)) >= 0) {
      if (chunk.subarray(at, at + needle.length).equals(needle)) flows++;
      at = nl + 1;
    }
    carry = Buffer.from(chunk.subarray(at));
  }
  closeSync(fd);
  unlinkSync(out);
  return { flows, rss: r.rss };
}

const measured = {};

for (const name of ['long', 'many', 'flood']) {
  if (!want(name)) continue;
  const w = workload(name);
  notes.push(`${name.toUpperCase()}: ${w.packets} packets, ${(w.bytes / 1e6).toFixed(0)} MB, ${w.flows} flows (${WORKLOADS[name].args.join(' ')}; ${w.generator})`);
  note(`measuring ${name} ...`);
  const rssCap = name === 'flood' ? 1000 : 200;
  if (name !== 'flood') {
    const [plain, dump] = measureTogether([me('--plain', '-n', '-r', w.file), tcpdump && [...tcpdump, w.file]]);
    addRow(w, '--plain -n -r', plain, 'tcpdump', dump, { target: name === 'long' ? 0.5 : 0.1, maxRss: rssCap });
    const [annotated, plain2] = measureTogether([me('-n', '-r', w.file), me('--plain', '-n', '-r', w.file)]);
    addRow(w, '-n -r (annotated)', annotated, '--plain', plain2, { target: 1.3, maxRss: rssCap });
    measured[name] = { plain };
  }
  const [json, check, trace] = measureTogether([me('--json', '-n', '-r', w.file), me('check', w.file), tcptrace && [...tcptrace, w.file]]);
  const trackTargets = name === 'flood' ? { maxRss: rssCap } : { target: 0.5, maxRss: rssCap, ...(name === 'long' ? { minPps: 4e6 } : {}) };
  addRow(w, '--json (flow records)', json, 'tcptrace', name === 'flood' ? undefined : trace, trackTargets);
  addRow(w, 'check', check, 'tcptrace', name === 'flood' ? undefined : trace, trackTargets);
  if (name === 'flood') {
    const counted = countFlowRecords(w);
    addRow(w, '--json records counted', { wall: NaN, cpu: NaN, rss: counted.rss }, '', undefined, { maxRss: rssCap, extra: counted.flows === w.flows });
    rows[rows.length - 1][2] = `${counted.flows} of ${w.flows} flows`;
    rows[rows.length - 1][6] = '';
  }
  measured[name] = { ...measured[name], json, check };
}

if (want('linear')) {
  for (const name of ['many', 'long', 'flood']) {
    if (!want(name) && opts.only.length > 1) continue; // with other parts named, only theirs
    const w = workload(name), w2 = workload(`${name}2`);
    note(`measuring linearity ${name} → ${name}2 ...`);
    const modes = name === 'flood' ? [['--json'], ['check']] : [['--plain', '-n'], ['--json']];
    for (const m of modes) {
      const argv = (x) => m[0] === 'check' ? me('check', x.file) : me(...m, '-r', x.file);
      const [a, b] = measureTogether([argv(w), argv(w2)]);
      // normalised to exactly twice the packets
      const growth = (x) => (b[x] / a[x]) * (2 * w.packets / w2.packets);
      const other = opts.basis === 'cpu' ? 'wall' : 'cpu';
      addRow(w2, `linear ${m.join(' ')}`, b, `${name} ×${(w2.packets / w.packets).toFixed(2)} pkts`, a, { target: 2.2 });
      rows[rows.length - 1][4] = `${growth(opts.basis).toFixed(2)}× per 2× pkts (${other} ${growth(other).toFixed(2)}×)`;
      const mark = growth(opts.basis) <= 2.2 ? 'pass' : 'FAIL', alt = growth(other) <= 2.2 ? 'pass' : 'FAIL';
      verdicts[verdicts.length - 1] = mark;
      rows[rows.length - 1][8] = mark + (alt !== mark ? ` (${other}: ${alt})` : '');
    }
  }
}

if (want('parallel')) {
  // check on one thread and on every core (--jobs): a rotated capture (many files read as one)
  // and the SYN flood (where tracking, not reading, is the work)
  const cores = availableParallelism();
  const w = workload('many');
  const parts = rotated(w);
  const flood = workload('flood');
  for (const [pw, files] of [[{ ...w, name: `many in ${parts.length} files` }, parts], [flood, [flood.file]]]) {
    note(`measuring check over ${pw.name} on 1 and ${cores} threads ...`);
    const [one, all] = measureTogether([me('check', '--jobs', '1', ...files), me('check', '--jobs', String(cores), ...files)]);
    addRow(pw, 'check --jobs 1', one, undefined, undefined, {});
    addRow(pw, `check --jobs ${cores}`, all, 'check --jobs 1', one, {});
    // wall time is what more threads can win (CPU time only grows)
    rows[rows.length - 1][4] = `${(all.wall / one.wall).toFixed(3)}× wall`;
  }
}

/** The workload split into ~10 MB parts by tcpscope -w -C (rotated capture files). */
function rotated(w) {
  const dir = join(opts.data, `${w.name}-rotated`);
  const first = join(dir, `${w.name}.pcap`);
  const meta = join(dir, 'made-from.json');
  const stamp = JSON.stringify({ bytes: w.bytes });
  if (!existsSync(first) || !existsSync(meta) || readFileSync(meta, 'utf8') !== stamp) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('/bin/sh', [TCPSCOPE, '-r', w.file, '-w', first, '-C', '10'], { stdio: 'inherit' });
    if (r.status !== 0) fail('splitting the capture with -w -C failed');
    writeFileSync(meta, stamp);
  }
  const names = spawnSync('sh', ['-c', `ls "${dir}" | grep -v made-from`], { encoding: 'utf8' }).stdout.trim().split('\n');
  return names.map((n) => join(dir, n));
}

if (opts.only.some((p) => p !== 'filter')) printTable(notes);

if (want('filter')) {
  process.stdout.write('\n');
  const r = spawnSync(process.execPath, [join(root, 'bench', 'filter.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) note('filter benchmark failed');
}
