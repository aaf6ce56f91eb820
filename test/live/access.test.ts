/**
 * What a user without live capture sees, and the ways to get it:
 *  - the native module missing, unbuilt or broken: a copy of the installed package whose
 *    node_modules lacks `pcap` (or holds a damaged one), so the real loading code runs and fails;
 *    offline analysis in that copy still works;
 *  - no permission: root without CAP_NET_RAW/CAP_NET_ADMIN (setpriv), and the user nobody;
 *  - the README's remedy: a node binary given the capabilities with setcap captures as nobody;
 *  - -Z: the -w file is created by the user the capture drops to.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, IS_ROOT, ROOT, type Servers, killStragglers, liveSkipReason, normalClose, startCapture, startServers } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tcpscope-access-'));
chmodSync(tmp, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LIVE_SKIP = liveSkipReason();
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const NOBODY = spawnSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).stdout?.split(':');
const NOBODY_UID = NOBODY !== undefined && NOBODY.length > 3 ? Number(NOBODY[2]) : undefined;
/** can the user nobody run this checkout's CLI (every directory on the way traversable)? */
const NOBODY_CAN_RUN = IS_ROOT && has('setpriv') && NOBODY_UID !== undefined
  && spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'test', '-r', CLI]).status === 0
  && spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'test', '-r', join(ROOT, 'dist', 'cli', 'main.js')]).status === 0;

const TCPDUMP = spawnSync('getent', ['passwd', 'tcpdump'], { encoding: 'utf8' }).stdout?.split(':');
const TCPDUMP_UID = TCPDUMP !== undefined && TCPDUMP.length > 3 ? Number(TCPDUMP[2]) : undefined;
/** the real uid of a running process (what `ps -o user` shows) */
function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' } });
}

/** A copy of the installed tool (bin, dist, package.json, node_modules) with `pcap` absent, unbuilt or broken. */
function installWithout(kind: 'absent' | 'unbuilt' | 'broken'): string {
  const dir = mkdtempSync(join(tmp, `install-${kind}-`));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === 'pcap' || entry === '.bin' || entry.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  if (kind !== 'absent') {
    // the package as npm leaves it when the native build never ran (or produced garbage)
    const pkg = join(dir, 'node_modules', 'pcap');
    mkdirSync(pkg);
    for (const f of ['package.json', 'pcap.js', 'pcap.d.ts']) copyFileSync(join(ROOT, 'node_modules', 'pcap', f), join(pkg, f));
    if (kind === 'broken') {
      mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
      writeFileSync(join(pkg, 'build', 'Release', 'pcap_binding.node'), 'this is not a shared object\n');
    }
  }
  return join(dir, 'bin', 'tcpscope.js');
}

describe('without the native module', () => {
  const fix = 'install libpcap and a C++ toolchain, then rebuild it: `apt-get install libpcap-dev g++ make python3 && npm rebuild pcap` in the tcpscope folder (`npm install pcap@3.1.0` if node_modules/pcap is missing)';

  test.each([
    ['absent', 'which is not installed (it is optional, and npm leaves it out when it cannot be built)'],
    ['unbuilt', 'which is installed but was never built'],
    ['broken', 'which cannot be loaded ('],
  ] as const)('%s_liveAndD_oneLineWhatIsMissingAndHowToGetIt_status1', (kind, why) => {
    const cli = installWithout(kind);
    for (const args of [['-i', 'lo'], ['-D']]) {
      const r = run(process.execPath, [cli, ...args]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n');
      expect(lines.length).toBe(2); // one line and its newline
      expect(lines[0]).toContain('tcpscope: live capture needs the native `pcap` module, ' + why);
      expect(lines[0]!.endsWith(fix)).toBe(true);
    }
  });

  test('absent_noInputGiven_askForRorI_insteadOfADefaultInterface', () => {
    const cli = installWithout('absent');
    const r = run(process.execPath, [cli, 'tcp port 80']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tcpscope: nothing to read: give -r FILE to read a capture or -i INTERFACE to capture live (tcpscope --help lists the options)\n');
  });

  test('absent_offlineAnalysisStillWorks_sameOutput', () => {
    const cli = installWithout('absent');
    const cap = join(ROOT, 'fixtures', 'real', 'real-abort-linger0.pcap');
    const theirs = run(process.execPath, [cli, '-n', '-r', cap]);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(theirs.stdout).toBe(run(process.execPath, [CLI, '-n', '-r', cap]).stdout);
    const w = join(tmp, 'offline-w.pcap');
    expect(run(process.execPath, [cli, '-r', cap, '-w', w]).status).toBe(0);
    expect(statSync(w).size).toBe(statSync(cap).size);
  });
});

describe.skipIf(LIVE_SKIP !== '')(`without permission${LIVE_SKIP !== '' ? ` (skipped: ${LIVE_SKIP})` : ''}`, () => {
  const permission = /^tcpscope: lo: You don't have permission to capture on that device \(socket: Operation not permitted\): run it as root \(sudo\), or let node capture without root: sudo setcap cap_net_raw,cap_net_admin=eip "\$\(readlink -f "\$\(command -v node\)"\)"\n$/;

  test('rootWithoutCapNetRaw_permissionLineWithSetcapRemedy_status1', { skip: !has('setpriv') && 'setpriv (util-linux) is not installed' }, () => {
    const r = run('setpriv', ['--bounding-set=-net_raw,-net_admin', process.execPath, CLI, '-i', 'lo']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(permission);
  });

  test('userNobody_permissionLine_status1_butDListsInterfaces', { skip: !NOBODY_CAN_RUN && 'user nobody cannot run this checkout' }, () => {
    const r = run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, '-i', 'lo', 'tcp port 9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(permission);
    // listing interfaces needs no privilege, as with tcpdump
    const d = run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, '-D']);
    expect(d.status).toBe(0);
    expect(d.stdout).toBe(run(process.execPath, [CLI, '-D']).stdout);
  });

  describe('with capabilities', () => {
    let servers: Servers;
    beforeAll(async () => { servers = await startServers(); });
    afterAll(async () => { killStragglers(); await servers?.close(); });

    test('setcapOnNode_nobodyCaptures', { skip: (!NOBODY_CAN_RUN || !has('setcap')) && 'needs setcap (libcap2-bin) and a checkout user nobody can run' }, async () => {
      // the README's remedy, on a copy of node so the system's binary is left alone
      const dir = mkdtempSync(join(tmp, 'capnode-'));
      chmodSync(dir, 0o755);
      const node = join(dir, 'node');
      copyFileSync(process.execPath, node);
      chmodSync(node, 0o755);
      execFileSync('setcap', ['cap_net_raw,cap_net_admin=eip', node]);
      const cap = startCapture(['-i', 'lo', '-n', '--immediate-mode', '--plain', '-c', '3', `tcp port ${servers.echoPort}`],
        { node, wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] });
      await cap.ready;
      await normalClose(servers.echoPort);
      const exit = await cap.exited;
      expect(exit, cap.stderr()).toEqual({ code: 0, signal: null });
      expect(cap.stdout().trim().split('\n').length).toBe(3);
      expect(cap.stderr()).toMatch(/\n3 packets captured\n/);
    });

    test('dropToNobody_wFileOwnedByNobody', { skip: NOBODY_UID === undefined && 'no user nobody' }, async () => {
      const dir = mkdtempSync(join(tmp, 'z-'));
      chmodSync(dir, 0o777);
      const file = join(dir, 'z.pcap');
      const cap = startCapture(['-i', 'lo', '--immediate-mode', '-Z', 'nobody', '-w', file, '-c', '2', `tcp port ${servers.echoPort}`]);
      await cap.ready;
      await normalClose(servers.echoPort);
      expect((await cap.exited).code).toBe(0);
      const st = statSync(file);
      expect(st.uid).toBe(NOBODY_UID);
      expect(st.size).toBeGreaterThan(24);
    });

    test('dropToNobody_readingAFile_outputCreatedAsNobody', { skip: NOBODY_UID === undefined && 'no user nobody' }, () => {
      const dir = mkdtempSync(join(tmp, 'zr-'));
      chmodSync(dir, 0o777);
      const out = join(dir, 'r.pcap');
      const r = run(process.execPath, [CLI, '-r', join(ROOT, 'fixtures', 'real', 'real-refused.pcap'), '-Z', 'nobody', '-w', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(out).uid).toBe(NOBODY_UID);
    });

    // tcpdump 4.99.3 as Debian builds it (--with-user=tcpdump), run as root without -Z: it
    // creates a single -w file as root, hands it to `tcpdump` (chown) and becomes that user;
    // -C/-G files are created after the drop; -Z root keeps root
    test('rootWithoutZ_live_runsAsTcpdump_wFileCreatedAsRootThenHandedOver', { skip: (!IS_ROOT || TCPDUMP_UID === undefined) && 'needs root and a user tcpdump' }, async () => {
      const dir = mkdtempSync(join(tmp, 'drop-'));
      chmodSync(dir, 0o700); // only root may create files here
      const file = join(dir, 'd.pcap');
      const cap = startCapture(['-i', 'lo', '--immediate-mode', '-w', file, '-c', '2', `tcp port ${servers.echoPort}`]);
      await cap.ready;
      expect(uidOf(cap.proc.pid!)).toBe(TCPDUMP_UID);
      await normalClose(servers.echoPort);
      expect((await cap.exited).code, cap.stderr()).toBe(0);
      const st = statSync(file);
      expect(st.uid).toBe(TCPDUMP_UID);
      expect(st.size).toBeGreaterThan(24);
    });

    test('rootWithoutZ_rotating_filesCreatedByTcpdump', { skip: (!IS_ROOT || TCPDUMP_UID === undefined) && 'needs root and a user tcpdump' }, async () => {
      const dir = mkdtempSync(join(tmp, 'droprot-'));
      chmodSync(dir, 0o777);
      const file = join(dir, 'r.pcap');
      const cap = startCapture(['-i', 'lo', '--immediate-mode', '-C', '1', '-w', file, '-c', '2', `tcp port ${servers.echoPort}`]);
      await cap.ready;
      await normalClose(servers.echoPort);
      expect((await cap.exited).code, cap.stderr()).toBe(0);
      expect(statSync(file).uid).toBe(TCPDUMP_UID);
      // in a directory only root may write to, the drop comes first and the file cannot be made
      const closed = mkdtempSync(join(tmp, 'droprot0-'));
      chmodSync(closed, 0o700);
      const r = spawnSync(process.execPath, [CLI, '-i', 'lo', '-C', '1', '-w', join(closed, 'r.pcap'), '-c', '1', 'tcp port 9'], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied/i);
    });

    test('rootWithZRoot_live_keepsRoot', { skip: !IS_ROOT && 'needs root' }, async () => {
      const dir = mkdtempSync(join(tmp, 'keep-'));
      const file = join(dir, 'k.pcap');
      const cap = startCapture(['-i', 'lo', '--immediate-mode', '-Z', 'root', '-w', file, '-c', '2', `tcp port ${servers.echoPort}`]);
      await cap.ready;
      expect(uidOf(cap.proc.pid!)).toBe(0);
      await normalClose(servers.echoPort);
      expect((await cap.exited).code, cap.stderr()).toBe(0);
      expect(statSync(file).uid).toBe(0);
    });

    test('rootWithoutZ_readingAFile_keepsRoot', { skip: !IS_ROOT && 'needs root' }, () => {
      const dir = mkdtempSync(join(tmp, 'rd-'));
      const out = join(dir, 'r.pcap');
      const r = run(process.execPath, [CLI, '-r', join(ROOT, 'fixtures', 'real', 'real-refused.pcap'), '-w', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(out).uid).toBe(0);
    });

    test('unknownUser_tcpdumpsMessage_status1', () => {
      const r = run(process.execPath, [CLI, '-i', 'lo', '-Z', 'no-such-user-x']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe("tcpscope: Couldn't find user 'no-such-user-x'\n");
    });
  });
});
