/**
 * Fixtures as option builders (`service('foo', withGeneration(2))`) and a table-test harness that
 * runs one reconciler's driver against in-memory listers, recording every write and event.
 */
import { defaultConfigs, type KnativeConfigs } from '../../src/lib/apis/config/index.js';
import { READY } from '../../src/lib/apis/conditions.js';
import type {
  ClusterDomainClaim,
  Condition,
  Configuration,
  DomainMapping,
  KnStatus,
  KubeList,
  KubeObject,
  Pod,
  Revision,
  Route,
  Service,
  TrafficTarget,
} from '../../src/lib/apis/types.js';
import type { Listers, ReconcilerDeps } from '../../src/lib/controller/context.js';
import { indexers } from '../../src/lib/controller/index.js';
import type { Client, Recorder } from '../../src/lib/controller/framework/client.js';
import {
  makeDriver,
  type KindReconciler,
  type ReconcileResult,
} from '../../src/lib/controller/framework/driver.js';
import { Kinds, type Kind } from '../../src/lib/kube/kinds.js';
import { ApiError } from '../../src/lib/kube/errors.js';
import type { PatchType } from '../../src/lib/kube/rest.js';
import { Store } from '../../src/lib/kube/store.js';

/** Fixed clock for deterministic timestamps. */
export const NOW = new Date('2026-01-02T03:04:05Z');

/** An option mutates a fixture. */
export type Opt<T> = (o: T) => void;

const base = (kind: string, apiVersion: string, name: string, ns: string | undefined): KubeObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    ...(ns ? { namespace: ns } : {}),
    uid: `uid-${name}`,
    generation: 1,
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
});

/** A Knative Service in `default` with one container. */
export function service(name: string, ...opts: Opt<Service>[]): Service {
  const s = {
    ...base('Service', 'serving.knative.dev/v1', name, 'default'),
    spec: { template: { spec: { containers: [{ image: 'file:///app' }] } } },
  } as Service;
  for (const o of opts) o(s);
  return s;
}

/** A Configuration in `default`. */
export function configuration(name: string, ...opts: Opt<Configuration>[]): Configuration {
  const c = {
    ...base('Configuration', 'serving.knative.dev/v1', name, 'default'),
    spec: { template: { spec: { containers: [{ name: 'user-container', image: 'file:///app' }] } } },
  } as Configuration;
  for (const o of opts) o(c);
  return c;
}

/** A Revision in `default`, stamped by configuration `config` at `gen` unless told otherwise. */
export function revision(name: string, ...opts: Opt<Revision>[]): Revision {
  const r = {
    ...base('Revision', 'serving.knative.dev/v1', name, 'default'),
    spec: { containers: [{ name: 'user-container', image: 'file:///app' }] },
  } as Revision;
  for (const o of opts) o(r);
  return r;
}

/** A Route in `default`. */
export function route(name: string, ...opts: Opt<Route>[]): Route {
  const r = { ...base('Route', 'serving.knative.dev/v1', name, 'default'), spec: { traffic: [] } } as Route;
  for (const o of opts) o(r);
  return r;
}

/** A DomainMapping in `default` pointing at Knative Service `target`. */
export function domainMapping(name: string, target: string, ...opts: Opt<DomainMapping>[]): DomainMapping {
  const d = {
    ...base('DomainMapping', 'serving.knative.dev/v1beta1', name, 'default'),
    spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: target } },
  } as DomainMapping;
  for (const o of opts) o(d);
  return d;
}

/** A ClusterDomainClaim granting `name` to `namespace`. */
export function claim(name: string, namespace: string): ClusterDomainClaim {
  return {
    ...base('ClusterDomainClaim', 'networking.internal.knative.dev/v1alpha1', name, undefined),
    spec: { namespace },
  } as ClusterDomainClaim;
}

/** A pod of a revision. */
export function pod(name: string, rev: string, ...opts: Opt<Pod>[]): Pod {
  const p = {
    ...base('Pod', 'v1', name, 'default'),
    spec: { containers: [{ name: 'user-container' }] },
  } as Pod;
  p.metadata.labels = { 'serving.knative.dev/revision': rev };
  for (const o of opts) o(p);
  return p;
}

export const inNamespace =
  <T extends KubeObject>(ns: string): Opt<T> =>
  (o) =>
    void (o.metadata.namespace = ns);
export const withGeneration =
  <T extends KubeObject>(g: number): Opt<T> =>
  (o) =>
    void (o.metadata.generation = g);
export const withUID =
  <T extends KubeObject>(uid: string): Opt<T> =>
  (o) =>
    void (o.metadata.uid = uid);
export const withLabels =
  <T extends KubeObject>(labels: Record<string, string>): Opt<T> =>
  (o) =>
    void (o.metadata.labels = { ...(o.metadata.labels ?? {}), ...labels });
export const withAnnotations =
  <T extends KubeObject>(a: Record<string, string>): Opt<T> =>
  (o) =>
    void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...a });
export const withCreated =
  <T extends KubeObject>(ts: string): Opt<T> =>
  (o) =>
    void (o.metadata.creationTimestamp = ts);
export const withDeletion =
  <T extends KubeObject>(finalizers: string[]): Opt<T> =>
  (o) => {
    o.metadata.deletionTimestamp = NOW.toISOString();
    o.metadata.finalizers = finalizers;
  };
export const withFinalizers =
  <T extends KubeObject>(finalizers: string[]): Opt<T> =>
  (o) =>
    void (o.metadata.finalizers = finalizers);
/** Sets status (merged over the existing one). */
export const withStatus =
  <T extends KubeObject>(status: Record<string, unknown>): Opt<T> =>
  (o) =>
    void ((o as KubeObject).status = { ...(((o as KubeObject).status as object) ?? {}), ...status });
/** Sets one condition on status. */
export const withCondition =
  <T extends KubeObject>(
    type: string,
    status: Condition['status'],
    reason?: string,
    message?: string,
  ): Opt<T> =>
  (o) => {
    const s = ((o.status as KnStatus) ??= {});
    s.conditions = [
      ...(s.conditions ?? []).filter((c) => c.type !== type),
      { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) },
    ];
  };
/** Ready True at the current generation. */
export const isReadyNow =
  <T extends KubeObject>(): Opt<T> =>
  (o) => {
    withCondition<T>(READY, 'True')(o);
    (o.status as KnStatus).observedGeneration = o.metadata.generation;
  };
/** Ready False at the current generation. */
export const isFailedNow =
  <T extends KubeObject>(reason: string, message: string): Opt<T> =>
  (o) => {
    withCondition<T>(READY, 'False', reason, message)(o);
    (o.status as KnStatus).observedGeneration = o.metadata.generation;
  };
/** Controlled by `owner`. */
export const ownedBy =
  <T extends KubeObject>(owner: KubeObject): Opt<T> =>
  (o) => {
    o.metadata.ownerReferences = [
      {
        apiVersion: owner.apiVersion!,
        kind: owner.kind!,
        name: owner.metadata.name!,
        uid: owner.metadata.uid!,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  };
/** Revision stamped by `config` at configuration generation `gen`. */
export const stampedBy =
  (config: Configuration, gen: number): Opt<Revision> =>
  (r) => {
    ownedBy<Revision>(config)(r);
    withLabels<Revision>({
      'serving.knative.dev/configuration': config.metadata.name!,
      'serving.knative.dev/configurationGeneration': String(gen),
    })(r);
  };
export const withTraffic =
  <T extends Service | Route>(...traffic: TrafficTarget[]): Opt<T> =>
  (o) =>
    void (o.spec.traffic = traffic);
export const withTemplateName =
  <T extends Service | Configuration>(name: string): Opt<T> =>
  (o) =>
    void (o.spec.template.metadata = { ...(o.spec.template.metadata ?? {}), name });
/** One recorded write. */
export interface Action {
  verb: 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';
  kind: string;
  name: string;
  namespace?: string;
  object?: KubeObject;
  patch?: unknown;
}

/** Table-test world: stores for every kind, a recording client and recorded events. */
export class World implements Client, Recorder {
  readonly stores = new Map<string, Store<any>>();
  readonly actions: Action[] = [];
  readonly events: string[] = [];
  private rv = 100;
  /** Makes the next write of this verb+plural fail with this error. */
  readonly failNext = new Map<string, ApiError>();

  constructor(objects: KubeObject[]) {
    const idx: Record<string, Record<string, (o: any) => string[]>> = {
      revisions: indexers.revisions,
      configurations: indexers.configurations,
      routes: indexers.routes,
      pods: indexers.pods,
      domainmappings: indexers.domainMappings,
    };
    for (const k of Object.values(Kinds))
      this.stores.set(
        this.id(k),
        new Store(k.group === '' ? (k.plural === 'pods' ? idx.pods : {}) : (idx[k.plural] ?? {})),
      );
    for (const o of objects) this.store(kindOf(o)).upsert(structuredClone(o));
  }

  private id(k: Kind): string {
    return `${k.plural}.${k.group}`;
  }

  store<T extends KubeObject>(k: Kind): Store<T> {
    return this.stores.get(this.id(k))!;
  }

  get listers(): Listers {
    return {
      services: this.store(Kinds.service),
      configurations: this.store(Kinds.configuration),
      revisions: this.store(Kinds.revision),
      routes: this.store(Kinds.route),
      domainMappings: this.store(Kinds.domainMapping),
      clusterDomainClaims: this.store(Kinds.clusterDomainClaim),
      deployments: this.store(Kinds.deployment),
      kubeServices: this.store(Kinds.kubeService),
      pods: this.store(Kinds.pod),
      ingresses: this.store(Kinds.ingress),
      placeholderServices: this.store(Kinds.kubeService),
      certificates: this.store(Kinds.certificate),
    };
  }

  /** ReconcilerDeps over this world. */
  deps(config: KnativeConfigs = defaultConfigs()): ReconcilerDeps {
    return { listers: this.listers, client: this, recorder: this, config: () => config, now: () => NOW };
  }

  private fail(verb: string, k: Kind): void {
    const err = this.failNext.get(`${verb} ${k.plural}`);
    if (err) {
      this.failNext.delete(`${verb} ${k.plural}`);
      throw err;
    }
  }

  private bump(o: KubeObject): void {
    o.metadata.resourceVersion = String(++this.rv);
  }

  event(obj: KubeObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
  }

  async get<T extends KubeObject>(k: Kind, ns: string | undefined, name: string): Promise<T> {
    const o = this.store<T>(k).get(ns, name);
    if (!o) throw notFound(k, name);
    return structuredClone(o);
  }

  async list<T extends KubeObject>(k: Kind): Promise<KubeList<T>> {
    return { metadata: {}, items: this.store<T>(k).list() };
  }

  async create<T extends KubeObject>(k: Kind, obj: T): Promise<T> {
    this.fail('create', k);
    const store = this.store<T>(k);
    if (store.get(obj.metadata.namespace, obj.metadata.name!))
      throw new ApiError(409, {
        reason: 'AlreadyExists',
        message: `${k.plural} "${obj.metadata.name}" already exists`,
        details: { name: obj.metadata.name },
      });
    const o = structuredClone(obj);
    o.metadata.uid ??= `uid-${o.metadata.name}`;
    o.metadata.generation = 1;
    o.metadata.creationTimestamp ??= NOW.toISOString();
    this.bump(o);
    store.upsert(o);
    this.actions.push({
      verb: 'create',
      kind: k.kind,
      name: o.metadata.name!,
      namespace: o.metadata.namespace,
      object: structuredClone(obj),
    });
    return structuredClone(o);
  }

  async replace<T extends KubeObject>(k: Kind, obj: T): Promise<T> {
    this.fail('update', k);
    const have = this.store<T>(k).get(obj.metadata.namespace, obj.metadata.name!);
    if (!have) throw notFound(k, obj.metadata.name!);
    const o = structuredClone(obj);
    (o as KubeObject).status = have.status;
    if (JSON.stringify(have.spec) !== JSON.stringify(o.spec))
      o.metadata.generation = (have.metadata.generation ?? 0) + 1;
    this.bump(o);
    this.store<T>(k).upsert(o);
    this.actions.push({
      verb: 'update',
      kind: k.kind,
      name: o.metadata.name!,
      namespace: o.metadata.namespace,
      object: structuredClone(obj),
    });
    return structuredClone(o);
  }

  async replaceStatus<T extends KubeObject>(k: Kind, obj: T): Promise<T> {
    this.fail('updateStatus', k);
    const have = this.store<T>(k).get(obj.metadata.namespace, obj.metadata.name!);
    if (!have) throw notFound(k, obj.metadata.name!);
    const o = { ...structuredClone(have), status: structuredClone(obj.status) };
    this.bump(o);
    this.store<T>(k).upsert(o);
    this.actions.push({
      verb: 'updateStatus',
      kind: k.kind,
      name: o.metadata.name!,
      namespace: o.metadata.namespace,
      object: structuredClone(o),
    });
    return structuredClone(o);
  }

  async patch<T extends KubeObject>(
    k: Kind,
    ns: string | undefined,
    name: string,
    patch: unknown,
    _type?: PatchType,
  ): Promise<T> {
    this.fail('patch', k);
    const have = this.store<T>(k).get(ns, name);
    if (!have) throw notFound(k, name);
    const o = mergePatch(structuredClone(have), patch) as T;
    this.bump(o);
    this.store<T>(k).upsert(o);
    this.actions.push({ verb: 'patch', kind: k.kind, name, namespace: ns, patch });
    return structuredClone(o);
  }

  async delete(k: Kind, ns: string | undefined, name: string): Promise<void> {
    this.fail('delete', k);
    if (!this.store(k).remove(ns, name)) throw notFound(k, name);
    this.actions.push({ verb: 'delete', kind: k.kind, name, namespace: ns });
  }

  /** Runs one reconcile of `key` through the generic driver. */
  async reconcile<T extends KubeObject & { status?: KnStatus }>(
    r: KindReconciler<T>,
    key: string,
  ): Promise<ReconcileResult | void> {
    return makeDriver(r, this.store<T>(r.kind), this, this)(key);
  }

  /** Current version of an object. */
  current<T extends KubeObject>(k: Kind, name: string, ns: string | undefined = 'default'): T {
    return this.store<T>(k).get(ns, name)!;
  }

  /** Short action summary: `create Revision foo-00001`. */
  summary(): string[] {
    return this.actions.map((a) => `${a.verb} ${a.kind} ${a.name}`);
  }
}

function kindOf(o: KubeObject): Kind {
  const k = Object.values(Kinds).find(
    (k) =>
      k.kind === o.kind && (k.group ? o.apiVersion?.startsWith(k.group + '/') : !o.apiVersion?.includes('/')),
  );
  if (!k) throw new Error(`unknown kind ${o.apiVersion} ${o.kind}`);
  return k;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Condition summary `Type=Status/Reason` for compact assertions. */
export function conds(o: KubeObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of (o?.status as KnStatus)?.conditions ?? [])
    out[c.type] = `${c.status}${c.reason ? `/${c.reason}` : ''}`;
  return out;
}

/** Message of a condition. */
export function messageOf(o: KubeObject | undefined, type: string): string | undefined {
  return (o?.status as KnStatus)?.conditions?.find((c) => c.type === type)?.message;
}

/** A 404 the way the API server reports a missing object. */
function notFound(k: Kind, name: string): ApiError {
  return new ApiError(404, {
    reason: 'NotFound',
    message: `${k.plural} "${name}" not found`,
    details: { name },
  });
}
