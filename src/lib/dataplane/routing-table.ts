/**
 * Pure translation of Knative objects into the gateway's state: Revisions into data-plane
 * settings, Endpoints into ready and frozen instances (the host table comes from KIngresses, ingress-table.ts).
 */
import { FROZEN_PODS_ANNOTATION, Labels } from '../apis/keys.js';
import type { Endpoints, Revision } from '../apis/types.js';
import { DEFAULT_TIMEOUT_SECONDS, type Instance, type RevisionTarget } from './state.js';

/** A Revision's data-plane settings. */
export function makeRevisionTarget(rev: Revision): RevisionTarget {
  const labels = rev.metadata.labels ?? {};
  const spec = rev.spec ?? { containers: [] };
  const h2c = (spec.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.name === 'h2c'));
  return {
    namespace: rev.metadata.namespace ?? 'default',
    name: rev.metadata.name!,
    service: labels[Labels.service],
    configuration: labels[Labels.configuration],
    containerConcurrency: spec.containerConcurrency ?? 0,
    timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    responseStartTimeoutSeconds: spec.responseStartTimeoutSeconds,
    idleTimeoutSeconds: spec.idleTimeoutSeconds,
    protocol: h2c ? 'h2c' : 'http1',
    cpuRequestMillis: parseCpuMillis(spec.containers?.[0]?.resources?.requests?.cpu),
    annotations: { ...(rev.metadata.annotations ?? {}) },
  };
}

/** Ready instances from an Endpoints object (one subset per pod on the local cluster). */
export function makeInstances(ep: Endpoints): Instance[] {
  const out: Instance[] = [];
  for (const subset of ep.subsets ?? []) {
    const port = subset.ports?.[0]?.port;
    if (!port) continue;
    for (const a of subset.addresses ?? []) {
      out.push({ id: `${a.ip}:${port}`, ip: a.ip, port, pod: a.targetRef?.name });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The frozen instances an Endpoints object lists: its not-ready addresses whose pod the
 * FROZEN_PODS_ANNOTATION names (stopped processes whose socket still accepts connections).
 */
export function makeFrozenInstances(ep: Endpoints): Instance[] {
  const names = ep.metadata.annotations?.[FROZEN_PODS_ANNOTATION];
  if (!names) return [];
  const frozen = new Set(names.split(','));
  const out: Instance[] = [];
  for (const subset of ep.subsets ?? []) {
    const port = subset.ports?.[0]?.port;
    if (!port) continue;
    for (const a of subset.notReadyAddresses ?? []) {
      const pod = a.targetRef?.name;
      if (pod && frozen.has(pod)) out.push({ id: `${a.ip}:${port}`, ip: a.ip, port, pod });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** A CPU quantity ("500m", "1", "0.25") in millicores; undefined if absent or malformed. */
export function parseCpuMillis(quantity: string | undefined): number | undefined {
  if (!quantity) return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}
