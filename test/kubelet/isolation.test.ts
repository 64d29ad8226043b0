/**
 * What a pod can reach: an app that tries to read the cluster's credentials (the API token in
 * knlite's data dir, knlite's kubeconfig, the user's kubeconfigs, a file in the user's home), run
 * by the real runtime against a real API server laid out like the daemon's home. Everything lives
 * under /var/tmp, which the sandbox leaves visible, so what the app cannot read is hidden on purpose.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { RestClient } from '../../src/lib/kube/rest.js';
import { startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import { buildEnv } from '../../src/lib/kubelet/env.js';
import { resolveLaunch } from '../../src/lib/kubelet/launch.js';
import { PodProcess, podHomePath, podLogPath } from '../../src/lib/kubelet/pod-process.js';
import { detectBwrap, resolveSandbox, type SandboxMode } from '../../src/lib/kubelet/sandbox.js';
import { makeDeployment, podsOf, readEndpoints } from './cluster.js';
import { exampleDir, httpGet } from './helpers.js';

const WAIT = { timeout: 30_000, interval: 50 };
// The snooping app lives outside /tmp: a sandboxed pod gets a private /tmp, so a checkout under
// /tmp (as CI may use) would hide the fixture from the very pod that runs it.
const SNOOP_DIR = mkdtempSync('/var/tmp/knlite-snoop-');
const SNOOP = join(SNOOP_DIR, 'snoop.mjs');
cpSync(resolve(import.meta.dirname, 'fixtures', 'snoop.mjs'), SNOOP);
afterAll(() => rmSync(SNOOP_DIR, { recursive: true, force: true }));
const hasBwrap = detectBwrap().path !== undefined;
const noSources = { configMap: async () => undefined, secret: async () => undefined };

interface Report {
  env: Record<string, string>;
  cwd: string;
  read: Record<string, string>;
  homeWritable: boolean;
  tmpWritable: boolean;
}

describe('what a pod can reach', () => {
  let base: string;
  let server: ApiServer | undefined;
  let runtime: LocalRuntime | undefined;
  let rest: RestClient | undefined;
  const savedEnv = { ...process.env };
  let paths: {
    knliteHome: string;
    token: string;
    knliteKubeconfig: string;
    userKubeconfig: string;
    dotKube: string;
    homeSecret: string;
    pidFile: string;
    visible: string;
    runtimeDir: string;
  };

  beforeEach(async () => {
    base = mkdtempSync('/var/tmp/knlite-isolation-');
    const knliteHome = join(base, 'knlite');
    const userHome = join(base, 'home');
    paths = {
      knliteHome,
      token: join(knliteHome, 'data', 'token'),
      knliteKubeconfig: join(knliteHome, 'kubeconfig'),
      userKubeconfig: join(base, 'elsewhere', 'kubeconfig'),
      dotKube: join(userHome, '.kube', 'config'),
      homeSecret: join(userHome, '.ssh', 'id_ed25519'),
      pidFile: join(knliteHome, 'runtime', 'runtime-pids.json'),
      visible: join(base, 'public.txt'),
      runtimeDir: join(knliteHome, 'runtime'),
    };
    for (const file of [paths.userKubeconfig, paths.dotKube, paths.homeSecret, paths.visible]) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, 'secret\n');
    }
    // The daemon's environment: its own home, a kubeconfig elsewhere, and the user's HOME.
    process.env.KNLITE_HOME = knliteHome;
    process.env.KUBECONFIG = paths.userKubeconfig;
    process.env.HOME = userHome;
    server = (await startTestApiServer({ dataDir: join(knliteHome, 'data'), port: 0 })).server;
    server.writeKubeconfig(paths.knliteKubeconfig);
  });

  afterEach(async () => {
    await runtime?.stop();
    rest?.close();
    await server?.close();
    runtime = server = undefined;
    for (const key of ['KNLITE_HOME', 'KUBECONFIG', 'HOME']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    rmSync(base, { recursive: true, force: true });
  });

  async function snoop(sandbox: SandboxMode): Promise<{ report: Report; pod: string }> {
    const kc = new KubeConfig();
    kc.loadFromString(server!.kubeconfig());
    rest = RestClient.fromKubeconfig(server!.kubeconfig());
    runtime = await startRuntime(rest, { dataDir: paths.runtimeDir, sandbox, log: () => {} });
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const snooped = [
      paths.token,
      paths.knliteKubeconfig,
      paths.userKubeconfig,
      paths.dotKube,
      paths.homeSecret,
      paths.pidFile,
      paths.visible,
      `/proc/${process.pid}/environ`,
    ];
    await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'snoop' }, spec: { selector: { app: 'snoop' }, ports: [{ port: 80 }] } },
    });
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('snoop', {
        command: [process.execPath, SNOOP],
        env: [{ name: 'SNOOP_PATHS', value: JSON.stringify(snooped) }],
      }) as never,
    });
    const port = await vi.waitFor(async () => {
      const ep = await readEndpoints(core, 'snoop');
      expect(ep?.subsets?.[0]?.addresses).toHaveLength(1);
      return ep!.subsets![0]!.ports![0]!.port;
    }, WAIT);
    const [pod] = await podsOf(core, 'snoop');
    const { body } = await httpGet(port);
    return { report: JSON.parse(body) as Report, pod: pod!.metadata.name! };
  }

  it('without the sandbox, the pod has its own HOME and none of the daemon environment', async () => {
    const { report, pod } = await snoop('off');
    const home = podHomePath(paths.runtimeDir, 'default', pod);
    expect(report.env.HOME).toBe(home);
    expect(report.cwd).toBe(home);
    expect(report.homeWritable).toBe(true);
    // The API server's address, as the kubelet gives it; no credentials to call it with.
    expect(Object.keys(report.env).sort()).toEqual([
      'HOME',
      'HOST',
      'KUBERNETES_SERVICE_HOST',
      'KUBERNETES_SERVICE_PORT',
      'KUBERNETES_SERVICE_PORT_HTTPS',
      'PATH',
      'PORT',
      'SNOOP_PATHS',
    ]);
    expect(report.env.KUBERNETES_SERVICE_HOST).toBe('127.0.0.1');
    expect(report.env.KUBERNETES_SERVICE_PORT).toBe(String(server!.port));
    expect(report.env.HOST).toBe('127.0.0.1');
    expect(readFileSync(join(home, 'probe.txt'), 'utf8')).toBe('x');
    // Files are another matter: the app runs as the same user and reads what the user can.
    expect(report.read[paths.token]).toBe('read');
  }, 60_000);

  it.skipIf(!hasBwrap)(
    'with the sandbox, the token, the kubeconfigs and the home are out of reach',
    async () => {
      const { report, pod } = await snoop('on');
      const home = podHomePath(paths.runtimeDir, 'default', pod);
      // Hidden directories are empty (ENOENT); a hidden file is an unreadable device node.
      const readable = Object.entries(report.read).filter(([, result]) => result === 'read');
      expect(readable.map(([path]) => path)).toEqual([paths.visible]);
      expect(report.read[paths.token]).toBe('ENOENT');
      expect(report.env.HOME).toBe(home);
      expect(report.cwd).toBe(home);
      expect(report.homeWritable).toBe(true);
      expect(report.tmpWritable).toBe(true);
      // bwrap sets PWD for its --chdir; nothing else joins the pod's environment.
      expect(Object.keys(report.env).sort()).toEqual([
        'HOME',
        'HOST',
        'KUBERNETES_SERVICE_HOST',
        'KUBERNETES_SERVICE_PORT',
        'KUBERNETES_SERVICE_PORT_HTTPS',
        'PATH',
        'PORT',
        'PWD',
        'SNOOP_PATHS',
      ]);
      // What the app wrote in its HOME is in the pod's directory outside the sandbox.
      expect(readFileSync(join(home, 'probe.txt'), 'utf8')).toBe('x');
    },
    60_000,
  );
});

describe.skipIf(!hasBwrap)('a sandboxed pod process', () => {
  let dir: string;
  let proc: PodProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync('/var/tmp/knlite-sandboxed-');
  });
  afterEach(async () => {
    await proc?.stop();
    proc = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs an app directory that lives in the user's home, which is otherwise hidden", async () => {
    const userHome = join(dir, 'home');
    const app = join(userHome, 'src', 'hello');
    cpSync(exampleDir('hello'), app, { recursive: true });
    writeFileSync(join(userHome, 'secret.txt'), 'secret\n');
    const { sandbox } = resolveSandbox('on', [], userHome);
    const container = {
      name: 'user-container',
      image: `file://${app}`,
      readinessProbe: { exec: { command: ['/bin/sh', '-c', `! cat ${join(userHome, 'secret.txt')}`] } },
    };
    const launch = resolveLaunch(container);
    const home = podHomePath(dir, 'default', 'h');
    proc = new PodProcess({
      namespace: 'default',
      name: 'h',
      container,
      launch,
      env: (port) =>
        buildEnv(container, { name: 'h', namespace: 'default', podIP: '127.0.0.1' }, port, noSources, {
          home,
          pathPrepend: 'argv' in launch ? launch.pathPrepend : [],
        }),
      logPath: podLogPath(dir, 'default', 'h'),
      home,
      sandbox,
    });
    proc.start();
    // Ready means the exec probe, sandboxed like the app, could not read the secret either.
    await vi.waitFor(() => expect(proc!.state.ready).toBe(true), WAIT);
    // The exec probe does not wait for the port: the app may still be starting.
    const res = await vi.waitFor(() => httpGet(proc!.state.port!), WAIT);
    expect(res).toEqual({ status: 200, body: 'Hello World! (local)\n' });
  }, 60_000);

  it("gets SIGTERM (not bwrap's SIGKILL) on stop, and its HOME goes with it", async () => {
    const { sandbox } = resolveSandbox('on', [dir]);
    const container = { name: 'user-container', command: [process.execPath, SNOOP] };
    const home = podHomePath(dir, 'default', 'p');
    const logPath = podLogPath(dir, 'default', 'p');
    proc = new PodProcess({
      namespace: 'default',
      name: 'p',
      container,
      launch: resolveLaunch(container),
      env: (port) =>
        buildEnv(container, { name: 'p', namespace: 'default', podIP: '127.0.0.1' }, port, noSources, {
          home,
        }),
      logPath,
      home,
      sandbox,
      terminationGracePeriodSeconds: 20,
    });
    proc.start();
    await vi.waitFor(() => expect(proc!.state.ready).toBe(true), WAIT);
    expect(existsSync(home)).toBe(true);
    const started = Date.now();
    await proc.stop();
    expect(Date.now() - started).toBeLessThan(10_000); // well within the 20 s grace period
    expect(proc.state.lastTerminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(readFileSync(logPath, 'utf8')).toContain('graceful stop');
    expect(existsSync(home)).toBe(false);
  }, 60_000);
});
