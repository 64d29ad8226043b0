/**
 * Revision GC (pkg/reconciler/gc): on every Configuration pass, deletes the non-active Revisions
 * config-gc says to collect. Writes no status.
 */
import type { Configuration } from '../../apis/types.js';
import { Index, type ReconcilerDeps } from '../context.js';
import type { KindReconciler } from '../framework/driver.js';
import { Kinds } from '../../kube/kinds.js';
import { isNotFound } from '../../kube/errors.js';
import { collect } from './resources/collect.js';

/** Longest wait before re-checking time-based staleness (bounded so clock changes are noticed). */
const MAX_RECHECK_MS = 3_600_000;

/** Builds the GC reconciler (a second reconciler on Configurations). */
export function gcReconciler(
  deps: ReconcilerDeps,
  log: (msg: string) => void = () => {},
): KindReconciler<Configuration> {
  return {
    kind: Kinds.configuration,
    writesStatus: false,
    async reconcileKind(config) {
      const revisions = deps.listers.revisions.byIndex(
        Index.byConfiguration,
        `${config.metadata.namespace}/${config.metadata.name}`,
      );
      const { delete: names, recheckAfter } = collect(
        config,
        revisions,
        deps.config().gc,
        deps.now().getTime(),
      );
      for (const name of names) {
        try {
          await deps.client.delete(Kinds.revision, config.metadata.namespace, name);
        } catch (err) {
          // Knative logs failed deletions and moves on; the next pass tries again.
          if (!isNotFound(err))
            log(`gc: deleting revision ${config.metadata.namespace}/${name}: ${(err as Error).message}`);
        }
      }
      if (recheckAfter !== undefined)
        return { requeueAfter: Math.min(Math.max(recheckAfter, 1000), MAX_RECHECK_MS) };
    },
  };
}
