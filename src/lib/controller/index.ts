/**
 * knlite's bundled Knative Serving reconciler: shared informers → keyed work queues → one generic
 * driver per reconciler (service, configuration, revision, route, labeler, domainmapping, gc), with
 * leader election on a Lease so only one replica reconciles. Runs against any Kubernetes API server.
 */
import { ConfigStore, INVALID_CONFIG_REASON, invalidConfigMessage } from '../apis/config-store.js';
import { Annotations, KNLITE_CERTIFICATE_CLASS, Labels, SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { CertificateAuthority } from './certificate/issuer.js';
import { certificateReconciler } from './certificate/reconciler.js';
import type {
  Certificate,
  ClusterDomainClaim,
  ConfigMap,
  Configuration,
  Deployment,
  DomainMapping,
  Ingress,
  KnStatus,
  KubeObject,
  KubeService,
  Pod,
  Revision,
  Route,
  Service,
} from '../apis/types.js';
import { configurationReconciler } from './configuration/reconciler.js';
import { controllerOf } from '../apis/owner.js';
import { Index, type Listers, type ReconcilerDeps } from './context.js';
import { domainMappingReconciler } from './domainmapping/reconciler.js';
import { gcReconciler } from './gc/reconciler.js';
import { labelerReconciler } from './labeler/reconciler.js';
import { revisionReconciler } from './revision/reconciler.js';
import { routeReconciler } from './route/reconciler.js';
import { makeDriver, type KindReconciler } from './framework/driver.js';
import { Informer, type EventHandler } from '../kube/informer.js';
import { Kinds, type Kind } from '../kube/kinds.js';
import { defaultIdentity, LeaderElector } from '../kube/leader.js';
import { EventRecorder } from './framework/recorder.js';
import { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { keyOf, labelIndex, type IndexFunc } from '../kube/store.js';
import { serviceReconciler } from './service/reconciler.js';

/** Options of {@link startReconciler}. */
export interface ReconcilerOptions {
  /** Reconcile only while holding the `knlite-reconciler` Lease in knative-serving (default true). */
  leaderElection?: boolean;
  /** Lease holder identity (default `<hostname>_<random>`). */
  identity?: string;
  /** Where to log problems (default: stderr when KNLITE_DEBUG is set, else nowhere). */
  log?: (msg: string) => void;
  /** Workers per reconciler (default 4). */
  workers?: number;
  /** How long to wait for the first list of every informer before giving up (default 30s). */
  syncTimeoutMs?: number;
  /**
   * The CA that issues Certificates of knlite's certificate class (the local cluster's). Without
   * it those Certificates are left to another implementation.
   */
  certificateAuthority?: CertificateAuthority;
}

/** A running reconciler. */
export interface RunningReconciler {
  stop(): Promise<void>;
}

/** Name of the Lease that elects the active reconciler. */
export const LEASE_NAME = 'knlite-reconciler';

/** Label present on every revision child (Deployments, Services, Pods) — limits what we watch. */
const REVISION_CHILDREN = Labels.revision;

const routeNamesOf = (o: KubeObject): string[] =>
  (o.metadata.annotations?.[Annotations.routes] ?? '').split(',').filter(Boolean);
const byRoute: IndexFunc<KubeObject> = (o) => routeNamesOf(o).map((r) => `${o.metadata.namespace}/${r}`);
const byTarget: IndexFunc<Route> = (r) =>
  (r.spec?.traffic ?? []).flatMap((t) => [
    ...(t.configurationName ? [`${r.metadata.namespace}/configuration:${t.configurationName}`] : []),
    ...(t.revisionName ? [`${r.metadata.namespace}/revision:${t.revisionName}`] : []),
  ]);

/** Index functions every Lister must provide (shared with the test fixtures). */
export const indexers = {
  revisions: {
    [Index.byConfiguration]: labelIndex<Revision>(Labels.configuration),
    [Index.byRoute]: byRoute,
  },
  configurations: { [Index.byRoute]: byRoute },
  routes: { [Index.byTarget]: byTarget },
  pods: { [Index.byRevision]: labelIndex<Pod>(Labels.revision) },
  domainMappings: {
    [Index.byName]: (dm: DomainMapping) => [dm.metadata.name!],
    [Index.byRef]: (dm: DomainMapping) => [
      `${dm.spec?.ref?.namespace || dm.metadata.namespace}/${dm.spec?.ref?.name}`,
    ],
  },
} satisfies Record<string, Record<string, IndexFunc<any>>>;

/** Calls `fn` for add, update and delete. */
function onAny<T>(fn: (obj: T) => void): EventHandler<T> {
  return { add: fn, update: (_old, obj) => fn(obj), delete: fn };
}

/** Starts every reconciler on the cluster `rest` talks to (the caller keeps owning `rest`). */
export async function startReconciler(
  rest: RestClient,
  opts: ReconcilerOptions = {},
): Promise<RunningReconciler> {
  const log =
    opts.log ??
    (process.env.KNLITE_DEBUG ? (m: string) => process.stderr.write(`reconciler: ${m}\n`) : () => {});
  const informer = <T extends KubeObject>(
    kind: Kind,
    o: { namespace?: string; labelSelector?: string; indexers?: Record<string, IndexFunc<T>> } = {},
  ) => new Informer<T>(rest, kind, { ...o, log });

  const inf = {
    services: informer<Service>(Kinds.service),
    configurations: informer<Configuration>(Kinds.configuration, { indexers: indexers.configurations }),
    revisions: informer<Revision>(Kinds.revision, { indexers: indexers.revisions }),
    routes: informer<Route>(Kinds.route, { indexers: indexers.routes }),
    domainMappings: informer<DomainMapping>(Kinds.domainMapping, { indexers: indexers.domainMappings }),
    clusterDomainClaims: informer<ClusterDomainClaim>(Kinds.clusterDomainClaim),
    deployments: informer<Deployment>(Kinds.deployment, { labelSelector: REVISION_CHILDREN }),
    kubeServices: informer<KubeService>(Kinds.kubeService, { labelSelector: REVISION_CHILDREN }),
    pods: informer<Pod>(Kinds.pod, { labelSelector: REVISION_CHILDREN, indexers: indexers.pods }),
    configMaps: informer<ConfigMap>(Kinds.configMap, { namespace: SYSTEM_NAMESPACE }),
    ingresses: informer<Ingress>(Kinds.ingress),
    placeholderServices: informer<KubeService>(Kinds.kubeService, { labelSelector: Labels.route }),
    certificates: informer<Certificate>(Kinds.certificate),
  };
  const listers: Listers = {
    services: inf.services.lister,
    configurations: inf.configurations.lister,
    revisions: inf.revisions.lister,
    routes: inf.routes.lister,
    domainMappings: inf.domainMappings.lister,
    clusterDomainClaims: inf.clusterDomainClaims.lister,
    deployments: inf.deployments.lister,
    kubeServices: inf.kubeServices.lister,
    pods: inf.pods.lister,
    ingresses: inf.ingresses.lister,
    placeholderServices: inf.placeholderServices.lister,
    certificates: inf.certificates.lister,
  };

  // Config: each ConfigMap re-parsed from the cache when it changes; a bad edit keeps the last good
  // config for that ConfigMap and is reported (log + Warning Event on the ConfigMap).
  const recorder = new EventRecorder(rest, log);
  const configs = new ConfigStore((cm, err) => {
    const message = invalidConfigMessage(cm, err);
    log(message);
    recorder.event({ ...cm, apiVersion: 'v1', kind: 'ConfigMap' }, 'Warning', INVALID_CONFIG_REASON, message);
  });
  const reloadConfig = (): boolean =>
    configs.reload((name) => inf.configMaps.lister.get(SYSTEM_NAMESPACE, name));

  const deps: ReconcilerDeps = {
    listers,
    client: rest,
    recorder,
    config: () => configs.get(),
    now: () => new Date(),
  };

  const workers = opts.workers ?? 4;
  const makeQueue = <T extends KubeObject & { status?: KnStatus }>(
    name: string,
    r: KindReconciler<T>,
    lister: Listers[keyof Listers],
  ) => new WorkQueue({ name, handler: makeDriver(r, lister as never, rest, recorder), workers, log });
  const q = {
    service: makeQueue('service', serviceReconciler(deps), listers.services),
    configuration: makeQueue('configuration', configurationReconciler(deps), listers.configurations),
    revision: makeQueue('revision', revisionReconciler(deps), listers.revisions),
    route: makeQueue('route', routeReconciler(deps), listers.routes),
    labeler: makeQueue('labeler', labelerReconciler(deps), listers.routes),
    domainMapping: makeQueue('domainmapping', domainMappingReconciler(deps), listers.domainMappings),
    gc: makeQueue('gc', gcReconciler(deps, log), listers.configurations),
  };
  const queues = Object.values(q);
  const ca = opts.certificateAuthority;
  const certificateQueue = ca
    ? makeQueue('certificate', certificateReconciler(deps, ca), listers.certificates)
    : undefined;
  if (certificateQueue) queues.push(certificateQueue);
  const issuesHere = (cert: Certificate): boolean =>
    (cert.metadata.annotations?.[Annotations.certificateClass] || KNLITE_CERTIFICATE_CLASS) ===
    KNLITE_CERTIFICATE_CLASS;

  const enqueueOwner = (queue: WorkQueue, kind: string) => (obj: KubeObject) => {
    const owner = controllerOf(obj);
    if (owner?.kind === kind) queue.add(`${obj.metadata.namespace}/${owner.name}`);
  };
  const enqueueRoutesFor = (ns: string | undefined, target: string) => {
    for (const r of listers.routes.byIndex(Index.byTarget, `${ns}/${target}`)) {
      q.route.add(keyOf(r));
      q.labeler.add(keyOf(r));
    }
  };
  const resyncAll = () => {
    for (const s of listers.services.list()) q.service.add(keyOf(s));
    for (const c of listers.configurations.list()) {
      q.configuration.add(keyOf(c));
      q.gc.add(keyOf(c));
    }
    for (const r of listers.revisions.list()) q.revision.add(keyOf(r));
    for (const r of listers.routes.list()) {
      q.route.add(keyOf(r));
      q.labeler.add(keyOf(r));
    }
    for (const d of listers.domainMappings.list()) q.domainMapping.add(keyOf(d));
    for (const c of listers.certificates.list()) if (issuesHere(c)) certificateQueue?.add(keyOf(c));
  };

  inf.services.on(
    onAny((svc) => {
      q.service.add(keyOf(svc));
      for (const dm of listers.domainMappings.byIndex(Index.byRef, keyOf(svc)))
        q.domainMapping.add(keyOf(dm));
    }),
  );
  inf.configurations.on(
    onAny((c) => {
      q.configuration.add(keyOf(c));
      q.gc.add(keyOf(c));
      enqueueOwner(q.service, 'Service')(c);
      enqueueRoutesFor(c.metadata.namespace, `configuration:${c.metadata.name}`);
    }),
  );
  inf.revisions.on(
    onAny((rev) => {
      q.revision.add(keyOf(rev));
      enqueueOwner(q.configuration, 'Configuration')(rev);
      enqueueOwner(q.gc, 'Configuration')(rev);
      enqueueRoutesFor(rev.metadata.namespace, `revision:${rev.metadata.name}`);
      const cfg = rev.metadata.labels?.[Labels.configuration];
      if (cfg) enqueueRoutesFor(rev.metadata.namespace, `configuration:${cfg}`);
    }),
  );
  inf.routes.on(
    onAny((r) => {
      q.route.add(keyOf(r));
      q.labeler.add(keyOf(r));
      enqueueOwner(q.service, 'Service')(r);
      for (const dm of listers.domainMappings.byIndex(Index.byRef, keyOf(r))) q.domainMapping.add(keyOf(dm));
    }),
  );
  inf.domainMappings.on(onAny((dm) => q.domainMapping.add(keyOf(dm))));
  inf.clusterDomainClaims.on(
    onAny((claim) => {
      for (const dm of listers.domainMappings.byIndex(Index.byName, claim.metadata.name!))
        q.domainMapping.add(keyOf(dm));
    }),
  );
  inf.deployments.on(onAny(enqueueOwner(q.revision, 'Revision')));
  inf.kubeServices.on(onAny(enqueueOwner(q.revision, 'Revision')));
  inf.placeholderServices.on(onAny(enqueueOwner(q.route, 'Route')));
  inf.ingresses.on(
    onAny((ing) => {
      enqueueOwner(q.route, 'Route')(ing);
      enqueueOwner(q.domainMapping, 'DomainMapping')(ing);
    }),
  );
  inf.certificates.on(
    onAny((cert) => {
      if (issuesHere(cert)) certificateQueue?.add(keyOf(cert));
      enqueueOwner(q.route, 'Route')(cert);
      enqueueOwner(q.domainMapping, 'DomainMapping')(cert);
    }),
  );
  inf.pods.on(
    onAny((pod) => {
      const rev = pod.metadata.labels?.[Labels.revision];
      if (rev) q.revision.add(`${pod.metadata.namespace}/${rev}`);
    }),
  );
  inf.configMaps.on(
    onAny(() => {
      // Config changes can move URLs, claims, GC and deployment shapes: reconcile everything.
      if (reloadConfig()) resyncAll();
    }),
  );

  const all = Object.values(inf);
  for (const i of all) i.start();
  try {
    await waitForSync(all, opts.syncTimeoutMs ?? 30_000);
  } catch (err) {
    await Promise.all(all.map((i) => i.stop()));
    throw err;
  }
  reloadConfig();

  const startWork = () => {
    resyncAll();
    for (const queue of queues) queue.start();
  };
  const pauseWork = () => {
    for (const queue of queues) queue.pause();
  };

  let elector: LeaderElector | undefined;
  if (opts.leaderElection === false) {
    startWork();
  } else {
    elector = new LeaderElector(rest, {
      namespace: SYSTEM_NAMESPACE,
      name: LEASE_NAME,
      identity: opts.identity ?? defaultIdentity(),
      onStartedLeading: startWork,
      onStoppedLeading: pauseWork,
      log,
    });
    elector.start();
  }

  return {
    async stop() {
      pauseWork();
      await elector?.stop();
      await Promise.all(queues.map((queue) => queue.shutdown()));
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

/** Waits until every informer has listed once; fails with the list errors after `timeoutMs`. */
async function waitForSync(informers: Informer<any>[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const failing = informers
        .filter((i) => !i.isSynced)
        .map((i) => `${i.kind.plural}.${i.kind.group || 'core'}: ${i.lastError?.message ?? 'no response'}`);
      reject(
        new Error(
          `the reconciler could not list its resources within ${Math.round(timeoutMs / 1000)}s (are the Knative Serving CRDs installed?): ${failing.join('; ')}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(informers.map((i) => i.synced)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
