/**
 * The write-side interface reconcilers use. The kube layer's `RestClient` implements it against a
 * real API server; table tests implement it over in-memory stores and record every action.
 */
import type { KubeList, KubeObject } from '../../apis/types.js';
import type { Kind } from '../../kube/kinds.js';
import type { DeleteOptions, ListOptions, PatchOptions, PatchType } from '../../kube/rest.js';

/** CRUD + status + patch on any kind. Errors are `ApiError`s. */
export interface Client {
  get<T extends KubeObject>(kind: Kind, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject>(kind: Kind, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject>(kind: Kind, obj: T): Promise<T>;
  replace<T extends KubeObject>(kind: Kind, obj: T): Promise<T>;
  replaceStatus<T extends KubeObject>(kind: Kind, obj: T): Promise<T>;
  patch<T extends KubeObject>(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type?: PatchType,
    opts?: PatchOptions,
  ): Promise<T>;
  /** Resolves to the server's answer, which callers may ignore. */
  delete(kind: Kind, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<unknown>;
}

/** Records Kubernetes Events about an object (best effort). */
export interface Recorder {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
