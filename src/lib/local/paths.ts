/**
 * Where the local cluster keeps its state: `$KNLITE_HOME` (default `~/.knlite`). Everything in it
 * is private to the user (directories 0700, files 0600).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The files and folders of one local cluster home. */
export interface LocalPaths {
  home: string;
  /** API server data (SQLite database, PKI, token). */
  data: string;
  /** Local runtime state (pod logs, pid records). */
  runtime: string;
  /** Standalone kubeconfig for the local cluster (also merged into the user's kubeconfig). */
  kubeconfig: string;
  /** Daemon record: pid, endpoints, start time. Present while the daemon runs. */
  state: string;
  /** Daemon stdout/stderr. */
  log: string;
  /** Ports chosen at first start, kept so the merged kubeconfig and URLs stay valid across restarts. */
  ports: string;
}

/** Resolves the local cluster home from `$KNLITE_HOME` or `~/.knlite`. */
export function knliteHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.KNLITE_HOME && env.KNLITE_HOME.trim() !== '' ? env.KNLITE_HOME : join(homedir(), '.knlite');
}

/**
 * Creates `dir` and its missing parents with mode 0700, and tightens `dir` itself to 0700 when it
 * already existed (state written by an older version may be 0755).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes `content` to `file` atomically (temp file + rename) with mode 0600, whatever was there. */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600); // an old temp file keeps its mode
  renameSync(tmp, file);
}

/** A JSON file's content, or undefined when it is missing or not JSON. */
export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The paths inside a home; `ensure` creates the directories with mode 0700 (tightening existing ones). */
export function localPaths(home = knliteHome(), ensure = false): LocalPaths {
  const paths: LocalPaths = {
    home,
    data: join(home, 'data'),
    runtime: join(home, 'runtime'),
    kubeconfig: join(home, 'kubeconfig'),
    state: join(home, 'daemon.json'),
    log: join(home, 'daemon.log'),
    ports: join(home, 'ports.json'),
  };
  if (ensure) {
    for (const dir of [paths.home, paths.data, paths.runtime]) ensurePrivateDir(dir);
  }
  return paths;
}
