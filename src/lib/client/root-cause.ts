/**
 * Why a service or revision is not Ready, and what to do about it: the failing condition's reason
 * and message, and — when the failure comes from a pod — the container's exit code, restarts and
 * waiting reason, the probe that has not passed, and the last lines of its log (read through the
 * standard `pods/log` subresource; a cluster without it yields no log lines, and the termination
 * message, which holds the tail of a crashed run's output, stands in). Every failed or timed-out
 * wait ends with this block, and `service describe` / `revision describe` print it for a revision
 * that is not Ready.
 */
import { READY, getCondition } from '../apis/conditions.js';
import { Labels } from '../apis/keys.js';
import { RevisionConditions } from '../apis/lifecycle/revision.js';
import { ROLLOUT_IN_PROGRESS } from '../apis/lifecycle/route.js';
import type { Condition, ContainerStatus, Pod, Probe, Revision, Service } from '../apis/types.js';
import { Kinds } from '../kube/kinds.js';
import type { ServingClient } from './serving-client.js';

/** How many log lines the root cause shows. */
export const ROOT_CAUSE_LOG_LINES = 10;

/** The root cause of a service or revision that is not Ready. */
export interface RootCause {
  /** What the failing condition belongs to, e.g. `revision 'hello-00002'`. */
  source: string;
  /** The failing condition: type, status, reason, message. */
  condition?: { type: string; status: string; reason?: string; message?: string };
  /** The pod the failure was found on. */
  pod?: string;
  container?: string;
  /** Exit code of the container's last run that ended. */
  exitCode?: number;
  restarts?: number;
  /** The container's waiting state (`CrashLoopBackOff: back-off 2s ...`). */
  waiting?: string;
  /** The probe that has not passed, e.g. `readiness probe httpGet :PORT/healthz`. */
  probe?: string;
  /** The last lines of the container's log (of the previous run after a crash). */
  logLines: string[];
  /** One sentence saying how to fix it. */
  fix: string;
}

/** The revision's failing condition: a False one (the most specific first), else Ready when it has a reason. */
function failingCondition(conditions: Condition[] | undefined): Condition | undefined {
  const order = [RevisionConditions.containerHealthy, RevisionConditions.resourcesAvailable, READY];
  for (const type of order) {
    const c = conditions?.find((x) => x.type === type);
    if (c?.status === 'False') return c;
  }
  const ready = conditions?.find((c) => c.type === READY);
  return ready && ready.status !== 'True' && ready.reason ? ready : undefined;
}

/** `readiness probe httpGet :8080/healthz` — the probe as a user would recognise it. */
export function describeProbe(kind: 'readiness' | 'liveness', probe: Probe | undefined): string {
  if (probe?.httpGet) {
    const port = probe.httpGet.port === undefined || probe.httpGet.port === 0 ? '$PORT' : probe.httpGet.port;
    return `${kind} probe httpGet :${port}${probe.httpGet.path ?? '/'}`;
  }
  if (probe?.exec) return `${kind} probe exec ${(probe.exec.command ?? []).join(' ')}`;
  if (probe?.grpc) return `${kind} probe grpc :${probe.grpc.port ?? '$PORT'}`;
  const port = probe?.tcpSocket?.port;
  return `${kind} probe tcpSocket :${port === undefined || port === 0 ? '$PORT' : port}`;
}

function servingContainerStatus(pod: Pod, rev: Revision): ContainerStatus | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const named = rev.spec.containers.find((c) => c.ports?.length)?.name ?? rev.spec.containers[0]?.name;
  return statuses.find((s) => s.name === named) ?? statuses[0];
}

// The pod most worth explaining: one whose container ended or waits, else one not ready.
function pickPod(pods: Pod[], rev: Revision): Pod | undefined {
  const score = (p: Pod): number => {
    const cs = servingContainerStatus(p, rev);
    if (cs?.lastState?.terminated || cs?.state?.terminated) return 0;
    if (cs?.state?.waiting) return 1;
    if (!cs?.ready) return 2;
    return 3;
  };
  return [...pods].sort((a, b) => score(a) - score(b))[0];
}

async function logTail(
  client: ServingClient,
  pod: Pod,
  container: string | undefined,
  previous: boolean,
): Promise<string[]> {
  const read = (prev: boolean) =>
    client.podLogTail(pod.metadata.name!, {
      namespace: pod.metadata.namespace,
      container,
      tailLines: ROOT_CAUSE_LOG_LINES,
      previous: prev,
    });
  // After a crash the previous run's log says why; a server without `previous` gets the current one.
  let text = previous ? await read(true) : undefined;
  if (text === undefined || text.trim() === '') text = await read(false);
  return (text ?? '')
    .replace(/\n$/, '')
    .split('\n')
    .filter((l) => l !== '')
    .slice(-ROOT_CAUSE_LOG_LINES);
}

/** The root cause of a revision that is not Ready; undefined when it is Ready or nothing explains it. */
export async function revisionRootCause(
  client: ServingClient,
  rev: Revision,
): Promise<RootCause | undefined> {
  const conditions = rev.status?.conditions;
  const ready = getCondition(rev.status, READY);
  if (ready?.status === 'True') return undefined;
  const failing = failingCondition(conditions);
  const name = rev.metadata.name!;
  const service = rev.metadata.labels?.[Labels.service] ?? name;
  const cause: RootCause = {
    source: `revision '${name}'`,
    logLines: [],
    fix: `see \`knlite revision describe ${name}\` for its conditions`,
  };
  if (failing)
    cause.condition = {
      type: failing.type,
      status: failing.status,
      reason: failing.reason,
      message: failing.message,
    };
  let pods: Pod[] = [];
  try {
    pods = (
      await client.listObjects<Pod>(Kinds.pod, {
        namespace: rev.metadata.namespace,
        labelSelector: `${Labels.revision}=${name}`,
      })
    ).items;
  } catch {
    // Pods may not be readable (RBAC): the condition alone is the cause.
  }
  const pod = pickPod(pods, rev);
  const cs = pod ? servingContainerStatus(pod, rev) : undefined;
  if (pod && cs) {
    cause.pod = pod.metadata.name;
    cause.container = cs.name;
    cause.restarts = cs.restartCount;
    const terminated = cs.state?.terminated ?? cs.lastState?.terminated;
    if (terminated) cause.exitCode = terminated.exitCode;
    if (cs.state?.waiting?.reason)
      cause.waiting = `${cs.state.waiting.reason}${cs.state.waiting.message ? `: ${cs.state.waiting.message}` : ''}`;
    const spec = (pod.spec.containers ?? []).find((c) => c.name === cs.name) ?? rev.spec.containers[0];
    if (cs.state?.running && !cs.ready) cause.probe = describeProbe('readiness', spec?.readinessProbe);
    try {
      cause.logLines = await logTail(client, pod, cs.name, terminated !== undefined);
    } catch {
      cause.logLines = [];
    }
    if (cause.logLines.length === 0 && terminated?.message)
      cause.logLines = terminated.message.split('\n').slice(-ROOT_CAUSE_LOG_LINES);
    if (terminated && terminated.exitCode !== 0) {
      cause.fix = `the container exited with code ${terminated.exitCode}: fix the app, or read its output with \`knlite service logs ${service} --previous\``;
    } else if (cause.probe) {
      cause.fix = `the app runs but its ${cause.probe} has not passed: make it answer on $PORT, or change the probe with \`knlite service update ${service} --probe-readiness ...\``;
    } else if (cs.state?.waiting) {
      cause.fix = `the container cannot start (${cs.state.waiting.reason}): check the image and its command with \`knlite service update ${service} --image ...\``;
    }
  } else if (!failing) {
    return undefined;
  }
  return cause;
}

/** Why a route is not Ready: the KIngress nobody reports on usually means no gateway runs. */
function serviceFix(svc: Service, ready: Condition | undefined): string {
  const name = svc.metadata.name!;
  if (ready?.reason === 'IngressNotConfigured')
    return `no ingress implementation has reported on the Route's KIngress (kubectl get kingress ${name}); is the gateway running? Start it with \`knlite gateway run\` (or \`knlite cluster start\`)`;
  if (ready?.reason === ROLLOUT_IN_PROGRESS)
    return `wait for the gradual rollout to finish (its steps are in \`knlite service describe ${name}\`), or finish it at once with \`knlite service update ${name} --rollout-duration 0\``;
  return `see \`knlite service describe ${name}\` for its conditions`;
}

/**
 * The root cause of a service that is not Ready: its latest created revision's when that revision
 * explains it, else the service's own Ready condition.
 */
export async function serviceRootCause(
  client: ServingClient,
  svc: Service | undefined,
): Promise<RootCause | undefined> {
  if (!svc) return undefined;
  const ready = getCondition(svc.status, READY);
  const latest = svc.status?.latestCreatedRevisionName;
  // A Ready service still explains a newest revision that never became ready.
  if (ready?.status === 'True' && latest === svc.status?.latestReadyRevisionName) return undefined;
  if (latest) {
    try {
      const rev = await client.getRevision(latest, svc.metadata.namespace);
      const cause = await revisionRootCause(client, rev);
      if (cause) return cause;
    } catch {
      // The revision is gone or unreadable: fall back to the service's condition.
    }
  }
  if (!ready?.reason || ready.status === 'True') return undefined;
  return {
    source: `service '${svc.metadata.name}'`,
    condition: { type: READY, status: ready.status, reason: ready.reason, message: ready.message },
    logLines: [],
    fix: serviceFix(svc, ready),
  };
}

/** The root cause as the indented block the CLI prints (first line: `Root cause: ...`). */
export function formatRootCause(cause: RootCause): string[] {
  const c = cause.condition;
  const head = c
    ? `${cause.source}: ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message.split('\n')[0]}` : ''}`
    : cause.source;
  const lines = [`Root cause: ${head}`];
  if (cause.pod)
    lines.push(`  Pod:        ${cause.pod}${cause.container ? ` (container ${cause.container})` : ''}`);
  if (cause.exitCode !== undefined)
    lines.push(
      `  Exit code:  ${cause.exitCode}${cause.restarts ? ` (restarted ${cause.restarts} time${cause.restarts === 1 ? '' : 's'})` : ''}`,
    );
  if (cause.waiting) lines.push(`  Waiting:    ${cause.waiting}`);
  if (cause.probe) lines.push(`  Probe:      ${cause.probe} has not passed`);
  if (cause.logLines.length) {
    lines.push(`  Last log lines:`);
    for (const l of cause.logLines) lines.push(`    ${l}`);
  }
  lines.push(`  Fix: ${cause.fix}.`);
  return lines;
}
