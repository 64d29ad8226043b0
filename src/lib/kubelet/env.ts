/**
 * The environment of a pod's process, built like the kubelet builds a container's: `HOME` = the
 * pod's own home directory, then `envFrom` sources (with their prefix), then `env` entries (later
 * wins, `$(VAR)` references expanded against what came before), then `PORT` = the process's own
 * port and `HOST` = 127.0.0.1, the pod's only address (apps that bind $HOST cannot be reached
 * around the gateway). `KUBERNETES_SERVICE_HOST`/`_PORT` name the API server (no credentials:
 * a pod gets a token only through a projected serviceAccountToken volume). From the daemon's environment only PATH is inherited (so `node`/`npm`
 * resolve); nothing else — the user's HOME, KUBECONFIG, KNLITE_*, tokens, proxies — leaks into
 * user processes.
 */
import { cpus, totalmem } from 'node:os';
import type { Container, EnvVar } from '../apis/types.js';
import { POD_IP } from './resources.js';

/** Reads one ConfigMap's or Secret's data (Secret values already base64-decoded); undefined if absent. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** The pod facts `fieldRef` can read. */
export interface PodFacts {
  name: string;
  namespace: string;
  uid?: string;
  podIP: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  serviceAccountName?: string;
}

/** A missing ConfigMap/Secret/key: the pod waits with reason CreateContainerConfigError. */
export class EnvConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/** Variables inherited from the daemon's own environment. */
export const INHERITED_ENV = ['PATH'] as const;

/** How the runtime's part of a pod's environment is made. */
export interface EnvOptions {
  /** The pod's own HOME directory (unset when absent). */
  home?: string;
  /** Directories to put in front of PATH (e.g. the app's node_modules/.bin). */
  pathPrepend?: string[];
  /** The daemon's environment, of which only PATH is kept. Default: process.env. */
  daemonEnv?: NodeJS.ProcessEnv;
  /**
   * The API server's address as pods reach it: KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT
   * and KUBERNETES_SERVICE_PORT_HTTPS, as the kubelet sets them from the `kubernetes` Service.
   */
  apiServer?: { host: string; port: string };
}

/**
 * Builds the complete environment for one process of `container` in pod `pod` listening on `port`
 * (undefined for a container that serves no traffic: it keeps whatever PORT its own env sets).
 */
export async function buildEnv(
  container: Container,
  pod: PodFacts,
  port: number | undefined,
  sources: EnvSources,
  opts: EnvOptions = {},
): Promise<Record<string, string>> {
  const { home, pathPrepend = [], daemonEnv = process.env, apiServer } = opts;
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = daemonEnv[key];
    if (value !== undefined) env[key] = value;
  }
  // Like the kubelet's HOME from the image's user: a default that the pod's own env may override.
  if (home !== undefined) env.HOME = home;
  if (pathPrepend.length > 0)
    env.PATH = [...pathPrepend, env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
  // Service variables come first: the container's own env may override them (as on the kubelet).
  if (apiServer) {
    env.KUBERNETES_SERVICE_HOST = apiServer.host;
    env.KUBERNETES_SERVICE_PORT = apiServer.port;
    env.KUBERNETES_SERVICE_PORT_HTTPS = apiServer.port;
  }

  const ns = pod.namespace;
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    for (const [source, ref] of [
      ['configMap', from.configMapRef],
      ['secret', from.secretRef],
    ] as const) {
      if (!ref) continue;
      const data = await sources[source](ns, ref.name);
      if (!data && !ref.optional) throw new EnvConfigError(SOURCE_WORDS[source].missing(ref.name));
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
  }
  for (const entry of container.env ?? []) {
    const value = await envValue(entry, container, pod, sources, env);
    if (value !== undefined) env[entry.name] = value;
  }
  // The process's own port always wins: the Deployment's PORT names the container port, which on
  // the local cluster is this process's loopback port. HOST too: 127.0.0.1 is the pod's address.
  if (port !== undefined) env.PORT = String(port);
  env.HOST = POD_IP;
  return env;
}

/** The kubelet's words for a ConfigMap or Secret that env reads from. */
const SOURCE_WORDS = {
  configMap: { missing: (name: string) => `configmap "${name}" not found`, kind: 'ConfigMap' },
  secret: { missing: (name: string) => `secret "${name}" not found`, kind: 'Secret' },
} as const;

/** A `configMapKeyRef`/`secretKeyRef` value; undefined when it is optional and missing. */
async function keyRefValue(
  source: keyof typeof SOURCE_WORDS,
  ref: { name: string; key: string; optional?: boolean },
  namespace: string,
  sources: EnvSources,
): Promise<string | undefined> {
  const data = await sources[source](namespace, ref.name);
  const problem = !data
    ? SOURCE_WORDS[source].missing(ref.name)
    : !(ref.key in data)
      ? `couldn't find key ${ref.key} in ${SOURCE_WORDS[source].kind} ${namespace}/${ref.name}`
      : undefined;
  if (problem === undefined) return data![ref.key];
  if (ref.optional) return undefined;
  throw new EnvConfigError(problem);
}

async function envValue(
  entry: EnvVar,
  container: Container,
  pod: PodFacts,
  sources: EnvSources,
  soFar: Record<string, string>,
): Promise<string | undefined> {
  if (entry.value !== undefined) return expandRefs(entry.value, soFar);
  const from = entry.valueFrom;
  if (!from) return '';
  if (from.configMapKeyRef) return keyRefValue('configMap', from.configMapKeyRef, pod.namespace, sources);
  if (from.secretKeyRef) return keyRefValue('secret', from.secretKeyRef, pod.namespace, sources);
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, pod);
  if (from.resourceFieldRef) return resourceValue(from.resourceFieldRef, container);
  return undefined;
}

/**
 * A downward API pod field (`fieldRef.fieldPath`) as the kubelet renders it; `metadata.labels`
 * and `metadata.annotations` (volumes only) are `key="value"` lines, sorted by key.
 */
export function fieldValue(path: string, pod: PodFacts): string {
  switch (path) {
    case 'metadata.labels':
      return formatMap(pod.labels);
    case 'metadata.annotations':
      return formatMap(pod.annotations);
    case 'status.podIPs':
      return pod.podIP;
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid ?? '';
    case 'status.podIP':
    case 'status.hostIP':
      return pod.podIP;
    case 'spec.nodeName':
      return 'localhost';
    case 'spec.serviceAccountName':
      return pod.serviceAccountName ?? 'default';
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.labels?.[label[1]!] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return pod.annotations?.[annotation[1]!] ?? '';
  return '';
}

/**
 * Kubernetes' `$(VAR)` expansion: references to variables in `env` are replaced, `$$` is a literal
 * `$` (so `$$(VAR)` stays `$(VAR)`), and references to unknown variables are left as they are.
 */
export function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : match;
  });
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/** A `resourceFieldRef` reference, as the downward API reads it. */
export interface ResourceFieldRef {
  resource: string;
  divisor?: string | number;
}

/**
 * A container resource through the downward API: `limits.cpu`/`requests.cpu` in cores (or the
 * divisor's unit) rounded up, memory and ephemeral storage in bytes (or the divisor's unit). An
 * unset limit is the machine's capacity (the kubelet uses the node's allocatable), an unset
 * request is 0 — except that an unset request with a limit is the limit, as the API defaults it.
 */
export function resourceValue(ref: ResourceFieldRef, container: Container): string {
  const [kind, name] = ref.resource.split('.', 2) as [string, string];
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const capacity: Record<string, number> = {
    cpu: cpus().length,
    memory: totalmem(),
    'ephemeral-storage': Number.MAX_SAFE_INTEGER,
  };
  let value: number;
  if (kind === 'limits') value = limits[name] !== undefined ? quantity(limits[name]) : (capacity[name] ?? 0);
  else {
    const given = requests[name] ?? limits[name];
    value = given !== undefined ? quantity(given) : 0;
  }
  const divisor = ref.divisor !== undefined ? quantity(String(ref.divisor)) : 1;
  return String(Math.ceil(value / (divisor || 1) - 1e-9));
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// A Kubernetes quantity ("500m", "128Mi", "1e3") as a number.
function quantity(raw: string): number {
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(raw).trim());
  if (!match) return 0;
  return Number(match[1]) * (SUFFIXES[match[2]!] ?? 1);
}
