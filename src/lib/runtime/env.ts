/**
 * The environment of a pod's process, built like the kubelet builds a container's: `HOME` = the
 * pod's own home directory, then `envFrom` sources (with their prefix), then `env` entries (later
 * wins, `$(VAR)` references expanded against what came before), then `PORT` = the process's own
 * port and `HOST` = 127.0.0.1, the pod's only address (apps that bind $HOST cannot be reached
 * around the gateway). From the daemon's environment only PATH is inherited (so `node`/`npm`
 * resolve); nothing else — the user's HOME, KUBECONFIG, KNLITE_*, tokens, proxies — leaks into
 * user processes.
 */
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
}

/** Builds the complete environment for one process of `container` in pod `pod` listening on `port`. */
export async function buildEnv(
  container: Container,
  pod: PodFacts,
  port: number,
  sources: EnvSources,
  opts: EnvOptions = {},
): Promise<Record<string, string>> {
  const { home, pathPrepend = [], daemonEnv = process.env } = opts;
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = daemonEnv[key];
    if (value !== undefined) env[key] = value;
  }
  // Like the kubelet's HOME from the image's user: a default that the pod's own env may override.
  if (home !== undefined) env.HOME = home;
  if (pathPrepend.length > 0)
    env.PATH = [...pathPrepend, env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');

  const ns = pod.namespace;
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const data = await sources.configMap(ns, from.configMapRef.name);
      if (!data && !from.configMapRef.optional)
        throw new EnvConfigError(`configmap "${from.configMapRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
    if (from.secretRef) {
      const data = await sources.secret(ns, from.secretRef.name);
      if (!data && !from.secretRef.optional)
        throw new EnvConfigError(`secret "${from.secretRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
  }
  for (const entry of container.env ?? []) {
    const value = await envValue(entry, pod, sources, env);
    if (value !== undefined) env[entry.name] = value;
  }
  // The process's own port always wins: the Deployment's PORT names the container port, which on
  // the local cluster is this process's loopback port. HOST too: 127.0.0.1 is the pod's address.
  env.PORT = String(port);
  env.HOST = POD_IP;
  return env;
}

async function envValue(
  entry: EnvVar,
  pod: PodFacts,
  sources: EnvSources,
  soFar: Record<string, string>,
): Promise<string | undefined> {
  if (entry.value !== undefined) return expandRefs(entry.value, soFar);
  const from = entry.valueFrom;
  if (!from) return '';
  if (from.configMapKeyRef) {
    const { name, key, optional } = from.configMapKeyRef;
    const data = await sources.configMap(pod.namespace, name);
    if (!data) {
      if (optional) return undefined;
      throw new EnvConfigError(`configmap "${name}" not found`);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new EnvConfigError(`couldn't find key ${key} in ConfigMap ${pod.namespace}/${name}`);
    }
    return data[key];
  }
  if (from.secretKeyRef) {
    const { name, key, optional } = from.secretKeyRef;
    const data = await sources.secret(pod.namespace, name);
    if (!data) {
      if (optional) return undefined;
      throw new EnvConfigError(`secret "${name}" not found`);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new EnvConfigError(`couldn't find key ${key} in Secret ${pod.namespace}/${name}`);
    }
    return data[key];
  }
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, pod);
  return undefined;
}

function fieldValue(path: string, pod: PodFacts): string {
  switch (path) {
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

// Kubernetes expands $(VAR) from variables defined earlier; $$(VAR) escapes to a literal $(VAR).
function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : match;
  });
}
