/**
 * The local runtime: a kubelet over the API. It watches apps/v1 Deployments, core Services,
 * ConfigMaps, Secrets and Pods, and is three controllers sharing one node state (node.ts):
 *
 * - the Deployment controller (here): keeps `spec.replicas` pod processes per Deployment (rolling
 *   to a new template once the new pods are ready, freezing and thawing frozen instances) and
 *   writes the Deployment's status through /status with a re-read on 409, plus its ReplicaSets;
 * - the Pod controller (pod-status.ts): each replica's Pod object and its status;
 * - the Endpoints controller (endpoints.ts): one Endpoints per Service with a selector.
 *
 * A failed write is logged and the work item retried with backoff — never dropped. Images that
 * cannot run as a process (see launch.ts) still get their pods, Pending with waiting reason
 * ImageNotRunnable, and the Deployment gets `ReplicaFailure=True ImageNotRunnable`. This class is
 * also what the API server's PodConnector (logs, exec, dial) and the CPU meter reach.
 */
import type { ConfigMap, Container, Deployment, KubeObject, KubeService, Pod } from '../apis/types.js';
import { isNotFound } from '../kube/errors.js';
import { keyOf, splitKey } from '../kube/store.js';
import { Informer } from '../kube/informer.js';
import { Kinds, objectPath, type Kind } from '../kube/kinds.js';
import type { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import type { LogReadOptions } from './container-log.js';
import { CpuMeter, rssBytesByGroup } from './cpu.js';
import { annotatedFrozenRetentionMs, type FrozenState } from './freeze.js';
import { ConfigMaps, Labels, SYSTEM_NAMESPACE } from '../apis/keys.js';
import { parseAutoscalerConfig } from '../apis/config/autoscaler.js';
import { buildEnv, type EnvSources } from './env.js';
import { isNotRunnable, resolveLaunch, type LaunchSpec, type NotRunnable } from './launch.js';
import { makePodName, stableJson, templateHash } from './names.js';
import { PodRunner, podRequirementsUnmet, sandboxIdentity } from './pod.js';
import { preparePodDirs } from './pod-dirs.js';
import { podContainerLogPath, podHomePath, type PodProcess } from './pod-process.js';
import { ProcessTable } from './process-table.js';
import { REVISION_ANNOTATION, syncReplicaSets, type TemplateCounts } from './replicasets.js';
import {
  makeDeploymentStatus,
  makePod,
  POD_IP,
  rolloutComplete,
  sameDeploymentStatus,
  type ReplicaCounts,
} from './resources.js';
import {
  defaultHiddenPaths,
  resolveSandbox,
  sandboxMode,
  type Sandbox,
  type SandboxMode,
} from './sandbox.js';
import { LocalPathProvisioner } from './local-path.js';
import { EndpointsController } from './endpoints.js';
import { is409, withTimeout, writeQueue, type NodeState, type Replica, type Secret } from './node.js';
import { PodStatusController } from './pod-status.js';
import { TokenManager } from './tokens.js';
import { decodeData, PodVolumes, podVolumesPath, type VolumeSources } from './volumes.js';

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

/** CPU and resident memory of one pod's containers, measured now. */
export interface PodUsage {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  containers: { name: string; cpuMillicores: number; memoryBytes: number }[];
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
  /** A pod container's log (see container-log.ts), or why it cannot be read. */
  openLog(req: PodLogRequest): PodLogHandle | { unavailable: string };
  /** Starts a command in a running container's environment (and sandbox), or says why not. */
  exec(req: PodExecRequest): ChildProcess | { unavailable: string };
  /** Connects to a port of a running pod, or says why not. */
  dial(target: PodRef, port: number): Promise<Duplex | { unavailable: string }>;
  /** CPU and resident memory of every running pod (what `metrics.k8s.io` reports). */
  podUsage(): PodUsage[];
  /** The instances kept frozen after scale to zero (freeze.ts). */
  frozenInstances(): FrozenInstance[];
}

/** A frozen instance as the runtime reports it (for metrics). */
export interface FrozenInstance extends FrozenState {
  namespace: string;
  pod: string;
  revision?: string;
  /** The stopped process groups, one per container of the pod. */
  pgids: number[];
}

/** Which pod (the uid guards against a same-named successor). */
export interface PodRef {
  namespace: string;
  pod: string;
  uid?: string;
}

/** A pod log request: which container and the log options. */
export interface PodLogRequest extends PodRef, LogReadOptions {
  container: string;
}

/** A readable container log. */
export interface PodLogHandle {
  pipe(out: Writable, signal: AbortSignal): Promise<void>;
}

/** A command to run in a container. */
export interface PodExecRequest extends PodRef {
  container: string;
  command: string[];
  stdin: boolean;
}

interface DeploymentState {
  replicas: Map<string, Replica>;
  hash?: string;
  generation?: number;
  desired?: number;
  ready: number;
  progressAt: number;
  /** What the ReplicaSets were last brought in line with (skips writes that would change nothing). */
  replicaSetsSynced?: string;
}

const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** What the pods of one template run: each container's launch, or why none of them can run. */
interface PodPlan {
  launches: Map<Container, LaunchSpec | NotRunnable>;
  notRunnable?: { reason: string; message: string };
}

/** How long a pod a connection thawed stays awake at 0 replicas after its last such connection. */
const WOKEN_HOLD_MS = 5000;
/** How long after a thaw the writes reporting it wait (see replicaChanged). */
const THAW_REPORT_DELAY_MS = 20;

/** The runtime; `start()` connects it to the cluster. */
export class Runtime implements LocalRuntime {
  private readonly table: ProcessTable;
  private readonly meter = new CpuMeter();
  private readonly deployments = new Map<string, Deployment>();
  private readonly services = new Map<string, KubeService>();
  private readonly states = new Map<string, DeploymentState>();
  /** Every replica by pod key, including ones being stopped. */
  private readonly replicas = new Map<string, Replica>();
  private readonly node: NodeState;
  private readonly deploymentQueue: WorkQueue;
  private readonly pods: PodStatusController;
  private readonly endpoints: EndpointsController;
  private readonly informers: { stop(): Promise<void> }[] = [];
  private readonly log: (message: string) => void;
  private sandbox?: Sandbox;
  private noSandboxReason = '';
  /** ConfigMaps and Secrets by `namespace/name`, watched for the volumes that show them. */
  private readonly configMaps = new Map<string, ConfigMap>();
  private readonly secrets = new Map<string, Secret>();
  /** PersistentVolumeClaims: the local-path provisioner, whose volumes pods bind. */
  private storage?: LocalPathProvisioner;
  /** The plan of the last template seen per Deployment (launches are resolved once per template). */
  private readonly plans = new Map<string, { hash: string; plan: PodPlan }>();
  /** Tokens of projected serviceAccountToken volumes; a new or due token rewrites the pod's volumes. */
  private readonly tokens = new TokenManager(
    (namespace, name, body) =>
      this.rest.request('POST', objectPath(Kinds.serviceAccount, namespace, name, 'token'), { body }),
    (podUid) => {
      for (const r of this.replicas.values())
        if (r.pod.metadata.uid === podUid && !r.deleting) r.proc.refreshVolumes();
    },
  );

  constructor(
    private readonly rest: RestClient,
    private readonly opts: RuntimeOptions,
  ) {
    this.table = new ProcessTable(opts.dataDir);
    this.log = opts.log ?? ((message) => process.stderr.write(`knlite runtime: ${message}\n`));
    this.node = { replicas: this.replicas, services: this.services, stopping: false, log: this.log };
    this.deploymentQueue = writeQueue(this.node, 'deployments', 'reconciling deployment', (key) =>
      this.reconcileDeployment(key),
    );
    this.endpoints = new EndpointsController(rest, this.node);
    this.pods = new PodStatusController(rest, this.node, this.endpoints, (podKey, replica) =>
      this.podVanished(podKey, replica),
    );
  }

  /** Cleans up after a previous run, then starts watching. */
  async start(): Promise<void> {
    const { killed } = this.table.sweepLeftovers();
    if (killed > 0) this.log(`stopped ${killed} process(es) left over by a previous run`);
    preparePodDirs(this.opts.dataDir);
    const hidden = defaultHiddenPaths(process.env, [this.opts.dataDir, ...(this.opts.hiddenPaths ?? [])]);
    const { sandbox, reason } = resolveSandbox(this.opts.sandbox ?? sandboxMode(), hidden);
    this.sandbox = sandbox;
    this.noSandboxReason = reason;
    this.log(sandbox ? 'pods run in a bubblewrap sandbox' : `pods run without a sandbox: ${reason}`);
    if (this.opts.watchdog ?? true) this.table.startWatchdog();
    await this.pods.deleteStale();

    const watch = <T extends KubeObject>(
      kind:
        | typeof Kinds.kubeService
        | typeof Kinds.pod
        | typeof Kinds.deployment
        | typeof Kinds.configMap
        | typeof Kinds.secret,
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
        this.endpoints.serviceChanged(keyOf(svc));
      },
      (svc) => {
        this.services.delete(keyOf(svc));
        this.endpoints.serviceChanged(keyOf(svc));
      },
    );
    await services.synced;
    // Volumes show ConfigMaps and Secrets as files, updated when they change (like the kubelet's
    // watch-based change detection).
    const sourceChanged = (kind: 'configMap' | 'secret', obj: KubeObject) => {
      for (const replica of this.replicas.values()) {
        if (
          replica.pod.metadata.namespace === obj.metadata?.namespace &&
          replica.volumes?.uses(kind, obj.metadata.name!)
        )
          replica.proc.refreshVolumes();
      }
    };
    const watchSource = <T extends KubeObject>(
      kind: Kind,
      source: 'configMap' | 'secret',
      cache: Map<string, T>,
    ) =>
      watch<T>(
        kind,
        (obj) => {
          cache.set(keyOf(obj), obj);
          sourceChanged(source, obj);
        },
        (obj) => {
          cache.delete(keyOf(obj));
          sourceChanged(source, obj);
        },
      );
    const configMaps = watchSource<ConfigMap>(Kinds.configMap, 'configMap', this.configMaps);
    const secrets = watchSource<Secret>(Kinds.secret, 'secret', this.secrets);
    await Promise.all([configMaps.synced, secrets.synced]);
    this.storage = new LocalPathProvisioner(this.rest, {
      dataDir: this.opts.dataDir,
      log: this.log,
      onClaimChanged: (namespace, claim) => {
        for (const replica of this.replicas.values())
          if (
            replica.pod.metadata.namespace === namespace &&
            replica.volumes?.uses('persistentVolumeClaim', claim)
          )
            replica.proc.retryVolumes();
      },
    });
    await this.storage.start();
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
        if (this.thawOnScaleUp(keyOf(d), d)) this.deploymentQueue.addAfter(keyOf(d), THAW_REPORT_DELAY_MS);
        else this.deploymentQueue.add(keyOf(d));
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
    if (this.node.stopping) return;
    this.node.stopping = true;
    await Promise.all(this.informers.map((i) => i.stop().catch(() => {})));
    await this.storage?.stop().catch(() => {});
    await this.deploymentQueue.shutdown();
    const all = [...this.replicas.values()];
    for (const r of all) clearTimeout(r.frozenTimer);
    await Promise.all(all.map((r) => r.proc.stop()));
    await this.pods.shutdown();
    await this.endpoints.shutdown();
    // The API server may already be going away; stale pods are also removed on the next start.
    await Promise.all(
      all.filter((r) => r.created).map((r) => withTimeout(this.pods.delete(r.pod), 2000).catch(() => {})),
    );
    await this.table.close();
    this.tokens.close();
    for (const state of this.states.values()) state.replicas.clear();
    this.replicas.clear();
  }

  /** The instances kept frozen after scale to zero. */
  frozenInstances(): FrozenInstance[] {
    const out: FrozenInstance[] = [];
    for (const r of this.replicas.values()) {
      const f = r.proc.state.frozen;
      if (!f || r.deleting) continue;
      out.push({
        ...f,
        pgids: r.proc.processes().map((p) => p.pgid),
        namespace: r.pod.metadata.namespace ?? '',
        pod: r.pod.metadata.name ?? '',
        revision: r.pod.metadata.labels?.[Labels.revision],
      });
    }
    return out;
  }

  /** CPU usage per pod (`namespace/pod` → millicores). */
  podCpuMillicores(): Map<string, number> {
    // A pod's CPU is the sum over its containers' process groups.
    const byPod = new Map<string, number>();
    for (const [key, millicores] of this.containerCpu()) {
      const pod = key.slice(0, key.indexOf('\0'));
      byPod.set(pod, (byPod.get(pod) ?? 0) + millicores);
    }
    return byPod;
  }

  /** CPU per running container process group: `namespace/pod\0container` → millicores. */
  private containerCpu(): Map<string, number> {
    const groups = new Map<string, number>();
    for (const [key, replica] of this.replicas) {
      if (replica.deleting) continue;
      for (const p of replica.proc.processes()) groups.set(`${key}\0${p.name}`, p.pgid);
    }
    return this.meter.measure(groups);
  }

  /** A pod container's log, or why it cannot be read (in the kubelet's words). */
  openLog(req: PodLogRequest): PodLogHandle | { unavailable: string } {
    const found = this.findContainer(req, req.container);
    if ('unavailable' in found) return found;
    const { log } = found;
    if (req.previous && !log.hasPrevious)
      return {
        unavailable: `previous terminated container "${req.container}" in pod "${req.pod}" not found`,
      };
    if (!log.hasRun) return { unavailable: waitingMessage(req, found.state.waiting?.reason) };
    return { pipe: (out, signal) => log.read(out, req, signal) };
  }

  /** Starts a command in a running container's environment, or says why not. */
  exec(req: PodExecRequest): ChildProcess | { unavailable: string } {
    const found = this.findContainer(req, req.container);
    if ('unavailable' in found) return found;
    const spec = found.execSpec(req.command);
    if (!spec) return { unavailable: `container ${req.container} is not running` };
    return spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  }

  /**
   * Connects to a port of a running pod (a declared containerPort maps to the process's port). A
   * frozen pod is thawed first, as a socket-activated service wakes on a connection; it then stays
   * awake while such connections are open and WOKEN_HOLD_MS after, even at 0 replicas (a scale-up
   * arriving meanwhile makes it the replica it is; otherwise it is frozen again).
   */
  async dial(target: PodRef, port: number): Promise<Duplex | { unavailable: string }> {
    const replica = this.replicas.get(`${target.namespace}/${target.pod}`);
    if (!replica || replica.deleting || (target.uid && replica.pod.metadata.uid !== target.uid))
      return { unavailable: `pod ${target.pod} is not running on this node` };
    const hostPort = replica.proc.serving?.hostPort(port);
    if (hostPort === undefined) return { unavailable: `pod ${target.pod} is not running` };
    // Being frozen (freeze() waits on the Endpoints before SIGSTOP) counts too: it then stays up.
    if (replica.proc.state.frozen || replica.freezing) {
      replica.woken = { connections: 0, until: 0 };
      this.thaw(replica);
    }
    const woken = replica.woken;
    return new Promise((resolve) => {
      const socket = connect({ host: POD_IP, port: hostPort });
      if (woken) {
        woken.connections++;
        socket.once('close', () => {
          if (--woken.connections > 0 || replica.woken !== woken) return;
          woken.until = Date.now() + WOKEN_HOLD_MS;
          this.deploymentQueue.addAfter(replica.deploymentKey, WOKEN_HOLD_MS);
        });
      }
      socket.once('connect', () => resolve(socket));
      socket.once('error', (err) =>
        resolve({ unavailable: `error forwarding port ${port} to pod ${target.pod}: ${err.message}` }),
      );
    });
  }

  private findContainer(ref: PodRef, container: string): PodProcess | { unavailable: string } {
    const replica = this.replicas.get(`${ref.namespace}/${ref.pod}`);
    if (!replica || (ref.uid && replica.pod.metadata.uid !== ref.uid))
      return { unavailable: `pod ${ref.pod} is not running on this node` };
    return (
      replica.proc.container(container) ?? {
        unavailable: `container ${container} is not valid for pod ${ref.pod}`,
      }
    );
  }

  /** CPU and resident memory of every running pod, per container. */
  podUsage(): PodUsage[] {
    const cpu = this.containerCpu();
    const rss = rssBytesByGroup();
    const out: PodUsage[] = [];
    for (const [key, replica] of this.replicas) {
      const processes = replica.proc.processes();
      if (replica.deleting || processes.length === 0) continue;
      out.push({
        namespace: replica.pod.metadata.namespace!,
        name: replica.pod.metadata.name!,
        labels: replica.pod.metadata.labels,
        containers: processes.map((p) => ({
          name: p.name,
          cpuMillicores: cpu.get(`${key}\0${p.name}`) ?? 0,
          memoryBytes: rss.get(p.pgid) ?? 0,
        })),
      });
    }
    return out;
  }

  private async reconcileDeployment(key: string): Promise<void> {
    const deployment = this.deployments.get(key);
    let state = this.states.get(key);
    if (!deployment || deployment.metadata.deletionTimestamp) {
      this.plans.delete(key);
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

    const plan = this.planFor(key, hash, deployment);
    const live = [...state.replicas.values()].filter((r) => !r.deleting);
    // Frozen instances are not replicas: they come back only when replicas go 0 → 1 (thaw).
    const frozen = live.filter((r) => isFrozen(r));
    const active = live.filter((r) => !isFrozen(r));
    const current = active.filter((r) => r.hash === hash);
    const old = active.filter((r) => r.hash !== hash);
    for (const r of frozen) if (r.hash !== hash) void this.retire(key, r, state);
    const thawable = frozen.filter((r) => r.hash === hash);

    // A pod a connection woke at 0 replicas is held awake for it (dial); counted, it is a replica.
    const held = desired === 0 ? current.filter((r) => isHeldAwake(r)) : [];
    if (desired > 0) for (const r of current) r.woken = undefined;
    for (const r of held) {
      current.splice(current.indexOf(r), 1);
      // Looked at again when its hold ends (a close while connections remain re-arms it in dial).
      if (r.woken!.connections === 0) this.deploymentQueue.addAfter(key, r.woken!.until - Date.now() + 1);
    }
    for (let i = current.length; i < desired; i++) {
      const asleep = thawable.shift();
      if (asleep) {
        this.thaw(asleep);
        current.push(asleep);
      } else current.push(this.startReplica(key, deployment, hash, plan, state));
    }
    if (current.length > desired) {
      // Scale down the least useful first: not ready, then the youngest.
      const victims = [...current]
        .sort(
          (a, b) =>
            Number(a.proc.state.ready) - Number(b.proc.state.ready) ||
            (a.proc.state.createdAt < b.proc.state.createdAt ? 1 : -1),
        )
        .slice(0, current.length - desired);
      // Scale to zero with a frozen retention keeps the last ready instance frozen instead.
      const retention = desired === 0 && thawable.length === 0 ? await this.frozenRetention(deployment) : 0;
      const keep = retention > 0 ? victims.filter((v) => v.proc.state.ready).pop() : undefined;
      for (const victim of victims) {
        if (victim === keep) void this.freeze(key, victim, retention, state);
        else void this.retire(key, victim, state);
      }
    }
    // Rolling update: old pods keep serving until the new template's pods are all ready; old pods
    // that are not ready serve nothing and go at once.
    const currentReady = current.filter((r) => r.proc.state.ready && !r.deleting).length;
    for (const r of old) {
      if (currentReady >= desired || !r.proc.state.ready) void this.retire(key, r, state);
    }
    await this.writeDeploymentStatus(key, deployment, state, hash, plan.notRunnable);
    await this.syncReplicaSets(deployment, state, hash);
  }

  // Launches are resolved (and requirements checked) once per template, not per pod.
  private planFor(key: string, hash: string, deployment: Deployment): PodPlan {
    const cached = this.plans.get(key);
    if (cached?.hash === hash) return cached.plan;
    const spec = deployment.spec.template.spec;
    const containers = [...initContainersOf(spec), ...(spec.containers ?? [])];
    const launches = new Map(containers.map((c) => [c, resolveLaunch(c)] as const));
    const unrunnable = [...launches.values()].find(isNotRunnable);
    const notRunnable =
      unrunnable ??
      podRequirementsUnmet(
        {
          containers,
          volumes: spec.volumes ?? [],
          podSecurityContext: spec.securityContext as Record<string, unknown> | undefined,
        },
        this.sandbox,
        this.noSandboxReason,
      );
    const plan = { launches, notRunnable };
    this.plans.set(key, { hash, plan });
    return plan;
  }

  /** ReplicaSet bookkeeping (for `kubectl rollout history/undo`); the pods stay the runtime's own. */
  private async syncReplicaSets(deployment: Deployment, state: DeploymentState, hash: string): Promise<void> {
    const counts = new Map<string, TemplateCounts>();
    for (const r of state.replicas.values()) {
      if (r.deleting) continue;
      const c = counts.get(r.hash) ?? { replicas: 0, ready: 0 };
      c.replicas++;
      if (r.proc.state.ready) c.ready++;
      counts.set(r.hash, c);
    }
    const current = counts.get(hash) ?? { replicas: 0, ready: 0 };
    counts.delete(hash);
    const signature = stableJson([
      deployment.metadata.uid,
      deployment.metadata.generation,
      // The revision annotation is ours: writing it must not bring us back here.
      { ...deployment.metadata.annotations, [REVISION_ANNOTATION]: undefined },
      hash,
      current,
      [...counts],
    ]);
    if (state.replicaSetsSynced === signature) return;
    await syncReplicaSets(this.rest, deployment, hash, current, counts);
    state.replicaSetsSynced = signature;
  }

  private startReplica(
    deploymentKey: string,
    deployment: Deployment,
    hash: string,
    plan: PodPlan,
    state: DeploymentState,
  ): Replica {
    const namespace = splitKey(deploymentKey).namespace ?? '';
    const name = makePodName(deployment.metadata.name!, hash);
    const pod = makePod(deployment, name, hash);
    const spec = deployment.spec.template.spec;
    const containers: Container[] = spec.containers?.length ? spec.containers : [{}];
    const initContainers = initContainersOf(spec);
    // Knative's rule: the container with a port serves; with one container, that one.
    const serving = Math.max(
      0,
      containers.findIndex((c) => (c.ports?.length ?? 0) > 0),
    );
    const podSecurityContext = spec.securityContext as Record<string, unknown> | undefined;
    const podGrace = (spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
    const grace = Math.min(podGrace, this.opts.maxTerminationGracePeriodSeconds ?? Infinity);
    const podKey = `${namespace}/${name}`;
    const home = podHomePath(this.opts.dataDir, namespace, name);
    const facts = () => ({
      name,
      namespace,
      uid: replica.pod.metadata.uid,
      podIP: POD_IP,
      labels: pod.metadata.labels,
      annotations: pod.metadata.annotations,
      serviceAccountName: spec.serviceAccountName,
    });
    const volumes =
      (spec.volumes ?? []).length > 0 && !plan.notRunnable
        ? new PodVolumes({
            dir: podVolumesPath(this.opts.dataDir, namespace, name),
            pod: facts,
            volumes: spec.volumes ?? [],
            containers: [...initContainers, ...containers],
            sources: this.volumeSources,
          })
        : undefined;
    const launchOf = (c: Container) => plan.launches.get(c) ?? resolveLaunch(c);
    const replica: Replica = {
      deploymentKey,
      hash,
      pod,
      created: false,
      deleting: false,
      volumes,
      proc: new PodRunner({
        namespace,
        name,
        initContainers,
        containers,
        serving,
        launch: launchOf,
        notRunnable: plan.notRunnable,
        env: (container, port, launch) =>
          buildEnv(container, facts(), port, this.envSources, {
            home,
            pathPrepend: isNotRunnable(launch) ? [] : launch.pathPrepend,
            apiServer: this.apiServerAddress(),
          }),
        identity: (container) => sandboxIdentity(container, podSecurityContext),
        logPath: (container, isServing) =>
          podContainerLogPath(this.opts.dataDir, namespace, name, isServing ? undefined : container.name),
        home,
        volumes,
        sandbox: this.sandbox,
        table: this.table,
        restartBackoffMs: this.opts.restartBackoffMs,
        terminationGracePeriodSeconds: grace,
        onChange: () => this.replicaChanged(deploymentKey, podKey, replica, state),
      }),
    };
    state.replicas.set(name, replica);
    this.replicas.set(podKey, replica);
    this.pods.enqueue(podKey);
    replica.proc.start();
    return replica;
  }

  private replicaChanged(
    deploymentKey: string,
    podKey: string,
    replica: Replica,
    state: DeploymentState,
  ): void {
    if (this.node.stopping) return;
    const ready = [...state.replicas.values()].filter((r) => r.proc.state.ready && !r.deleting).length;
    if (ready > state.ready) state.progressAt = Date.now();
    state.ready = ready;
    // Right after a thaw the writes that report it wait a moment: requests are already waiting in
    // the instance's backlog, and its answers should not queue behind those writes (and the API
    // server's commits) on this event loop. Nothing waits for the report to route to it.
    const wait = replica.thawedAt === undefined ? 0 : replica.thawedAt + THAW_REPORT_DELAY_MS - Date.now();
    this.pods.enqueue(podKey, wait);
    this.deploymentQueue.addAfter(deploymentKey, wait);
    this.endpoints.enqueueFor(replica, wait);
  }

  /** config-autoscaler's `frozen-retention` unless the revision's annotation says otherwise. */
  private async frozenRetention(deployment: Deployment): Promise<number> {
    const annotated = annotatedFrozenRetentionMs(deployment);
    if (annotated !== undefined) return annotated;
    try {
      const cm = await this.rest.get<ConfigMap>(Kinds.configMap, SYSTEM_NAMESPACE, ConfigMaps.autoscaler);
      return parseAutoscalerConfig(cm).frozenRetention;
    } catch {
      return 0; // missing or invalid config: Knative's behaviour, no frozen instances
    }
  }

  // Freeze instead of stopping: out of the Endpoints first (as retire does), so no request is sent
  // to a process that cannot answer; then SIGSTOP, and a timer that stops it for good.
  private async freeze(
    deploymentKey: string,
    replica: Replica,
    retentionMs: number,
    state: DeploymentState,
  ): Promise<void> {
    replica.freezing = true;
    await this.endpoints.flushFor(replica);
    replica.freezing = false;
    // Every container of the pod is frozen: the memory held is that of all their process groups.
    const processes = replica.proc.processes();
    const rss = rssBytesByGroup();
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const now = Date.now();
    const frozen =
      !replica.deleting &&
      !isHeldAwake(replica) &&
      (this.deployments.get(deploymentKey)?.spec.replicas ?? 0) === 0 &&
      processes.length > 0 &&
      replica.proc.freeze({
        since: stamp(now),
        until: stamp(now + retentionMs),
        rssBytes: processes.reduce((sum, p) => sum + (rss.get(p.pgid) ?? 0), 0),
      });
    if (!frozen) {
      // Scaled back up meanwhile, or no process to freeze: serve again, reconcile from what is.
      this.endpoints.enqueueFor(replica);
      this.deploymentQueue.add(deploymentKey);
      return;
    }
    replica.frozenTimer = setTimeout(() => {
      replica.frozenTimer = undefined;
      void this.retire(deploymentKey, replica, state);
    }, retentionMs);
    replica.frozenTimer.unref?.();
    this.deploymentQueue.add(deploymentKey);
  }

  // A scale from zero thaws a frozen instance on the Deployment event itself rather than after the
  // reconcile queue (whose worker may be busy with this Deployment's last status write): a request
  // may already be waiting in that instance's socket backlog. The reconcile that follows counts it
  // as the running replica it now is.
  private thawOnScaleUp(key: string, deployment: Deployment): boolean {
    const state = this.states.get(key);
    const desired = deployment.spec.replicas ?? 1;
    if (!state || desired < 1 || deployment.metadata.deletionTimestamp) return false;
    const frozen = [...state.replicas.values()].filter((r) => !r.deleting && r.proc.state.frozen);
    if (frozen.length === 0) return false;
    const hash = templateHash(deployment.spec.template);
    const running = [...state.replicas.values()].filter(
      (r) => !r.deleting && !isFrozen(r) && r.hash === hash,
    ).length;
    const asleep = frozen.find((r) => r.hash === hash);
    if (!asleep || running >= desired) return false;
    this.thaw(asleep);
    return true;
  }

  private thaw(replica: Replica): void {
    clearTimeout(replica.frozenTimer);
    replica.frozenTimer = undefined;
    replica.thawedAt = Date.now();
    replica.proc.thaw();
  }

  // Stop the process, then delete its Pod; the pod stays listed (not ready) until its process exited.
  private async retire(deploymentKey: string, replica: Replica, state: DeploymentState): Promise<void> {
    if (replica.deleting) return;
    replica.deleting = true;
    clearTimeout(replica.frozenTimer);
    replica.frozenTimer = undefined;
    const podKey = keyOf(replica.pod);
    // Take the pod out of its Services' Endpoints before signalling it, so routers watching the
    // Endpoints stop sending it requests first (bounded: a slow API must not delay the stop much).
    await this.endpoints.flushFor(replica);
    await replica.proc.stop();
    try {
      if (replica.created) await this.pods.delete(replica.pod);
    } catch (err) {
      this.log(`deleting pod ${podKey}: ${(err as Error)?.message ?? String(err)}`);
    }
    state.replicas.delete(replica.pod.metadata.name!);
    this.replicas.delete(podKey);
    if (replica.pod.metadata.uid) this.tokens.forget(replica.pod.metadata.uid);
    this.endpoints.enqueueFor(replica);
    if (!this.node.stopping) this.deploymentQueue.add(deploymentKey);
  }

  // Someone deleted the Pod (kubectl delete pod, or the Deployment's cascade): its process goes
  // too, and the Deployment reconcile starts a replacement if one is still wanted.
  private podVanished(podKey: string, replica: Replica): void {
    replica.created = false;
    const state = this.states.get(replica.deploymentKey);
    if (state) void this.retire(replica.deploymentKey, replica, state);
    else void replica.proc.stop().then(() => this.replicas.delete(podKey));
  }

  private async writeDeploymentStatus(
    key: string,
    deployment: Deployment,
    state: DeploymentState,
    hash: string,
    notRunnable: { reason: string; message: string } | undefined,
  ): Promise<void> {
    // A frozen instance is not a replica: the Deployment reports 0 while it is held.
    const live = [...state.replicas.values()].filter((r) => !r.deleting && !isFrozen(r));
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

  private readonly volumeSources: VolumeSources = {
    configMap: (namespace, name) => {
      const cm = this.configMaps.get(`${namespace}/${name}`);
      return cm ? decodeData(cm.data, cm.binaryData) : undefined;
    },
    secret: (namespace, name) => {
      const secret = this.secrets.get(`${namespace}/${name}`);
      if (!secret) return undefined;
      const data = decodeData(undefined, secret.data);
      // stringData is write-only on Kubernetes; a store that kept it verbatim still means it.
      for (const [k, v] of Object.entries(secret.stringData ?? {})) data[k] ??= Buffer.from(v, 'utf8');
      return data;
    },
    claim: (namespace, name) =>
      this.storage?.claimVolume(namespace, name) ?? { unschedulable: 'the local runtime is starting' },
    serviceAccountToken: (pod, source) => this.tokens.token(pod, source),
  };

  // The API server as pods reach it: the address this runtime uses (pods share the host's network).
  private apiServerAddress(): { host: string; port: string } | undefined {
    try {
      const u = new URL(this.rest.server);
      if (u.protocol !== 'https:') return undefined;
      return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port || '443' };
    } catch {
      return undefined;
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

function initContainersOf(spec: Deployment['spec']['template']['spec']): Container[] {
  return Array.isArray(spec.initContainers) ? (spec.initContainers as Container[]) : [];
}

// After a 409 the status we computed still holds (same generation); only carry it onto the newer object.
function makeDeploymentStatusFor(
  latest: Deployment,
  status: NonNullable<Deployment['status']>,
): Deployment['status'] {
  return { ...status, observedGeneration: latest.metadata.generation };
}

function isHeldAwake(r: Replica): boolean {
  return r.woken !== undefined && (r.woken.connections > 0 || r.woken.until > Date.now());
}

function isFrozen(r: Replica): boolean {
  return r.proc.state.frozen !== undefined || r.freezing === true;
}

function waitingMessage(req: PodLogRequest, reason: string | undefined): string {
  return `container "${req.container}" in pod "${req.pod}" is waiting to start: ${reason ?? 'ContainerCreating'}`;
}
