/**
 * The local runtime's controller: watches apps/v1 Deployments and core Services on the cluster,
 * keeps `spec.replicas` PodProcesses per Deployment (rolling to a new template once the new pods
 * are ready), and reports what runs as Pods, Deployment status and Endpoints.
 *
 * Writes: Pods are created with the Deployment as controller owner (so deleting a Deployment
 * cascades) and their status is written through /status; the Deployment's status through
 * /status with a re-read on 409; Endpoints are replaced or created per Service with a selector,
 * one subset per pod because every pod listens on its own port. A failed write is logged and the
 * work item retried with backoff — never dropped.
 *
 * Images that cannot run as a process (see launch.ts) still get their pods, Pending with waiting
 * reason ImageNotRunnable, and the Deployment gets `ReplicaFailure=True ImageNotRunnable`.
 */
import type {
  ConfigMap,
  Container,
  Deployment,
  Endpoints,
  KubeObject,
  KubeService,
  Pod,
} from '../apis/types.js';
import { ApiError, isNotFound } from '../kube/errors.js';
import { Informer } from '../kube/informer.js';
import { Kinds } from '../kube/kinds.js';
import { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { CpuMeter } from './cpu.js';
import { buildEnv, type EnvSources } from './env.js';
import { isNotRunnable, resolveLaunch } from './launch.js';
import { makePodName, stableJson, templateHash } from './names.js';
import { preparePodDirs } from './pod-dirs.js';
import { PodProcess, podHomePath, podLogPath } from './pod-process.js';
import { ProcessTable } from './process-table.js';
import {
  makeDeploymentStatus,
  makeEndpoints,
  makePod,
  makePodStatus,
  POD_IP,
  rolloutComplete,
  sameDeploymentStatus,
  selectorMatches,
  type ReplicaCounts,
} from './resources.js';
import {
  defaultHiddenPaths,
  resolveSandbox,
  sandboxMode,
  type Sandbox,
  type SandboxMode,
} from './sandbox.js';

/** Options of the local runtime. */
export interface RuntimeOptions {
  /** Where pod logs and the pid records live. */
  dataDir: string;
  /** Base of the crash restart backoff (doubles per crash, capped at 5 min). Default 1000 ms. */
  restartBackoffMs?: number;
  /** Caps every pod's terminationGracePeriodSeconds (tests use small values). */
  maxTerminationGracePeriodSeconds?: number;
  /** Whether pods run in a bubblewrap sandbox. Default: `$KNLITE_SANDBOX`, else `auto`. */
  sandbox?: SandboxMode;
  /** More paths the sandbox hides from pods (besides knlite's home, `dataDir` and kubeconfigs). */
  hiddenPaths?: string[];
  /** Start the watchdog that kills pod processes if this process dies hard. Default true. */
  watchdog?: boolean;
  /** Where operational messages go. Default: stderr. */
  log?: (message: string) => void;
}

/** A running local runtime. */
export interface LocalRuntime {
  /** Stops every pod process (waiting for them to exit) and the watches. */
  stop(): Promise<void>;
  /**
   * CPU usage per pod (`namespace/pod` → millicores, 1000 = one core) of this runtime's processes.
   * Each call samples /proc; a pod's first sample reports 0, and calls closer than 250 ms apart
   * reuse the previous value. Empty on platforms without /proc.
   */
  podCpuMillicores(): Map<string, number>;
}

interface Replica {
  proc: PodProcess;
  container: Container;
  hash: string;
  pod: Pod;
  created: boolean;
  /** JSON of the last pod status written. */
  writtenStatus?: string;
  deleting: boolean;
}

interface DeploymentState {
  replicas: Map<string, Replica>;
  hash?: string;
  generation?: number;
  desired?: number;
  ready: number;
  progressAt: number;
}

const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** A core/v1 Secret (only what the runtime reads). */
interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Crash-style retry for failed writes: 200 ms doubling up to 30 s. */
const WRITE_BACKOFF = { baseMs: 200, maxMs: 30_000 };
/** Writes in flight at once per queue (a thousand Deployments appearing together stay bounded). */
const WRITE_CONCURRENCY = 16;

/** 409 Conflict or AlreadyExists: someone else wrote first. */
const is409 = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 409;

function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The runtime; `start()` connects it to the cluster. */
export class Runtime implements LocalRuntime {
  private readonly table: ProcessTable;
  private readonly meter = new CpuMeter();
  private readonly deployments = new Map<string, Deployment>();
  private readonly services = new Map<string, KubeService>();
  private readonly states = new Map<string, DeploymentState>();
  /** Every replica by pod key, including ones being stopped. */
  private readonly replicas = new Map<string, Replica>();
  private readonly writtenEndpoints = new Map<string, string>();
  private readonly deploymentQueue: WorkQueue;
  private readonly podQueue: WorkQueue;
  private readonly endpointsQueue: WorkQueue;
  private readonly informers: { stop(): Promise<void> }[] = [];
  private readonly log: (message: string) => void;
  private stopping = false;
  private sandbox?: Sandbox;

  constructor(
    private readonly rest: RestClient,
    private readonly opts: RuntimeOptions,
  ) {
    this.table = new ProcessTable(opts.dataDir);
    this.log = opts.log ?? ((message) => process.stderr.write(`knlite runtime: ${message}\n`));
    const onError = (what: string) => (key: string, err: unknown) =>
      this.log(`${what} ${key}: ${(err as Error)?.message ?? String(err)} (will retry)`);
    const queue = (name: string, handler: (key: string) => Promise<void>, what: string) =>
      new WorkQueue({
        name,
        handler,
        workers: WRITE_CONCURRENCY,
        backoff: WRITE_BACKOFF,
        started: true,
        onError: onError(what),
      });
    this.deploymentQueue = queue(
      'deployments',
      (key) => this.reconcileDeployment(key),
      'reconciling deployment',
    );
    this.podQueue = queue('pods', (key) => this.syncPod(key), 'writing pod');
    this.endpointsQueue = queue('endpoints', (key) => this.syncEndpoints(key), 'writing endpoints');
  }

  /** Cleans up after a previous run, then starts watching. */
  async start(): Promise<void> {
    const { killed } = this.table.sweepLeftovers();
    if (killed > 0) this.log(`stopped ${killed} process(es) left over by a previous run`);
    preparePodDirs(this.opts.dataDir);
    const hidden = defaultHiddenPaths(process.env, [this.opts.dataDir, ...(this.opts.hiddenPaths ?? [])]);
    const { sandbox, reason } = resolveSandbox(this.opts.sandbox ?? sandboxMode(), hidden);
    this.sandbox = sandbox;
    this.log(sandbox ? 'pods run in a bubblewrap sandbox' : `pods run without a sandbox: ${reason}`);
    if (this.opts.watchdog ?? true) this.table.startWatchdog();
    await this.deleteStalePods();

    const watch = <T extends KubeObject>(
      kind: typeof Kinds.kubeService | typeof Kinds.pod | typeof Kinds.deployment,
      upsert: (obj: T) => void,
      remove: (obj: T) => void,
    ): Informer<T> => {
      const informer = new Informer<T>(this.rest, kind, {
        backoff: { baseMs: 250, maxMs: 30_000 },
        log: (msg) => this.log(`watching ${kind.plural}: ${msg}`),
      });
      informer.on({ add: upsert, update: (_old, obj) => upsert(obj), delete: remove });
      this.informers.push(informer);
      informer.start();
      return informer;
    };
    const services = watch<KubeService>(
      Kinds.kubeService,
      (svc) => {
        this.services.set(keyOf(svc), svc);
        this.endpointsQueue.add(keyOf(svc));
      },
      (svc) => {
        this.services.delete(keyOf(svc));
        this.endpointsQueue.add(keyOf(svc));
      },
    );
    await services.synced;
    // Pods are only watched for deletions by others (kubectl delete pod, a namespace going away):
    // the process behind such a pod stops and the Deployment gets a replacement.
    const pods = watch<Pod>(
      Kinds.pod,
      () => {},
      (pod) => {
        const replica = this.replicas.get(keyOf(pod));
        if (replica && !replica.deleting && replica.pod.metadata.uid === pod.metadata?.uid)
          this.podVanished(keyOf(pod), replica);
      },
    );
    await pods.synced;
    const deployments = watch<Deployment>(
      Kinds.deployment,
      (d) => {
        this.deployments.set(keyOf(d), d);
        this.deploymentQueue.add(keyOf(d));
      },
      (d) => {
        this.deployments.delete(keyOf(d));
        this.deploymentQueue.add(keyOf(d));
      },
    );
    await deployments.synced;
  }

  /** Stops watching, stops every process, deletes their Pods (best effort) and empties the pid table. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(this.informers.map((i) => i.stop().catch(() => {})));
    await this.deploymentQueue.shutdown();
    const all = [...this.replicas.values()];
    await Promise.all(all.map((r) => r.proc.stop()));
    await this.podQueue.shutdown();
    await this.endpointsQueue.shutdown();
    // The API server may already be going away; stale pods are also removed on the next start.
    await Promise.all(
      all.filter((r) => r.created).map((r) => withTimeout(this.deletePod(r.pod), 2000).catch(() => {})),
    );
    await this.table.close();
    for (const state of this.states.values()) state.replicas.clear();
    this.replicas.clear();
  }

  /** CPU usage per pod (`namespace/pod` → millicores). */
  podCpuMillicores(): Map<string, number> {
    const groups = new Map<string, number>();
    for (const [key, replica] of this.replicas) {
      const pgid = replica.proc.pgid;
      if (pgid !== undefined && !replica.deleting) groups.set(key, pgid);
    }
    return this.meter.measure(groups);
  }

  // On a fresh runtime no pod on the cluster has a process behind it: pods owned by a Deployment
  // are leftovers of a previous run and would otherwise be counted and routed to.
  private async deleteStalePods(): Promise<void> {
    const pods = await this.rest.list<Pod>(Kinds.pod);
    const stale = pods.items.filter((p) =>
      (p.metadata?.ownerReferences ?? []).some(
        (o) => o.kind === 'Deployment' && o.apiVersion === 'apps/v1' && o.controller,
      ),
    );
    for (const pod of stale) {
      try {
        await this.rest.delete(Kinds.pod, pod.metadata.namespace, pod.metadata.name!, {
          gracePeriodSeconds: 0,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (stale.length > 0) this.log(`deleted ${stale.length} stale pod(s) of a previous run`);
  }

  private async reconcileDeployment(key: string): Promise<void> {
    const deployment = this.deployments.get(key);
    let state = this.states.get(key);
    if (!deployment || deployment.metadata.deletionTimestamp) {
      if (state) {
        this.states.delete(key);
        // Not awaited: a pod's grace period can be minutes (Knative uses timeoutSeconds), and the
        // queue's workers must stay free for other Deployments meanwhile.
        for (const replica of state.replicas.values()) void this.retire(key, replica, state);
      }
      return;
    }
    if (!state) {
      state = { replicas: new Map(), ready: 0, progressAt: Date.now() };
      this.states.set(key, state);
    }
    const template = deployment.spec.template;
    const hash = templateHash(template);
    const desired = deployment.spec.replicas ?? 1;
    if (
      state.hash !== hash ||
      state.generation !== deployment.metadata.generation ||
      state.desired !== desired
    ) {
      state.progressAt = Date.now();
      state.hash = hash;
      state.generation = deployment.metadata.generation;
      state.desired = desired;
    }

    const container: Container = template.spec.containers?.[0] ?? {};
    const launch = resolveLaunch(container);
    const live = [...state.replicas.values()].filter((r) => !r.deleting);
    const current = live.filter((r) => r.hash === hash);
    const old = live.filter((r) => r.hash !== hash);

    for (let i = current.length; i < desired; i++)
      current.push(this.startReplica(key, deployment, hash, launch, state));
    if (current.length > desired) {
      // Scale down the least useful first: not ready, then the youngest.
      const victims = [...current]
        .sort(
          (a, b) =>
            Number(a.proc.state.ready) - Number(b.proc.state.ready) ||
            (a.proc.state.createdAt < b.proc.state.createdAt ? 1 : -1),
        )
        .slice(0, current.length - desired);
      for (const victim of victims) void this.retire(key, victim, state);
    }
    // Rolling update: old pods keep serving until the new template's pods are all ready; old pods
    // that are not ready serve nothing and go at once.
    const currentReady = current.filter((r) => r.proc.state.ready && !r.deleting).length;
    for (const r of old) {
      if (currentReady >= desired || !r.proc.state.ready) void this.retire(key, r, state);
    }
    await this.writeDeploymentStatus(
      key,
      deployment,
      state,
      hash,
      isNotRunnable(launch) ? launch : undefined,
    );
  }

  private startReplica(
    deploymentKey: string,
    deployment: Deployment,
    hash: string,
    launch: ReturnType<typeof resolveLaunch>,
    state: DeploymentState,
  ): Replica {
    const { namespace } = splitKey(deploymentKey);
    const name = makePodName(deployment.metadata.name!, hash);
    const pod = makePod(deployment, name, hash);
    const container: Container = deployment.spec.template.spec.containers?.[0] ?? {};
    const podGrace =
      (deployment.spec.template.spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
    const grace = Math.min(podGrace, this.opts.maxTerminationGracePeriodSeconds ?? Infinity);
    const podKey = `${namespace}/${name}`;
    const home = podHomePath(this.opts.dataDir, namespace, name);
    const replica: Replica = {
      container,
      hash,
      pod,
      created: false,
      deleting: false,
      proc: new PodProcess({
        namespace,
        name,
        container,
        launch,
        env: (port) =>
          buildEnv(
            container,
            {
              name,
              namespace,
              uid: replica.pod.metadata.uid,
              podIP: POD_IP,
              labels: pod.metadata.labels,
              annotations: pod.metadata.annotations,
              serviceAccountName: deployment.spec.template.spec.serviceAccountName,
            },
            port,
            this.envSources,
            { home, pathPrepend: isNotRunnable(launch) ? [] : launch.pathPrepend },
          ),
        logPath: podLogPath(this.opts.dataDir, namespace, name),
        home,
        sandbox: this.sandbox,
        table: this.table,
        restartBackoffMs: this.opts.restartBackoffMs,
        terminationGracePeriodSeconds: grace,
        onChange: () => this.replicaChanged(deploymentKey, podKey, replica, state),
      }),
    };
    state.replicas.set(name, replica);
    this.replicas.set(podKey, replica);
    this.podQueue.add(podKey);
    replica.proc.start();
    return replica;
  }

  private replicaChanged(
    deploymentKey: string,
    podKey: string,
    replica: Replica,
    state: DeploymentState,
  ): void {
    if (this.stopping) return;
    const ready = [...state.replicas.values()].filter((r) => r.proc.state.ready && !r.deleting).length;
    if (ready > state.ready) state.progressAt = Date.now();
    state.ready = ready;
    this.podQueue.add(podKey);
    this.deploymentQueue.add(deploymentKey);
    this.enqueueEndpointsFor(replica);
  }

  private enqueueEndpointsFor(replica: Replica): void {
    for (const key of this.endpointsFor(replica)) this.endpointsQueue.add(key);
  }

  /** Keys of the Services whose selector matches the replica's pod. */
  private endpointsFor(replica: Replica): string[] {
    const ns = replica.pod.metadata.namespace;
    return [...this.services]
      .filter(
        ([, svc]) =>
          svc.metadata.namespace === ns && selectorMatches(svc.spec.selector, replica.pod.metadata.labels),
      )
      .map(([key]) => key);
  }

  // Stop the process, then delete its Pod; the pod stays listed (not ready) until its process exited.
  private async retire(deploymentKey: string, replica: Replica, state: DeploymentState): Promise<void> {
    if (replica.deleting) return;
    replica.deleting = true;
    const podKey = keyOf(replica.pod);
    // Take the pod out of its Services' Endpoints before signalling it, so routers watching the
    // Endpoints stop sending it requests first (bounded: a slow API must not delay the stop much).
    await withTimeout(
      Promise.all(this.endpointsFor(replica).map((key) => this.endpointsQueue.flush(key))),
      2000,
    ).catch(() => {});
    await replica.proc.stop();
    try {
      if (replica.created) await this.deletePod(replica.pod);
    } catch (err) {
      this.log(`deleting pod ${podKey}: ${(err as Error)?.message ?? String(err)}`);
    }
    state.replicas.delete(replica.pod.metadata.name!);
    this.replicas.delete(podKey);
    this.enqueueEndpointsFor(replica);
    if (!this.stopping) this.deploymentQueue.add(deploymentKey);
  }

  private async deletePod(pod: Pod): Promise<void> {
    try {
      await this.rest.delete(Kinds.pod, pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async syncPod(podKey: string): Promise<void> {
    const replica = this.replicas.get(podKey);
    if (!replica || replica.deleting || this.stopping) return;
    const { namespace, name } = splitKey(podKey);
    if (!replica.created) {
      try {
        replica.pod = await this.rest.create(Kinds.pod, replica.pod);
        replica.created = true;
        this.enqueueEndpointsFor(replica);
      } catch (err) {
        if (!is409(err)) throw err;
        replica.pod = await this.rest.get<Pod>(Kinds.pod, namespace, name);
        replica.created = true;
      }
    }
    const status = makePodStatus(replica.proc.state, replica.container);
    const json = stableJson(status);
    if (json === replica.writtenStatus) return;
    for (let attempt = 0; ; attempt++) {
      try {
        replica.pod = await this.rest.replaceStatus(Kinds.pod, { ...replica.pod, status });
        replica.writtenStatus = json;
        return;
      } catch (err) {
        if (isNotFound(err)) return this.podVanished(podKey, replica);
        if (!is409(err) || attempt >= 5) throw err;
        replica.pod = await this.rest.get<Pod>(Kinds.pod, namespace, name);
      }
    }
  }

  // Someone deleted the Pod (kubectl delete pod, or the Deployment's cascade): its process goes
  // too, and the Deployment reconcile starts a replacement if one is still wanted.
  private podVanished(podKey: string, replica: Replica): void {
    replica.created = false;
    const deploymentKey = `${replica.pod.metadata.namespace}/${replica.pod.metadata.ownerReferences?.[0]?.name ?? ''}`;
    const state = this.states.get(deploymentKey);
    if (state) void this.retire(deploymentKey, replica, state);
    else void replica.proc.stop().then(() => this.replicas.delete(podKey));
  }

  private async writeDeploymentStatus(
    key: string,
    deployment: Deployment,
    state: DeploymentState,
    hash: string,
    notRunnable: { reason: string; message: string } | undefined,
  ): Promise<void> {
    const live = [...state.replicas.values()].filter((r) => !r.deleting);
    const counts: ReplicaCounts = {
      total: live.length,
      updated: live.filter((r) => r.hash === hash).length,
      ready: live.filter((r) => r.proc.state.ready).length,
      updatedReady: live.filter((r) => r.hash === hash && r.proc.state.ready).length,
    };
    const desired = deployment.spec.replicas ?? 1;
    const deadlineMs = (deployment.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;
    const complete = rolloutComplete(desired, counts);
    const elapsed = Date.now() - state.progressAt;
    if (!complete && elapsed < deadlineMs) this.deploymentQueue.addAfter(key, deadlineMs - elapsed + 10);
    const status = makeDeploymentStatus(deployment, {
      counts,
      replicaSetName: `${deployment.metadata.name}-${hash}`,
      notRunnable,
      progressDeadlineExceeded: !complete && elapsed >= deadlineMs,
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    if (sameDeploymentStatus(deployment.status, status)) return;
    const { namespace, name } = splitKey(key);
    let body: Deployment = { ...deployment, status };
    for (let attempt = 0; ; attempt++) {
      try {
        const written = await this.rest.replaceStatus(Kinds.deployment, body);
        // Keep our cache at least as new as what we wrote, so the next pass compares against it.
        const cached = this.deployments.get(key);
        if (!cached || Number(cached.metadata.resourceVersion) <= Number(written.metadata.resourceVersion)) {
          this.deployments.set(key, written);
        }
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!is409(err) || attempt >= 5) throw err;
        const latest = await this.rest.get<Deployment>(Kinds.deployment, namespace, name);
        if (latest.metadata.generation !== deployment.metadata.generation) {
          // The spec moved on; the update event will bring us back with the new template.
          this.deployments.set(key, latest);
          this.deploymentQueue.add(key);
          return;
        }
        body = { ...latest, status: makeDeploymentStatusFor(latest, status) };
      }
    }
  }

  private async syncEndpoints(key: string): Promise<void> {
    if (this.stopping) return;
    const { namespace, name } = splitKey(key);
    const service = this.services.get(key);
    if (!service) {
      if (this.writtenEndpoints.delete(key)) {
        try {
          await this.rest.delete(Kinds.endpoints, namespace, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    if (!service.spec.selector || Object.keys(service.spec.selector).length === 0) return;
    const pods = [...this.replicas.values()]
      .filter(
        (r) =>
          r.created &&
          !r.deleting &&
          r.proc.state.port !== undefined &&
          r.pod.metadata.namespace === namespace &&
          selectorMatches(service.spec.selector, r.pod.metadata.labels),
      )
      .map((r) => ({
        name: r.pod.metadata.name!,
        uid: r.pod.metadata.uid,
        port: r.proc.state.port!,
        ready: r.proc.state.ready,
      }));
    const desired = makeEndpoints(service, pods);
    const json = stableJson({ subsets: desired.subsets, labels: desired.metadata.labels });
    if (this.writtenEndpoints.get(key) === json) return;
    for (let attempt = 0; ; attempt++) {
      let existing: Endpoints | undefined;
      try {
        existing = await this.rest.get<Endpoints>(Kinds.endpoints, namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      // After a restart the stored Endpoints often already say the right thing: leave them be.
      if (
        existing &&
        stableJson({ subsets: existing.subsets ?? [], labels: existing.metadata.labels ?? {} }) === json
      ) {
        this.writtenEndpoints.set(key, json);
        return;
      }
      try {
        if (existing) {
          const body = {
            ...existing,
            metadata: { ...existing.metadata, labels: desired.metadata.labels },
            subsets: desired.subsets,
          };
          await this.rest.replace(Kinds.endpoints, body);
        } else {
          await this.rest.create(Kinds.endpoints, desired);
        }
        this.writtenEndpoints.set(key, json);
        return;
      } catch (err) {
        if ((!is409(err) && !isNotFound(err)) || attempt >= 5) throw err;
      }
    }
  }

  private readonly envSources: EnvSources = {
    configMap: async (namespace, name) => {
      try {
        const cm = await this.rest.get<ConfigMap>(Kinds.configMap, namespace, name);
        return { ...(cm.data ?? {}) };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    secret: async (namespace, name) => {
      try {
        const secret = await this.rest.get<Secret>(Kinds.secret, namespace, name);
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries(secret.data ?? {}))
          data[k] = Buffer.from(v, 'base64').toString('utf8');
        // stringData is write-only on Kubernetes; a store that kept it verbatim still means it.
        for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] ??= v;
        return data;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  };
}

// After a 409 the status we computed still holds (same generation); only carry it onto the newer object.
function makeDeploymentStatusFor(
  latest: Deployment,
  status: NonNullable<Deployment['status']>,
): Deployment['status'] {
  return { ...status, observedGeneration: latest.metadata.generation };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]);
}
