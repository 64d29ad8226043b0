/**
 * What a pod's container runs on the local cluster. Precedence, mirroring Kubernetes and Cloud
 * Native Buildpacks:
 *   1. `command` (+ `args`) — an argv, never passed through a shell (like Kubernetes);
 *   2. an image that is a local directory (`file:///abs/path` or an absolute path), started the way
 *      a buildpack would: the Procfile's `web:` process, else the package.json `start` script, else
 *      `node <main or index.js>`;
 *   3. anything else is not runnable: a registry image gets `ReplicaFailure=True ImageNotRunnable`
 *      on the Deployment (its pods wait with that reason); a local image directory that does not
 *      exist gets Knative's reason for an image it cannot fetch, `ContainerMissing`.
 * Shell commands (Procfile, start script) run with `/bin/sh -c`, prefixed with `exec` when they are
 * a single simple command so the shell does not stay resident. The start script runs the way npm
 * would run it (node_modules/.bin first on PATH) without keeping npm itself alive per pod; npm's
 * `prestart`/`poststart` hooks and `npm_*` variables are therefore not provided.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_IMAGE_PREFIX } from '../apis/keys.js';
import type { Container } from '../apis/types.js';

/** A resolved process to start: argv, working directory and PATH entries to prepend. */
export interface LaunchSpec {
  argv: string[];
  /** Working directory; undefined (a command with no workingDir and no image dir) means the pod's HOME. */
  cwd?: string;
  /** Directories to put in front of PATH (e.g. the app's node_modules/.bin). */
  pathPrepend: string[];
  /** How the command was chosen, for logs and messages. */
  source: 'command' | 'procfile' | 'start-script' | 'node-main';
}

/** Why a container cannot run on the local cluster; `reason` is the Kubernetes-style reason. */
export interface NotRunnable {
  reason: 'ImageNotRunnable' | 'ContainerMissing';
  message: string;
}

/** The Deployment/pod reason used when a container's image cannot run as a process. */
export const IMAGE_NOT_RUNNABLE = 'ImageNotRunnable';

/** Knative's reason for an image that cannot be found: a local image directory that does not exist. */
export const CONTAINER_MISSING = 'ContainerMissing';

/** The path a local image reference (`file://…` or absolute) names, whether or not it exists. */
export function localImagePath(image: string | undefined): string | undefined {
  if (!image) return undefined;
  if (image.startsWith(LOCAL_IMAGE_PREFIX)) {
    try {
      return fileURLToPath(image);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(image) ? image : undefined;
}

const SHELL_META = /[;&|<>()`$\n*?[\]{}~'"\\]/;

/** The local directory an image reference names, or undefined when it is not one. */
export function localImageDir(image: string | undefined): string | undefined {
  if (!image) return undefined;
  let path: string | undefined;
  if (image.startsWith(LOCAL_IMAGE_PREFIX)) {
    try {
      path = fileURLToPath(image);
    } catch {
      return undefined;
    }
  } else if (isAbsolute(image)) {
    path = image;
  }
  if (!path) return undefined;
  try {
    return statSync(path).isDirectory() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides what to run for `container`; returns NotRunnable with a user-facing message otherwise.
 * A command with neither workingDir nor a local image runs in `fallbackCwd` (when given).
 */
export function resolveLaunch(container: Container, fallbackCwd?: string): LaunchSpec | NotRunnable {
  const dir = localImageDir(container.image);
  const args = container.args ?? [];
  if (container.command && container.command.length > 0) {
    return {
      argv: [...container.command, ...args],
      cwd: container.workingDir || dir || fallbackCwd,
      pathPrepend: [],
      source: 'command',
    };
  }
  if (!dir) {
    const image = container.image ?? '';
    const path = localImagePath(image);
    if (path !== undefined) {
      // Knative's wording for an image it cannot fetch (RevisionContainerMissingMessage).
      const problem = existsSync(path) ? 'is not a directory' : 'no such directory';
      return {
        reason: CONTAINER_MISSING,
        message: `Unable to fetch image ${JSON.stringify(image)}: failed to resolve image to digest: ${path}: ${problem}`,
      };
    }
    return {
      reason: IMAGE_NOT_RUNNABLE,
      message:
        `the local cluster runs processes, not container images: ${JSON.stringify(image)} is not a local ` +
        'directory (use --image ./path/to/app, or --cmd)',
    };
  }
  const cwd = container.workingDir || dir;
  const web = procfileWeb(dir);
  if (web) return { argv: shellArgv(web, args), cwd, pathPrepend: [], source: 'procfile' };
  const pkg = readPackageJson(dir);
  const start = pkg?.scripts?.start;
  if (typeof start === 'string' && start.trim() !== '') {
    return {
      argv: shellArgv(start, args),
      cwd,
      pathPrepend: [join(dir, 'node_modules', '.bin')],
      source: 'start-script',
    };
  }
  const main = typeof pkg?.main === 'string' ? pkg.main : 'index.js';
  if (existsSync(join(dir, main))) {
    return { argv: [process.execPath, main, ...args], cwd, pathPrepend: [], source: 'node-main' };
  }
  return {
    reason: IMAGE_NOT_RUNNABLE,
    message:
      `the local cluster runs processes, not container images: ${JSON.stringify(container.image)} has no ` +
      `Procfile "web:" process, no package.json "start" script and no ${main} to run (or set --cmd)`,
  };
}

/** Whether resolveLaunch failed. */
export function isNotRunnable(spec: LaunchSpec | NotRunnable): spec is NotRunnable {
  return 'reason' in spec;
}

function procfileWeb(dir: string): string | undefined {
  const path = join(dir, 'Procfile');
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^web\s*:\s*(.+)$/.exec(line.trim());
    if (match) return match[1]!.trim();
  }
  return undefined;
}

function readPackageJson(dir: string): { main?: unknown; scripts?: Record<string, unknown> } | undefined {
  const path = join(dir, 'package.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { main?: unknown; scripts?: Record<string, unknown> };
  } catch {
    return undefined;
  }
}

// `sh -c '<cmd> "$@"' sh args...` appends args the way `npm start -- args` would; a single simple
// command is exec'd so the pod's process is the app itself, not a waiting shell.
function shellArgv(command: string, args: string[]): string[] {
  const simple = !SHELL_META.test(command);
  const script = simple ? `exec ${command}` : command;
  if (args.length === 0) return ['/bin/sh', '-c', script];
  return ['/bin/sh', '-c', `${script} "$@"`, 'sh', ...args];
}
