/**
 * `-Z USER`: give up root once the capture handle is open, as tcpdump's droproot does:
 * initgroups(USER, its group), setgid(its group), setuid(its uid), in that order (groups can
 * only be changed while still root). setuid as root sets the real, effective and saved uid, so
 * there is no way back. Not running as root, there is nothing to drop and -Z is ignored, as in
 * tcpdump (a node with capabilities set by setcap runs as the user already).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { TcpscopeError } from '../errors.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

/** getpwnam(3): through NSS (`getent passwd`), falling back to /etc/passwd. */
export function lookupUser(user: string): PasswdEntry | undefined {
  let line: string | undefined;
  try {
    line = execFileSync('getent', ['passwd', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch (e) {
    // exit status 2: no such user; ENOENT: no getent on this system
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === user);
      } catch {
        line = undefined;
      }
    }
  }
  if (line === undefined) return undefined;
  const f = line.split(':');
  // getent also answers for a numeric uid; getpwnam looks names up only
  if (f.length < 4 || f[0] !== user) return undefined;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { name: f[0]!, uid, gid };
}

/** True when this process can change its uid (root, or effective root). */
export function runningAsRoot(): boolean {
  return (process.getuid?.() ?? -1) === 0 || (process.geteuid?.() ?? -1) === 0;
}

/**
 * Become `user`. Returns false when not root (nothing done). Throws a TcpscopeError worded as
 * tcpdump words it when the user does not exist or the change fails.
 */
export function dropPrivileges(user: string): boolean {
  if (!runningAsRoot()) return false;
  const pw = lookupUser(user);
  if (pw === undefined) throw new TcpscopeError('BAD_OPTION', `Couldn't find user '${user.slice(0, 32)}'`);
  // POSIX-only parts of `process` (typed as optional because Windows lacks them)
  const proc = process as NodeJS.Process & {
    initgroups(user: string, extraGroup: number): void;
    setgid(id: number): void;
    setuid(id: number): void;
  };
  try {
    proc.initgroups(pw.name, pw.gid);
    proc.setgid(pw.gid);
    proc.setuid(pw.uid);
  } catch (e) {
    throw new TcpscopeError('LIVE_FAILED', `Couldn't change to '${user.slice(0, 32)}' uid=${pw.uid} gid=${pw.gid}: ${(e as Error).message}`);
  }
  return true;
}

/**
 * The user a live capture run as root gives root up to when no -Z says which: `tcpdump`, the
 * user Debian's and most distributions' tcpdump is built to drop to (`--with-user=tcpdump`),
 * when this system has it; otherwise none, and root is kept, as tcpdump built without a user
 * does (Debian's would refuse to run, "Couldn't find user 'tcpdump'": too harsh for a tool
 * installed from npm on a system without tcpdump's package).
 */
export const DEFAULT_DROP_USER = 'tcpdump';

export function defaultDropUser(): string | undefined {
  if (!runningAsRoot()) return undefined;
  return lookupUser(DEFAULT_DROP_USER) === undefined ? undefined : DEFAULT_DROP_USER;
}

/**
 * tcpdump creates a single -w file while still root and gives it to the user it is about to
 * become (chown), so the file can be in a directory only root may write to and still belong to
 * that user. Nothing to do when not root.
 */
export function handOverFile(path: string, user: string): void {
  if (!runningAsRoot()) return;
  const pw = lookupUser(user);
  if (pw === undefined) throw new TcpscopeError('BAD_OPTION', `Couldn't find user '${user.slice(0, 32)}'`);
  try {
    chownSync(path, pw.uid, pw.gid);
  } catch {
    throw new TcpscopeError('WRITE_FAILED', "Couldn't change ownership of savefile", { file: path });
  }
}
