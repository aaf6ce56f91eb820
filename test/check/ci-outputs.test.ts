/**
 * The CI outputs of `tcpscope check`: the JUnit report (parsed with a real XML parser and held
 * to the JUnit schema's rules that CI tools read: Jenkins' junit-10.xsd) and the GitHub Actions
 * workflow commands, which appear only under GITHUB_ACTIONS=true.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type El, junitProblems, parseJunit } from './junit-schema.js';

const root = join(__dirname, '..', '..');
const scen = (name: string): string => join(root, 'fixtures', 'scenarios', name);

function check(args: string[], env: Record<string, string | undefined> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', ...args], { encoding: 'utf8', env: e });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tcpscope-check-ci-'));
}

function suiteOf(doc: El): El {
  return doc.children.find((c) => c.name === 'testsuite') as El;
}

describe('check --junit', () => {
  it('theSchemaRulesCatchABrokenReport', () => {
    // the validator itself can fail: counts that do not add up, a missing name, a stray element
    const broken = parseJunit('<testsuites><testsuite name="x" tests="2" failures="0" errors="0"><testcase/><bogus/></testsuite></testsuites>');
    const p = junitProblems(broken);
    expect(p).toContain('testsuites/testsuite/testcase: missing attribute name');
    expect(p).toContain('testsuites/testsuite: <bogus> not allowed in <testsuite>');
    expect(p).toContain('testsuites/testsuite: tests=2 but 1 testcases');
    expect(() => parseJunit('<testsuites><testsuite></testsuites>')).toThrow(/not well-formed/);
  });

  it('oneTestcasePerConnection_failuresCarryTheReason_validJunit', () => {
    const file = join(tmp(), 'report.xml');
    const r = check(['--junit', file, scen('rst-abort.pcap'), scen('close-4way.pcap'), scen('rst-refused.pcap'), scen('syn-unanswered.pcap')]);
    expect(r.status).toBe(1);
    const doc = parseJunit(readFileSync(file, 'utf8'));
    expect(junitProblems(doc)).toEqual([]);
    const suite = suiteOf(doc);
    const cases = suite.children.filter((c) => c.name === 'testcase');
    expect(cases).toHaveLength(4);
    expect(suite.attrs).toMatchObject({ tests: '4', failures: '3', errors: '0' });
    expect(doc.attrs).toMatchObject({ tests: '4', failures: '3', errors: '0' });
    const byName = Object.fromEntries(cases.map((c) => [c.attrs.name.replace(/^#\d+ /, ''), c]));
    const refused = byName['10.0.0.1:40007 → 10.0.0.2:7999'].children.find((k) => k.name === 'failure') as El;
    expect(refused.attrs.type).toBe('refused');
    expect(refused.attrs.message).toMatch(/^refused: the SYN \(packet \d+ at [\d:.]+\) was answered by RST/);
    expect(refused.text).toMatch(/handshake refused, close rst \(reset by server\)/);
    const reset = byName['10.0.0.1:40008 → 10.0.0.2:7000'].children.find((k) => k.name === 'failure') as El;
    expect(reset.attrs.message).toMatch(/reset by server: RST \(packet \d+/);
    expect(byName['10.0.0.1:40012 → 10.0.0.2:7000'].children[0].attrs.type).toBe('syn-unanswered');
    expect(byName['10.0.0.1:40001 → 10.0.0.2:7000'].children).toEqual([]); // the clean one passes
    // the policy is recorded
    const props = suite.children.find((c) => c.name === 'properties') as El;
    expect(props.children.find((p) => p.attrs.name === 'fail_on')?.attrs.value).toBe('refused,reset,half-open,syn-unanswered,handshake-incomplete,half-closed-at-end');
  });

  it('exemptAndToleratedConnections_passWithANote', () => {
    const file = join(tmp(), 'report.xml');
    const r = check(['--junit', file, '--allow-port', '7999', '--max-resets', '1', scen('rst-abort.pcap'), scen('rst-refused.pcap')]);
    expect(r.status).toBe(0);
    const doc = parseJunit(readFileSync(file, 'utf8'));
    expect(junitProblems(doc)).toEqual([]);
    const notes = suiteOf(doc).children.filter((c) => c.name === 'testcase').map((c) => c.children.map((k) => `${k.name}: ${k.text}`).join());
    expect(notes.some((n) => /^system-out: exempt: refused by --allow-port 7999/.test(n))).toBe(true);
    expect(notes.some((n) => /^system-out: tolerated by threshold: reset by server/.test(n))).toBe(true);
    expect(suiteOf(doc).attrs.failures).toBe('0');
  });

  it('unreadableCapture_anErrorTestcase_statusTwo', () => {
    const dir = tmp();
    const bytes = readFileSync(scen('rst-abort.pcap'));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const file = join(dir, 'report.xml');
    const r = check(['--junit', file, cut]);
    expect(r.status).toBe(2);
    const doc = parseJunit(readFileSync(file, 'utf8'));
    expect(junitProblems(doc)).toEqual([]);
    const err = suiteOf(doc).children.flatMap((c) => c.children).find((k) => k.name === 'error') as El;
    expect(err.attrs.message).toMatch(/cut\.pcap: .*\(at byte offset \d+\)/);
    expect(suiteOf(doc).attrs.errors).toBe('1');
    // a missing capture is reported there too, so the CI page says why
    const missing = join(dir, 'missing.xml');
    expect(check(['--junit', missing, join(dir, 'nope.pcap')]).status).toBe(2);
    expect(junitProblems(parseJunit(readFileSync(missing, 'utf8')))).toEqual([]);
  });

  it('manyConnections_countsFilledInAfterStreaming', () => {
    const file = join(tmp(), 'report.xml');
    expect(check(['-q', '--junit', file, scen('syn-flood.pcap')]).status).toBe(1);
    const doc = parseJunit(readFileSync(file, 'utf8'));
    expect(junitProblems(doc)).toEqual([]);
    expect(suiteOf(doc).attrs).toMatchObject({ tests: '200', failures: '200' });
  });

  it('unwritableReport_exits2', () => {
    const r = check(['--junit', join(tmp(), 'no', 'such', 'dir', 'r.xml'), scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: .*r\.xml: cannot write the JUnit report/);
  });
});

describe('check under GitHub Actions', () => {
  const failing = [scen('rst-abort.pcap'), scen('rst-refused.pcap')];

  it('noWorkflowCommandsOutsideGithubActions', () => {
    for (const env of [{}, { GITHUB_ACTIONS: 'false' }, { GITHUB_ACTIONS: '1' }]) {
      const r = check(failing, env);
      expect(r.status).toBe(1);
      expect(r.stdout + r.stderr).not.toContain('::error');
    }
  });

  it('oneErrorAnnotationPerFailingConnection_escaped', () => {
    const r = check(failing, { GITHUB_ACTIONS: 'true' });
    expect(r.status).toBe(1);
    const cmds = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(cmds).toHaveLength(2);
    for (const c of cmds) {
      const m = /^::error title=([^:]*)::(.*)$/.exec(c);
      expect(m).not.toBeNull();
      // property values carry no raw ':' or ',' (they are %3A / %2C), data no raw newline
      expect(m![1]).not.toMatch(/[:,]/);
    }
    const titles = cmds.map((c) => decodeURIComponent(/title=([^:]*)::/.exec(c)![1]));
    expect(titles).toContain('tcpscope check: reset #1 10.0.0.1:40008 → 10.0.0.2:7000');
    expect(cmds.some((c) => /::refused: the SYN \(packet \d+/.test(c))).toBe(true);
  });

  it('pastNineFailures_theTenthAnnotationSumsUp', () => {
    const r = check(['-q', scen('syn-flood.pcap')], { GITHUB_ACTIONS: 'true' });
    const cmds = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(cmds).toHaveLength(10);
    expect(cmds[9]).toMatch(/^::error title=tcpscope check%3A 191 more abnormal connections::191 more connections failed the check \(200 in all\)/);
  });

  it('withJson_annotationsGoToStderr_stdoutStaysJson', () => {
    const r = check(['--json', ...failing], { GITHUB_ACTIONS: 'true' });
    expect(r.status).toBe(1);
    for (const l of r.stdout.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    expect(r.stderr.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(2);
  });

  it('stepSummary_markdownAppended', () => {
    const summary = join(tmp(), 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    check(failing, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toMatch(/### ❌ tcpscope check failed/);
    expect(md).toMatch(/\| #1 10\.0\.0\.1:40008 → 10\.0\.0\.2:7000 \| reset \| reset by server/);
  });

  it('cleanCapture_noAnnotations', () => {
    const r = check([scen('close-4way.pcap')], { GITHUB_ACTIONS: 'true' });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('::error');
  });
});

describe('check on a capture cut short: every output counts what was read', () => {
  // close-4way.pcap cut inside packet 11: 10 whole packets, one connection (still open)
  const whole = readFileSync(scen('close-4way.pcap'));
  const dir = tmp();
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 20));

  for (const jobs of ['1', '2']) {
    it(`jobs ${jobs}_text, json, junit, step summary_10 packets and 1 connection_status 2`, () => {
      const text = check(['--jobs', jobs, cut]);
      expect(text.status).toBe(2);
      expect(text.stderr).toMatch(/^tcpscope: .*cut\.pcap: packet 11 is cut short/);
      expect(text.stdout).toMatch(/up to there: 0 of 1 connection abnormal \(1 capture file, 10 packets\)/);

      const json = check(['--jobs', jobs, '--json', cut]);
      const verdict = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { packets: number; frames: number; verdict: string };
      expect(verdict).toMatchObject({ verdict: 'error', packets: 10, frames: 10 });

      const xml = join(dir, `j${jobs}.xml`);
      const summary = join(dir, `s${jobs}.md`);
      writeFileSync(summary, '');
      check(['--jobs', jobs, '--junit', xml, cut], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
      expect(readFileSync(xml, 'utf8')).toMatch(/<system-out>1 capture file\(s\): [^\n]*\n10 packets, 1 connection\n/);
      expect(readFileSync(summary, 'utf8')).toMatch(/1 connection in 1 capture file\(s\), 10 packets: /);
    });
  }
});
