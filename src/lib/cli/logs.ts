/**
 * `knlite service logs` and `knlite revision logs`: the logs of every instance (pod) of a service or
 * revision, read through the Kubernetes API's `pods/log` subresource (so any cluster works), with
 * the lines of all instances merged in time order. The server is always asked for timestamps; the
 * lines are ordered by them and the timestamps dropped unless the user asked for them.
 *
 * With `follow`, every current instance is followed and the pods are watched: an instance that
 * starts later (scale from zero, a new revision) is followed from its first line, a container that
 * restarts is followed again, and an instance that goes away ends its stream quietly. Lines are
 * passed on in batches, each batch in time order.
 */
import type { ChalkInstance } from 'chalk';
import { Labels } from '../apis/keys.js';
import type { Pod } from '../apis/types.js';
import { KnError, invalidValue, usageError } from '../client/errors.js';
import type { ServingClient } from '../client/serving-client.js';
import { Kinds } from '../kube/kinds.js';
import type { Informer } from '../kube/informer.js';
import type { WatchHandle } from '../kube/rest.js';
import { parseDuration } from '../rollout/plan.js';

/** The flag values of the logs commands. */
export interface LogFlagValues {
  follow?: boolean;
  tail?: number;
  since?: string;
  timestamps?: boolean;
  previous?: boolean;
  container?: string;
}

/** What to read, parsed and checked before anything connects. */
export interface LogRequest {
  follow: boolean;
  /** Last lines of each instance. */
  tailLines?: number;
  sinceSeconds?: number;
  timestamps: boolean;
  previous: boolean;
  container?: string;
}

/** One container of one pod whose log is read; `index` numbers sources in the order they appear. */
export interface LogSource {
  revision: string;
  pod: string;
  container: string;
  /** Whether the container name is part of the label (pods with several containers, no -c). */
  showContainer: boolean;
  index: number;
}

/** One log line; `time` is the server's RFC 3339 timestamp of it. */
export interface LogLine {
  source: LogSource;
  time?: string;
  text: string;
}

/** Receives the lines, in time order (per batch when following). */
export type LogSink = (line: LogLine) => void;

/** How often followed lines are sorted and passed on. */
const FOLLOW_BATCH_MS = 200;

/** Parses and checks the flags (usage errors, exit 2), before anything connects. */
export function parseLogFlags(f: LogFlagValues): LogRequest {
  let sinceSeconds: number | undefined;
  if (f.since !== undefined) {
    try {
      sinceSeconds = Math.max(1, Math.ceil(parseDuration(f.since, 'since', 'use e.g. 30s, 5m or 1h') / 1000));
    } catch (err) {
      throw usageError((err as Error).message);
    }
  }
  if (f.tail !== undefined && !(Number.isInteger(f.tail) && f.tail >= 0))
    throw usageError(`tail "${f.tail}" is not a number of lines (use e.g. 10)`);
  if (f.follow && f.previous)
    throw usageError(
      '--previous cannot be combined with --follow: the previous run of a container has ended',
    );
  return {
    follow: Boolean(f.follow),
    tailLines: f.tail,
    sinceSeconds,
    timestamps: Boolean(f.timestamps),
    previous: Boolean(f.previous),
    container: f.container || undefined,
  };
}

/**
 * The label selector of a service's pods (optionally of one of its revisions) or of a revision's;
 * the objects must exist (a missing one is the usual not-found error).
 */
export async function logSelector(
  client: ServingClient,
  target: { service: string; revision?: string } | { revision: string },
): Promise<string> {
  if (!('service' in target)) {
    await client.getRevision(target.revision);
    return `${Labels.revision}=${target.revision}`;
  }
  await client.getService(target.service);
  if (!target.revision) return `${Labels.service}=${target.service}`;
  const rev = await client.getRevision(target.revision);
  if (rev.metadata.labels?.[Labels.service] !== target.service)
    throw invalidValue(
      `revision '${target.revision}' does not belong to service '${target.service}' in namespace '${client.namespace}'`,
    );
  return `${Labels.service}=${target.service},${Labels.revision}=${target.revision}`;
}

/** A timestamp as a sortable pair: whole seconds since the epoch and nanoseconds. */
function timeKey(time: string | undefined): [number, number] {
  const m = time && /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return [Infinity, 0];
  return [Date.parse(`${m[1]}${m[3]}`) / 1000, Number((m[2] ?? '').padEnd(9, '0'))];
}

/** Sorts lines by time; lines of the same instant keep their order (within a source, the log's). */
export function sortLines(lines: LogLine[]): LogLine[] {
  const keyed = lines.map((l) => ({ l, k: timeKey(l.time) }));
  keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1]);
  return keyed.map((x) => x.l);
}

/** Splits `<RFC 3339 time> <text>` (the server's `timestamps=true` form). */
export function splitTimestamp(line: string): { time?: string; text: string } {
  const sp = line.indexOf(' ');
  const head = sp < 0 ? line : line.slice(0, sp);
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(head)) return { text: line };
  return { time: head, text: sp < 0 ? '' : line.slice(sp + 1) };
}

/** Cuts a text stream into lines (a chunk may end inside a line). */
class LineSplitter {
  private rest = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.emit(p);
  }

  /** The unfinished last line, if any (the stream ended without a newline). */
  end(): void {
    if (this.rest) this.emit(this.rest);
    this.rest = '';
  }
}

/** The containers to read of a pod: the one asked for, else all its containers. */
function containersOf(pod: Pod, requested: string | undefined): string[] {
  if (requested) return [requested];
  return (pod.spec?.containers ?? []).map((c) => c.name ?? '').filter(Boolean);
}

/** Numbers sources in the order they are first seen. */
class Sources {
  private readonly byKey = new Map<string, LogSource>();

  get(pod: Pod, container: string, showContainer: boolean): LogSource {
    const name = pod.metadata.name!;
    const key = `${name}/${container}`;
    let src = this.byKey.get(key);
    if (!src) {
      src = {
        revision: pod.metadata.labels?.[Labels.revision] ?? '',
        pod: name,
        container,
        showContainer,
        index: this.byKey.size,
      };
      this.byKey.set(key, src);
    }
    return src;
  }
}

/** The label printed before a source's lines: `[revision pod]` (plus the container when needed). */
export function sourceLabel(src: LogSource): string {
  return `[${[src.revision, src.pod, src.showContainer ? src.container : ''].filter(Boolean).join(' ')}]`;
}

// An error reading one container's log that means "nothing to read (yet)": the container has not
// started, or the pod went away meanwhile.
function nothingToRead(err: unknown): boolean {
  return err instanceof KnError && (err.name === 'NotReady' || err.name === 'NotFound');
}

/**
 * Reads the logs of the pods matching `selector` once and passes every line to `sink` in time
 * order; returns how many pods there were.
 */
export async function readLogs(
  client: ServingClient,
  selector: string,
  req: LogRequest,
  sink: LogSink,
): Promise<number> {
  const pods = (await client.listObjects<Pod>(Kinds.pod, { labelSelector: selector })).items;
  const sources = new Sources();
  const lines: LogLine[] = [];
  const reads: Promise<void>[] = [];
  const count = pods.reduce((n, p) => n + containersOf(p, req.container).length, 0);
  for (const pod of pods) {
    const containers = containersOf(pod, req.container);
    for (const container of containers) {
      const source = sources.get(pod, container, containers.length > 1);
      const own: LogLine[] = [];
      const split = new LineSplitter((l) => own.push({ source, ...splitTimestamp(l) }));
      reads.push(
        (async () => {
          try {
            const h = await client.streamPodLog(
              source.pod,
              {
                container,
                tailLines: req.tailLines,
                sinceSeconds: req.sinceSeconds,
                previous: req.previous,
                timestamps: true,
              },
              (t) => split.push(t),
            );
            await h.done;
            split.end();
            lines.push(...own);
          } catch (err) {
            // One container that cannot be read says why (not started, no previous run, no such
            // container), like kubectl; among several, the readable ones are shown.
            if (!nothingToRead(err) || count === 1) throw err;
          }
        })(),
      );
    }
  }
  await Promise.all(reads);
  for (const l of sortLines(lines)) sink(l);
  return pods.length;
}

interface Followed {
  handle?: WatchHandle;
  /** The container's restart count when its current stream was opened (a higher one is a new run). */
  restarts: number;
  /** Whether the stream is open or being opened. */
  active: boolean;
  /** Whether the tail/since options were used up (only the first read of a pod there at the start). */
  opened: boolean;
}

/**
 * Follows the logs of the pods matching `selector` until `signal` aborts: every current pod (with
 * the tail/since options), and every pod that appears later (from its first line).
 */
export async function followLogs(
  client: ServingClient,
  selector: string,
  req: LogRequest,
  sink: LogSink,
  signal: AbortSignal,
): Promise<void> {
  const sources = new Sources();
  let batch: LogLine[] = [];
  const flush = (): void => {
    const lines = sortLines(batch);
    batch = [];
    for (const l of lines) sink(l);
  };
  const timer = setInterval(flush, FOLLOW_BATCH_MS);
  const followed = new Map<string, Map<string, Followed>>();
  // Pods seen in the first list were there when the command started: tail/since apply to them.
  let initial = true;
  const initialPods = new Set<string>();

  // The pod cache, once the watch below is started (a finished stream looks the pod up in it).
  const cache: { informer?: Informer<Pod> } = {};
  const open = (pod: Pod, container: string, showContainer: boolean, state: Followed): void => {
    const status = pod.status?.containerStatuses?.find((c) => c.name === container);
    const restarts = status?.restartCount ?? 0;
    if (state.active || signal.aborted) return;
    if (state.handle && restarts <= state.restarts) return; // that run was read to its end
    // Nothing to read until a run has started (a crashed run, waiting for its restart, has a log).
    if (!status?.state?.running && !status?.state?.terminated && !status?.lastState?.terminated) return;
    const name = pod.metadata.name!;
    const fromStart = state.opened || !initialPods.has(name);
    state.active = true;
    state.opened = true;
    state.restarts = restarts;
    const source = sources.get(pod, container, showContainer);
    const split = new LineSplitter((l) => batch.push({ source, ...splitTimestamp(l) }));
    void (async () => {
      try {
        const h = await client.streamPodLog(
          name,
          {
            container,
            follow: true,
            timestamps: true,
            tailLines: fromStart ? undefined : req.tailLines,
            sinceSeconds: fromStart ? undefined : req.sinceSeconds,
          },
          (t) => split.push(t),
        );
        state.handle = h;
        if (signal.aborted || !followed.has(name)) h.stop();
        await h.done;
        split.end();
        // The run ended (a crash, a restart): a restart seen while this stream was open is
        // followed from the pod as it is now.
        state.active = false;
        const latest = cache.informer?.store.get(pod.metadata.namespace, name);
        if (latest && followed.has(name)) consider(latest);
      } catch {
        // The container stopped or the pod went away between the event and the request, or the
        // stream broke: quiet, and the pod's next change tries again (the other streams go on).
        state.handle = undefined;
        state.opened = fromStart;
        state.active = false;
      }
    })();
  };

  const consider = (pod: Pod): void => {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp) return;
    if (initial) initialPods.add(name);
    let states = followed.get(name);
    if (!states) {
      states = new Map();
      followed.set(name, states);
    }
    const containers = containersOf(pod, req.container);
    for (const c of containers) {
      let state = states.get(c);
      if (!state) {
        state = { restarts: 0, active: false, opened: false };
        states.set(c, state);
      }
      open(pod, c, containers.length > 1, state);
    }
  };

  const drop = (pod: Pod): void => {
    const states = followed.get(pod.metadata.name!);
    followed.delete(pod.metadata.name!);
    for (const s of states?.values() ?? []) s.handle?.stop();
  };

  const informer = client.watchPods(selector, {
    add: consider,
    update: (_old, pod) => consider(pod),
    delete: drop,
  });
  cache.informer = informer;
  try {
    await Promise.race([informer.synced, new Promise((r) => signal.addEventListener('abort', r))]);
    initial = false;
    if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
  } finally {
    await informer.stop();
    for (const states of followed.values()) for (const s of states.values()) s.handle?.stop();
    clearInterval(timer);
    flush();
  }
}

/** Where `showLogs` writes: log lines to stdout, notes to stderr, colours by chalk. */
export interface LogIO {
  line(text: string): void;
  note(text: string): void;
  color: ChalkInstance;
}

const PALETTE = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const;

/**
 * The logs commands: prints the lines of the pods `selector` matches, each after its source label
 * (a colour per instance when `io.color` has colours); follows until Ctrl-C with `req.follow`.
 */
export async function showLogs(
  client: ServingClient,
  selector: string,
  req: LogRequest,
  io: LogIO,
  what: string,
): Promise<void> {
  const sink: LogSink = (l) => {
    const label = io.color[PALETTE[l.source.index % PALETTE.length]!](sourceLabel(l.source));
    io.line(`${label} ${req.timestamps && l.time ? `${l.time} ` : ''}${l.text}`);
  };
  if (!req.follow) {
    if ((await readLogs(client, selector, req, sink)) === 0)
      io.note(`No instances of ${what} are running (it may be scaled to zero); use -f to wait for one.`);
    return;
  }
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await followLogs(client, selector, req, sink, abort.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
