/**
 * One pod: its volumes, then its init containers one after the other (each must exit 0 before the
 * next starts; a failing one is restarted with the crash backoff and the pod stays Pending), then
 * every container at once — each a PodProcess, all on 127.0.0.1, so sidecars reach each other and
 * the serving container on localhost like in a Kubernetes pod. Only the serving container (the one
 * with a port, Knative's rule) gets a port, PORT and the default readiness probe; the pod is ready
 * when every container is.
 *
 * The pod's HOME is shared by its containers and removed when the pod stopped; so are its volumes.
 */
import { rmSync } from 'node:fs';
import type { Container, Pod } from '../apis/types.js';
import type { FrozenState } from './freeze.js';
import type { LaunchSpec, NotRunnable } from './launch.js';
import { isNotRunnable } from './launch.js';
import { PodProcess, type PodProcessOptions } from './pod-process.js';
import { type ProcessTable } from './process-table.js';
import { makePodStatusFor, type ContainerSnapshot } from './resources.js';
import type { Sandbox } from './sandbox.js';
import { UNSCHEDULABLE, VolumeError, type PodVolumes } from './volumes.js';

/** Everything a PodRunner needs. */
export interface PodRunnerOptions {
  namespace: string;
  name: string;
  initContainers: Container[];
  containers: Container[];
  /** Index in `containers` of the one that serves traffic. */
  serving: number;
  /** What each container runs (resolved once per template). */
  launch(container: Container): LaunchSpec | NotRunnable;
  /** Why the whole pod cannot run (e.g. volumes without a sandbox); its containers wait with it. */
  notRunnable?: NotRunnable | { reason: string; message: string };
  /** The environment of one container's process (`port` only for the serving container). */
  env(
    container: Container,
    port: number | undefined,
    launch: LaunchSpec | NotRunnable,
  ): Promise<Record<string, string>>;
  /** Log file of a container. */
  logPath(container: Container, serving: boolean): string;
  home: string;
  /** The user and group a container runs as in the sandbox (securityContext). */
  identity?(container: Container): { uid?: number; gid?: number };
  volumes?: PodVolumes;
  sandbox?: Sandbox;
  table?: ProcessTable;
  restartBackoffMs?: number;
  terminationGracePeriodSeconds?: number;
  onChange?(): void;
}

/** The pod-level facts the runtime routes and counts by. */
export interface PodState {
  ready: boolean;
  terminating: boolean;
  createdAt: string;
  /** The serving container's port, once it ran. */
  port?: number;
  /** Set while every container's process group is stopped as a frozen instance (freeze.ts). */
  frozen?: FrozenState;
}

const VOLUME_RETRY_MS = { base: 500, max: 30_000 };

/** Supervises every container of one pod. */
export class PodRunner {
  private readonly init: PodProcess[];
  private readonly main: PodProcess[];
  private started = 0; // init containers started so far (all of them once main runs)
  private mainStarted = false;
  private stopping?: Promise<void>;
  private waiting?: { reason: string; message?: string };
  private timer?: NodeJS.Timeout;
  private volumeFailures = 0;
  private unschedulable?: string;
  private readonly createdAt: string;
  private frozen?: FrozenState;

  constructor(private readonly opts: PodRunnerOptions) {
    this.createdAt = now();
    const proc = (c: Container, extra: Partial<PodProcessOptions>) =>
      new PodProcess({
        namespace: opts.namespace,
        name: opts.name,
        container: c,
        launch: opts.launch(c),
        env: (port) => opts.env(c, port, opts.launch(c)),
        logPath: opts.logPath(c, extra.serving ?? false),
        home: opts.home,
        removeHome: false,
        sandbox: opts.sandbox,
        table: opts.table,
        restartBackoffMs: opts.restartBackoffMs,
        terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds,
        identity: opts.identity?.(c),
        onChange: () => this.changed(),
        ...extra,
      });
    this.init = opts.initContainers.map((c) => proc(c, { serving: false, runToCompletion: true }));
    this.main = opts.containers.map((c, i) =>
      proc(c, {
        serving: i === opts.serving,
        preferredPort: i === opts.serving ? c.ports?.[0]?.containerPort : undefined,
      }),
    );
  }

  /** The process of one container (init or regular) by name. */
  container(name: string): PodProcess | undefined {
    return [...this.main, ...this.init].find((p) => p.containerName === name);
  }

  /** The serving container's process. */
  get serving(): PodProcess | undefined {
    return this.main[this.opts.serving];
  }

  /** `namespace/name` of the pod. */
  get key(): string {
    return `${this.opts.namespace}/${this.opts.name}`;
  }

  /** The running regular containers' names and process groups (for metrics). */
  processes(): { name: string; pgid: number }[] {
    return this.main.flatMap((p) => (p.pgid === undefined ? [] : [{ name: p.containerName, pgid: p.pgid }]));
  }

  /** The process group ids of the running containers (for CPU metering). */
  get pgids(): number[] {
    return [...this.init, ...this.main].map((p) => p.pgid).filter((p): p is number => p !== undefined);
  }

  /** Pod-level state: ready when initialised and every container is ready. */
  get state(): PodState {
    const serving = this.main[this.opts.serving];
    return {
      ready:
        !this.stopping &&
        !this.frozen &&
        this.mainStarted &&
        this.main.every((p) => p.state.ready && !p.state.terminating),
      terminating: !!this.stopping,
      createdAt: this.createdAt,
      port: serving?.state.port,
      frozen: this.frozen,
    };
  }

  /** The Pod status to report. */
  status(): Pod['status'] {
    const snap = (proc: PodProcess, c: Container, started: boolean): ContainerSnapshot => ({
      name: c.name,
      image: c.image,
      state: proc.state,
      started,
      waiting: this.waiting,
    });
    const readySince = this.main
      .map((p) => p.state.readySince)
      .filter((t): t is string => !!t)
      .sort()
      .pop();
    return makePodStatusFor({
      createdAt: this.createdAt,
      terminating: !!this.stopping,
      readySince,
      initContainers: this.init.map((p, i) => snap(p, this.opts.initContainers[i]!, i < this.started)),
      containers: this.main.map((p, i) => snap(p, this.opts.containers[i]!, this.mainStarted)),
      frozen: this.frozen,
      unschedulable: this.unschedulable,
    });
  }

  /**
   * Keeps the pod as a frozen instance: every container's process group stopped (SIGSTOP), so the
   * pod is not ready while its memory stays. False (and nothing frozen) when the pod is not fully
   * running: not started yet, stopping, or a container without a process (crash backoff).
   */
  freeze(info: FrozenState): boolean {
    if (this.stopping || this.frozen || !this.mainStarted) return false;
    this.frozen = info;
    const done: PodProcess[] = [];
    for (const p of this.main) {
      if (!p.freeze(info)) {
        this.frozen = undefined;
        for (const f of done) f.thaw();
        this.changed();
        return false;
      }
      done.push(p);
    }
    this.changed();
    return true;
  }

  /** Thaws a frozen pod: SIGCONT to every container's group; each is ready again, its probes resume. */
  thaw(): void {
    if (!this.frozen) return;
    this.frozen = undefined;
    for (const p of this.main) p.thaw();
    this.changed();
  }

  /** Sets up the volumes and starts the first init container (or the containers). */
  start(): void {
    const blocked = this.opts.notRunnable ?? this.firstNotRunnable();
    if (blocked) {
      this.waiting = { reason: blocked.reason, message: blocked.message };
      // Containers report it as their own waiting state, like a pod that cannot be created.
      this.mainStarted = false;
      this.changed();
      return;
    }
    this.waiting = { reason: 'ContainerCreating' };
    this.changed();
    this.next();
  }

  /** Tries the volumes again now (a claim they wait for changed). */
  retryVolumes(): void {
    if (this.stopping || this.volumesReady || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.next();
  }

  /** Rewrites ConfigMap/Secret volumes after their sources changed. */
  refreshVolumes(): void {
    if (!this.stopping) this.opts.volumes?.refresh();
  }

  /** Stops every container (in parallel) and removes the pod's HOME and volumes. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.timer) clearTimeout(this.timer);
    // Each container's process is let run again (SIGCONT) before its SIGTERM.
    this.frozen = undefined;
    this.stopping = Promise.all([...this.init, ...this.main].map((p) => p.stop())).then(() => {
      rmSync(this.opts.home, { recursive: true, force: true });
      this.opts.volumes?.remove();
    });
    this.changed();
    return this.stopping;
  }

  private firstNotRunnable(): NotRunnable | undefined {
    for (const c of [...this.opts.initContainers, ...this.opts.containers]) {
      const launch = this.opts.launch(c);
      if (isNotRunnable(launch)) return launch;
    }
    return undefined;
  }

  // Advances the pod: volumes, then the next init container, then the containers.
  private next(): void {
    if (this.stopping) return;
    if (this.started === 0 && !this.mainStarted && !this.setUpVolumes()) return;
    if (this.started > 0 && !this.init[this.started - 1]!.state.completed) return;
    if (this.started < this.init.length) {
      const proc = this.init[this.started++]!;
      this.waiting = undefined;
      if (this.withMounts(proc, this.opts.initContainers[this.started - 1]!)) proc.start();
      this.changed();
      return;
    }
    if (this.mainStarted) return;
    this.mainStarted = true;
    this.waiting = undefined;
    this.main.forEach((proc, i) => this.withMounts(proc, this.opts.containers[i]!) && proc.start());
    this.changed();
  }

  private volumesReady = false;

  private setUpVolumes(): boolean {
    if (this.volumesReady || !this.opts.volumes?.any) return (this.volumesReady = true);
    try {
      this.opts.volumes.setUp();
      this.volumesReady = true;
      this.unschedulable = undefined;
      return true;
    } catch (err) {
      this.unschedulable =
        err instanceof VolumeError && err.reason === UNSCHEDULABLE ? err.message : undefined;
      this.waiting = {
        reason: err instanceof VolumeError ? err.reason : 'ContainerCreating',
        message: (err as Error).message,
      };
      const delay = Math.min(VOLUME_RETRY_MS.max, VOLUME_RETRY_MS.base * 2 ** this.volumeFailures++);
      this.timer = setTimeout(() => this.next(), delay);
      this.changed();
      return false;
    }
  }

  // Hands the container its mounts; a mount that cannot be prepared (a missing subPath) leaves it waiting.
  private withMounts(proc: PodProcess, container: Container): boolean {
    if (!this.opts.volumes || !(container.volumeMounts ?? []).length) return true;
    try {
      proc.setMounts(this.opts.volumes.mountsFor(container));
      return true;
    } catch (err) {
      proc.block({
        reason: (err as VolumeError).reason ?? 'CreateContainerConfigError',
        message: (err as Error).message,
      });
      return false;
    }
  }

  private changed(): void {
    // An init container that just completed lets the next one (or the containers) start.
    if (
      !this.stopping &&
      this.started > 0 &&
      !this.mainStarted &&
      this.init[this.started - 1]!.state.completed
    ) {
      queueMicrotask(() => this.next());
    }
    try {
      this.opts.onChange?.();
    } catch {}
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What a pod template needs from the machine, checked once per template. */
export interface PodRequirements {
  /** Containers (init containers first) of the template. */
  containers: Container[];
  volumes: unknown[];
  podSecurityContext?: Record<string, unknown>;
}

/**
 * Why pods of this template cannot run here, or undefined: volumes and a container's
 * `runAsUser`/`runAsGroup`/`readOnlyRootFilesystem` need the bubblewrap sandbox (without one the
 * pod would run with files missing or as the wrong user — never accepted and ignored), and
 * `runAsNonRoot` refuses to run as uid 0, as the kubelet does.
 */
export function podRequirementsUnmet(
  req: PodRequirements,
  sandbox: Sandbox | undefined,
  noSandboxReason: string,
  uid: number = process.getuid?.() ?? 1000,
): { reason: string; message: string } | undefined {
  const reason = 'CreateContainerConfigError';
  const install = `install bubblewrap (the bwrap command) so pods run in a sandbox (now: ${noSandboxReason})`;
  const mounts = req.containers.some((c) => (c.volumeMounts ?? []).length > 0);
  if (!sandbox && (req.volumes.length > 0 || mounts)) {
    return {
      reason,
      message: `volumes are mounted at their mount paths only inside the sandbox: ${install}`,
    };
  }
  for (const c of req.containers) {
    const sc = { ...(req.podSecurityContext ?? {}), ...(c.securityContext ?? {}) };
    const needs = (['runAsUser', 'runAsGroup'] as const).filter((k) => sc[k] !== undefined);
    if (c.securityContext?.readOnlyRootFilesystem === true) needs.push('readOnlyRootFilesystem' as never);
    if (!sandbox && needs.length > 0) {
      return {
        reason,
        message: `container "${c.name ?? ''}" sets securityContext.${needs.join(', ')}, which only the sandbox can honour: ${install}`,
      };
    }
    const runAs = typeof sc.runAsUser === 'number' ? sc.runAsUser : uid;
    if (sc.runAsNonRoot === true && runAs === 0) {
      return {
        reason,
        message: `container has runAsNonRoot and image will run as root (container: ${c.name ?? ''}): set securityContext.runAsUser, or run the local cluster as a non-root user`,
      };
    }
  }
  return undefined;
}

/** The user and group a container's process runs as inside the sandbox (undefined: unchanged). */
export function sandboxIdentity(
  container: Container,
  podSecurityContext: Record<string, unknown> | undefined,
): { uid?: number; gid?: number } {
  const sc = { ...(podSecurityContext ?? {}), ...(container.securityContext ?? {}) };
  return {
    uid: typeof sc.runAsUser === 'number' ? sc.runAsUser : undefined,
    gid: typeof sc.runAsGroup === 'number' ? sc.runAsGroup : undefined,
  };
}
