/**
 * The service operations `service create|update|apply|delete|describe|list` need, as an interface
 * that both the cluster (ServingClient) and offline mode (`--target`, OfflineServiceStore)
 * implement in full.
 */
import type { ConfigMap, KubeList, KubeObject, Service } from '../apis/types.js';
import type { WriteOptions } from '../kube/rest.js';

/** Filters for list calls. */
export interface ListOptions {
  /** List across all namespaces (-A). */
  allNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Result of a read-modify-write update. */
export interface UpdateResult<T extends KubeObject> {
  before: T;
  after: T;
}

/** Mutation callback of updateXWithRetry: edit the object in place (or return a replacement). */
export type Mutator<T> = (obj: T) => void | T | Promise<void | T>;

/**
 * Where services are read from and written to. `C` is what the store offers beyond files: the
 * cluster a reconciler acts on (for waiting on readiness, revisions and dry runs).
 */
export interface ServiceStore<C = unknown> {
  /** Namespace used when an object does not name one. */
  readonly namespace: string;
  /** The cluster behind the store; undefined for files (--target), which nothing reconciles. */
  readonly cluster: C | undefined;
  getService(name: string, namespace?: string): Promise<Service>;
  listServices(opts?: ListOptions): Promise<KubeList<Service>>;
  /** `dryRun` (cluster only): admitted and returned by the server, never stored. */
  createService(svc: Service, opts?: WriteOptions): Promise<Service>;
  replaceService(svc: Service): Promise<Service>;
  updateServiceWithRetry(
    name: string,
    mutate: Mutator<Service>,
    namespace?: string,
    opts?: WriteOptions,
  ): Promise<UpdateResult<Service>>;
  /** Resolves to the deleted object when the store knows it (always with `dryRun`). */
  deleteService(
    name: string,
    namespace?: string,
    opts?: { dryRun?: boolean },
  ): Promise<Service | undefined | void>;
  /** A ConfigMap the services are validated under; undefined when there is none (always for files). */
  findConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
}
