/**
 * The generic reconcile driver (knative/pkg genreconciler): get by key from the cache → clone →
 * defaults in memory → initialise conditions → `reconcileKind` → set observedGeneration → write
 * `/status` if it changed (re-reading on 409) → report → finalizers. Individual reconcilers only
 * compute status and children; they never write their own object.
 *
 * Reporting is the generated reconciler's: a failed status write is a Warning `UpdateFailed`
 * Event (`Failed to update status for "<name>": <err>`) and fails the run; otherwise an error from
 * `reconcileKind` is a Warning `InternalError` Event with its message and fails the run (retried
 * with backoff unless it is a PermanentError), and an `event` it returns is recorded as it is.
 */
import type { KnStatus, KubeObject } from '../../apis/types.js';
import type { Client, Recorder } from './client.js';
import { deepEqual } from './equality.js';
import type { Kind } from '../../kube/kinds.js';
import { isConflict, isNotFound } from '../../kube/errors.js';
import { splitKey, type Lister } from '../../kube/store.js';

/** An Event about the reconciled object (knative/pkg `reconciler.NewEvent`). */
export interface ReconcilerEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What `reconcileKind` may ask of the driver. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (level-based recheck, e.g. deadlines). */
  requeueAfter?: number;
  /** Recorded on the object once its status is written. */
  event?: ReconcilerEvent;
}

/** One kind's reconciler, as the driver sees it. */
export interface KindReconciler<T extends KubeObject> {
  kind: Kind;
  /** Applies webhook-style defaults to the in-memory copy (the object is never written back). */
  setDefaults?(obj: T): void;
  /** Initialises the condition set on `obj.status` (missing conditions → Unknown, new generation). */
  initializeStatus?(obj: T): void;
  /** Brings the world in line with `obj` and updates `obj.status`. */
  reconcileKind(obj: T): Promise<ReconcileResult | void>;
  /** A finalizer this reconciler owns; `finalizeKind` runs before it is removed. */
  finalizer?: string;
  finalizeKind?(obj: T): Promise<void>;
  /** False for reconcilers that never touch status (the labeler). Default true. */
  writesStatus?: boolean;
}

/** Builds the work-queue handler that drives `r` for keys of its kind. */
export function makeDriver<T extends KubeObject & { status?: KnStatus }>(
  r: KindReconciler<T>,
  lister: Lister<T>,
  client: Client,
  recorder: Recorder,
): (key: string) => Promise<{ requeueAfter?: number } | void> {
  return async (key) => {
    const { namespace, name } = splitKey(key);
    const original = lister.get(namespace, name);
    if (!original) return; // deleted: the API server's garbage collector removes owned children

    if (original.metadata.deletionTimestamp) {
      if (r.finalizer && original.metadata.finalizers?.includes(r.finalizer)) {
        try {
          await r.finalizeKind?.(structuredClone(original));
        } catch (err) {
          recorder.event(original, 'Warning', 'InternalError', (err as Error).message ?? String(err));
          throw err;
        }
        await patchFinalizers(
          client,
          r.kind,
          original,
          (original.metadata.finalizers ?? []).filter((f) => f !== r.finalizer),
        );
      }
      return;
    }

    let resource = structuredClone(original);
    if (r.finalizer && !resource.metadata.finalizers?.includes(r.finalizer)) {
      const patched = await patchFinalizers(client, r.kind, resource, [
        ...(resource.metadata.finalizers ?? []),
        r.finalizer,
      ]);
      resource = structuredClone({ ...patched, status: resource.status } as T);
    }

    const before = structuredClone(original.status ?? {});
    r.setDefaults?.(resource);
    if (r.writesStatus !== false) {
      resource.status ??= {};
      r.initializeStatus?.(resource);
    }

    let result: ReconcileResult | void = undefined;
    let failure: unknown;
    try {
      result = await r.reconcileKind(resource);
    } catch (err) {
      failure = err;
    }

    if (r.writesStatus !== false) {
      // Knative sets observedGeneration after ReconcileKind, whether it succeeded or not.
      resource.status!.observedGeneration = resource.metadata.generation;
      if (!deepEqual(before, resource.status)) {
        try {
          await updateStatus(client, r.kind, original, resource.status!);
        } catch (err) {
          recorder.event(
            resource,
            'Warning',
            'UpdateFailed',
            `Failed to update status for "${name}": ${(err as Error).message ?? err}`,
          );
          throw err;
        }
      }
    }
    if (failure) {
      recorder.event(resource, 'Warning', 'InternalError', (failure as Error).message ?? String(failure));
      throw failure;
    }
    if (result?.event) recorder.event(resource, result.event.type, result.event.reason, result.event.message);
    return result?.requeueAfter !== undefined ? { requeueAfter: result.requeueAfter } : undefined;
  };
}

/** Writes `status` onto the latest version of `original`, re-reading and retrying on 409 Conflict. */
async function updateStatus<T extends KubeObject>(
  client: Client,
  kind: Kind,
  original: T,
  status: unknown,
): Promise<void> {
  let current: KubeObject = original;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.replaceStatus(kind, { ...current, status });
      return;
    } catch (err) {
      if (isNotFound(err)) return; // deleted while we reconciled: nothing left to report on
      if (!isConflict(err) || attempt >= 4) throw err;
      current = await client.get(kind, original.metadata.namespace, original.metadata.name!);
      if (current.metadata.uid !== original.metadata.uid) return;
      if (deepEqual(current.status, status)) return;
    }
  }
}

/** Sets the finalizer list with a merge patch guarded by resourceVersion (lists are replaced whole). */
async function patchFinalizers<T extends KubeObject>(
  client: Client,
  kind: Kind,
  obj: T,
  finalizers: string[],
): Promise<T> {
  return client.patch<T>(kind, obj.metadata.namespace, obj.metadata.name!, {
    metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion },
  });
}
