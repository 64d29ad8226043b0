/**
 * Control-plane benchmark: create → Ready latency of Knative Services on the local cluster (API
 * server + data plane + reconciler + local runtime, run as the daemon `knlite cluster start` runs
 * them, in a child process with a temporary KNLITE_HOME), and for 1,000 services created with
 * `initial-scale: "0"` the time until all are Ready plus the daemon's RSS and CPU time.
 *
 * Ready = the Service's Ready condition True with status.observedGeneration == metadata.generation,
 * seen through one client-node informer (list + watch) over all Services; nothing is polled.
 * Results are kept in bench/control-plane/results.json (one entry per scenario, the last run wins)
 * and rendered into the "## control-plane" section of bench/README.md.
 *
 * Usage: node --import tsx bench/control-plane/run.ts [--scenario one|parallel|thousand|all]
 *          [--dist] [--no-write] [--cpu-prof] [--render-only]
 *   --dist: run the built daemon (dist/lib/local/daemon-main.js, what `knlite cluster start` runs;
 *     `npm run build` first) instead of the sources under tsx
 *   --cpu-prof: run the daemon under `node --cpu-prof` (profiles in $TMPDIR/knlite-bench-cp-profiles/)
 *   --render-only: rewrite the README section from results.json and findings.md, run nothing
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  makeInformer,
  type Informer,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  localApiGet,
  readDaemonState,
  startDaemon,
  stopDaemon,
  type DaemonState,
} from '../../src/lib/local/daemon.js';
import { localPaths, type LocalPaths } from '../../src/lib/local/paths.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { RestClient } from '../../src/lib/kube/rest.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const HELLO_IMAGE = `file://${path.join(root, 'examples/hello')}`;
const RESULTS = path.join(root, 'bench/control-plane/results.json');
/** Hand-written analysis of the recorded runs (profiles, bottlenecks), included in the section. */
const LAST_LOG = path.join(os.tmpdir(), 'knlite-bench-cp-last-daemon.log');
const FINDINGS = path.join(root, 'bench/control-plane/findings.md');
const README = path.join(root, 'bench/README.md');
const IN_FLIGHT = 32;
const SEQUENTIAL_RUNS = 10;
const PARALLEL = 100;
const THOUSAND = 1000;
const SERVICES = { group: 'serving.knative.dev', version: 'v1', plural: 'services' };
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    dist: { type: 'boolean', default: false },
    'render-only': { type: 'boolean', default: false },
  },
});
const SCENARIOS = ['one', 'parallel', 'thousand'] as const;
type Scenario = (typeof SCENARIOS)[number];
const wanted: Scenario[] =
  flags.scenario === 'all' ? [...SCENARIOS] : SCENARIOS.filter((s) => s === flags.scenario);
if (wanted.length === 0) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}, all (got "${flags.scenario}")`);
  process.exit(2);
}

/** A Knative Service as far as this benchmark reads it. */
interface KService extends KubernetesObject {
  metadata: { name: string; namespace: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** What one scenario recorded; persisted in results.json. */
interface ScenarioResult {
  scenario: Scenario;
  title: string;
  command: string;
  recordedAt: string;
  services: number;
  ready: number;
  latencyMs?: { p50: number; p95: number; max: number };
  createPhaseMs?: number;
  allReadyMs?: number;
  daemon: { rssStartMiB: number; rssEndMiB: number; peakRssMiB: number; cpuSeconds: number };
  loadAvg: { start: number[]; end: number[] };
  notes: string[];
}

const isReady = (s: KService): boolean =>
  s.status?.observedGeneration === s.metadata.generation &&
  !!s.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const mib = (kib: number) => Math.round(kib / 1024);
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

/** VmRSS and VmHWM (KiB) of a process, from /proc. */
function procMemory(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

/** User + system CPU seconds of a process (not its children), from /proc/<pid>/stat. */
function procCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3 (state).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** A running daemon in a temporary KNLITE_HOME plus the clients this benchmark uses. */
interface Cluster {
  pid: number;
  home: string;
  kc: KubeConfig;
  rest: RestClient;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  objects: KubernetesObjectApi;
  informer: Informer<KService>;
  /** Resolves when a Service with this namespace/name is Ready (or rejects at the deadline). */
  readyWaiters: Map<string, () => void>;
  deleteWaiters: Map<string, () => void>;
  readyCount(ns: string): number;
  stop(): Promise<void>;
}

/**
 * Starts the daemon exactly as startDaemon does, with `node --cpu-prof` added (Node refuses
 * --cpu-prof in NODE_OPTIONS, and startDaemon takes no extra node flags); the profile is written
 * into `profileDir` when the daemon exits on SIGTERM.
 */
async function startProfiledDaemon(paths: LocalPaths, profileDir: string): Promise<DaemonState> {
  const main = path.join(root, flags.dist ? 'dist/lib/local/daemon-main.js' : 'src/lib/local/daemon-main.ts');
  const out = fs.openSync(paths.log, 'a', 0o600);
  const child = spawn(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      '--cpu-prof-interval=2000',
      ...(flags.dist ? [] : ['--import', 'tsx']),
      main,
      '--home',
      paths.home,
      ...['--api-port', '0', '--gateway-port', '0', '--admin-port', '0'],
    ],
    { detached: true, stdio: ['ignore', out, out], env: process.env },
  );
  fs.closeSync(out);
  child.unref();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${fs.readFileSync(paths.log, 'utf8')}`);
    const state = readDaemonState(paths);
    if (state && state.pid === child.pid) {
      const ok = await localApiGet(state.kubeconfig, '/readyz', 2000).catch(() => undefined);
      if (ok?.status === 200) return state;
    }
    await wait(100);
  }
  child.kill('SIGKILL');
  throw new Error(`profiled daemon not ready after 90s; see ${paths.log}`);
}

/** startDaemon from the sources (it runs daemon-main.ts under tsx) or, with --dist, from dist/. */
let builtStartDaemon: typeof startDaemon | undefined;
const daemonStarter = (): typeof startDaemon => builtStartDaemon ?? startDaemon;
if (flags.dist) {
  const built = path.join(root, 'dist/lib/local/daemon.js');
  if (!fs.existsSync(built)) {
    console.error('--dist: run `npm run build` first');
    process.exit(2);
  }
  builtStartDaemon = ((await import(pathToFileURL(built).href)) as { startDaemon: typeof startDaemon })
    .startDaemon;
}

async function startCluster(profileDir?: string): Promise<Cluster> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-bench-cp-'));
  const paths = localPaths(home, true);
  let state: DaemonState;
  try {
    state = profileDir
      ? await startProfiledDaemon(paths, profileDir)
      : (await daemonStarter()(paths, { apiPort: 0, gatewayPort: 0, adminPort: 0 })).state;
  } catch (err) {
    fs.rmSync(home, { recursive: true, force: true });
    throw err;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(paths.kubeconfig);
  const rest = RestClient.fromKubeconfig(fs.readFileSync(paths.kubeconfig, 'utf8'));
  const custom = kc.makeApiClient(CustomObjectsApi);
  const readyWaiters = new Map<string, () => void>();
  const deleteWaiters = new Map<string, () => void>();
  const informer = makeInformer<KService>(kc, '/apis/serving.knative.dev/v1/services', () =>
    custom.listClusterCustomObject(SERVICES),
  );
  const key = (s: KService) => `${s.metadata.namespace}/${s.metadata.name}`;
  const onChange = (s: KService) => {
    if (!isReady(s)) return;
    readyWaiters.get(key(s))?.();
    readyWaiters.delete(key(s));
  };
  informer.on('add', onChange);
  informer.on('update', onChange);
  informer.on('delete', (s) => {
    deleteWaiters.get(key(s))?.();
    deleteWaiters.delete(key(s));
  });
  let stopped = false;
  // client-node's informer stops on an error; restart it as controllers do.
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
  });
  await informer.start();
  return {
    pid: state.pid,
    home,
    kc,
    rest,
    custom,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    informer,
    readyWaiters,
    deleteWaiters,
    readyCount: (ns) => informer.list(ns).filter(isReady).length,
    async stop() {
      stopped = true;
      await informer.stop();
      rest.close();
      // Give the daemon time to stop every pod process gracefully before its home is removed.
      await stopDaemon(paths, 120_000);
      // The daemon's log (runtime/reconciler retries) outlives the temp home for diagnosis.
      fs.copyFileSync(paths.log, LAST_LOG);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

function ksvc(name: string, ns: string, annotations?: Record<string, string>): KService {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: {
      template: {
        ...(annotations ? { metadata: { annotations } } : {}),
        spec: { containers: [{ image: HELLO_IMAGE, env: [{ name: 'TARGET', value: name }] }] },
      },
    },
  } as KService;
}

async function createNamespace(c: Cluster, name: string): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name } } });
}

/** Registers the Ready waiter first (so a fast Ready is not missed), then creates the Service. */
function readyPromise(c: Cluster, ns: string, name: string, deadlineMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      c.readyWaiters.delete(`${ns}/${name}`);
      reject(new Error(`${ns}/${name} not Ready after ${deadlineMs / 1000}s`));
    }, deadlineMs);
    c.readyWaiters.set(`${ns}/${name}`, () => {
      clearTimeout(timer);
      resolve(performance.now());
    });
  });
}

/**
 * Creates `names` with at most IN_FLIGHT create requests outstanding; resolves with each
 * Service's create → Ready latency (ms; NaN when it missed the deadline) and phase timings.
 */
async function createAll(
  c: Cluster,
  ns: string,
  names: string[],
  annotations: Record<string, string> | undefined,
  deadlineMs: number,
  progress?: () => void,
): Promise<{ latencies: number[]; started: number[]; createPhaseMs: number; allReadyMs: number }> {
  const t0 = performance.now();
  // Progress is reported from the first create: at scale the create phase itself takes minutes.
  const ticker = progress ? setInterval(progress, 10_000) : undefined;
  const waits: Promise<number>[] = new Array(names.length);
  const started: number[] = new Array(names.length);
  let createPhaseMs = 0;
  let outcomes: PromiseSettledResult<number>[];
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, names.length) }, async () => {
        while (next < names.length) {
          const i = next++;
          waits[i] = readyPromise(c, ns, names[i], deadlineMs);
          waits[i].catch(() => undefined); // Collected below; avoid an unhandled rejection meanwhile.
          started[i] = performance.now();
          await c.custom.createNamespacedCustomObject({
            ...SERVICES,
            namespace: ns,
            body: ksvc(names[i], ns, annotations),
          });
        }
      }),
    );
    createPhaseMs = performance.now() - t0;
    outcomes = await Promise.allSettled(waits);
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const latencies = outcomes.map((o, i) => (o.status === 'fulfilled' ? o.value - started[i] : NaN));
  const readyTimes = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  return { latencies, started, createPhaseMs, allReadyMs: Math.max(...readyTimes) - t0 };
}

/** Waits until the namespace has no Pods left (the runtime stopped every process). */
async function waitNoPods(c: Cluster, ns: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if ((await c.core.listNamespacedPod({ namespace: ns })).items.length === 0) return;
    await wait(100);
  }
  throw new Error(`pods in ${ns} still present after ${deadlineMs / 1000}s`);
}

function latencyStats(latencies: number[]): ScenarioResult['latencyMs'] {
  const ok = latencies.filter((l) => !Number.isNaN(l));
  if (ok.length === 0) return undefined;
  const r = (x: number) => Math.round(x);
  return { p50: r(percentile(ok, 50)), p95: r(percentile(ok, 95)), max: r(Math.max(...ok)) };
}

/** Runs one scenario on a fresh daemon, sampling its RSS every 500 ms. */
async function measure(
  scenario: Scenario,
  title: string,
  body: (c: Cluster, r: ScenarioResult) => Promise<void>,
): Promise<ScenarioResult> {
  const profileDir = flags['cpu-prof'] ? path.join(os.tmpdir(), 'knlite-bench-cp-profiles') : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const loadStart = load();
  const c = await startCluster(profileDir);
  const mem0 = procMemory(c.pid);
  const cpu0 = procCpuSeconds(c.pid);
  let peak = mem0.rssKiB;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, procMemory(c.pid).rssKiB);
    } catch {
      // The daemon exited; the scenario reports that through its API calls failing.
    }
  }, 500);
  const result: ScenarioResult = {
    scenario,
    title,
    command: `node --import tsx bench/control-plane/run.ts --scenario ${scenario}${flags.dist ? ' --dist' : ''}${profileDir ? ' --cpu-prof' : ''}`,
    recordedAt: new Date().toISOString(),
    services: 0,
    ready: 0,
    daemon: { rssStartMiB: mib(mem0.rssKiB), rssEndMiB: 0, peakRssMiB: 0, cpuSeconds: 0 },
    loadAvg: { start: loadStart, end: [] },
    notes: [],
  };
  try {
    await body(c, result);
    const mem1 = procMemory(c.pid);
    peak = Math.max(peak, mem1.rssKiB, mem1.hwmKiB);
    result.daemon.rssEndMiB = mib(mem1.rssKiB);
    result.daemon.peakRssMiB = mib(peak);
    result.daemon.cpuSeconds = Number((procCpuSeconds(c.pid) - cpu0).toFixed(1));
  } finally {
    clearInterval(sampler);
    result.loadAvg.end = load();
    await c.stop();
    if (profileDir) console.log(`daemon CPU profile in ${profileDir} (summarise with profile-summary.ts)`);
  }
  return result;
}

async function scenarioOne(c: Cluster, r: ScenarioResult): Promise<void> {
  const ns = 'bench-one';
  await createNamespace(c, ns);
  const latencies: number[] = [];
  for (let i = 1; i <= SEQUENTIAL_RUNS; i++) {
    const name = `hello-${i}`;
    const {
      latencies: [ms],
    } = await createAll(c, ns, [name], undefined, 120_000);
    latencies.push(ms);
    console.log(`  run ${i}: ${Math.round(ms)} ms`);
    const gone = new Promise<void>((resolve) => c.deleteWaiters.set(`${ns}/${name}`, resolve));
    await c.custom.deleteNamespacedCustomObject({ ...SERVICES, namespace: ns, name });
    await gone;
    await waitNoPods(c, ns, 60_000);
  }
  r.services = SEQUENTIAL_RUNS;
  r.ready = latencies.filter((l) => !Number.isNaN(l)).length;
  r.latencyMs = latencyStats(latencies);
  r.notes.push(
    `${SEQUENTIAL_RUNS} sequential runs; each Service deleted (and its pod gone) before the next create`,
  );
}

/** A child object as far as stage tracking reads it. */
interface Child extends KubernetesObject {
  metadata: { labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[]; readyReplicas?: number };
}

/**
 * Watches a namespace's Revisions, Routes, Deployments and Pods and records, per Service, when each
 * stage was first seen (created; Ready, or for a Deployment readyReplicas > 0). Tells
 * which part (reconciler, runtime, readiness) the create → Ready time goes to.
 */
async function trackStages(c: Cluster, ns: string) {
  const seen = new Map<string, Map<string, number>>();
  const mark = (stage: string, obj: Child) => {
    const svc = obj.metadata?.labels?.['serving.knative.dev/service'];
    if (!svc) return;
    const stages = seen.get(stage) ?? new Map<string, number>();
    seen.set(stage, stages);
    if (!stages.has(svc)) stages.set(svc, performance.now());
  };
  const ready = (o: Child) =>
    !!o.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ||
    (o.status?.readyReplicas ?? 0) > 0; // Only Deployments have readyReplicas.
  const custom = (plural: string) => () =>
    c.custom.listNamespacedCustomObject({ group: SERVICES.group, version: 'v1', namespace: ns, plural });
  const watched: [string, () => Promise<any>, string, string][] = [
    [
      `/apis/serving.knative.dev/v1/namespaces/${ns}/revisions`,
      custom('revisions'),
      'Revision created',
      'Revision Ready',
    ],
    [
      `/apis/serving.knative.dev/v1/namespaces/${ns}/routes`,
      custom('routes'),
      'Route created',
      'Route Ready',
    ],
    [
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      () => c.apps.listNamespacedDeployment({ namespace: ns }),
      'Deployment created',
      'Deployment ready',
    ],
    [
      `/api/v1/namespaces/${ns}/pods`,
      () => c.core.listNamespacedPod({ namespace: ns }),
      'Pod created',
      'Pod Ready',
    ],
  ];
  const informers = watched.map(([p, list, created, readyStage]) => {
    const inf = makeInformer<Child>(c.kc, p, list);
    const on = (o: Child) => {
      mark(created, o);
      if (ready(o)) mark(readyStage, o);
    };
    inf.on('add', on);
    inf.on('update', on);
    return inf;
  });
  await Promise.all(informers.map((i) => i.start()));
  return {
    /** p50/p95 (ms) from each Service's create to each stage, as one line. */
    summary(names: string[], started: number[]): string {
      const order = [
        'Revision created',
        'Route created',
        'Deployment created',
        'Pod created',
        'Deployment ready',
        'Pod Ready',
        'Revision Ready',
        'Route Ready',
      ];
      return order
        .map((stage) => {
          const at = seen.get(stage);
          const ms = names.flatMap((n, i) => (at?.has(n) ? [at.get(n)! - started[i]] : []));
          if (ms.length === 0) return `${stage}: never`;
          return `${stage} p50 ${Math.round(percentile(ms, 50))} / p95 ${Math.round(percentile(ms, 95))} ms`;
        })
        .join(', ');
    },
    stop: () => Promise.all(informers.map((i) => i.stop())),
  };
}

async function scenarioParallel(c: Cluster, r: ScenarioResult): Promise<void> {
  const ns = 'bench-parallel';
  await createNamespace(c, ns);
  const stages = await trackStages(c, ns);
  const names = Array.from({ length: PARALLEL }, (_, i) => `hello-${i}`);
  const out = await createAll(c, ns, names, undefined, 600_000, () =>
    console.log(`  ${c.readyCount(ns)}/${PARALLEL} Ready`),
  );
  await stages.stop();
  r.notes.push(`per stage, from create: ${stages.summary(names, out.started)}`);
  console.log(`  ${r.notes.at(-1)}`);
  r.services = PARALLEL;
  r.ready = out.latencies.filter((l) => !Number.isNaN(l)).length;
  r.latencyMs = latencyStats(out.latencies);
  r.createPhaseMs = Math.round(out.createPhaseMs);
  r.allReadyMs = Math.round(out.allReadyMs);
  r.notes.push(
    `${IN_FLIGHT} creates in flight; each Service runs one examples/hello process (its package.json start script, \`node server.js\`)`,
  );
}

async function scenarioThousand(c: Cluster, r: ScenarioResult): Promise<void> {
  await patchConfigData(c.rest, 'config-autoscaler', { 'allow-zero-initial-scale': 'true' });
  const annotations = { 'autoscaling.knative.dev/initial-scale': '0' };
  // The reconciler reads config-autoscaler from its own informer: one probe Service proves it has
  // seen the change (its Deployment starts at 0 replicas) before the measured creates begin.
  await createNamespace(c, 'bench-probe');
  await createAll(c, 'bench-probe', ['probe'], annotations, 60_000);
  const deploy = await c.objects.read<KubernetesObject & { spec?: { replicas?: number } }>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'probe-00001-deployment', namespace: 'bench-probe' },
  });
  if (deploy.spec?.replicas !== 0)
    throw new Error(`probe Deployment has ${deploy.spec?.replicas} replicas, want 0`);

  const ns = 'bench-thousand';
  await createNamespace(c, ns);
  const names = Array.from({ length: THOUSAND }, (_, i) => `s-${i}`);
  const t0 = performance.now();
  const timeline: string[] = [];
  const out = await createAll(c, ns, names, annotations, 25 * 60_000, () => {
    const line = `${Math.round((performance.now() - t0) / 1000)}s: ${c.readyCount(ns)}/${THOUSAND} Ready, daemon RSS ${mib(procMemory(c.pid).rssKiB)} MiB`;
    timeline.push(line);
    console.log(`  ${line}`);
  });
  r.services = THOUSAND;
  r.ready = out.latencies.filter((l) => !Number.isNaN(l)).length;
  r.latencyMs = latencyStats(out.latencies);
  r.createPhaseMs = Math.round(out.createPhaseMs);
  r.allReadyMs = Math.round(out.allReadyMs);
  r.notes.push(
    `${IN_FLIGHT} creates in flight; initial-scale "0" (no processes), config-autoscaler allow-zero-initial-scale "true"`,
  );
  r.notes.push(`progress: ${timeline.join('; ')}`);
}

const TITLES: Record<Scenario, string> = {
  one: '1 Service (examples/hello), ×10 sequential',
  parallel: `${PARALLEL} Services (examples/hello) in parallel`,
  thousand: `${THOUSAND} Services, initial-scale 0, in parallel`,
};
const BODIES: Record<Scenario, (c: Cluster, r: ScenarioResult) => Promise<void>> = {
  one: scenarioOne,
  parallel: scenarioParallel,
  thousand: scenarioThousand,
};

function readResults(): Partial<Record<Scenario, ScenarioResult>> {
  try {
    return JSON.parse(fs.readFileSync(RESULTS, 'utf8'));
  } catch {
    return {};
  }
}

const fmtS = (ms?: number) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

function table(results: ScenarioResult[]): string {
  const rows = results.map((r) =>
    [
      r.title,
      `${r.ready}/${r.services}`,
      r.latencyMs?.p50 ?? '–',
      r.latencyMs?.p95 ?? '–',
      r.latencyMs?.max ?? '–',
      fmtS(r.createPhaseMs),
      fmtS(r.allReadyMs),
      `${r.daemon.rssStartMiB} → ${r.daemon.rssEndMiB} (peak ${r.daemon.peakRssMiB})`,
      r.daemon.cpuSeconds,
      `${r.loadAvg.start[0]} / ${r.loadAvg.end[0]}`,
    ].join(' | '),
  );
  return [
    '| scenario | Ready | p50 ms | p95 ms | max ms | creates sent in | all Ready after | daemon RSS MiB | daemon CPU s | load 1-min start / end |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

function section(results: ScenarioResult[]): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `## control-plane

Commands (each scenario starts its own daemon; \`all\` runs the three in turn):

\`\`\`
${SCENARIOS.map((s) => `node --import tsx bench/control-plane/run.ts --scenario ${s}`).join('\n')}
\`\`\`

Machine: ${os.availableParallelism()} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}. **The machine was shared with other work
(test suites, other benchmarks) while these ran**; the load averages in the table say how busy it was, so
treat the figures as upper bounds.

How: each scenario starts the local cluster daemon (\`startDaemon\` from src/lib/local/daemon.ts, i.e.
\`knlite cluster start\`, from the sources under tsx or, with \`--dist\`, the built dist/ one: API server + data plane + seeded Knative ConfigMaps + reconciler + local runtime in
one child process) with a temporary KNLITE_HOME, creates Knative Services through the API with
@kubernetes/client-node (${IN_FLIGHT} creates in flight), and sees Ready (condition True with
observedGeneration == generation) through one client-node informer over all Services. Latency is from
sending a Service's create to its Ready event. Daemon RSS is VmRSS of the daemon process from
/proc/<pid>/status (sampled every 500 ms for the peak); CPU is the daemon's own utime + stime over the
scenario (pod processes excluded). With \`--cpu-prof\` the same daemon entry point is started directly
(\`node --cpu-prof --import tsx src/lib/local/daemon-main.ts\`, or dist/lib/local/daemon-main.js), because Node refuses --cpu-prof in
NODE_OPTIONS and startDaemon takes no node flags; summarise a profile with
\`node --import tsx bench/control-plane/profile-summary.ts <file.cpuprofile>\`.

${table(results)}

${results.map((r) => `- ${r.title} (recorded ${r.recordedAt}, \`${r.command}\`): ${r.notes.join('; ')}.`).join('\n')}
${fs.existsSync(FINDINGS) ? `\n${fs.readFileSync(FINDINGS, 'utf8').trim()}\n` : ''}`;
}

/** Replaces the "## control-plane" section of bench/README.md (or appends it), leaving the rest. */
function writeSection(text: string): void {
  // Re-read right before writing: other benchmarks own the other sections of this file.
  const current = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : '# Benchmarks\n';
  const start = current.search(/^## control-plane$/m);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${text}`;
  } else {
    const after = current.slice(start + 1).search(/^## /m);
    const end = after < 0 ? current.length : start + 1 + after;
    next = `${current.slice(0, start)}${text}${after < 0 ? '' : `\n${current.slice(end)}`}`;
  }
  fs.writeFileSync(README, next.endsWith('\n') ? next : `${next}\n`);
}

const results = readResults();
for (const s of flags['render-only'] ? [] : wanted) {
  console.log(`== ${TITLES[s]} (load ${load().join(' ')})`);
  const r = await measure(s, TITLES[s], BODIES[s]);
  results[s] = r;
  console.log(JSON.stringify(r, null, 2));
  if (!flags['no-write']) fs.writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}
const recorded = SCENARIOS.flatMap((s) => (results[s] ? [results[s]] : []));
console.log(`\n${table(recorded)}`);
if (!flags['no-write']) writeSection(section(recorded));
