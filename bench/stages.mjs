#!/usr/bin/env node
// Where the time goes per packet: the pipeline's stages added one at a time over one capture,
// in one process (after `npm run build`), each the best of N runs of CPU time (user + system):
//
//   node bench/stages.mjs CAPTURE [--runs N] [--only read,decode,...]
//
//   read       the reader alone (frames as views of its chunk buffer)
//   decode     + decodePacket (link, IP, TCP headers into the reused Packet)
//   track      + Tracker.track (find the connection, state machines, analysis)
//   json       + flow records as JSON to /dev/null (the --json output)
//   print      read + decode + tcpdump's lines to /dev/null (the --plain output)
//   annotate   + tracking and the annotation lines (the default output)
//   plain      read + tcpdump's lines, decoding only what the full printer prints (what --plain does)
//   printtrack read + decode + tracking + tcpdump's lines, without the annotation lines (with
//              `annotate`, it tells the annotator's own cost from tracking's beside printing)
//   window     `annotate` in windows of W frames (--window W, default 64): track and annotate W
//              frames (annotations into the output's side room), then print their lines, each
//              followed by its annotation: what the default output does from files
//
// The differences between consecutive stages are the cost of each step. Warm runs: the CLI's
// single run also pays for start-up (module loading) and V8's compilation of the hot functions.
import { openSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url).href;
const { readCapture } = await import(dist + 'capture/index.js');
const { decodePacket, Packet } = await import(dist + 'decode/index.js');
const { Tracker } = await import(dist + 'track/tracker.js');
const { TcpdumpPrinter } = await import(dist + 'print/tcpdump/index.js');
const { TcpdumpSeqTable } = await import(dist + 'track/tcpdump-seq.js');
const { Output } = await import(dist + 'print/output.js');
const { defaultPrintOptions } = await import(dist + 'print/options.js');
const { JsonWriter } = await import(dist + 'print/json.js');
const { Annotator } = await import(dist + 'print/annotate.js');
const { makeChalk } = await import(dist + 'print/color.js');
const { FrameWindow } = await import(dist + 'capture/frame-window.js');

const args = process.argv.slice(2);
let runs = 3;
let windowSize = 64;
let only = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Math.max(1, parseInt(args[++i], 10) || 1);
  else if (args[i] === '--only') only = args[++i].split(',');
  else if (args[i] === '--window') windowSize = Math.max(1, parseInt(args[++i], 10) || 1);
  else files.push(args[i]);
}
if (files.length !== 1) {
  process.stderr.write('usage: node bench/stages.mjs CAPTURE [--runs N] [--only read,decode,track,json,print,annotate,plain,printtrack,window] [--window W]\n');
  process.exit(2);
}
const devnull = openSync('/dev/null', 'w');
const popts = defaultPrintOptions();
popts.numeric = 1;
const printer = (out) => new TcpdumpPrinter(popts, out, { seqTable: new TcpdumpSeqTable() });

// each stage: () => [per-frame function, end-of-input function]
const STAGES = {
  read: () => [() => {}, () => {}],
  decode: () => { const p = new Packet(); return [(f) => { decodePacket(f, p); }, () => {}]; },
  track: () => { const p = new Packet(); const t = new Tracker({}); return [(f) => { decodePacket(f, p); t.track(p); }, () => t.finish()]; },
  json: () => {
    const p = new Packet(); const o = new Output(devnull); const j = new JsonWriter(o, false);
    const t = new Tracker({ onFlowEnd: (fl) => j.flow(fl) });
    return [(f) => { decodePacket(f, p); j.packet(f, p, t.track(p)); }, () => { t.finish(); j.summary(t, { packets: 0 }); o.flush(); }];
  },
  print: () => { const p = new Packet(); const o = new Output(devnull); const pr = printer(o); return [(f) => { decodePacket(f, p); pr.print(f); }, () => o.flush()]; },
  plain: () => { const o = new Output(devnull); const pr = printer(o); return [(f) => { pr.print(f); }, () => o.flush()]; },
  printtrack: () => {
    const p = new Packet(); const o = new Output(devnull); const pr = printer(o); const t = new Tracker({});
    return [(f) => { decodePacket(f, p); t.track(p); pr.print(f); }, () => { t.finish(); o.flush(); }];
  },
  annotate: () => {
    const p = new Packet(); const o = new Output(devnull); const pr = printer(o); const t = new Tracker({});
    const a = new Annotator(o, t, makeChalk(0));
    return [(f) => { decodePacket(f, p); const r = t.track(p); pr.print(f); a.annotate(r, p); }, () => { t.finish(); o.flush(); }];
  },
  window: () => {
    // the pipeline's own FrameWindow, at any size (the pipeline's is 256)
    const p = new Packet(); const o = new Output(devnull, undefined, 64 * 1024); const pr = printer(o); const t = new Tracker({});
    const a = new Annotator(o, t, makeChalk(0));
    const w = new FrameWindow(windowSize);
    const flushWindow = () => {
      const n = w.count;
      w.count = 0; w.sideLen = 0;
      let start = 0;
      for (let i = 0; i < n; i++) {
        w.restore(i);
        pr.print(w.frame);
        const end = w.ends[i];
        if (end !== start) { o.putSide(start, end); start = end; }
      }
    };
    const each = (f) => {
      decodePacket(f, p); const r = t.track(p);
      const at = w.count;
      w.keep(at, f);
      w.sideLen = w.ends[at] = a.annotateAt(o.side, w.sideLen, r, p);
      w.count = at + 1;
      if (at + 1 === w.size || w.sideLen > 56 * 1024) flushWindow();
    };
    return [each, () => { flushWindow(); t.finish(); o.flush(); }, flushWindow];
  },
};

const rows = [];
let packets = 0;
for (const [name, make] of Object.entries(STAGES)) {
  if (only !== null && !only.includes(name)) continue;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const [each, end, beforeRefill] = make();
    const c0 = process.cpuUsage();
    let n = 0;
    await readCapture(files[0], (f) => { n++; each(f); }, { beforeRefill });
    end();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
    packets = n;
  }
  rows.push([name, best]);
}
process.stdout.write(`${files[0]}: ${packets} packets, best of ${runs} runs (CPU)\n`);
process.stdout.write('stage      ms CPU   ns/packet   Mpackets/s\n');
for (const [name, ms] of rows) {
  process.stdout.write(`${name.padEnd(9)} ${ms.toFixed(0).padStart(7)} ${(ms * 1e6 / packets).toFixed(0).padStart(11)} ${(packets / ms / 1000).toFixed(2).padStart(12)}\n`);
}
