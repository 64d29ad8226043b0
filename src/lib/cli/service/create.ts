/** `service create` (and the create half of apply): create, or with --force replace, then wait. */
import type { Service } from '../../apis/types.js';
import { KnError } from '../../client/errors.js';
import type { Connect, DryRun, WaitSettings, ActionIO } from '../actions.js';
import { requireClusterForDryRun } from '../dry-run.js';
import { findService, pickBookkeeping, reportDryRun, type ServiceChange, type Services } from './common.js';
import { desiredService, validateDesired } from './desired.js';
import { waitForIntent } from './wait.js';

/** `service create`: create (or with --force replace) and wait for the created revision to be ready. */
export async function createService(
  connect: Connect<Services>,
  io: ActionIO,
  change: ServiceChange & { force?: boolean },
): Promise<Service> {
  const svc = desiredService('create', change);
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.cluster);
  await validateDesired(store, svc);
  return createDesired(store, io, svc, change, 'create');
}

export async function createDesired(
  store: Services,
  io: ActionIO,
  svc: Service,
  change: { force?: boolean; wait: WaitSettings; dryRun?: DryRun },
  verb: 'create' | 'apply',
): Promise<Service> {
  const write = { dryRun: change.dryRun !== undefined };
  const name = svc.metadata.name!;
  const ns = svc.metadata.namespace!;
  const existing = await findService(store, name);
  if (existing && !change.force) {
    throw new KnError(
      `cannot create service '${name}' in namespace '${ns}' because the service already exists and no --force option was given`,
      {
        name: 'AlreadyExists',
      },
    );
  }
  let result: Service;
  if (existing) {
    // Replace through read-modify-write: the reconciler writes status concurrently (409s are retried).
    const replaced = await store.updateServiceWithRetry(
      name,
      (current) => ({
        ...svc,
        metadata: {
          ...svc.metadata,
          resourceVersion: current.metadata.resourceVersion,
          // Knative's creator/lastModifier annotations are immutable bookkeeping: carry them over.
          annotations: {
            ...pickBookkeeping(current.metadata.annotations),
            ...(svc.metadata.annotations ?? {}),
          },
        },
      }),
      ns,
      write,
    );
    result = replaced.after;
  } else {
    result = await store.createService(svc, write);
  }
  if (change.dryRun)
    return reportDryRun(
      requireClusterForDryRun(store.cluster),
      io,
      change.dryRun,
      existing ? 'update' : verb,
      existing,
      result,
    );
  const [verbIng, verbEd] = existing ? ['Replacing', 'replaced'] : ['Creating', 'created'];
  const cluster = store.cluster;
  if (!cluster || !change.wait.wait) {
    io.line(`Service '${name}' ${verbEd} in namespace '${ns}'.`);
    return result;
  }
  if (existing && existing.metadata.generation === result.metadata.generation) {
    io.line(`Service '${name}' ${verbEd} in namespace '${ns}' (unchanged).`);
    return result;
  }
  const ready = await waitForIntent(
    cluster,
    io,
    `${verbIng} service '${name}' in namespace '${ns}':`,
    result,
    change.wait,
    existing?.status?.latestCreatedRevisionName,
  );
  io.line(
    `Service '${name}' ${verbEd} to latest revision '${ready.status?.latestReadyRevisionName}' is available at URL:`,
  );
  io.line(ready.status?.url ?? '');
  return ready;
}
