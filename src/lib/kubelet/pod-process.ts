/**
 * The supervisor of one pod: runs its container's process on a loopback port, probes it, restarts it
 * after crashes with exponential backoff (CrashLoopBackOff), keeps its output in the pod's log file
 * and stops it with SIGTERM, then SIGKILL after the grace period. It knows nothing about the API
 * server: it exposes a snapshot (`state`) and calls `onChange` whenever that snapshot changes.
 *
 * Each pod has its own HOME (created 0700 before the first run, kept across restarts, removed when
 * the pod stops — like an emptyDir), which is also the working directory of a command without
 * workingDir or image directory. With a sandbox (sandbox.ts) the process and its exec probes run
 * inside bubblewrap.
 *
 * Kubernetes parity and deliberate differences:
 * - restart backoff doubles from `restartBackoffMs` (default 1 s, where the kubelet uses 10 s — local
 *   development wants a fixed typo to come back quickly) up to 5 minutes, and resets after a run of
 *   at least a minute;
 * - lastState.terminated.message is the tail of the run's output (2 KiB / 80 lines), which is what
 *   `terminationMessagePolicy: FallbackToLogsOnError` yields, and is set only for failed runs;
 * - until the first successful readiness probe, probes run every 10 ms (a cold start is reported
 *   as soon as the app listens, as Knative's activator probes a new pod every few milliseconds; a
 *   refused TCP connect on loopback costs microseconds), exec probes every 100 ms (each spawns a
 *   process); afterwards they honour `periodSeconds` (default 10 s, 1 s when 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Container, ContainerStateTerminated, Probe } from '../apis/types.js';
import { ensurePrivateDir } from '../local/paths.js';
import { ContainerLog } from './container-log.js';
import { EnvConfigError, expandRefs } from './env.js';
import { isNotRunnable, localImageDir, resolveLaunch, type LaunchSpec, type NotRunnable } from './launch.js';
import { freePort, releasePort } from './ports.js';
import { DEFAULT_PROBE, resolvePort, runProbe } from './probe.js';
import type { FrozenState } from './freeze.js';
import { signalGroup, type ProcessTable } from './process-table.js';
import { appDirectories, sandboxArgv, terminateGroup, type Sandbox, type SandboxMount } from './sandbox.js';

/** Where a pod's stdout/stderr are kept (CRI log format, see container-log.ts): `<dataDir>/logs/<namespace>/<pod>.log`. */
export function podLogPath(dataDir: string, namespace: string, pod: string): string {
  return join(dataDir, 'logs', namespace, `${pod}.log`);
}

/**
 * Where one container's output is kept: the pod's log (podLogPath) for the serving container,
 * `<dataDir>/logs/<namespace>/<pod>_<container>.log` for the others (sidecars, init containers).
 */
export function podContainerLogPath(
  dataDir: string,
  namespace: string,
  pod: string,
  container?: string,
): string {
  return container
    ? join(dataDir, 'logs', namespace, `${pod}_${container}.log`)
    : podLogPath(dataDir, namespace, pod);
}

/** A pod's own HOME directory: `<dataDir>/homes/<namespace>/<pod>`. */
export function podHomePath(dataDir: string, namespace: string, pod: string): string {
  return join(dataDir, 'homes', namespace, pod);
}

/** Everything a PodProcess needs to run one pod. */
export interface PodProcessOptions {
  namespace: string;
  name: string;
  container: Container;
  launch: LaunchSpec | NotRunnable;
  /**
   * Builds the process environment for a given port, undefined for a container that serves no
   * traffic (may throw EnvConfigError).
   */
  env(port: number | undefined): Promise<Record<string, string>>;
  logPath: string;
  /** The pod's HOME (see podHomePath): created before the first run, removed once the pod stopped. */
  home: string;
  /** Remove `home` once stopped. Default true; a multi-container pod's runner removes it itself. */
  removeHome?: boolean;
  /**
   * Whether this container receives the pod's traffic: it gets a port (`PORT`, the default TCP
   * readiness probe, the Endpoints). Default true; sidecars and init containers get none.
   */
  serving?: boolean;
  /** The port to give the process when it is free (its containerPort); else any free port. */
  preferredPort?: number;
  /** An init container: runs once; exit 0 completes it, a failure restarts it after the backoff. */
  runToCompletion?: boolean;
  /** Run the process and its exec probes inside this bubblewrap sandbox. */
  sandbox?: Sandbox;
  /** Volumes bound into the sandbox at their mount paths. */
  mounts?: SandboxMount[];
  /** The user and group ids inside the sandbox (securityContext.runAsUser / runAsGroup). */
  identity?: { uid?: number; gid?: number };
  table?: ProcessTable;
  /** Base restart backoff; doubles per consecutive crash. Default 1000 ms. */
  restartBackoffMs?: number;
  /** Backoff cap. Default 300000 ms (the kubelet's 5 minutes). */
  maxBackoffMs?: number;
  /** Seconds between SIGTERM and SIGKILL. Default 30. */
  terminationGracePeriodSeconds?: number;
  onChange?(): void;
}

/** A snapshot of the pod's container, in Kubernetes' terms. */
export interface PodProcessState {
  phase: 'Pending' | 'Running';
  port?: number;
  pid?: number;
  ready: boolean;
  terminating: boolean;
  restartCount: number;
  createdAt: string;
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  lastTerminated?: ContainerStateTerminated;
  /** When the pod last turned Ready (for conditions' lastTransitionTime). */
  readySince?: string;
  /** Set while the process group is stopped (SIGSTOP) as a frozen instance (freeze.ts). */
  frozen?: FrozenState;
  /** An init container that exited 0: it is done and never runs again. */
  completed?: boolean;
}

const FAST_PROBE_MS = 10;
/** The same for exec probes, each of which spawns a process. */
const FAST_EXEC_PROBE_MS = 100;
const MESSAGE_BYTES = 2048;
const MESSAGE_LINES = 80;
const BACKOFF_RESET_MS = 60_000;

/** Supervises the process of one pod across restarts. */
export class PodProcess {
  readonly state: PodProcessState;
  /** The container's log: current and previous run. */
  readonly log: ContainerLog;
  private child?: ChildProcess;
  private runStartedAt = 0;
  private env: Record<string, string> = {};
  private consecutiveFailures = 0;
  private timers = new Set<NodeJS.Timeout>();
  private probeGeneration = 0;
  private stopped?: Promise<void>;
  private exitWaiters: (() => void)[] = [];

  constructor(private readonly opts: PodProcessOptions) {
    this.state = { phase: 'Pending', ready: false, terminating: false, restartCount: 0, createdAt: now() };
    this.log = new ContainerLog(opts.logPath);
  }

  /** The container's name in the pod spec. */
  get containerName(): string {
    return this.opts.container.name ?? '';
  }

  /**
   * How to run `command` in this pod's environment, as exec probes do: its env, working directory
   * and (when sandboxed) the same bubblewrap view. Undefined while the container is not running.
   */
  execSpec(command: string[]): { argv: string[]; env: Record<string, string>; cwd: string } | undefined {
    if (!this.child || this.state.terminating) return undefined;
    return { argv: this.argv(command), env: { ...this.env }, cwd: this.cwd };
  }

  /** Maps a port of the pod (a declared containerPort, or any other) to the port on 127.0.0.1. */
  hostPort(port: number): number | undefined {
    if (this.state.port === undefined) return undefined;
    return resolvePort(port, { port: this.state.port, containerPorts: this.opts.container.ports ?? [] });
  }

  /** `namespace/name` of the pod. */
  get key(): string {
    return `${this.opts.namespace}/${this.opts.name}`;
  }

  /** The pod's name. */
  get name(): string {
    return this.opts.name;
  }

  /** The running process's group id (its pid), if running. */
  get pgid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the first run (or records why the pod cannot run). */
  start(): void {
    const { launch } = this.opts;
    if (isNotRunnable(launch)) {
      this.state.waiting = { reason: launch.reason, message: launch.message };
      this.changed();
      return;
    }
    this.state.waiting = { reason: 'ContainerCreating' };
    this.changed();
    void this.run(launch);
  }

  /**
   * Freezes the running process group (SIGSTOP): it stops being ready, its probes pause, its memory
   * stays. Returns false when there is no running process to freeze.
   */
  freeze(info: FrozenState): boolean {
    const pid = this.child?.pid;
    if (pid === undefined || this.state.terminating || this.state.frozen) return false;
    this.probeGeneration++;
    signalGroup(pid, 'SIGSTOP');
    this.state.frozen = info;
    this.state.ready = false;
    this.changed();
    return true;
  }

  /**
   * Thaws a frozen process group (SIGCONT). It was ready when frozen and its sockets are intact, so
   * it is ready again at once; the probes resume and take it out if it no longer answers.
   */
  thaw(): void {
    const child = this.child;
    if (!this.state.frozen || child?.pid === undefined) return;
    signalGroup(child.pid, 'SIGCONT');
    this.state.frozen = undefined;
    this.state.ready = true;
    this.state.readySince = now();
    this.changed();
    this.startProbes(child);
  }

  /** Sets the volume mounts of the next runs (before `start`). */
  setMounts(mounts: SandboxMount[]): void {
    this.opts.mounts = mounts;
  }

  /** Records why the container cannot start (instead of `start`). */
  block(waiting: { reason: string; message?: string }): void {
    this.state.waiting = waiting;
    this.changed();
  }

  /** Stops the process: SIGTERM to its group, SIGKILL after the grace period; resolves on exit. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    // A stopped group cannot act on SIGTERM: let it run again so it can shut down cleanly.
    if (this.state.frozen && this.child?.pid !== undefined) signalGroup(this.child.pid, 'SIGCONT');
    this.state.frozen = undefined;
    this.state.terminating = true;
    this.state.ready = false;
    this.probeGeneration++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.changed();
    this.stopped = this.terminate(this.opts.terminationGracePeriodSeconds ?? 30).then(() => {
      releasePort(this.state.port);
      if (this.opts.removeHome ?? true) rmSync(this.opts.home, { recursive: true, force: true });
    });
    return this.stopped;
  }

  private async run(launch: LaunchSpec): Promise<void> {
    if (this.state.terminating) return;
    let port: number | undefined;
    let argv: string[];
    try {
      if (this.opts.serving ?? true) {
        releasePort(this.state.port);
        port = await freePort(this.state.port, this.opts.preferredPort);
      }
      this.env = await this.opts.env(port);
      argv = this.argv(this.expanded(launch).argv);
    } catch (err) {
      if (this.state.terminating) return;
      const reason = err instanceof EnvConfigError ? err.reason : 'CreateContainerError';
      this.state.waiting = { reason, message: (err as Error).message };
      this.changed();
      this.later(() => void this.run(launch), this.nextBackoff());
      return;
    }
    if (this.state.terminating) return;

    try {
      ensurePrivateDir(this.opts.home);
      this.log.beginRun();
    } catch (err) {
      this.state.waiting = { reason: 'CreateContainerError', message: (err as Error).message };
      this.changed();
      this.later(() => void this.run(launch), this.nextBackoff());
      return;
    }
    // Output comes through pipes so every line is stored with the time it was read (for
    // `kubectl logs --timestamps/--since`), the way a CRI runtime's shim does it.
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: this.cwd,
      env: this.env,
      detached: true, // own process group: the whole tree is signalled together
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.log.attach(child.stdout, 'stdout');
    this.log.attach(child.stderr, 'stderr');
    if (this.state.restartCount > 0 || this.state.lastTerminated) this.state.restartCount++;
    this.child = child;
    if (port !== undefined) this.state.port = port;
    this.runStartedAt = Date.now();
    const startedAt = now();
    child.once('error', (err) => this.onSpawnError(child, launch, err, startedAt));
    if (child.pid === undefined) return; // 'error' follows
    this.state.pid = child.pid;
    this.opts.table?.add(child.pid, this.key, launch.argv[0]);
    this.state.phase = 'Running';
    this.state.waiting = undefined;
    this.state.running = { startedAt };
    this.changed();
    child.once('exit', (code, signal) => {
      // The run's last output may still be in the pipes: wait for them to close (bounded, since
      // a leftover grandchild could hold them) before taking the termination message.
      let done = false;
      const proceed = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.onExit(child, launch, code, signal, startedAt);
      };
      const timer = setTimeout(proceed, 250);
      child.once('close', proceed);
    });
    if (!this.opts.runToCompletion) this.startProbes(child);
  }

  // Kubernetes expands $(VAR) in command and args from the container's environment (`$$` escapes,
  // unknown references stay as they are): `--bind :$(PORT)` gets the process's own port.
  private expanded(launch: LaunchSpec): LaunchSpec {
    const { container } = this.opts;
    if (!container.command?.length && !container.args?.length) return launch;
    const expand = (list: string[] | undefined) => list?.map((arg) => expandRefs(arg, this.env));
    const resolved = resolveLaunch({
      ...container,
      command: expand(container.command),
      args: expand(container.args),
    });
    return isNotRunnable(resolved) ? launch : { ...launch, argv: resolved.argv };
  }

  // Working directory of the process and its exec probes.
  private get cwd(): string {
    return (this.opts.launch as LaunchSpec).cwd ?? this.opts.home;
  }

  // The argv to spawn for `argv`: itself, or bwrap running it with this pod's view.
  private argv(argv: string[]): string[] {
    const { sandbox, container, launch } = this.opts;
    if (!sandbox) return argv;
    const path = (this.env.PATH ?? '').split(delimiter).filter((p) => p !== '');
    return sandboxArgv(sandbox, argv, {
      cwd: this.cwd,
      home: this.opts.home,
      visible: [
        ...appDirectories(localImageDir(container.image), argv[0]),
        ...(launch as LaunchSpec).pathPrepend,
        ...path,
      ],
      mounts: this.opts.mounts,
      ...this.opts.identity,
    });
  }

  private onSpawnError(child: ChildProcess, launch: LaunchSpec, err: Error, startedAt: string): void {
    if (child.pid !== undefined) return; // errors after a successful spawn surface as 'exit'
    this.child = undefined;
    const message =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `exec: ${JSON.stringify(launch.argv[0])}: executable file not found in $PATH (or working directory ${JSON.stringify(this.cwd)} missing)`
        : `failed to start ${JSON.stringify(launch.argv[0])}: ${err.message}`;
    this.appendLog(`${message}\n`);
    this.crashed(launch, { exitCode: 128, reason: 'StartError', message, startedAt, finishedAt: now() });
  }

  private onExit(
    child: ChildProcess,
    launch: LaunchSpec,
    code: number | null,
    signal: NodeJS.Signals | null,
    startedAt: string,
  ): void {
    this.probeGeneration++;
    if (child.pid !== undefined) {
      this.opts.table?.remove(child.pid);
      signalGroup(child.pid, 'SIGKILL'); // leftovers of the group (grandchildren) go with it
    }
    this.child = undefined;
    this.state.pid = undefined;
    this.state.ready = false;
    this.state.running = undefined;
    const tail = this.log.tail(MESSAGE_BYTES, MESSAGE_LINES);
    this.log.endRun();
    const exitCode = code ?? 128 + signalNumber(signal);
    const terminated: ContainerStateTerminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: now(),
    };
    if (signal) terminated.signal = signalNumber(signal);
    if (exitCode !== 0 && tail) terminated.message = tail;
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.state.terminating) {
      this.state.lastTerminated = terminated;
      this.changed();
      return;
    }
    if (this.opts.runToCompletion && exitCode === 0) {
      this.state.lastTerminated = terminated;
      this.state.completed = true;
      this.state.phase = 'Pending';
      this.changed();
      return;
    }
    if (Date.now() - this.runStartedAt >= BACKOFF_RESET_MS) this.consecutiveFailures = 0;
    this.crashed(launch, terminated);
  }

  // restartPolicy Always: any exit (even 0) restarts after the backoff.
  private crashed(launch: LaunchSpec, terminated: ContainerStateTerminated): void {
    this.state.lastTerminated = terminated;
    this.state.ready = false;
    if (this.state.terminating) return this.changed();
    const delay = this.nextBackoff();
    this.state.waiting = {
      reason: 'CrashLoopBackOff',
      message: `back-off ${formatDuration(delay)} restarting failed container=${this.opts.container.name ?? ''} pod=${this.opts.name}_${this.opts.namespace}`,
    };
    this.changed();
    this.later(() => void this.run(launch), delay);
  }

  private nextBackoff(): number {
    const base = this.opts.restartBackoffMs ?? 1000;
    const cap = this.opts.maxBackoffMs ?? 300_000;
    const delay = Math.min(cap, base * 2 ** this.consecutiveFailures);
    this.consecutiveFailures++;
    return delay;
  }

  private startProbes(child: ChildProcess): void {
    const generation = this.probeGeneration;
    const alive = () => generation === this.probeGeneration && this.child === child;
    const target = () => ({
      port: this.state.port!,
      containerPorts: this.opts.container.ports ?? [],
      env: this.env,
      cwd: this.cwd,
      wrap: this.opts.sandbox ? (argv: string[]) => this.argv(argv) : undefined,
    });
    if (!(this.opts.serving ?? true) && !this.opts.container.readinessProbe) {
      // A container without a probe is ready once it runs; only the serving one has a default probe.
      this.state.ready = true;
      this.state.readySince = now();
      this.changed();
      return;
    }
    const readiness = withHandler(this.opts.container.readinessProbe);
    let successes = 0;
    let failures = 0;
    let readyOnce = false;
    const readinessTick = async () => {
      if (!alive()) return;
      const ok = await runProbe(readiness, target());
      if (!alive()) return;
      if (ok) {
        failures = 0;
        successes++;
        if (!this.state.ready && successes >= Math.max(1, readiness.successThreshold ?? 1)) {
          this.state.ready = true;
          this.state.readySince = now();
          this.changed();
        }
      } else {
        successes = 0;
        failures++;
        if (this.state.ready && failures >= Math.max(1, readiness.failureThreshold ?? 3)) {
          this.state.ready = false;
          this.changed();
        }
      }
      // Each run (first start or restart) polls fast until it is ready once, then at the period.
      if (this.state.ready) readyOnce = true;
      const period = readyOnce ? periodMs(readiness) : readiness.exec ? FAST_EXEC_PROBE_MS : FAST_PROBE_MS;
      this.later(readinessTick, period);
    };
    this.later(readinessTick, (readiness.initialDelaySeconds ?? 0) * 1000);

    const liveness = this.opts.container.livenessProbe;
    if (!liveness) return;
    const live = withHandler(liveness);
    let liveFailures = 0;
    const livenessTick = async () => {
      if (!alive()) return;
      const ok = await runProbe(live, target());
      if (!alive()) return;
      liveFailures = ok ? 0 : liveFailures + 1;
      if (liveFailures >= Math.max(1, live.failureThreshold ?? 3)) {
        this.appendLog(`liveness probe failed ${liveFailures} times; restarting\n`);
        this.probeGeneration++;
        void this.terminate(this.opts.terminationGracePeriodSeconds ?? 30);
        return;
      }
      this.later(livenessTick, periodMs(live));
    };
    this.later(livenessTick, (live.initialDelaySeconds ?? 0) * 1000 + periodMs(live));
  }

  private async terminate(graceSeconds: number): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    terminateGroup(child.pid, this.opts.sandbox !== undefined);
    const kill = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), Math.max(0, graceSeconds) * 1000);
    await exited;
    clearTimeout(kill);
  }

  private later(fn: () => unknown, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    this.timers.add(timer);
  }

  private changed(): void {
    try {
      this.opts.onChange?.();
    } catch {}
  }

  private appendLog(text: string): void {
    this.log.write('stderr', text);
  }
}

function withHandler(probe: Probe | undefined): Probe {
  if (!probe || (!probe.httpGet && !probe.tcpSocket && !probe.exec && !probe.grpc)) {
    return { ...DEFAULT_PROBE, ...(probe ?? {}), tcpSocket: { port: 0 } };
  }
  return probe;
}

function periodMs(probe: Probe): number {
  const seconds = probe.periodSeconds ?? 10;
  return (seconds > 0 ? seconds : 1) * 1000;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}
