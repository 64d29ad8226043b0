/**
 * Real clients against a test cluster: kubectl 1.32 (the first release that sends protobuf bodies
 * and tunnels port-forward over WebSocket) and Debian's python3-kubernetes run by /usr/bin/python3.
 * A missing client fails the suite — CI installs both.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The kubectl to run: `$KUBECTL`, else the 1.32 build of the Google Cloud SDK's version dispatcher
 * (its `kubectl` picks the release matching the server's version, older than 1.32 here), else
 * `kubectl` on PATH.
 */
export const KUBECTL =
  process.env.KUBECTL ??
  (existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32')
    ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'
    : 'kubectl');

/** The interpreter that has python3-kubernetes (the Debian package installs for the system python). */
export const PYTHON = process.env.KNLITE_TEST_PYTHON ?? '/usr/bin/python3';

/** The outcome of one client run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Throws unless kubectl is at least 1.32 (protobuf bodies, WebSocket exec/port-forward). */
export function requireKubectl(): void {
  const probe = spawnSync(KUBECTL, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      `kubectl is required for this suite (CI installs it): ${probe.error?.message ?? probe.stderr}`,
    );
  const minor = Number(
    (JSON.parse(probe.stdout) as { clientVersion: { minor: string } }).clientVersion.minor.replace(
      /\D.*$/,
      '',
    ),
  );
  if (minor < 32) throw new Error(`this suite needs kubectl >= 1.32 (set KUBECTL); ${KUBECTL} is 1.${minor}`);
}

/** Throws unless /usr/bin/python3 can import the kubernetes client. */
export function requirePythonClient(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import kubernetes'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      `python3-kubernetes is required for this suite (apt-get install python3-kubernetes): ${probe.error?.message ?? probe.stderr}`,
    );
}

/** Environment for a client of the cluster whose kubeconfig is `kubeconfigPath` (private HOME for caches). */
export function clientEnv(kubeconfigPath: string, home: string): NodeJS.ProcessEnv {
  const clientHome = join(home, 'client-home');
  mkdirSync(clientHome, { recursive: true });
  return { ...process.env, KUBECONFIG: kubeconfigPath, HOME: clientHome };
}

/** Runs a program to completion (with a deadline), resolving its exit code and output. */
export function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: opts.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  });
}

/** Runs kubectl with a request timeout. */
export function kubectl(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<Run> {
  return run(KUBECTL, ['--request-timeout=20s', ...args], env, { stdin });
}

/** Runs a Python script with the system interpreter. */
export function python(env: NodeJS.ProcessEnv, script: string, timeoutMs = 30_000): Promise<Run> {
  return run(PYTHON, ['-c', script], env, { timeoutMs });
}
