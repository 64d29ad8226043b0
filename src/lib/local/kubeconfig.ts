/**
 * Merges the local cluster's context into the user's kubeconfig the way kind does: one cluster,
 * one user and one context named `knlite`, current-context switched to it, every other entry
 * left exactly as it was. The file is written with mode 0600.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, delimiter } from 'node:path';
import yaml from 'js-yaml';

/** The context, cluster and user name knlite uses in kubeconfig files. */
export const LOCAL_CONTEXT = 'knlite';

interface Named {
  name: string;
  [key: string]: unknown;
}

interface KubeconfigFile {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  preferences?: unknown;
  [key: string]: unknown;
}

/** The kubeconfig file kubectl would write to: first entry of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '');
  return first ?? join(homedir(), '.kube', 'config');
}

/** Whether the user has any kubeconfig at all (the embedded cluster is the default when not). */
export function hasUserKubeconfig(env: NodeJS.ProcessEnv = process.env): boolean {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p.trim() !== '');
  if (listed.length > 0) return listed.some((p) => existsSync(p));
  return existsSync(join(homedir(), '.kube', 'config'));
}

function readKubeconfig(path: string): KubeconfigFile {
  if (!existsSync(path)) return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  const parsed = yaml.load(readFileSync(path, 'utf8'));
  return (parsed && typeof parsed === 'object' ? parsed : {}) as KubeconfigFile;
}

function writeKubeconfig(path: string, cfg: KubeconfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.knlite-tmp`;
  writeFileSync(tmp, yaml.dump(cfg, { lineWidth: -1 }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function upsert(list: Named[] | undefined, entry: Named): Named[] {
  const rest = (list ?? []).filter((e) => e.name !== entry.name);
  return [...rest, entry];
}

/** Adds (or refreshes) the `knlite` entries taken from `localKubeconfig` and makes it current. */
export function mergeLocalContext(localKubeconfig: string, target = userKubeconfigPath()): void {
  const local = yaml.load(localKubeconfig) as KubeconfigFile;
  const cluster = local.clusters?.[0];
  const user = local.users?.[0];
  if (!cluster || !user) throw new Error('the local cluster kubeconfig has no cluster or user entry');
  const cfg = readKubeconfig(target);
  cfg.apiVersion ??= 'v1';
  cfg.kind ??= 'Config';
  cfg.clusters = upsert(cfg.clusters, { ...cluster, name: LOCAL_CONTEXT });
  cfg.users = upsert(cfg.users, { ...user, name: LOCAL_CONTEXT });
  cfg.contexts = upsert(cfg.contexts, {
    name: LOCAL_CONTEXT,
    context: { cluster: LOCAL_CONTEXT, user: LOCAL_CONTEXT, namespace: 'default' },
  });
  cfg['current-context'] = LOCAL_CONTEXT;
  writeKubeconfig(target, cfg);
}

/** Removes the `knlite` entries (on `cluster delete`); clears current-context if it pointed there. */
export function removeLocalContext(target = userKubeconfigPath()): boolean {
  if (!existsSync(target)) return false;
  const cfg = readKubeconfig(target);
  const before = JSON.stringify(cfg);
  cfg.clusters = (cfg.clusters ?? []).filter((e) => e.name !== LOCAL_CONTEXT);
  cfg.users = (cfg.users ?? []).filter((e) => e.name !== LOCAL_CONTEXT);
  cfg.contexts = (cfg.contexts ?? []).filter((e) => e.name !== LOCAL_CONTEXT);
  if (cfg['current-context'] === LOCAL_CONTEXT) cfg['current-context'] = '';
  if (JSON.stringify(cfg) === before) return false;
  writeKubeconfig(target, cfg);
  return true;
}
