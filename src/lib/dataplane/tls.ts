/**
 * Certificates for the gateway's HTTPS port. The KIngresses' `spec.tls` entries say which Secret
 * (type kubernetes.io/tls: `tls.crt`, `tls.key`) holds the certificate of which host; the SNI
 * server name picks it (exact host first, then a `*.parent` wildcard entry).
 *
 * Least privilege in what is read: one single-object watch (`fieldSelector=metadata.name=<name>`
 * in the Secret's namespace) per Secret some KIngress names, stopped once none names it — never a
 * watch on all Secrets. RBAC cannot narrow get/list/watch to names unknown in advance, so the
 * gateway's role still allows reading Secrets; the gateway just never asks for others.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from '../apis/types.js';
import { Informer } from '../kube/informer.js';
import { Kinds } from '../kube/kinds.js';
import type { RestClient } from '../kube/rest.js';

/** The certificate and key of a kubernetes.io/tls Secret, or why it has none. */
export function secretKeyPair(secret: Secret): { cert: string; key: string } | { error: string } {
  const read = (k: string): string | undefined =>
    secret.data?.[k] !== undefined
      ? Buffer.from(secret.data[k], 'base64').toString('utf8')
      : secret.stringData?.[k];
  const cert = read('tls.crt');
  const key = read('tls.key');
  if (!cert || !key) return { error: 'has no tls.crt and tls.key' };
  return { cert, key };
}

/** Follows the Secrets the KIngresses name and answers SNI lookups from them. */
export class CertificateStore {
  private hosts = new Map<string, string>();
  private readonly watches = new Map<string, Informer<Secret>>();
  private readonly contexts = new Map<string, { version: string; context?: SecureContext }>();

  constructor(
    private readonly rest: RestClient,
    private readonly log: (msg: string) => void,
  ) {}

  /** Sets host → `namespace/name` of its Secret; starts and stops the per-Secret watches. */
  setHosts(hosts: Map<string, string>): void {
    this.hosts = new Map(hosts);
    const wanted = new Set(hosts.values());
    for (const [key, inf] of this.watches) {
      if (wanted.has(key)) continue;
      void inf.stop().catch(() => {});
      this.watches.delete(key);
      this.contexts.delete(key);
    }
    for (const key of wanted) {
      if (this.watches.has(key)) continue;
      const [namespace, name] = key.split('/');
      const inf = new Informer<Secret>(this.rest, Kinds.secret, {
        namespace,
        fieldSelector: `metadata.name=${name}`,
        backoff: { baseMs: 500, maxMs: 10_000 },
        log: (m) => this.log(`informer error (Secret ${key}): ${m}`),
      });
      this.watches.set(key, inf);
      inf.start();
    }
  }

  /** Resolves once every watched Secret has been listed once. */
  async synced(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.synced));
  }

  /** The TLS context for an SNI server name, if a KIngress gives that host a usable certificate. */
  context(servername: string): SecureContext | undefined {
    const host = servername.toLowerCase();
    const key = this.hosts.get(host) ?? this.hosts.get(`*.${host.slice(host.indexOf('.') + 1)}`);
    if (!key) return undefined;
    const [namespace, name] = key.split('/');
    const secret = this.watches.get(key)?.lister.get(namespace, name);
    if (!secret) return undefined;
    const version = secret.metadata.resourceVersion ?? '';
    const cached = this.contexts.get(key);
    if (cached?.version === version) return cached.context;
    const pair = secretKeyPair(secret);
    let context: SecureContext | undefined;
    if ('error' in pair) this.log(`Secret ${key} ${pair.error}: host "${host}" gets no certificate`);
    else {
      try {
        context = createSecureContext(pair);
      } catch (err) {
        this.log(`Secret ${key}: ${(err as Error).message}: host "${host}" gets no certificate`);
      }
    }
    this.contexts.set(key, { version, context });
    return context;
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.stop().catch(() => {})));
    this.watches.clear();
  }
}
