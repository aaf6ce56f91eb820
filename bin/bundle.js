// Loads one of the single-file bundles that `npm run build` makes of dist/ (scripts/bundle.mjs),
// with V8's code cache for it, or says it cannot (the caller then imports dist/ as it is).
//
// Why: a tcpscope run used to spend most of its own start-up resolving, compiling and linking
// ~120 ES modules. One classic script compiled from a code cache skips the module graph and the
// compiler for every function the build's training run compiled (scripts/bundle.mjs).
//
// Safety: the bundle is used only when it is at least as new as the dist/ entry it was made from
// (a plain `tsc` after a build makes dist/ newer: the unbundled dist/ runs, never stale code). The
// cache starts with the CRC-32 of the bundle it was made for (V8 itself checks only the source's
// length, its own version and flags) and the CRC-32 of the cache's own bytes (V8's release builds
// do not checksum them); a missing, stale or corrupt cache, or one V8 rejects, only means the
// script is compiled from source. CRC-32 rather than the SHA-256 used before: these sums guard
// against accidents (a build that stopped between the bundle and its cache, a damaged file),
// never against a forger (whoever can write the cache can write the bundle beside it). CRC-32
// catches every change within 32 consecutive bits and any odd number of flipped bits, and any
// other change but once in 2^32, and a stale cache must also match the new bundle's exact length
// for V8 to take it; SHA-256 cost loading node:crypto (~20 built-in modules, its streams
// included) on every run, ~5-9 ms of a ~110 ms `check`, against ~1 ms for zlib's native CRC-32.
//
// A CommonJS module (bin/package.json), for bin/tcpscope.js; ES modules import it as well.
'use strict';
const { isAscii } = require('node:buffer');
const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { Script } = require('node:vm');
const { crc32 } = require('node:zlib');

const DIST = pathToFileURL(require('node:path').join(__dirname, '..', 'dist') + '/');
/** bytes of the sums (CRC-32 of the bundle, then of V8's cache data) at the start of a cache file */
const CACHE_HASH_LEN = 8;
exports.CACHE_HASH_LEN = CACHE_HASH_LEN;

/** The sums a cache file starts with: the CRC-32 of the bundle's bytes, then that of V8's data. */
function cacheHash(source, data) {
  const sums = Buffer.alloc(CACHE_HASH_LEN);
  sums.writeUInt32LE(crc32(source), 0);
  sums.writeUInt32LE(crc32(data), 4);
  return sums;
}

/**
 * The bundle called `name` (dist/NAME.cjs, made from dist/ENTRY), its code cache (dist/NAME.cjs.cache)
 * and the dist/ module it stands for.
 */
function bundlePaths(name, entry) {
  return {
    code: fileURLToPath(new URL(`${name}.cjs`, DIST)),
    cache: fileURLToPath(new URL(`${name}.cjs.cache`, DIST)),
    entry: new URL(entry, DIST),
  };
}

/** A file's modification time in ms, or -1 when it cannot be read. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Compile and run the bundle `name` (made from dist/`entry`): its module.exports plus the compiled
 * script (to make a cache from), or null when there is no usable bundle (none built, older than
 * dist/, or one that does not compile or run). `useCache: false` ignores the code cache (the build's training run).
 */
function loadBundle(name, entry, { useCache = true } = {}) {
  const paths = bundlePaths(name, entry);
  const built = mtime(paths.code);
  if (built < 0 || built < mtime(fileURLToPath(paths.entry))) return null;
  let source;
  try {
    source = readFileSync(paths.code);
  } catch {
    return null;
  }
  let cachedData;
  if (useCache) {
    try {
      const cache = readFileSync(paths.cache);
      const data = cache.subarray(CACHE_HASH_LEN);
      if (data.length > 0 && typeof crc32 === 'function' && cacheHash(source, data).equals(cache.subarray(0, CACHE_HASH_LEN))) cachedData = data;
    } catch {
      // no cache: compile from source
    }
  }
  // the bundle's free variable __TCPSCOPE_BUNDLE__ is how its modules learn where they would be in
  // dist/ (import.meta.url is rewritten to moduleUrl(path)) and which worker script to start
  // scripts/bundle.mjs writes it as ASCII: read as latin1 it is a plain copy into a one-byte string
  const text = isAscii(source) ? source.toString('latin1') : source.toString('utf8');
  const wrapper = '(function (exports, require, module, __filename, __dirname, __TCPSCOPE_BUNDLE__) {' + text + '\n})';
  const module = { exports: {} };
  const bundleApi = {
    moduleUrl: (path) => new URL(path, DIST).href,
    workerUrl: pathToFileURL(require('node:path').join(__dirname, 'shard-worker.js')),
  };
  let script;
  try {
    script = new Script(wrapper, { filename: paths.code, cachedData });
    script.runInThisContext()(module.exports, createRequire(paths.code), module, paths.code, fileURLToPath(DIST), bundleApi);
  } catch {
    // a bundle that does not compile or run (cut short, edited by hand) is no usable bundle
    return null;
  }
  return { exports: module.exports, script, paths, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * Write the code cache of a bundle loaded here: V8's data for every function compiled so far,
 * under its hash. Written whole under another name (`partName` tells writers apart), then renamed:
 * a reader never sees half a cache.
 */
function writeCodeCache(bundle, partName = String(process.pid)) {
  // zlib.crc32 came with Node 20.15: an older Node runs without a cache (compiled from source)
  if (typeof crc32 !== 'function') return;
  const data = bundle.script.createCachedData();
  const partial = `${bundle.paths.cache}.${partName}`;
  writeFileSync(partial, Buffer.concat([cacheHash(readFileSync(bundle.paths.code), data), data]));
  renameSync(partial, bundle.paths.cache);
}

exports.cacheHash = cacheHash;
exports.bundlePaths = bundlePaths;
exports.loadBundle = loadBundle;
exports.writeCodeCache = writeCodeCache;
