/**
 * The library entry point as a program outside this repository sees it: dist/index.js loaded by
 * Node with no TypeScript in between (plain JS, or TypeScript compiled file by file by tsx,
 * esbuild or ts-node --transpile-only, which cannot inline a const enum from a .d.ts).
 * Every name dist/index.d.ts declares as a value must exist at run time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { ROOT, SCEN } from '../cli/helpers.js';

const ENTRY_JS = join(ROOT, 'dist', 'index.js');
const ENTRY_DTS = join(ROOT, 'dist', 'index.d.ts');

/** The names index.d.ts exports that a program can use as values (enums, classes, functions, consts). */
function valueExportsOfDeclarations(): string[] {
  const program = ts.createProgram([ENTRY_DTS], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(ENTRY_DTS)!)!;
  const names: string[] = [];
  for (const exported of checker.getExportsOfModule(entry)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (target.flags & ts.SymbolFlags.Value) names.push(exported.name);
  }
  return names;
}

/** Runs `source` as a plain-JS ES module in a child Node (no vitest, no TypeScript transform). */
function runPlainJs(source: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8', cwd: ROOT });
}

describe('library entry point', () => {
  test('declarations_valueExports_allPresentAtRunTime', async () => {
    const declared = valueExportsOfDeclarations();
    // the enums were the ones missing; make sure the walk above sees them as values at all
    for (const name of ['Ev', 'TcpState', 'EndpointEvent', 'Layer', 'Tracker', 'isTcpscopeError']) expect(declared).toContain(name);
    const loaded = await import(pathToFileURL(ENTRY_JS).href) as Record<string, unknown>;
    expect(declared.filter((name) => !(name in loaded))).toEqual([]);
  });

  test('plainJs_importEnums_readsEventsOfACapture', () => {
    // README's "From a program": events come back as Ev codes, named by EVENT_NAMES
    const capture = join(SCEN, 'close-4way.pcap');
    const r = runPlainJs(`
      import { Ev, EVENT_NAMES, TcpState, STATE_NAMES, EndpointEvent, Layer, Tracker, Packet, decodePacket, readCapture, isTcpscopeError }
        from ${JSON.stringify(pathToFileURL(ENTRY_JS).href)};
      const out = { syn: Ev.SYN, synName: EVENT_NAMES[Ev.SYN], established: STATE_NAMES[TcpState.ESTABLISHED],
        endpointEvents: Object.keys(EndpointEvent).length > 0, transport: Layer.Transport, seen: [] };
      const tracker = new Tracker({});
      const packet = new Packet();
      await readCapture(${JSON.stringify(capture)}, (frame) => {
        const result = tracker.track(decodePacket(frame, packet));
        for (let i = 0; i < result.eventCount; i++) {
          const ev = result.events[i];
          if (ev === Ev.SYN || ev === Ev.HANDSHAKE_DONE) out.seen.push(EVENT_NAMES[ev]);
        }
      });
      tracker.finish();
      try { await readCapture(${JSON.stringify(join(ROOT, 'package.json'))}, () => {}); }
      catch (e) { out.badFile = isTcpscopeError(e) ? e.code : 'not a TcpscopeError'; }
      console.log(JSON.stringify(out));
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.syn).toBe(0);
    expect(out.synName).toBe('syn');
    expect(out.established).toBe('ESTABLISHED');
    expect(out.endpointEvents).toBe(true);
    expect(out.transport).toBe(3);
    expect(out.seen).toEqual(['syn', 'handshake-complete']);
    expect(typeof out.badFile).toBe('string');
    expect(out.badFile).not.toBe('not a TcpscopeError');
  });

  test('readmeSnippet_goodAndCutCapture_printsEventsThenOneErrorLine', () => {
    // README's "From a program" example, run as written (importing 'tcpscope' by name resolves
    // to this package from its own folder), on a capture and on a copy cut short
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /### From a program[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    expect(snippet).toContain("'cap.pcap'");
    const run = (capture: string) => runPlainJs(snippet!.replace("'cap.pcap'", JSON.stringify(capture)));

    const good = run(join(SCEN, 'rst-refused.pcap'));
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    const lines = good.stdout.trim().split('\n');
    expect(lines[0]).toBe('#1 refused');
    expect(JSON.parse(lines[1])).toMatchObject({ type: 'flow', id: 1, handshake: 'refused' });

    const whole = readFileSync(join(SCEN, 'close-4way.pcap'));
    const cut = join(mkdtempSync(join(tmpdir(), 'tcpscope-entry-')), 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, 300));
    const bad = run(cut);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^tcpscope: ${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* \\(at byte offset \\d+\\)\\n$`));
    // the packets before the damage were followed: the connection's record is still written
    expect(JSON.parse(bad.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'flow', id: 1 });
  });
});
