/**
 * `tcpscope check` through the command line on the corpus captures in fixtures/: exit status 0
 * for clean captures, 1 naming each abnormal connection and why, 2 for input that cannot be read
 * and for wrong options; each option changing the verdict as the README documents.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const scen = (name: string): string => join(root, 'fixtures', 'scenarios', name);
const real = (name: string): string => join(root, 'fixtures', 'real', name);
const expectJson = JSON.parse(readFileSync(scen('expect.json'), 'utf8')) as Record<string, { file: string; flows: { client: string; server: string }[] }>;
const realExpect = JSON.parse(readFileSync(real('real-expect.json'), 'utf8')) as Record<string, { file: string; flows: { client: string; server: string }[] }>;

function check(args: string[], env: Record<string, string | undefined> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', ...args], { encoding: 'utf8', env: e, cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tcpscope-check-'));
}

const noStack = (s: string): void => { expect(s).not.toMatch(/\n\s+at .*\.js:\d+/); };

describe('check on a RST after a complete close', () => {
  it('rstIntoTimeWait_defaultPolicy_passes', () => {
    // fixtures/craft/rst-into-time-wait.pcap (qa4's tw2.pcap): a clean FIN close, a bare RST
    // from the closed server 5 s later, then a new connection on the same 4-tuple
    const r = check([join(root, 'fixtures', 'craft', 'rst-into-time-wait.pcap')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/data still arrived/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^PASS: 2 connections, none abnormal/);
    expect(r.status).toBe(0);
  });
});

describe('check verdicts on the corpus', () => {
  const clean = ['close-4way', 'close-4way-server-first', 'close-3way', 'half-close', 'simultaneous-open', 'simultaneous-close',
    'keepalive', 'zero-window', 'retransmission', 'out-of-order', 'seq-wraparound', 'port-reuse', 'midstream', 'ipv6', 'vlan',
    'linux-sll2', 'bad-checksums', 'pcapng-two-interfaces', 'handshake-only'];
  it.each(clean)('cleanScenario_%s_exits0_withPassLine', (name) => {
    const r = check([scen(expectJson[name].file)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^PASS: ${expectJson[name].flows.length} connections?, none abnormal`));
  });

  it.each(['normal', 'server-closes', 'half-close', 'keepalive', 'zero-window', 'ipv6-normal'])('cleanRealCapture_%s_exits0', (name) => {
    const r = check([real(realExpect[name].file)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS: /m);
  });

  // each abnormal kind: the connection (from the corpus answers) and what went wrong
  const abnormal: [string, Record<string, typeof expectJson>, string, RegExp][] = [
    ['rst-abort', expectJson, 'reset', /reset by server: RST \(packet \d+ at 22:\d\d:\d\d\.\d{6}\) aborted the established connection/],
    ['rst-abort-client', expectJson, 'reset', /reset by client: RST \(packet \d+ at [\d:.]+\) aborted/],
    ['rst-after-fin', expectJson, 'reset', /reset by client: RST \(packet \d+ at [\d:.]+\) after it had closed/],
    ['rst-refused', expectJson, 'refused', /refused: the SYN \(packet 1 at [\d:.]+\) was answered by RST \(packet 2 at [\d:.]+\): nothing listened on 10\.0\.0\.2:7999/],
    ['half-open-peer-reboot', expectJson, 'half-open', /half-open: the server had lost the connection .* bare RST \(packet \d+ at [\d:.]+\)/],
    ['syn-unanswered', expectJson, 'syn-unanswered', /SYN never answered: sent 4 times from packet 1 at [\d:.]+ to packet 4 at/],
    ['syn-unanswered-windows', expectJson, 'syn-unanswered', /SYN never answered: sent 3 times/],
    ['synack-no-final-ack', expectJson, 'handshake-incomplete', /handshake never completed: SYN \(packet 1 at [\d:.]+\), SYN-ACK \(packet 2 at [\d:.]+\), no final ACK by the end/],
    ['half-closed-at-end', expectJson, 'half-closed-at-end', /still half-closed at the end: the client sent FIN \(packet \d+ at [\d:.]+\), the server never closed \(CLOSE_WAIT\)/],
    ['refused', realExpect, 'refused', /refused: the SYN .* was answered by RST/],
    ['abort-linger0', realExpect, 'reset', /reset by client: RST \(packet \d+/],
    ['close-with-unread-data', realExpect, 'reset', /reset by server: RST \(packet \d+/],
    ['write-after-peer-close', realExpect, 'reset', /reset by client: RST \(packet \d+ at [\d:.]+\) after it had closed/],
  ];
  it.each(abnormal)('abnormal_%s_exits1_namingTheConnectionAndTheReason', (name, answers, condition, reason) => {
    const set = answers === expectJson ? scen : real;
    const flow = answers[name].flows[0];
    const r = check([set(answers[name].file)]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL #1 ${flow.client} → ${flow.server}\n`);
    expect(r.stdout).toMatch(reason);
    expect(r.stdout).toMatch(new RegExp(`^FAIL: 1 of 1 connection abnormal \\(.*${condition} 1`, 'm'));
    // the summary table names the condition as failed
    expect(r.stdout).toMatch(new RegExp(`│ ${condition} +│ +1 │ fail +│ +1 │`));
  });

  it('evidencePacket_isTheRstOfTheCapture', () => {
    // rst-abort: tcpdump numbers the packets; the RST is the one with Flags [R...]
    const lines = spawnSync('tcpdump', ['-n', '-r', scen('rst-abort.pcap')], { encoding: 'utf8' }).stdout.split('\n');
    const rstNumber = lines.findIndex((l) => /Flags \[R/.test(l)) + 1;
    if (rstNumber === 0) return expect.fail('tcpdump is needed to read the RST packet number');
    const r = check([scen('rst-abort.pcap')]);
    expect(r.stdout).toContain(`RST (packet ${rstNumber} at ${lines[rstNumber - 1].slice(0, 15)})`);
  });

  it('synFlood_everyConnectionFails_reportListsTheFirstOnesThenCounts', () => {
    const r = check(['--report-limit', '5', scen('syn-flood.pcap')]);
    expect(r.status).toBe(1);
    expect(r.stdout.match(/^FAIL #/gm)).toHaveLength(5);
    expect(r.stdout).toContain('… 195 more failing connections not listed');
    expect(r.stdout).toMatch(/^FAIL: 200 of 200 connections abnormal \(handshake-incomplete 200\)/m);
    const all = check(['--report-limit', '0', scen('syn-flood.pcap')]);
    expect(all.stdout.match(/^FAIL #/gm)).toHaveLength(200);
  });

  it('severalAbnormalConnections_listedInConnectionOrder', () => {
    const r = check([scen('rst-refused.pcap'), scen('rst-abort.pcap'), scen('close-4way.pcap')]);
    expect(r.status).toBe(1);
    const ids = [...r.stdout.matchAll(/^FAIL #(\d+) /gm)].map((m) => Number(m[1]));
    expect(ids).toHaveLength(2);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(r.stdout).toMatch(/^FAIL: 2 of 3 connections abnormal \(refused 1, reset 1\) \(3 capture files/m);
  });
});

describe('check input: files, directories, expression', () => {
  it('rotatedDirectory_readAsOneCaptureInTimeOrder_passes_whileTheFirstPartAloneFails', () => {
    const dir = join(root, 'fixtures', 'check', 'rotated');
    const whole = check([dir]);
    expect(whole.status).toBe(0);
    expect(whole.stdout).toMatch(/^PASS: 1 connection, none abnormal \(2 capture files, 11 packets\)/m);
    const part = check([join(dir, 'capture.pcap')]);
    expect(part.status).toBe(1);
    expect(part.stdout).toMatch(/still half-closed at the end/);
    // the parts given in reverse order are still merged by time
    const reversed = check([join(dir, 'capture.pcap1'), join(dir, 'capture.pcap')]);
    expect(reversed.status).toBe(0);
  });

  it('expression_narrowsWhatIsJudged', () => {
    const both = [scen('rst-refused.pcap'), scen('rst-abort.pcap')];
    const refusedOnly = check([...both, 'port', '7999']);
    expect(refusedOnly.status).toBe(1);
    expect(refusedOnly.stdout).toMatch(/^FAIL: 1 of 1 connection abnormal \(refused 1\).*packets matching 'port 7999'/m);
    const clean = check([scen('close-4way.pcap'), scen('rst-abort.pcap'), 'not', 'port', '7000']);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^PASS: 0 connections/m);
  });

  it('doubleDash_endsTheCaptures_evenBeforeAWordThatIsAFile', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tcp'), 'not a capture');
    // without --, an existing file named like an expression word is taken as a capture
    const taken = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', scen('rst-refused.pcap'), 'tcp'], { encoding: 'utf8', cwd: dir, env: { ...process.env, TZ: 'UTC' } });
    expect(taken.status).toBe(2);
    const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', scen('rst-refused.pcap'), '--', 'tcp'], { encoding: 'utf8', cwd: dir, env: { ...process.env, TZ: 'UTC' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/matching 'tcp'/);
  });

  it('standardInput_asACapture', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), 'check', '-q', '-'], { input: readFileSync(scen('rst-refused.pcap')), encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL #1 10\.0\.0\.1:40007 → 10\.0\.0\.2:7999$/m);
  });

  it('filterFromF_sameAsOnTheCommandLine', () => {
    const f = join(tmp(), 'filter');
    writeFileSync(f, '# only the refused one\nport 7999\n');
    const viaF = check(['-F', f, scen('rst-refused.pcap'), scen('rst-abort.pcap')]);
    const direct = check([scen('rst-refused.pcap'), scen('rst-abort.pcap'), 'port 7999']);
    expect(viaF.status).toBe(1);
    expect(viaF.stdout).toBe(direct.stdout);
  });
});

describe('check exit status 2: unreadable input and wrong usage', () => {
  it('missingCapture_exits2_oneLine', () => {
    const r = check([join(root, 'fixtures', 'nope.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tcpscope: .*nope\.pcap: /);
  });

  it('notACapture_exits2_namingTheFile', () => {
    const r = check([join(root, 'package.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: .*package\.json: .*\(at byte offset 0\)\n$/);
    noStack(r.stderr);
  });

  it('truncatedCapture_exits2_afterReportingWhatCameBefore', () => {
    const bytes = readFileSync(scen('rst-abort.pcap'));
    const cut = join(tmp(), 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10)); // the last record loses its end
    const r = check([cut]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^ERROR: the input could not be read to the end/m);
    expect(r.stdout).toMatch(/up to there: 0 of 1 connection abnormal/);
    expect(r.stderr).toMatch(/^tcpscope: .*cut\.pcap: .*\(at byte offset \d+\)\n$/);
    noStack(r.stderr);
  });

  it('directoryWithoutCaptures_exits2', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const r = check([dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no capture files in this directory/);
  });

  it('badFilter_exits2', () => {
    const r = check([scen('close-4way.pcap'), 'port', '(']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: .*filter expression/);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['--fail-on', 'resets'], /unknown condition 'resets' in --fail-on \(did you mean 'reset'\?\)/],
    [['--allow', 'bogus'], /unknown condition 'bogus' in --allow/],
    [['--allow-port', '70000'], /invalid port '70000' in --allow-port/],
    [['--allow-host', 'example.com'], /invalid host 'example\.com' in --allow-host/],
    [['--allow-host', '10.0.0.1/8'], /invalid host '10\.0\.0\.1\/8' in --allow-host: non-network bits set/],
    [['--allow-host', '2001:db8:8000::/32'], /invalid host '2001:db8:8000::\/32' in --allow-host: non-network bits set/],
    [['--max', 'reset'], /invalid --max value 'reset': expected CONDITION=N/],
    [['--max-resets', '-1'], /unknown option|invalid --max-resets/],
    [['--color', 'pink'], /invalid --color value 'pink'/],
    [['--no-such-option'], /unknown option '--no-such-option'/],
  ])('badOption_%s_exits2_oneLine', (args, message) => {
    const r = check([...args, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    noStack(r.stderr);
  });

  it('noCapture_exits2', () => {
    expect(check([]).status).toBe(2);
    const r = check(['port', '80']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no such capture file or directory: 'port'/);
  });

  it('policyFile_badJson_exits2_withByteOffset', () => {
    const f = join(tmp(), 'tcpscope.json');
    writeFileSync(f, '{\n  "fail_on": ["reset"],\n}\n');
    const r = check(['--policy', f, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: .*tcpscope\.json: not valid JSON at line 3, column 1: .*\(at byte offset 26\)\n$/);
  });

  // V8's own message has no position for these: the line and column are found all the same
  it.each([
    ['the end of the input', '{"fail_on":\n', /not valid JSON at line 1, column 12: the text ends inside a value \(at byte offset 11\)$/],
    ['an unexpected token', '{\n  "fail_on": tru\n}\n', /not valid JSON at line 2, column 17: unexpected line break \(at byte offset 18\)$/],
    ['a byte-order mark', '\ufeff{}', /not valid JSON at line 1, column 1: unexpected character U\+FEFF \(at byte offset 0\)$/],
    ['an empty file', '', /not valid JSON at line 1, column 1: the file is empty \(at byte offset 0\)$/],
    ['text after the object', '{"fail_on": ["reset"]} x', /not valid JSON at line 1, column 24: Unexpected non-whitespace character after JSON \(at byte offset 23\)$/],
    // U+00A0 is white space to String#trim but not to JSON: a character, not an empty file
    ['a no-break space alone', '\u00a0', /not valid JSON at line 1, column 1: unexpected character U\+00A0 \(at byte offset 0\)$/],
    // deeper than the locating walk's stack: V8's message without a place, never "column NaN"
    ['nesting 20,000 deep', '['.repeat(20000) + 'x', /tcpscope\.json: not valid JSON: Unexpected token 'x'$/],
  ])('policyFile_badJson_%s_lineAndColumn', (_what, text, message) => {
    const f = join(tmp(), 'tcpscope.json');
    writeFileSync(f, text);
    const r = check(['--policy', f, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: [^\n]+\n$/);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it.each([
    ['{"fail-on": ["reset"], "max_reset": {"reset": 1}}', /unknown key 'max_reset' \(did you mean 'max'\?\)/],
    ['{"fail_on": ["rst"]}', /unknown condition 'rst' in fail_on/],
    ['{"max": {"reset": -1}}', /invalid threshold for 'reset' in max/],
    ['{"exempt": [{"conditions": ["reset"]}]}', /exempt\[0\] needs a host or a port/],
    ['{"exempt": [{"host": "10.0.0.300"}]}', /invalid host '10\.0\.0\.300' in exempt\[0\]\.host/],
    ['["reset"]', /a policy file holds one JSON object/],
    // qa4: an empty failing set would turn the gate off without a word ('none' says it)
    ['{"fail_on": []}', /fail_on names no condition: .*'none' to judge nothing/],
    ['{"fail_on": [" , "]}', /fail_on names no condition/],
    // a string where a list is expected is a wrong type, as README says
    ['{"fail_on": "reset"}', /fail_on must be a list, not a string: "fail_on": \["reset"\]/],
    ['{"allow_hosts": "10.0.0.1"}', /allow_hosts must be a list, not a string/],
    // JSON.parse keeps the last of two equal keys: one setting would be lost silently
    ['{"fail_on": ["reset"], "max": {}, "fail_on": ["none"]}', /key 'fail_on' given twice in one object \(line 1\).*\(at byte offset 34\)/],
    ['{"fail-on": ["reset"], "fail_on": ["none"]}', /key 'fail_on' given twice \(also as 'fail-on'\)/],
    ['{"exempt": [{"port": 1, "port": 2}]}', /key 'port' given twice in one object/],
    // YAML is not JSON: say what a policy file is
    ['fail_on:\n  - reset\n', /not valid JSON at line 1, column 3: .* \(policy files are JSON: \{"fail_on": \["default"\]\}\) \(at byte offset 2\)/],
  ])('policyFile_%s_exits2_namingTheMistake', (text, message) => {
    const f = join(tmp(), 'tcpscope.json');
    writeFileSync(f, text);
    const r = check(['--policy', f, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('tcpscope.json');
  });

  it.each([[['--fail-on', '']], [['--fail-on=']], [['--fail-on', ' ,']]])('failOnEmpty_%j_exits2_notASilentPass', (args) => {
    // a CI line `--fail-on "$CONDITIONS"` with the variable unset must not judge nothing
    const r = check([...args, scen('rst-abort.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: --fail-on names no condition: [^\n]*'none' to judge nothing\)\n$/);
    expect(r.stdout).toBe('');
  });

  it.each([[['-r']], [['-rx.pcap']]])('dashR_%j_exits2_hintsThatCapturesAreOperands', (args) => {
    const r = check([...args, scen('rst-abort.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: unknown option '-r[^']*': captures are operands here \(tcpscope check FILE\.\.\.\)\n$/);
  });

  it('damagedHeaderAmongSeveral_othersJudged_exits2', () => {
    // qa4: one capture whose header is damaged no longer hides what the others hold (every
    // connection was left unjudged); the run still ends with its error and status 2
    const bad = join(tmp(), 'bad.pcap');
    writeFileSync(bad, readFileSync(scen('close-4way.pcap')).subarray(0, 10));
    const r = check([scen('rst-abort.pcap'), bad, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: [^\n]*bad\.pcap: pcap file header is cut short: 10 of its 24 bytes are present \(at byte offset 0\)\n$/);
    expect(r.stdout).toMatch(/^FAIL #1 10\.0\.0\.1:40008 → 10\.0\.0\.2:7000\n {5}reset by server/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ERROR: \S*bad\.pcap could not be read \(.*\); the other captures: 1 of 2 connections abnormal \(3 capture files, 18 packets\)$/);
    const j = check(['--json', scen('rst-abort.pcap'), bad]);
    const verdict = JSON.parse(j.stdout.trimEnd().split('\n').at(-1) as string);
    expect(verdict).toMatchObject({ verdict: 'error', exit_status: 2, connections: 1, failed: 1 });
    expect(verdict.error.left_out).toEqual([bad]);
    expect(j.status).toBe(2);
  });

  /** close-4way.pcap given up inside its 6th record (of 11): cut there, or that record's length made too big */
  function damagedMidBody(how: 'cut' | 'tooBig'): string {
    const bytes = Buffer.from(readFileSync(scen('close-4way.pcap')));
    let at = 24;
    for (let k = 1; k < 6; k++) at += 16 + bytes.readUInt32LE(at + 8);
    const path = join(tmp(), `${how}.pcap`);
    if (how === 'tooBig') bytes.writeUInt32LE(0x7fffffff, at + 8);
    writeFileSync(path, bytes.subarray(0, at + 16 + 10));
    return path;
  }

  it.each([['cut'], ['tooBig']] as const)('damagedBodyAfterGoodCapture_%s_everyConnectionReadJudged_exits2', (how) => {
    // rst-abort.pcap's RST (22:13:20.0036) comes after the damage in time (close-4way's 6th
    // record): the damaged file is given up there and the good one read to its end, so its reset
    // is judged, and the run still ends with the damage and status 2
    const bad = damagedMidBody(how);
    const message = how === 'cut' ? /packet \d+ is cut short/ : /packet \d+ claims 2147483647 captured bytes/;
    for (const jobs of [[], ['--jobs', '2']]) {
      const r = check(['-q', ...jobs, scen('rst-abort.pcap'), bad]);
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(/^FAIL #1 10\.0\.0\.1:40008 → 10\.0\.0\.2:7000\n {5}reset by server/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ERROR: the input could not be read to the end \(.*; up to there: 1 of 2 connections abnormal \(2 capture files, 1\d packets\)$/);
      expect(r.stderr).toMatch(new RegExp(`^tcpscope: \\S*${how}\\.pcap: ${message.source}.*\\(at byte offset \\d+\\)\n$`));
      noStack(r.stderr);
      const j = check(['--json', ...jobs, bad, scen('rst-abort.pcap')]);
      expect(j.status).toBe(2);
      const lines = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      const verdict = lines.at(-1);
      expect(verdict).toMatchObject({ verdict: 'error', exit_status: 2, connections: 2, failed: 1 });
      expect(verdict.error.left_out).toBeUndefined();
      expect(lines.filter((l) => l.type === 'flow' && l.reset_by === 'server')).toHaveLength(1);
    }
    const junit = join(tmp(), 'junit.xml');
    const u = check(['--junit', junit, scen('rst-abort.pcap'), bad]);
    expect(u.status).toBe(2);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure[^>]*>[^<]*reset/);
    expect(xml).toMatch(/<error /);
  });

  it.each([[[]], [['--jobs', '2']]])('damagedAndUnreadableAmongSeveral_%j_everyBadFileNamed_exits2', (jobs) => {
    // review: with one capture given up mid-body, an unreadable one beside it was never named
    // (no left_out, no line on stderr): every capture not read whole is named, each on stderr
    const dmg = damagedMidBody('cut');
    const garbage = join(tmp(), 'garbage.pcap');
    writeFileSync(garbage, 'not a capture at all, not even its magic');
    const r = check(['-q', ...jobs, scen('rst-abort.pcap'), dmg, garbage, scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    // (the first problem's line is the error the run ends with, written last)
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^tcpscope: \S*garbage\.pcap: not a capture file/);
    expect(lines[1]).toMatch(/^tcpscope: \S*cut\.pcap: packet \d+ is cut short/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ERROR: \S*cut\.pcap could not be read to the end; \S*garbage\.pcap could not be read \(.*\); the other captures: 1 of 2 connections abnormal \(4 capture files, \d+ packets\)$/);
    const j = check(['--json', ...jobs, scen('rst-abort.pcap'), dmg, garbage]);
    const verdict = JSON.parse(j.stdout.trimEnd().split('\n').at(-1) as string);
    expect(verdict.error).toMatchObject({ damaged: [dmg], left_out: [garbage] });
    const junit = join(tmp(), 'junit.xml');
    check(['--junit', junit, ...jobs, scen('rst-abort.pcap'), dmg, garbage]);
    expect(readFileSync(junit, 'utf8')).toMatch(/given up where it went bad: \S*cut\.pcap\nleft out, unreadable: \S*garbage\.pcap<\/error>/);
  });

  it('damagedBodyAlone_connectionsBeforeItJudged_exits2', () => {
    const r = check(['-q', damagedMidBody('cut')]);
    expect(r.status).toBe(2);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ERROR: the input could not be read to the end \(.*\); up to there: 0 of 1 connection abnormal \(1 capture file, 5 packets\)$/);
  });

  it.each([[[]], [['--jobs', '2']]])('filterRejectingTheLinkType_%j_refusedWhenTheCaptureOpens_exits2', (jobs) => {
    // raw IP has no ARP: refused with the printed modes' message when the capture opens, for a
    // capture without packets too (nothing read, nothing judged)
    const empty = join(tmp(), 'raw-empty.pcap');
    writeFileSync(empty, readFileSync(scen('raw-ip.pcap')).subarray(0, 24));
    for (const f of [scen('raw-ip.pcap'), empty]) {
      const r = check([...jobs, f, 'arp']);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('tcpscope: expression rejects all packets (link type Raw IP)\n');
      expect(r.stdout).toBe('');
    }
  });

  it('missingPolicyFile_exits2', () => {
    const r = check(['--policy', join(tmp(), 'none.json'), scen('close-4way.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/none\.json: no such policy file/);
  });
});

describe('check options change the verdict', () => {
  const abort = scen('rst-abort.pcap');

  it('allow_takesAConditionOut', () => {
    expect(check([abort]).status).toBe(1);
    expect(check(['--allow', 'reset', abort]).status).toBe(0);
    expect(check(['--allow', 'refused', abort]).status).toBe(1);
  });

  it('failOn_replacesTheDefault_withDefaultAllNone', () => {
    const rtx = scen('retransmission.pcap');
    expect(check([rtx]).status).toBe(0);
    const r = check(['--fail-on', 'retransmission', rtx]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/retransmission: data sent again.*first in packet \d+/);
    expect(check(['--fail-on', 'retransmission', abort]).status).toBe(0); // the default set is gone
    expect(check(['--fail-on', 'default,retransmission', abort]).status).toBe(1);
    expect(check(['--fail-on', 'none', abort]).status).toBe(0);
    expect(check(['--fail-on', 'all', scen('keepalive.pcap')]).status).toBe(1);
  });

  it('allowPort_exemptsEitherEnd_singleOrRange', () => {
    expect(check(['--allow-port', '7000', abort]).status).toBe(0); // the server's port
    expect(check(['--allow-port', '40008', abort]).status).toBe(0); // the client's
    expect(check(['--allow-port', '6990-7010', abort]).status).toBe(0);
    expect(check(['--allow-port', '8000-8100', abort]).status).toBe(1);
    const r = check(['--allow-port', '7000', abort]);
    expect(r.stdout).toMatch(/│ reset +│ +1 │ fail +│ +0 │ +1 │ +0 │ exempt/);
    expect(r.stdout).toMatch(/^PASS: 1 connection, none abnormal; 1 exempt/m);
  });

  it('allowHost_exemptsAnAddressOrBlock_v4andV6', () => {
    expect(check(['--allow-host', '10.0.0.2', abort]).status).toBe(0);
    expect(check(['--allow-host', '10.0.0.0/24', abort]).status).toBe(0);
    expect(check(['--allow-host', '10.0.0.2/32', abort]).status).toBe(0);
    expect(check(['--allow-host', '192.168.0.0/16', abort]).status).toBe(1);
    expect(check(['--fail-on', 'all', '--allow-host', '2001:db8::/32', scen('ipv6.pcap')]).status).toBe(0);
    expect(check(['--fail-on', 'all', '--allow-host', '2001:db9::/32', scen('ipv6.pcap')]).status).toBe(0); // ipv6.pcap is clean: passes anyway
  });

  it('maxResets_toleratesAFew_thenFailsThemAll', () => {
    const two = [abort, scen('rst-abort-client.pcap')];
    expect(check(['--max-resets', '1', abort]).status).toBe(0);
    const over = check(['--max-resets', '1', ...two]);
    expect(over.status).toBe(1);
    expect(over.stdout.match(/^FAIL #/gm)).toHaveLength(2);
    expect(over.stdout).toMatch(/│ reset +│ +2 │ at most 1 +│ +2 │/);
    const under = check(['--max-resets', '2', ...two]);
    expect(under.status).toBe(0);
    expect(under.stdout).toMatch(/^PASS: 2 connections, none abnormal; 2 tolerated/m);
  });

  it('maxCondition_judgesItAndToleratesUpToN', () => {
    const flood = scen('syn-flood.pcap');
    expect(check(['-q', '--max', 'handshake-incomplete=200', flood]).status).toBe(0);
    expect(check(['-q', '--max', 'handshake-incomplete=199', flood]).status).toBe(1);
    // a threshold on a condition not failed on by default judges it
    const rtx = scen('retransmission.pcap');
    expect(check(['--max', 'retransmission=0', rtx]).status).toBe(1);
    expect(check(['--max', 'retransmission=1', rtx]).status).toBe(0);
  });

  it('minConnections_failsACaptureThatSawTooLittle', () => {
    expect(check(['--min-connections', '1', scen('close-4way.pcap')]).status).toBe(0);
    const r = check(['--min-connections', '2', scen('close-4way.pcap')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: 1 connection, fewer than the 2 required/m);
    // the JUnit failure says it the same way (one connection, singular)
    const xml = join(tmp(), 'min.xml');
    expect(check(['--min-connections', '2', '--junit', xml, scen('close-4way.pcap')]).status).toBe(1);
    expect(readFileSync(xml, 'utf8')).toContain('message="1 connection, fewer than 2">the capture shows 1 TCP connection; the policy wants at least 2</failure>');
  });

  it('policyFile_holdsTheSameSettings_andTheCommandLineOverridesIt', () => {
    const policy = join(root, 'fixtures', 'check', 'tcpscope.json');
    // the example policy: refused on port 7999 exempt, one reset tolerated, retransmission failed
    expect(check(['--policy', policy, scen('rst-refused.pcap')]).status).toBe(0);
    expect(check(['--policy', policy, abort]).status).toBe(0);
    expect(check(['--policy', policy, abort, scen('rst-abort-client.pcap')]).status).toBe(1);
    expect(check(['--policy', policy, scen('retransmission.pcap')]).status).toBe(1);
    expect(check(['--policy', policy, scen('half-closed-at-end.pcap')]).status).toBe(0);
    // command line over the file
    expect(check(['--policy', policy, '--fail-on', 'default', scen('retransmission.pcap')]).status).toBe(0);
    expect(check(['--policy', policy, '--max-resets', '0', abort]).status).toBe(1);
    expect(check(['--policy', policy, '--min-connections', '2', scen('close-4way.pcap')]).status).toBe(1);
  });

  it('exemptEntry_coversOnlyItsConditions', () => {
    const f = join(tmp(), 'p.json');
    writeFileSync(f, JSON.stringify({ exempt: [{ host: '10.0.0.2', conditions: ['refused'], reason: 'closed on purpose' }] }));
    expect(check(['--policy', f, scen('rst-refused.pcap')]).status).toBe(0);
    const r = check(['--policy', f, abort]); // same host, but a reset is not exempt
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/reset by server/);
  });

  it('captureLoss_notedButNotFailedByDefault_failedWhenAsked', () => {
    const lossy = real('real-any-interface-sll2.pcap');
    const r = check([lossy]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^note: 1 connection shows capture loss \(ack-unseen/m);
    const strict = check(['--fail-on', 'default,ack-unseen', lossy]);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/ack-unseen: an ACK covered data or a FIN the capture never showed \(capture loss\), first in packet \d+/);
    expect(check([scen('close-4way.pcap')]).stdout).not.toMatch(/^note:/m);
  });

  it('quiet_leavesOutTheTable', () => {
    const r = check(['-q', abort]);
    expect(r.stdout).not.toContain('┌');
    expect(r.stdout).toMatch(/^FAIL #1 /);
  });

  it('listConditions_printsTheVocabulary', () => {
    const r = check(['--list-conditions']);
    expect(r.status).toBe(0);
    const names = r.stdout.trim().split('\n');
    for (const n of ['refused', 'reset', 'half-open', 'syn-unanswered', 'handshake-incomplete', 'half-closed-at-end', 'ack-unseen']) expect(names).toContain(n);
  });
});

describe('check --json', () => {
  it('everyFlowRecordWithItsOutcome_thenTheVerdict', () => {
    const r = check(['--json', scen('rst-abort.pcap'), scen('close-4way.pcap'), scen('rst-refused.pcap')]);
    expect(r.status).toBe(1);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const flows = recs.filter((x) => x.type === 'flow');
    expect(flows).toHaveLength(3);
    const byServer = Object.fromEntries(flows.map((f) => [f.server, f]));
    expect(byServer['10.0.0.2:7999'].check.outcome).toBe('fail');
    expect(byServer['10.0.0.2:7999'].check.judged).toEqual(['refused']);
    expect(byServer['10.0.0.2:7999'].check.evidence[0]).toMatchObject({ event: 'refused', packet: expect.any(Number), time: expect.any(Number) });
    const clean = flows.find((f) => f.close === 'fin');
    expect(clean.check.outcome).toBe('pass');
    const v = recs.at(-1);
    expect(v).toMatchObject({ type: 'verdict', verdict: 'fail', exit_status: 1, connections: 3, failed: 2, passed: 1 });
    expect(v.conditions.refused).toMatchObject({ connections: 1, failed: 1, judged: true, max: null });
    expect(v.policy.fail_on).toEqual(['refused', 'reset', 'half-open', 'syn-unanswered', 'handshake-incomplete', 'half-closed-at-end']);
  });

  it('cleanCapture_verdictPass', () => {
    const r = check(['--json', scen('close-4way.pcap')]);
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    expect(v).toMatchObject({ verdict: 'pass', exit_status: 0 });
  });
});

describe('check colour', () => {
  const abort = scen('rst-abort.pcap');
  it('colourOnATerminal_notWithNO_COLOR', () => {
    // util-linux's script(1) gives the command a pseudo-terminal as standard output
    const onTty = (env: string): string => spawnSync('script', ['-qec', `${env} TZ=UTC '${process.execPath}' '${join(root, 'bin', 'tcpscope.js')}' check -q '${abort}'`, '/dev/null'],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined } as NodeJS.ProcessEnv }).stdout;
    const tty = onTty('');
    expect(tty).toMatch(/FAIL.*#1 10\.0\.0\.1:40008/);
    expect(tty).toContain('\x1b[31m');
    expect(onTty('NO_COLOR=1')).not.toContain('\x1b[');
  });

  it('noColourWhenNotATerminal_colourWithFORCE_COLOR_noneWithNO_COLOR', () => {
    expect(check([abort]).stdout).not.toContain('\x1b[');
    expect(check([abort], { FORCE_COLOR: '1' }).stdout).toContain('\x1b[');
    expect(check(['--color', 'always', abort]).stdout).toContain('\x1b[');
    expect(check(['--color', 'always', abort], { NO_COLOR: '1' }).stdout).toContain('\x1b['); // always wins
    expect(check([abort], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
  });
});

describe('check DIR and -r DIR with a damaged file named as a capture', () => {
  const damaged: [string, string | Buffer, RegExp][] = [
    ['text.pcap', 'tcpdump -n > text.pcap\n', /text\.pcap: not a capture file: .*\(at byte offset 0\)$/],
    ['empty.pcap', '', /empty\.pcap: the file is empty/],
    ['cut.pcapng', readFileSync(scen('pcapng-two-interfaces.pcapng')).subarray(0, 30), /cut\.pcapng: section header block is cut short/],
  ];
  it.each(damaged)('%s beside two good captures_one error line_status 2', (name, bytes, message) => {
    const d = tmp();
    writeFileSync(join(d, 'a.pcap'), readFileSync(scen('close-4way.pcap')));
    writeFileSync(join(d, 'b.pcap'), readFileSync(scen('close-3way.pcap')));
    writeFileSync(join(d, name), bytes);
    const r = check(['-q', d]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tcpscope: [^\n]+\n$/);
    expect(r.stderr.trimEnd()).toMatch(message);
    noStack(r.stderr);
    const read = spawnSync(process.execPath, [join(root, 'bin', 'tcpscope.js'), '-n', '-r', d], { encoding: 'utf8' });
    expect(read.status).not.toBe(0);
    expect(read.stderr.trimEnd()).toMatch(message);
  });
});
