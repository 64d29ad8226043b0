/**
 * The resource metrics API (`metrics.k8s.io/v1beta1`, what metrics-server serves and `kubectl top`
 * reads): PodMetrics per pod and NodeMetrics for the one node, computed on each request from a
 * MetricsSource the embedding process provides (the local stack wires the runtime's CPU and
 * memory readings in). GET and LIST only, with label selectors on pods; the group is discovered
 * only while a source is set, like an aggregated API that is registered.
 */
import { freemem, totalmem } from 'node:os';
import { notFound, methodNotAllowed } from './errors.js';
import { parseLabelSelector } from './selectors.js';
import type { ResourceType } from './types.js';

/** Usage of one container, as measured now. */
export interface ContainerUsage {
  name: string;
  /** CPU in millicores (1000 = one core). */
  cpuMillicores: number;
  /** Resident memory in bytes. */
  memoryBytes: number;
}

/** Usage of one pod. */
export interface PodUsage {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  containers: ContainerUsage[];
}

/** Where usage comes from (the local runtime, in the local stack). */
export interface MetricsSource {
  /** Every running pod's usage. */
  pods(): PodUsage[];
  /** The node's name (default `localhost`, where the local runtime's pods run). */
  nodeName?: string;
}

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** The window metrics-server reports: usage is a rate over the last samples. */
const WINDOW = '10s';

const metricsType = (resource: string, kind: string, namespaced: boolean): ResourceType => ({
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  resource,
  kind,
  listKind: `${kind}List`,
  singular: '',
  namespaced,
  verbs: ['get', 'list'],
  subresources: {},
});

/** The resource types of the metrics API (for discovery and OpenAPI). */
export function metricsResourceTypes(): ResourceType[] {
  return [metricsType('pods', 'PodMetrics', true), metricsType('nodes', 'NodeMetrics', false)];
}

const cpu = (millicores: number): string => `${Math.max(0, Math.round(millicores))}m`;
const memory = (bytes: number): string => `${Math.max(0, Math.round(bytes / 1024))}Ki`;

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function podMetrics(p: PodUsage, timestamp: string): object {
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: { name: p.name, namespace: p.namespace, creationTimestamp: timestamp, labels: p.labels ?? {} },
    timestamp,
    window: WINDOW,
    containers: p.containers.map((c) => ({
      name: c.name,
      usage: { cpu: cpu(c.cpuMillicores), memory: memory(c.memoryBytes) },
    })),
  };
}

function nodeMetrics(name: string, pods: PodUsage[], timestamp: string): object {
  const podCpu = pods.flatMap((p) => p.containers).reduce((sum, c) => sum + c.cpuMillicores, 0);
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: { name, creationTimestamp: timestamp, labels: {} },
    timestamp,
    window: WINDOW,
    usage: { cpu: cpu(podCpu), memory: memory(totalmem() - freemem()) },
  };
}

const list = (kind: string, items: object[]) => ({
  kind: `${kind}List`,
  apiVersion: API_VERSION,
  metadata: {},
  items,
});

/**
 * Answers GET /apis/metrics.k8s.io/v1beta1/{nodes[/name] | [namespaces/ns/]pods[/name]}; undefined
 * when `segments` name no metrics resource.
 */
export function serveMetrics(
  source: MetricsSource,
  method: string,
  segments: string[],
  query: URLSearchParams,
): object | undefined {
  let namespace: string | undefined;
  let rest = segments;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, ...extra] = rest;
  if (extra.length || (resource !== 'pods' && resource !== 'nodes')) return undefined;
  if (resource === 'nodes' && namespace !== undefined) return undefined;
  if (method !== 'GET') throw methodNotAllowed();
  const timestamp = now();
  const pods = source.pods();
  if (resource === 'nodes') {
    const nodeName = source.nodeName ?? 'localhost';
    if (name !== undefined) {
      if (name !== nodeName) throw notFound({ resource: 'nodes', group: METRICS_GROUP }, name);
      return nodeMetrics(nodeName, pods, timestamp);
    }
    return list('NodeMetrics', [nodeMetrics(nodeName, pods, timestamp)]);
  }
  const labels = parseLabelSelector(query.get('labelSelector'));
  const matching = pods
    .filter((p) => namespace === undefined || p.namespace === namespace)
    .filter((p) => !labels || labels({ metadata: { labels: p.labels ?? {} } } as never))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (name !== undefined) {
    const p = matching.find((x) => x.name === name);
    if (!p) throw notFound({ resource: 'pods', group: METRICS_GROUP }, name);
    return podMetrics(p, timestamp);
  }
  return list(
    'PodMetrics',
    matching.map((p) => podMetrics(p, timestamp)),
  );
}
