/**
 * A small kubeconfig loader (docs/adr/0002-cli-transport.md): resolves the file list the way
 * kubectl does (--kubeconfig, else $KUBECONFIG merged first-wins, else ~/.kube/config), picks the
 * context (--context, else current-context) and returns what the REST transport needs. It reads
 * js-yaml only, so CLI start-up never loads @kubernetes/client-node; users with `exec` or
 * `auth-provider` credentials are flagged so the transport can hand them to client-node lazily.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { KnError } from './errors.js';

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
  /** Files that were read, in precedence order. */
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
  const merged: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  for (const path of paths) {
    let doc: KubeconfigDoc;
    try {
      doc = (yaml.load(readFileSync(path, 'utf8')) ?? {}) as KubeconfigDoc;
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'the file does not exist'
          : (err as Error).message.split('\n')[0];
      throw new KnError(`cannot read kubeconfig ${path}: ${reason}`, {
        name: 'KubeconfigInvalid',
        cause: err,
      });
    }
    if (typeof doc !== 'object')
      throw new KnError(`kubeconfig ${path} is not a YAML mapping`, { name: 'KubeconfigInvalid' });
    const base = dirname(path);
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
    throw new KnError(`cannot read ${what} file ${path} named in the kubeconfig: ${(err as Error).message}`, {
      name: 'KubeconfigInvalid',
      cause: err,
    });
  }
}

function b64(value: unknown): Buffer | undefined {
  return typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64') : undefined;
}

/** Resolves one context of already-read kubeconfig files into connection settings. */
export function resolveKubeconfig(paths: string[], contextOverride?: string): ResolvedKubeconfig {
  const merged = mergeKubeconfigs(paths);
  const contextName = contextOverride || merged['current-context'];
  if (!contextName) {
    throw new KnError(
      `the kubeconfig (${paths.join(', ')}) has no current-context: pass --context or run \`kubectl config use-context NAME\``,
      {
        name: 'KubeconfigInvalid',
      },
    );
  }
  const ctx = merged.contexts!.find((c) => c.name === contextName)?.context;
  if (!ctx) {
    const known = merged.contexts!.map((c) => c.name).join(', ') || 'none';
    throw new KnError(`context '${contextName}' not found in the kubeconfig (known contexts: ${known})`, {
      name: 'KubeconfigInvalid',
    });
  }
  const cluster = merged.clusters!.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') {
    throw new KnError(
      `cluster '${ctx.cluster}' of context '${contextName}' is missing or has no server in the kubeconfig`,
      { name: 'KubeconfigInvalid' },
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

/**
 * Loads the kubeconfig the CLI should use. When no kubeconfig exists at all (no --kubeconfig, no
 * $KUBECONFIG file, no ~/.kube/config) it starts the embedded local cluster on demand and uses its
 * kubeconfig — the "works on a fresh machine" default.
 */
export async function loadKubeconfig(opts: KubeconfigOptions = {}): Promise<ResolvedKubeconfig> {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig && !existsSync(opts.kubeconfig)) {
    throw new KnError(
      `the kubeconfig file ${resolve(opts.kubeconfig)} given with --kubeconfig does not exist`,
      { name: 'NoKubeconfig' },
    );
  }
  let paths = kubeconfigPaths(opts);
  const explicitlyListed = (env.KUBECONFIG ?? '').split(delimiter).some((p) => p.trim() !== '');
  if (paths.length === 0 && explicitlyListed) {
    throw new KnError(
      `none of the files in $KUBECONFIG exist (${env.KUBECONFIG}): fix KUBECONFIG or run \`knlite cluster start\``,
      {
        name: 'NoKubeconfig',
      },
    );
  }
  if (paths.length === 0) {
    const { ensureLocalCluster } = await import('../local/autostart.js');
    const { kubeconfigPath } = await ensureLocalCluster();
    paths = [kubeconfigPath];
  }
  return resolveKubeconfig(paths, opts.context);
}
