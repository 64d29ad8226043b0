/**
 * One probe attempt against a pod process (HTTP GET, TCP connect or exec), with the pod's port
 * substituted: port 0, an absent port, the container's declared port or its name all mean "the
 * process's own port", since on the local cluster the app listens on $PORT.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ContainerPort, Probe } from '../apis/types.js';

/** Where and how to probe one process. */
export interface ProbeTarget {
  port: number;
  containerPorts: ContainerPort[];
  env: Record<string, string>;
  cwd: string;
  /** Turns an exec probe's argv into the one to spawn (the pod's sandbox), when the pod has one. */
  wrap?: (argv: string[]) => string[];
}

/** The probe Knative and knlite default to when a container declares none: TCP on the port. */
export const DEFAULT_PROBE: Probe = { tcpSocket: { port: 0 } };

/** Runs one attempt of `probe`; resolves true on success, false on failure or timeout. */
export function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target);
    return httpProbe(port, probe.httpGet.path ?? '/', probe.httpGet.httpHeaders ?? [], timeoutMs);
  }
  if (probe.exec) return execProbe(probe.exec.command, target, timeoutMs);
  const port = resolvePort(probe.tcpSocket?.port ?? probe.grpc?.port, target);
  return tcpProbe(port, timeoutMs);
}

/** Maps a probe's port (number, name, 0 or absent) to the port to connect to. */
export function resolvePort(
  port: number | string | undefined,
  target: Pick<ProbeTarget, 'port' | 'containerPorts'>,
): number {
  if (port === undefined || port === 0 || port === '0' || port === '') return target.port;
  if (typeof port === 'string') {
    const named = target.containerPorts.find((p) => p.name === port);
    if (named || Number.isNaN(Number(port))) return target.port;
    port = Number(port);
  }
  if (target.containerPorts.some((p) => p.containerPort === port)) return target.port;
  // A port the container did not declare: when it is the conventional 8080 the app cannot be
  // listening there (it was told $PORT), so that also means the process port.
  if (target.containerPorts.length === 0 && port === 8080) return target.port;
  return port;
}

function httpProbe(
  port: number,
  path: string,
  headers: { name: string; value: string }[],
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: path.startsWith('/') ? path : `/${path}`,
        method: 'GET',
        headers: {
          'User-Agent': 'kube-probe/knlite',
          ...Object.fromEntries(headers.map((h) => [h.name, h.value])),
        },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (command.length === 0) return resolve(false);
    const argv = target.wrap ? target.wrap(command) : command;
    const child = spawn(argv[0]!, argv.slice(1), { cwd: target.cwd, env: target.env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
