/**
 * A pod's view of the machine. Where Linux user namespaces allow it, every pod process (and every
 * exec probe) runs inside bubblewrap (`bwrap`): the root filesystem read-only, a private /tmp, /dev
 * and /proc (its own PID namespace, so other processes' /proc/<pid>/environ and /proc/<pid>/root
 * are out of reach), the user's home replaced by an empty directory, and knlite's home, the
 * runtime's data dir and every kubeconfig (~/.kube, $KUBECONFIG) hidden. What the app needs is
 * bound back read-only: its image directory (and node_modules directories above it, for Node's
 * module resolution), its working directory, the PATH entries under the home, and the install
 * prefix of the node that runs knlite; the pod's own HOME is bound read-write. The network is
 * shared: the gateway reaches the app on 127.0.0.1.
 *
 * `KNLITE_SANDBOX` chooses: `auto` (default: sandbox when bwrap works, plain processes otherwise),
 * `on` (refuse to start without a working bwrap), `off` (never).
 *
 * Signals: the outer bwrap process leads the pod's process group and dies on SIGTERM, and
 * `--die-with-parent` then SIGKILLs the sandbox. So a graceful stop sends SIGTERM to the group's
 * members except bwrap's own two processes (the outer one and the namespace's init); SIGKILL
 * still goes to the whole group.
 */
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { knliteHome } from '../local/paths.js';
import { signalGroup } from './process-table.js';

/** The environment variable that turns the sandbox on, off or automatic. */
export const SANDBOX_ENV = 'KNLITE_SANDBOX';

/** `auto`: sandbox when bwrap works; `on`: required; `off`: never. */
export type SandboxMode = 'auto' | 'on' | 'off';

/** A working bubblewrap and what it must hide from pods. */
export interface Sandbox {
  /** Absolute path of the bwrap executable. */
  bwrap: string;
  /** Paths no pod may see (replaced by an empty directory, or /dev/null for files). */
  hidden: string[];
  /** The user's home, replaced by an empty directory except for what each pod needs. */
  userHome?: string;
}

/** What one sandboxed process needs to see. */
export interface SandboxView {
  /** Working directory inside the sandbox (also bound read-only when under a hidden area). */
  cwd: string;
  /** The pod's HOME, bound read-write. */
  home: string;
  /** Further directories to keep visible read-only (image dir, PATH entries, binaries). */
  visible: string[];
  /** Volumes: host directories (or files) bound at their mount paths, after everything else. */
  mounts?: SandboxMount[];
  /** securityContext.runAsUser / runAsGroup: the ids the process has in its own user namespace. */
  uid?: number;
  gid?: number;
}

/** One volume mount inside the sandbox. */
export interface SandboxMount {
  /** What is bound: a directory (or, for a subPath, a file) the runtime filled. */
  source: string;
  /** The mount path inside the sandbox. */
  target: string;
  readOnly: boolean;
}

/** Reads `KNLITE_SANDBOX`; unknown values mean `auto`. */
export function sandboxMode(env: NodeJS.ProcessEnv = process.env): SandboxMode {
  const value = (env[SANDBOX_ENV] ?? '').trim().toLowerCase();
  if (['off', '0', 'false', 'no', 'none'].includes(value)) return 'off';
  if (['on', '1', 'true', 'yes', 'required'].includes(value)) return 'on';
  return 'auto';
}

/**
 * The paths a pod must not see by default: knlite's home (`$KNLITE_HOME`, default ~/.knlite),
 * ~/.kube and every `$KUBECONFIG` entry, plus `extra` (data dirs of the runtime and API server).
 */
export function defaultHiddenPaths(env: NodeJS.ProcessEnv = process.env, extra: string[] = []): string[] {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  const kubeconfigs = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p.trim() !== '');
  return unique([knliteHome(env), join(home, '.kube'), ...kubeconfigs, ...extra].map((p) => resolve(p)));
}

let probed: { path?: string; reason: string } | undefined;

/**
 * Whether bubblewrap works here: `bwrap` on PATH and a trial run with the flags pods use succeeds
 * (it fails where unprivileged user namespaces are disabled). Probed once per process.
 */
export function detectBwrap(): { path?: string; reason: string } {
  if (probed) return probed;
  const path = findOnPath('bwrap');
  if (!path) return (probed = { reason: 'bwrap (bubblewrap) is not on PATH' });
  try {
    execFileSync(path, [...baseArgs(), '--tmpfs', '/tmp', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10_000,
    });
    return (probed = { path, reason: 'bwrap works' });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return (probed = { reason: `bwrap cannot create a sandbox here: ${stderr || (err as Error).message}` });
  }
}

/**
 * The sandbox pods run in for `mode`, or undefined when they run as plain processes (with the
 * reason, for the runtime's log). Throws when `mode` is `on` and bwrap does not work.
 */
export function resolveSandbox(
  mode: SandboxMode,
  hidden: string[],
  userHome: string | undefined = homedir(),
): { sandbox?: Sandbox; reason: string } {
  if (mode === 'off') return { reason: `${SANDBOX_ENV}=off` };
  if (process.platform !== 'linux') {
    if (mode === 'on') throw new Error(`${SANDBOX_ENV}=on, but the bubblewrap sandbox is Linux-only`);
    return { reason: 'the bubblewrap sandbox is Linux-only' };
  }
  const found = detectBwrap();
  if (!found.path) {
    if (mode === 'on') throw new Error(`${SANDBOX_ENV}=on, but ${found.reason}`);
    return { reason: found.reason };
  }
  // Replacing "/" by an empty directory would hide the whole system: such a home is not hidden.
  const home = userHome && resolve(userHome) !== sep ? resolve(userHome) : undefined;
  return {
    sandbox: { bwrap: found.path, hidden: unique(hidden.map((p) => resolve(p))), userHome: home },
    reason: found.reason,
  };
}

/** The argv that runs `argv` inside `sandbox` with the given view. */
export function sandboxArgv(sandbox: Sandbox, argv: string[], view: SandboxView): string[] {
  const mounts = (view.mounts ?? []).map((m) => ({ ...m, target: throughSymlinks(resolve(m.target)) }));
  // Areas that were emptied: only paths under them need binding back.
  const emptied = ['/tmp', ...(sandbox.userHome ? [sandbox.userHome] : [])];
  const keep = unique(
    [view.cwd, ...view.visible]
      .filter((p) => isAbsolute(p))
      .flatMap((p) => [resolve(p), ...realpathOf(p)])
      .filter((p) => emptied.some((area) => inside(p, area)))
      .filter((p) => existsSync(p)),
  );
  const opened = mountParents(mounts, emptied, keep);
  const args = [...baseArgs(opened.includes(sep)), '--tmpfs', '/tmp'];
  if (sandbox.userHome) args.push('--tmpfs', sandbox.userHome);
  // Shallow first, so a deeper bind is not covered by a later, shallower one.
  for (const path of keep.sort((a, b) => depth(a) - depth(b))) args.push('--ro-bind', path, path);
  // A mount path whose parent directory exists read-only (say /etc/config) needs a place to be
  // mounted on: that parent is rebuilt as a tmpfs holding binds of its own entries (made read-only
  // again once the volumes are in). Before the hidden paths, so it cannot re-expose one.
  for (const dir of opened) if (dir !== sep) args.push('--tmpfs', dir, ...entryBinds(dir));
  // Hidden after the binds: a kept directory that contains a hidden one does not re-expose it.
  for (const path of unique(sandbox.hidden.flatMap((p) => [p, ...realpathOf(p)]))) {
    if (!existsSync(path)) continue;
    if (isDirectory(path)) args.push('--tmpfs', path);
    else args.push('--ro-bind', '/dev/null', path);
  }
  args.push('--bind', view.home, view.home);
  for (const m of [...mounts].sort((a, b) => depth(a.target) - depth(b.target))) {
    args.push(m.readOnly ? '--ro-bind' : '--bind', m.source, m.target);
  }
  for (const dir of opened) args.push('--remount-ro', dir);
  if (view.uid !== undefined || view.gid !== undefined) {
    args.push('--unshare-user');
    if (view.uid !== undefined) args.push('--uid', String(view.uid));
    if (view.gid !== undefined) args.push('--gid', String(view.gid));
  }
  args.push('--chdir', view.cwd, '--');
  return [sandbox.bwrap, ...args, ...argv];
}

/**
 * The read-only directories that must be rebuilt so the mount paths can be created in them: for
 * each mount path that does not exist, its deepest existing ancestor, unless that lies in an area
 * the sandbox already replaced by a tmpfs (there bwrap creates the mount point itself).
 */
function mountParents(mounts: SandboxMount[], emptied: string[], kept: string[]): string[] {
  const dirs = new Set<string>();
  // On a tmpfs unless a host directory was bound back over that part of it.
  const onTmpfs = (path: string) =>
    emptied.some((area) => inside(path, area)) && !kept.some((k) => inside(path, k));
  for (const { target } of mounts) {
    if (onTmpfs(target) || existsSync(target)) continue;
    let dir = dirname(target);
    while (dir !== sep && !existsSync(dir)) dir = dirname(dir);
    if (onTmpfs(dir)) continue;
    dirs.add(dir);
  }
  return [...dirs].sort((a, b) => depth(a) - depth(b));
}

// Binds recreating the entries of `dir` (on a fresh tmpfs) as they are on the host.
function entryBinds(dir: string): string[] {
  const args: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return args;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (dir === sep && ['proc', 'dev', 'tmp'].includes(entry.name)) continue;
    if (entry.isSymbolicLink()) {
      try {
        args.push('--symlink', readlinkSync(path), path);
      } catch {}
    } else if (entry.isDirectory() || entry.isFile()) {
      args.push('--ro-bind', path, path);
    } else {
      args.push('--ro-bind-try', path, path);
    }
  }
  return args;
}

/**
 * The directories an app started from `imageDir` needs besides its own: node_modules folders of
 * its ancestors (Node's module resolution walks up), and the install prefix of the node running
 * knlite (pods run `node` by that path when the image has no start script).
 */
export function appDirectories(imageDir: string | undefined, argv0: string | undefined): string[] {
  const dirs: string[] = [];
  if (imageDir) {
    dirs.push(imageDir);
    for (let dir = dirname(imageDir); dir !== dirname(dir); dir = dirname(dir)) {
      const modules = join(dir, 'node_modules');
      if (existsSync(modules)) dirs.push(modules);
    }
  }
  if (argv0 && isAbsolute(argv0)) dirs.push(dirname(argv0));
  dirs.push(dirname(dirname(process.execPath)));
  return dirs;
}

/**
 * Sends `signal` to the members of the sandboxed process group `pgid` except bwrap's own
 * processes (the group leader and its direct children). Returns how many were signalled.
 */
export function signalSandboxed(pgid: number, signal: NodeJS.Signals): number {
  let signalled = 0;
  for (const { pid, ppid } of groupMembers(pgid)) {
    if (pid === pgid || ppid === pgid) continue;
    try {
      process.kill(pid, signal);
      signalled++;
    } catch {}
  }
  return signalled;
}

/** SIGTERM for a pod's process group, sandboxed or not (a sandbox whose app has not started yet is killed). */
export function terminateGroup(pgid: number, sandboxed: boolean): void {
  if (!sandboxed) return signalGroup(pgid, 'SIGTERM');
  if (signalSandboxed(pgid, 'SIGTERM') === 0) signalGroup(pgid, 'SIGKILL');
}

function groupMembers(pgid: number): { pid: number; ppid: number }[] {
  const members: { pid: number; ppid: number }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after "(comm) ": state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push({ pid: Number(entry), ppid: Number(fields[1]) });
    } catch {} // exited between readdir and read
  }
  return members;
}

// Flags every sandbox (and the availability trial) uses; with `openRoot` the root is a tmpfs
// holding binds of the host's top-level entries, so mount paths can be created at the top.
function baseArgs(openRoot = false): string[] {
  return [
    ...(openRoot ? entryBinds(sep) : ['--ro-bind', '/', '/']),
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--unshare-ipc',
    '--die-with-parent',
  ];
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * A mount path with its existing part resolved (`/var/run/secrets/x` is `/run/secrets/x` where
 * /var/run links to /run): bwrap cannot make a mount point under a symlink it is asked to rebuild.
 */
function throughSymlinks(path: string): string {
  let dir = path;
  while (dir !== sep && !existsSync(dir)) dir = dirname(dir);
  try {
    return join(realpathSync(dir), relative(dir, path));
  } catch {
    return path;
  }
}

function realpathOf(path: string): string[] {
  try {
    const real = realpathSync(path);
    return real === path ? [] : [real];
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function inside(path: string, area: string): boolean {
  return path === area || path.startsWith(area.endsWith(sep) ? area : area + sep);
}

function depth(path: string): number {
  return path.split(sep).length;
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}
