// The second half of `npm run build` (after tsc): one single-file bundle of dist/ per entry point
// that bin/ starts, and a V8 code cache for the CLI's bundle made by a short training run.
//
// Why: start-up. Loading tcpscope from dist/ resolves, compiles and links ~120 ES modules before
// the first packet (~50-100 ms of a small capture's 150-250 ms); one classic script compiled from
// a code cache does without the module graph and without compiling what the training run used.
// The bundler is rolldown (a devDependency; vitest's vite already depends on this same version).
//
// The bundles are CommonJS scripts, loaded by bin/bundle.js inside a function that gives them
// __TCPSCOPE_BUNDLE__: each module's `import.meta.url` is rewritten to the URL the module has in
// dist/ (so paths relative to it, package.json or cli-table3 through createRequire, still resolve
// as from dist/), and dynamic imports of tcpscope's own modules become lazy initialisers in the
// bundle (a module's top-level work still runs only when a run needs it).
//
// Without rolldown (a production install) the build still succeeds: bin/ runs dist/ as it is.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
const DIST = fileURLToPath(new URL('dist/', ROOT));
/** bundle name → the dist/ module it is made from (see bin/tcpscope.js, bin/shard-worker.js) */
const BUNDLES = { 'tcpscope': 'cli/main.js', 'shard-worker': 'check/shard-worker.js' };

/**
 * The training run: what it compiles goes into the code cache, so it runs each mode once over
 * small captures of the fixtures (standard output is discarded by the parent).
 */
const TRAINING = [
  ['--version'],
  ['-n', '-r', 'fixtures/scenarios/retransmission.pcap'],
  ['-n', '-r', 'fixtures/real/real-normal.pcap'],
  ['-nv', '-r', 'fixtures/scenarios/options-zoo.pcap'],
  ['--plain', '-n', '-r', 'fixtures/scenarios/mixed-protocols.pcap'],
  ['--plain', '-n', '-r', 'fixtures/real/real-ipv6-normal.pcap'],
  ['--json', '-r', 'fixtures/scenarios/close-4way.pcap'],
  ['check', 'fixtures/scenarios/rst-refused.pcap', 'fixtures/scenarios/half-close.pcap'],
  ['check', '--json', 'fixtures/real/real-abort-linger0.pcap'],
];

/** a check over two worker threads: what trains the shard workers' cache */
const WORKER_TRAINING = ['check', '--jobs', '2', 'fixtures/scenarios/port-reuse.pcap', 'fixtures/scenarios/retransmission.pcap', 'fixtures/real/real-abort-linger0.pcap'];

/**
 * Built-in modules the bundle loads on first use instead of at start-up. node:child_process:
 * commander requires it when it loads, for executable subcommands (tcpscope has none), and
 * tcpscope itself only for `-Z USER` (getent); loading it also loads dgram, its socket list and
 * their bindings, on every run. A lazy module is a function per export of the real one, loading
 * the real module at the first call. The build fails if an ES import in the bundle names an
 * export the stand-in lacks; a CommonJS property read (commander's `childProcess.spawn`) is not
 * checked: only functions are stood in for, and commander uses `spawn` alone. node:tty: chalk
 * asks it about the terminal when it loads (only to colour); loading it loads node:net and its
 * streams (~2.5 ms), which most runs never use (src/capture/source.ts, isTerminal).
 */
const LAZY_BUILTINS = ['node:child_process', 'node:tty'];

/** The rolldown plugin that gives the bundle a lazy stand-in for each of `ids` (see LAZY_BUILTINS). */
function lazyBuiltins(ids) {
  const PREFIX = '\0tcpscope-lazy:';
  return {
    name: 'tcpscope-lazy-builtins',
    resolveId(id, importer) {
      if (!ids.includes(id)) return null;
      // the stand-in's own require is of the real module
      return importer?.startsWith(PREFIX) ? { id, external: true } : PREFIX + id;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const builtin = id.slice(PREFIX.length);
      const real = await import(builtin);
      // functions only, and no classes (a wrapper is no constructor): what commander and tcpscope call
      const names = Object.keys(real).filter((k) => k !== 'default' && /^[a-z]/.test(k) && typeof real[k] === 'function');
      const lines = [
        `let real;`,
        `const load = () => (real ??= require(${JSON.stringify(builtin)}));`,
        ...names.map((k) => `export function ${k}(...args) { return load().${k}(...args); }`),
        // the same functions as a default import (chalk's supports-color: \`import tty from 'node:tty'\`)
        `export default { ${names.join(', ')} };`,
      ];
      return { code: lines.join('\n'), moduleSideEffects: false };
    },
  };
}

const { loadBundle, bundlePaths, writeCodeCache } = await import(new URL('bin/bundle.js', ROOT).href);

if (process.argv[2] === '--train') {
  // (a child process of the build, standard output discarded)
  const bundle = loadBundle('tcpscope', BUNDLES.tcpscope, { useCache: false });
  if (bundle === null) throw new Error('the bundle just built does not load (or is older than dist/): nothing to train');
  process.chdir(fileURLToPath(ROOT));
  for (const args of TRAINING) await bundle.exports.main(args);
  // the workers' bundle: its workers write their own cache after each message (bin/shard-worker.js)
  process.env.TCPSCOPE_TRAIN_WORKER_CACHE = '1';
  await bundle.exports.main(WORKER_TRAINING);
  delete process.env.TCPSCOPE_TRAIN_WORKER_CACHE;
  writeCodeCache(bundle);
  process.exitCode = 0;
} else {
  await build();
}

async function build() {
  for (const name of Object.keys(BUNDLES)) {
    const paths = bundlePaths(name, BUNDLES[name]);
    rmSync(paths.code, { force: true });
    rmSync(paths.cache, { force: true });
  }
  let rolldown;
  try {
    ({ rolldown } = await import('rolldown'));
  } catch {
    process.stderr.write('scripts/bundle.mjs: rolldown is not installed: no bundle (bin/ runs dist/ as it is)\n');
    return;
  }
  for (const [name, entry] of Object.entries(BUNDLES)) {
    const paths = bundlePaths(name, entry);
    const bundle = await rolldown({
      input: fileURLToPath(paths.entry),
      platform: 'node',
      // the native libpcap binding is loaded at run time (live capture only)
      // (but not the lazy ones: lazyBuiltins gives them their stand-ins)
      external: (id) => (id.startsWith('node:') && !LAZY_BUILTINS.includes(id)) || id === 'pcap',
      plugins: [lazyBuiltins(LAZY_BUILTINS), {
        name: 'tcpscope-module-url',
        transform(code, id) {
          if (!id.startsWith(DIST) || !code.includes('import.meta.url')) return null;
          const path = relative(DIST, id).split('\\').join('/');
          // cli-table3 (CommonJS, loaded synchronously when a table is drawn) goes into the
          // bundle, still evaluated only then: from node_modules it cost ~20 ms of resolving
          // and loading its dozen files on every run that draws a table
          const bundled = code.replaceAll("createRequire(import.meta.url)('cli-table3')", "require('cli-table3')");
          return { code: bundled.replaceAll('import.meta.url', `__TCPSCOPE_BUNDLE__.moduleUrl(${JSON.stringify(path)})`), map: null };
        },
      }],
    });
    await bundle.write({ file: paths.code, format: 'cjs', codeSplitting: false });
    await bundle.close();
    // ASCII only (each other UTF-16 unit as a \uXXXX escape, the same text wherever JavaScript
    // reads escapes, in comments harmless): bin/bundle.js then reads the bundle as latin1, a copy,
    // and V8 keeps it as a one-byte string; its few arrows and box lines made the whole ~1 MB
    // source a UTF-8 decode into a two-byte string on every run
    const text = readFileSync(paths.code, 'utf8');
    writeFileSync(paths.code, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  // the code caches (the CLI's, and the workers' written by the workers of its training check)
  const trained = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (trained.status !== 0) {
    // the cache is optional (the bundle then compiles from source); a broken bundle shows in
    // test/cli/bundle.test.ts, which compares it with dist/
    process.stderr.write(`scripts/bundle.mjs: warning: the training run failed (no code cache):\n${trained.stderr}`);
  }
  // what a worker stopped between writing its cache and renaming it left behind
  for (const f of readdirSync(DIST)) if (/\.cjs\.cache\./.test(f)) rmSync(DIST + f, { force: true });
}
