/**
 * The service operations `service create|update|delete|describe|list` need, as an interface that
 * both the cluster (ServingClient) and offline mode (`--target`, OfflineServiceStore) implement.
 */
import type { KubeList, Service } from '../apis/types.js';
import type { WriteOptions } from '../kube/rest.js';
import type { ListOptions, Mutator, UpdateResult } from './serving-client.js';

/** Where services are read from and written to. */
export interface ServiceStore {
  /** Namespace used when an object does not name one. */
  readonly namespace: string;
  /** True for --target (never wait, never look up revisions). */
  readonly offline: boolean;
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
}
