/**
 * The local cluster daemon's life cycle as the CLI sees it: start it in the background (idempotent,
 * waits until it is healthy), stop it gracefully, report its state. The daemon process itself is
 * daemon-main.ts; this module never loads the server stack, so the CLI's autostart path stays light.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as wait } from 'node:timers/promises';
import yaml from 'js-yaml';
import { readJsonFile, type LocalPaths } from './paths.js';
import type { Component } from './components.js';

/** What a running daemon records about itself in `daemon.json`. */
export interface DaemonState {
  pid: number;
  apiUrl: string;
  gatewayPort?: number;
  gatewayHttpsPort?: number;
  adminPort?: number;
  /** The ingress CA's certificate file (trust it for https Route URLs). */
  caFile?: string;
  startedAt: string;
  kubeconfig: string;
  /** The components running in the daemon (all when absent: older daemons). */
  components?: Component[];
}

/** Ports requested on the command line; remembered after the first start. */
export interface DaemonPorts {
  apiPort?: number;
  gatewayPort?: number;
  gatewayHttpsPort?: number;
  adminPort?: number;
  /** The components to run in the daemon (default: all). */
  components?: Component[];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running daemon's record, or undefined when none runs (a stale record is removed). */
export function readDaemonState(paths: LocalPaths): DaemonState | undefined {
  const state = readJsonFile<DaemonState>(paths.state);
  if (!state) return undefined;
  if (!pidAlive(state.pid)) {
    rmSync(paths.state, { force: true });
    return undefined;
  }
  return state;
}

/** Credentials of the local cluster read from its kubeconfig. */
export function localCredentials(kubeconfigPath: string): { server: string; ca: string; token: string } {
  const cfg = yaml.load(readFileSync(kubeconfigPath, 'utf8')) as any;
  const cluster = cfg.clusters[0].cluster;
  return {
    server: cluster.server,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'),
    token: cfg.users[0].user.token,
  };
}

/** GETs a path on the local API server with its own CA and token; resolves the status and body. */
export function localApiGet(
  kubeconfigPath: string,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  const creds = localCredentials(kubeconfigPath);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, creds.server),
      { ca: creds.ca, headers: { Authorization: `Bearer ${creds.token}` }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function healthy(state: DaemonState): Promise<boolean> {
  try {
    return (await localApiGet(state.kubeconfig, '/readyz', 2000)).status === 200;
  } catch {
    return false;
  }
}

function tail(path: string, lines = 15): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The daemon's last "failed to start" reason from its log, or a pointer to the log. */
function lastFailure(path: string): string {
  const prefix = 'knlite daemon failed to start: ';
  const line = tail(path, 50)
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(prefix));
  return line ? line.slice(prefix.length) : `see ${path}`;
}

/** Starts the daemon unless it already runs; resolves once its API server answers /readyz. */
export async function startDaemon(
  paths: LocalPaths,
  ports: DaemonPorts = {},
  timeoutMs = 90_000,
): Promise<{ state: DaemonState; alreadyRunning: boolean }> {
  const running = readDaemonState(paths);
  if (running && (await healthy(running))) return { state: running, alreadyRunning: true };

  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  // Built, this code may sit in a bundled chunk (dist/chunks/, see scripts/bundle-cli.js), so
  // daemon-main is found under dist/ rather than next to this file.
  const script = fromSource
    ? here.replace(/daemon\.ts$/, 'daemon-main.ts')
    : join(here.slice(0, here.lastIndexOf(`${sep}dist${sep}`)), 'dist', 'lib', 'local', 'daemon-main.js');
  const args = [...(fromSource ? ['--import', 'tsx'] : []), script, '--home', paths.home];
  if (ports.apiPort !== undefined) args.push('--api-port', String(ports.apiPort));
  if (ports.gatewayPort !== undefined) args.push('--gateway-port', String(ports.gatewayPort));
  if (ports.gatewayHttpsPort !== undefined) args.push('--gateway-https-port', String(ports.gatewayHttpsPort));
  if (ports.adminPort !== undefined) args.push('--admin-port', String(ports.adminPort));
  if (ports.components !== undefined) args.push('--components', ports.components.join(','));
  const out = openSync(paths.log, 'a', 0o600);
  fchmodSync(out, 0o600); // a log from an older version may be 0644
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  closeSync(out);
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  child.unref();

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== null) {
      throw new Error(
        `the local cluster daemon exited (code ${exitCode}) before it was ready: ${lastFailure(paths.log)}`,
      );
    }
    const state = readJsonFile<DaemonState>(paths.state);
    if (state && state.pid === child.pid && (await healthy(state))) return { state, alreadyRunning: false };
    await wait(100);
  }
  try {
    process.kill(child.pid!, 'SIGKILL');
  } catch {}
  throw new Error(`the local cluster daemon was not ready after ${timeoutMs / 1000}s; see ${paths.log}`);
}

/** Stops the daemon gracefully (SIGTERM, then SIGKILL after the timeout). False if none ran. */
export async function stopDaemon(paths: LocalPaths, timeoutMs = 30_000): Promise<boolean> {
  const state = readDaemonState(paths);
  if (!state) return false;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pidAlive(state.pid)) await wait(100);
  if (pidAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(paths.state, { force: true });
  return true;
}
