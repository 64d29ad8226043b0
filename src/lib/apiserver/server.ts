/**
 * The embedded Kubernetes-compatible API server: HTTPS (CA generated at first start), bearer
 * token auth, SQLite storage, the REST router, watch hub, admission chain and garbage collector.
 * Serves core v1, apps/v1, coordination.k8s.io/v1, apiextensions.k8s.io/v1 and the Knative CRDs
 * from config/crds (plus any CRD created through the API).
 */
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { KubeObject } from '../apis/types.js';
import { listen } from '../net/listen.js';
import { authenticate, ensureToken, isPublicPath, type ServiceAccountAuth } from './auth.js';
import { builtinResourceTypes, SYSTEM_NAMESPACES } from './builtins.js';
import { crdToResourceTypes, loadCrdObjects } from './crds.js';
import { resourceNotFound, toStatus, unauthorized } from './errors.js';
import { DEFAULT_EVENT_TTL_MS, EventExpiry } from './event-ttl.js';
import { GarbageCollector } from './owner-gc.js';
import { metricsResourceTypes, type MetricsSource } from './metrics.js';
import { Handlers } from './handlers.js';
import { Registry } from './registry.js';
import type { PodConnector } from './pod-connector.js';
import { POD_SUBRESOURCES, refuseUpgrade, upgradePodSubresource } from './pod-subresources.js';
import { Authorizer, bootstrapRbac, forbiddenError, requestAttributes } from './rbac.js';
import { parseResourcePath, route, sendStatus } from './router.js';
import { DEFAULT_ISSUER, TokenSigner } from './sa-token.js';
import { DEFAULT_HISTORY, Store } from './store.js';
import { ensureTls, writePrivateFile } from './tls.js';
import type { AdmissionPlugin, ResourceType } from './types.js';

/** Options of startApiServer. */
export interface ApiServerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  admission?: AdmissionPlugin[];
  /** Directory of CRD YAML to install at start (default: the shipped config/crds). */
  crdDir?: string;
  /** Server-side watch timeout when the client sends none (default 1800 s, like kube-apiserver's minimum). */
  watchTimeoutSeconds?: number;
  /** Interval of BOOKMARK events for watches that allow them (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Largest accepted request body (default 3 MiB). */
  maxBodyBytes?: number;
  /** Watch history kept for resuming (default 10,000 events). */
  historySize?: number;
  /** How long an Event lives after its last write (kube-apiserver's `--event-ttl`, default 1 h). */
  eventTtlMs?: number;
  /** Where `metrics.k8s.io` usage comes from (also settable later with `setMetricsSource`). */
  metrics?: MetricsSource;
  /** Service-account token issuer (`--service-account-issuer`, default https://kubernetes.default.svc.cluster.local). */
  serviceAccountIssuer?: string;
  /** Audiences a service-account token must name one of (`--api-audiences`, default: the issuer). */
  apiAudiences?: string[];
  /** The clock service-account tokens are issued and checked by, in seconds (tests move it). */
  clock?: () => number;
}

/** A running API server. */
export interface ApiServer {
  url: string;
  port: number;
  caPem: string;
  token: string;
  /** A kubeconfig YAML for this server (cluster and context named `context`, user knlite-admin). */
  kubeconfig(context?: string): string;
  /** Writes `kubeconfig(context)` to `file` with mode 0600. */
  writeKubeconfig(file: string, context?: string): void;
  /** Number of stored objects per `resource.group` (for `knlite cluster status`). */
  objectCounts(): Record<string, number>;
  /** The data directory's SQLite integrity verdict ('ok' when intact). */
  integrityCheck(): string;
  /** Resolves once the garbage collector has nothing queued. */
  gcIdle(): Promise<void>;
  /** Plugs in what runs this server's pods (pods/log, exec); returns the function that unplugs it. */
  connectPods(connector: PodConnector): () => void;
  /** Serves `metrics.k8s.io/v1beta1` from `source` (undefined stops serving it). */
  setMetricsSource(source: MetricsSource | undefined): void;
  close(): Promise<void>;
}

/** The default body size limit: kube-apiserver's 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Marks a stored CRD Established with its accepted names, as the apiextensions controller does. */
function establishCrd(crd: KubeObject): KubeObject | undefined {
  const spec = (crd.spec ?? {}) as {
    names?: Record<string, unknown>;
    versions?: { name: string; storage?: boolean }[];
  };
  const status = (crd.status ?? {}) as { conditions?: { type: string; status: string }[] };
  const storage = (spec.versions ?? []).filter((v) => v.storage).map((v) => v.name);
  const next = {
    acceptedNames: spec.names ?? {},
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: now(),
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: now(),
      },
    ],
    storedVersions: storage,
  };
  const established = status.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  if (
    established &&
    JSON.stringify((crd.status as { acceptedNames?: unknown }).acceptedNames) ===
      JSON.stringify(next.acceptedNames)
  )
    return undefined;
  return { ...crd, status: next };
}

/** Starts the API server on `host:port` (default 127.0.0.1, random port when 0). */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const tls = ensureTls(opts.dataDir, host);
  const token = ensureToken(opts.dataDir);
  const store = new Store(opts.dataDir, opts.historySize ?? DEFAULT_HISTORY);
  const registry = new Registry(builtinResourceTypes());
  const handlers = new Handlers(store, registry, opts.admission ?? []);
  const crdType = registry.get('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const system = { user: { username: 'system:apiserver', groups: ['system:masters'] } };
  const issuer = opts.serviceAccountIssuer ?? DEFAULT_ISSUER;
  const signer = new TokenSigner(opts.dataDir, issuer, opts.apiAudiences ?? [issuer], opts.clock);
  const saAuth: ServiceAccountAuth = { signer, get: (r, ns, n) => store.get('', r, ns, n) };
  const authorizer = new Authorizer((resource, ns) =>
    [...store.list('rbac.authorization.k8s.io', resource, ns)].map(
      (row) => JSON.parse(row.data) as KubeObject,
    ),
  );
  const saType = registry.get('', 'v1', 'serviceaccounts')!;
  // The service-account controller's part: every live namespace has a `default` ServiceAccount.
  const seedServiceAccount = (ns: KubeObject): void => {
    const name = ns.metadata.name!;
    if (ns.metadata.deletionTimestamp || store.get('', 'serviceaccounts', name, 'default')) return;
    handlers.create(
      saType,
      name,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } },
      system,
    );
  };
  handlers.hooks.namespaceStored = seedServiceAccount;

  const register = (crd: KubeObject): void => {
    registry.removeCrd(crd.metadata.name!);
    for (const t of crdToResourceTypes(crd)) registry.add(t);
  };
  handlers.hooks.crdChanged = (crd, deleted) => {
    if (deleted) {
      // Deleting a CRD deletes every custom resource it served.
      const gone: ResourceType[] = registry.removeCrd(crd.metadata.name!);
      const t = gone[0];
      if (t)
        for (const row of [...store.list(t.group, t.resource, undefined)])
          store.delete(t.group, t.resource, JSON.parse(row.data) as KubeObject);
      return;
    }
    register(crd);
    const est = establishCrd(crd);
    if (est) {
      const stored = store.get(crdType.group, crdType.resource, '', crd.metadata.name!);
      if (stored) store.update(crdType.group, crdType.resource, { ...stored, status: est.status }, stored);
    }
  };

  // First start: system namespaces and the shipped CRDs; later starts: CRD upgrades and registration.
  for (const ns of SYSTEM_NAMESPACES) {
    if (!store.get('', 'namespaces', '', ns))
      handlers.create(
        registry.get('', 'v1', 'namespaces')!,
        undefined,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
        system,
      );
  }
  for (const row of [...store.list('', 'namespaces', undefined)])
    seedServiceAccount(JSON.parse(row.data) as KubeObject);
  for (const { resource, object } of bootstrapRbac())
    if (!store.get('rbac.authorization.k8s.io', resource, '', object.metadata.name!))
      handlers.create(registry.get('rbac.authorization.k8s.io', 'v1', resource)!, undefined, object, system);
  for (const row of [...store.list(crdType.group, crdType.resource, undefined)]) {
    try {
      register(JSON.parse(row.data) as KubeObject);
    } catch (err) {
      process.emitWarning(
        `knlite apiserver: stored CRD ${row.name} cannot be served: ${(err as Error).message}`,
      );
    }
  }
  for (const crd of loadCrdObjects(opts.crdDir)) {
    const existing = store.get(crdType.group, crdType.resource, '', crd.metadata.name!);
    if (!existing) handlers.create(crdType, undefined, structuredClone(crd), system);
    else if (JSON.stringify(existing.spec) !== JSON.stringify(crd.spec)) {
      handlers.update(
        crdType,
        undefined,
        crd.metadata.name!,
        {
          ...existing,
          spec: crd.spec,
          metadata: { ...existing.metadata, labels: crd.metadata.labels ?? existing.metadata.labels },
        },
        '',
        system,
      );
    }
  }

  let metricsSource: MetricsSource | undefined;
  const setMetricsSource = (source: MetricsSource | undefined): void => {
    metricsSource = source;
    // Discovery lists the group only while it is served, like a registered aggregated API.
    for (const t of metricsResourceTypes()) {
      if (source) registry.add(t);
      else registry.remove(t);
    }
  };
  setMetricsSource(opts.metrics);

  await store.flushed();
  const gc = new GarbageCollector(handlers);
  const eventExpiry = new EventExpiry(store, opts.eventTtlMs ?? DEFAULT_EVENT_TTL_MS);
  const watches = new Set<() => void>();
  const sockets = new Set<Socket>();
  let serverAddress = `${host}:0`;
  let pods: PodConnector | undefined;

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem, keepAlive: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const user = authenticate(req, token, saAuth);
    if (!user && !isPublicPath(url.pathname)) {
      req.resume();
      sendStatus(res, toStatus(unauthorized()));
      return;
    }
    if (user && !isPublicPath(url.pathname)) {
      const attrs = requestAttributes(
        user,
        req.method ?? 'GET',
        url.pathname,
        url.searchParams,
        parseResourcePath(url.pathname),
      );
      const decision = authorizer.authorize(attrs);
      if (!decision.allowed) {
        req.resume();
        sendStatus(res, toStatus(forbiddenError(attrs, decision.reason)));
        return;
      }
    }
    route(
      {
        handlers,
        watch: {
          defaultTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800,
          bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
        },
        maxBodyBytes: opts.maxBodyBytes ?? MAX_BODY_BYTES,
        serverAddress,
        trackWatch: (close) => {
          watches.add(close);
          return () => watches.delete(close);
        },
        pods: () => pods,
        metrics: () => metricsSource,
        authorizer,
        tokens: signer,
      },
      req,
      res,
      url,
      user ?? { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    ).catch((err: unknown) => {
      const status = toStatus(err);
      if (status.code >= 500)
        process.emitWarning(
          `knlite apiserver: ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`,
        );
      // Unread request bodies would stall the keep-alive connection.
      if (!req.complete) req.resume();
      sendStatus(res, status);
    });
  });
  // exec (and the refusals of port-forward/attach) arrive as HTTP upgrades.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const user = authenticate(req, token, saAuth);
      if (!user) throw unauthorized();
      const p = parseResourcePath(url.pathname);
      // An upgrade (exec) is authorized as `create` on the subresource, as kube does for websockets.
      const attrs = { ...requestAttributes(user, 'POST', url.pathname, url.searchParams, p) };
      const decision = authorizer.authorize(attrs);
      if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
      const podType = registry.get('', 'v1', 'pods')!;
      if (
        !p ||
        p.group !== '' ||
        p.resource !== 'pods' ||
        !p.name ||
        !p.namespace ||
        !POD_SUBRESOURCES.has(p.subresource)
      )
        throw resourceNotFound();
      const pod = handlers.get(podType, p.namespace, p.name);
      upgradePodSubresource(pods, req, socket, head, pod, p.subresource, url.searchParams);
    } catch (err) {
      refuseUpgrade(socket, toStatus(err));
    }
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0; // watches are long-lived
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const port = await listen(server, opts.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `https://${urlHost}:${port}`;
  serverAddress = `${urlHost}:${port}`;

  const kubeconfig = (context = 'knlite'): string =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${url}`,
      `    certificate-authority-data: ${Buffer.from(tls.caPem).toString('base64')}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      '    user: knlite-admin',
      `current-context: ${context}`,
      'preferences: {}',
      'users:',
      '- name: knlite-admin',
      '  user:',
      `    token: ${token}`,
      '',
    ].join('\n');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    caPem: tls.caPem,
    token,
    kubeconfig,
    writeKubeconfig: (file, context) => writePrivateFile(path.resolve(file), kubeconfig(context)),
    objectCounts: () => store.counts(),
    integrityCheck: () => store.integrityCheck(),
    gcIdle: () => gc.idle(),
    connectPods: (connector) => {
      pods = connector;
      return () => {
        if (pods === connector) pods = undefined;
      };
    },
    setMetricsSource,
    close: () =>
      (closed ??= (async () => {
        gc.stop();
        eventExpiry.stop();
        for (const w of [...watches]) w();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          for (const s of sockets) s.destroy();
        });
        store.close();
      })()),
  };
}
