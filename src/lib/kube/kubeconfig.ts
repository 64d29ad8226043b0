/**
 * Connection settings for the REST client (docs/adr/0002-cli-transport.md): kubeconfig files resolved
 * the way kubectl does (--kubeconfig, else $KUBECONFIG merged first-wins, else ~/.kube/config), the
 * context (--context, else current-context), or — inside a pod — the service account's token, CA and
 * KUBERNETES_SERVICE_HOST/PORT. It reads js-yaml only, so CLI start-up never loads
 * @kubernetes/client-node; users with `exec` or `auth-provider` credentials are flagged so the REST
 * client can hand them to client-node lazily.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { KubeconfigError } from './errors.js';

/** The parts of a kubeconfig document this loader reads. */
export interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context'?: string;
  [key: string]: unknown;
}

/** Connection settings of one resolved context. */
export interface ResolvedKubeconfig {
  /** Files that were read, in precedence order ([] for in-cluster or in-memory configs). */
  paths: string[];
  contextName: string;
  /** API server base URL without a trailing slash. */
  server: string;
  /** Namespace of the context, or 'default'. */
  namespace: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** The user authenticates through `exec` or `auth-provider`: the transport asks client-node. */
  needsClientNode: boolean;
  /** The merged document (with the chosen current-context), for client-node. */
  merged: KubeconfigDoc;
  /** Re-read `tokenFile` this often (ms): service-account tokens rotate. Default: every request. */
  tokenFileCacheMs?: number;
}

/** Options that select the kubeconfig and context (the --kubeconfig and --context flags). */
export interface KubeconfigOptions {
  kubeconfig?: string;
  context?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The kubeconfig files that would be read, or [] when none exists (the embedded-cluster case). */
export function kubeconfigPaths(opts: KubeconfigOptions = {}): string[] {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return [resolve(opts.kubeconfig)];
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p.trim() !== '');
  if (listed.length > 0) return listed.map((p) => resolve(p)).filter((p) => existsSync(p));
  const home = join(opts.home ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** Reads and merges kubeconfig files: the first file to define a named entry or current-context wins. */
export function mergeKubeconfigs(paths: string[]): KubeconfigDoc {
  const docs: { doc: KubeconfigDoc; base: string }[] = [];
  for (const path of paths) {
    let doc: KubeconfigDoc;
    try {
      doc = (yaml.load(readFileSync(path, 'utf8')) ?? {}) as KubeconfigDoc;
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'the file does not exist'
          : (err as Error).message.split('\n')[0];
      throw new KubeconfigError(`cannot read kubeconfig ${path}: ${reason}`, 'KubeconfigInvalid', {
        cause: err,
      });
    }
    if (typeof doc !== 'object') throw new KubeconfigError(`kubeconfig ${path} is not a YAML mapping`);
    docs.push({ doc, base: dirname(path) });
  }
  return mergeDocs(docs);
}

function mergeDocs(docs: { doc: KubeconfigDoc; base: string }[]): KubeconfigDoc {
  const merged: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  for (const { doc, base } of docs) {
    for (const c of doc.clusters ?? []) {
      if (!merged.clusters!.some((x) => x.name === c.name))
        merged.clusters!.push({
          ...c,
          cluster: absolutize(c.cluster ?? {}, base, ['certificate-authority']),
        });
    }
    for (const u of doc.users ?? []) {
      if (!merged.users!.some((x) => x.name === u.name))
        merged.users!.push({
          ...u,
          user: absolutize(u.user ?? {}, base, ['client-certificate', 'client-key', 'tokenFile']),
        });
    }
    for (const c of doc.contexts ?? []) {
      if (!merged.contexts!.some((x) => x.name === c.name)) merged.contexts!.push(c);
    }
    if (!merged['current-context'] && doc['current-context'])
      merged['current-context'] = doc['current-context'];
  }
  return merged;
}

// File references in a kubeconfig are relative to the file that holds them (kubectl semantics).
function absolutize(entry: Record<string, unknown>, base: string, keys: string[]): Record<string, unknown> {
  const out = { ...entry };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[k] = join(base, v);
  }
  return out;
}

function readFileField(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KubeconfigError(
      `cannot read ${what} file ${path} named in the kubeconfig: ${(err as Error).message}`,
      'KubeconfigInvalid',
      { cause: err },
    );
  }
}

function b64(value: unknown): Buffer | undefined {
  return typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64') : undefined;
}

/** Resolves one context of already-read kubeconfig files into connection settings. */
export function resolveKubeconfig(paths: string[], contextOverride?: string): ResolvedKubeconfig {
  return resolveDoc(mergeKubeconfigs(paths), paths, contextOverride);
}

/** Resolves one context of a kubeconfig held in memory (e.g. the embedded API server's own). */
export function kubeconfigFromString(text: string, contextOverride?: string): ResolvedKubeconfig {
  const doc = yaml.load(text);
  if (!doc || typeof doc !== 'object') throw new KubeconfigError('the kubeconfig is not a YAML mapping');
  const merged = mergeDocs([{ doc: doc as KubeconfigDoc, base: process.cwd() }]);
  return resolveDoc(merged, [], contextOverride);
}

function resolveDoc(merged: KubeconfigDoc, paths: string[], contextOverride?: string): ResolvedKubeconfig {
  const contextName = contextOverride || merged['current-context'];
  if (!contextName) {
    throw new KubeconfigError(
      `the kubeconfig (${paths.join(', ')}) has no current-context: pass --context or run \`kubectl config use-context NAME\``,
    );
  }
  const ctx = merged.contexts!.find((c) => c.name === contextName)?.context;
  if (!ctx) {
    const known = merged.contexts!.map((c) => c.name).join(', ') || 'none';
    throw new KubeconfigError(
      `context '${contextName}' not found in the kubeconfig (known contexts: ${known})`,
    );
  }
  const cluster = merged.clusters!.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') {
    throw new KubeconfigError(
      `cluster '${ctx.cluster}' of context '${contextName}' is missing or has no server in the kubeconfig`,
    );
  }
  const user = merged.users!.find((u) => u.name === ctx.user)?.user ?? {};
  merged['current-context'] = contextName;

  return {
    paths,
    contextName,
    server: cluster.server.replace(/\/+$/, ''),
    namespace: ctx.namespace || 'default',
    ca:
      b64(cluster['certificate-authority-data']) ??
      (typeof cluster['certificate-authority'] === 'string'
        ? readFileField(cluster['certificate-authority'], 'certificate-authority')
        : undefined),
    cert:
      b64(user['client-certificate-data']) ??
      (typeof user['client-certificate'] === 'string'
        ? readFileField(user['client-certificate'], 'client-certificate')
        : undefined),
    key:
      b64(user['client-key-data']) ??
      (typeof user['client-key'] === 'string' ? readFileField(user['client-key'], 'client-key') : undefined),
    token: typeof user.token === 'string' && user.token !== '' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' && user.tokenFile !== '' ? user.tokenFile : undefined,
    username: typeof user.username === 'string' ? user.username : undefined,
    password: typeof user.password === 'string' ? user.password : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined,
    needsClientNode: user.exec !== undefined || user['auth-provider'] !== undefined,
    merged,
  };
}

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The in-cluster connection (client-go's rest.InClusterConfig): KUBERNETES_SERVICE_HOST/PORT, the
 * service account's token (re-read every minute, as it rotates), its ca.crt and namespace; undefined
 * outside a pod.
 */
export function inClusterConfig(
  env: NodeJS.ProcessEnv = process.env,
  dir = SERVICE_ACCOUNT_DIR,
): ResolvedKubeconfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const caFile = join(dir, 'ca.crt');
  const nsFile = join(dir, 'namespace');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    paths: [],
    contextName: 'in-cluster',
    server: `https://${hostPart}:${port}`,
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() || 'default' : 'default',
    ca: existsSync(caFile) ? readFileField(caFile, 'ca.crt') : undefined,
    tokenFile,
    tokenFileCacheMs: 60_000,
    insecureSkipTlsVerify: false,
    needsClientNode: false,
    merged: { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] },
  };
}

/** How `loadKubeconfig` finds its configuration when no kubeconfig file exists. */
export interface LoadOptions extends KubeconfigOptions {
  /** Fall back to the pod's service account (client-go's in-cluster config). Default false. */
  inCluster?: boolean;
  /** Last resort: returns the path of a kubeconfig to use (the CLI starts the local cluster here). */
  onMissing?: () => Promise<string>;
}

/**
 * Loads the kubeconfig to use: --kubeconfig, else $KUBECONFIG, else ~/.kube/config; when none
 * exists, the in-cluster config (if asked for), else the file `onMissing` provides.
 */
export async function loadKubeconfig(opts: LoadOptions = {}): Promise<ResolvedKubeconfig> {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig && !existsSync(opts.kubeconfig)) {
    throw new KubeconfigError(
      `the kubeconfig file ${resolve(opts.kubeconfig)} given with --kubeconfig does not exist`,
      'NoKubeconfig',
    );
  }
  let paths = kubeconfigPaths(opts);
  const explicitlyListed = (env.KUBECONFIG ?? '').split(delimiter).some((p) => p.trim() !== '');
  if (paths.length === 0 && explicitlyListed) {
    throw new KubeconfigError(
      `none of the files in $KUBECONFIG exist (${env.KUBECONFIG}): fix KUBECONFIG or run \`knlite cluster start\``,
      'NoKubeconfig',
    );
  }
  if (paths.length === 0 && opts.inCluster) {
    const inCluster = inClusterConfig(env);
    if (inCluster) return inCluster;
  }
  if (paths.length === 0 && opts.onMissing) paths = [await opts.onMissing()];
  if (paths.length === 0) {
    throw new KubeconfigError(
      'no kubeconfig found: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config',
      'NoKubeconfig',
    );
  }
  return resolveKubeconfig(paths, opts.context);
}
