import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Container } from '../../src/lib/apis/types.js';
import { buildEnv } from '../../src/lib/kubelet/env.js';
import { resolveLaunch } from '../../src/lib/kubelet/launch.js';
import {
  PodProcess,
  podHomePath,
  podLogPath,
  type PodProcessOptions,
} from '../../src/lib/kubelet/pod-process.js';
import { ProcessTable } from '../../src/lib/kubelet/process-table.js';
import { exampleDir, httpGet, isAlive, tempDir } from './helpers.js';

const noSources = { configMap: async () => undefined, secret: async () => undefined };

describe('PodProcess', () => {
  const procs: PodProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    cleanups.splice(0).forEach((c) => c());
  });

  function run(container: Container, extra: Partial<PodProcessOptions> = {}) {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const name = `pod-${procs.length}`;
    const launch = resolveLaunch(container, t.dir);
    const proc = new PodProcess({
      namespace: 'default',
      name,
      container,
      launch,
      env: (port) =>
        buildEnv(container, { name, namespace: 'default', podIP: '127.0.0.1' }, port, noSources, {
          home: podHomePath(t.dir, 'default', name),
          pathPrepend: 'argv' in launch ? launch.pathPrepend : [],
        }),
      logPath: podLogPath(t.dir, 'default', name),
      home: podHomePath(t.dir, 'default', name),
      restartBackoffMs: 50,
      terminationGracePeriodSeconds: 2,
      ...extra,
    });
    procs.push(proc);
    proc.start();
    return { proc, dir: t.dir, logPath: podLogPath(t.dir, 'default', name) };
  }

  it('runs an app directory on its own port, becomes ready, and logs to the pod log', async () => {
    const { proc, logPath } = run({
      name: 'user-container',
      image: `file://${exampleDir('hello')}`,
      env: [
        { name: 'K_REVISION', value: 'hello-00001' },
        { name: 'TARGET', value: 'Runtime' },
      ],
      readinessProbe: { httpGet: { path: '/healthz', port: 0 } },
    });
    await vi.waitFor(() => expect(proc.state.ready).toBe(true), { timeout: 15_000, interval: 50 });
    expect(proc.state.phase).toBe('Running');
    expect(proc.state.restartCount).toBe(0);
    const res = await httpGet(proc.state.port!);
    expect(res).toEqual({ status: 200, body: 'Hello Runtime! (hello-00001)\n' });
    expect(readFileSync(logPath, 'utf8')).toContain(`hello listening on port ${proc.state.port}`);
  });

  it('restarts a crashing command with backoff and reports the last termination', async () => {
    const { proc, logPath } = run({
      name: 'user-container',
      command: ['node', '-e', "console.error('boom'); process.exit(3)"],
    });
    await vi.waitFor(
      () => {
        expect(proc.state.restartCount).toBeGreaterThan(0);
        expect(proc.state.lastTerminated).toMatchObject({
          exitCode: 3,
          reason: 'Error',
          message: expect.stringContaining('boom'),
        });
      },
      { timeout: 15_000, interval: 50 },
    );
    await vi.waitFor(() => expect(proc.state.waiting?.reason).toBe('CrashLoopBackOff'), {
      timeout: 15_000,
      interval: 20,
    });
    expect(proc.state.ready).toBe(false);
    // Every run appends to the same log.
    expect(readFileSync(logPath, 'utf8').match(/boom/g)!.length).toBeGreaterThan(1);
  });

  it('reports a command that does not exist as a start error and keeps retrying', async () => {
    const { proc } = run({ name: 'c', command: ['/no/such/binary'] });
    await vi.waitFor(
      () =>
        expect(proc.state.lastTerminated).toMatchObject({
          exitCode: 128,
          reason: 'StartError',
          message: expect.stringContaining('/no/such/binary'),
        }),
      { timeout: 10_000, interval: 50 },
    );
  });

  it('waits with ImageNotRunnable for a registry image and never spawns', () => {
    const { proc } = run({ name: 'c', image: 'gcr.io/x/y' });
    expect(proc.state).toMatchObject({
      phase: 'Pending',
      ready: false,
      waiting: { reason: 'ImageNotRunnable' },
    });
    expect(proc.pgid).toBeUndefined();
  });

  it('becomes ready only when an exec readiness probe passes', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const flag = join(t.dir, 'ready');
    const { proc } = run({
      name: 'c',
      command: ['node', '-e', 'setInterval(() => {}, 1000)'],
      readinessProbe: { exec: { command: ['test', '-f', flag] }, periodSeconds: 1 },
    });
    await vi.waitFor(() => expect(proc.state.phase).toBe('Running'), { timeout: 10_000, interval: 20 });
    expect(proc.state.ready).toBe(false);
    writeFileSync(flag, '');
    await vi.waitFor(() => expect(proc.state.ready).toBe(true), { timeout: 10_000, interval: 20 });
  });

  it('probes a restarted process quickly again, whatever the probe period', async () => {
    const server =
      "require('http').createServer((q, s) => (q.url === '/crash' ? process.exit(1) : s.end('ok'))).listen(process.env.PORT)";
    const { proc } = run({
      name: 'c',
      command: ['node', '-e', server],
      // With an hour between probes, only the fast first-ready polling can make a run ready.
      readinessProbe: { httpGet: { path: '/' }, periodSeconds: 3600 },
    });
    await vi.waitFor(() => expect(proc.state.ready).toBe(true), { timeout: 15_000, interval: 20 });
    await httpGet(proc.state.port!, '/crash').catch(() => undefined);
    await vi.waitFor(() => expect(proc.state.restartCount).toBe(1), { timeout: 15_000, interval: 20 });
    await vi.waitFor(() => expect(proc.state.ready).toBe(true), { timeout: 15_000, interval: 20 });
  });

  it('restarts a process whose liveness probe fails', async () => {
    const { proc } = run({
      name: 'c',
      command: ['node', '-e', 'setInterval(() => {}, 1000)'],
      readinessProbe: { exec: { command: ['true'] } },
      livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 },
    });
    await vi.waitFor(() => expect(proc.state.restartCount).toBeGreaterThan(0), {
      timeout: 15_000,
      interval: 50,
    });
  });

  it('stops with SIGTERM, then SIGKILL after the grace period, taking grandchildren along', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const pidFile = join(t.dir, 'grandchild.pid');
    // The shell ignores SIGTERM and its child node also ignores it: only SIGKILL ends them.
    const script = `trap '' TERM; node -e "process.on('SIGTERM',()=>{}); require('fs').writeFileSync('${pidFile}', String(process.pid)); setInterval(()=>{},1000)" & wait`;
    const { proc } = run(
      { name: 'c', command: ['/bin/sh', '-c', script] },
      { terminationGracePeriodSeconds: 1 },
    );
    await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '').toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
    const leader = proc.pgid!;
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(leader) && isAlive(grandchild)).toBe(true);
    await proc.stop();
    await vi.waitFor(() => expect([isAlive(leader), isAlive(grandchild)]).toEqual([false, false]), {
      timeout: 10_000,
      interval: 20,
    });
    expect(proc.state.lastTerminated?.signal).toBe(9);
  });

  it('records processes in the pid table and forgets them on exit', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const table = new ProcessTable(t.dir);
    const { proc } = run({ name: 'c', command: ['node', '-e', 'setInterval(() => {}, 1000)'] }, { table });
    await vi.waitFor(() => expect(proc.pgid).toBeDefined(), { timeout: 10_000, interval: 20 });
    const recorded = () => JSON.parse(readFileSync(join(t.dir, 'runtime-pids.json'), 'utf8')).processes;
    expect(recorded()).toEqual([expect.objectContaining({ pid: proc.pgid, pod: 'default/pod-0' })]);
    await proc.stop();
    expect(recorded()).toEqual([]);
  });
});
