/** `service apply`: create when missing, else replace spec/labels/annotations when they differ. */
import { setServiceDefaults } from '../../apis/defaults.js';
import type { Service } from '../../apis/types.js';
import type { ActionIO, Connect } from '../actions.js';
import { printDryRunObject, requireClusterForDryRun } from '../dry-run.js';
import {
  findService,
  pickBookkeeping,
  reportDryRun,
  sameJson,
  stripBookkeeping,
  type ServiceChange,
  type Services,
} from './common.js';
import { createDesired } from './create.js';
import { desiredService, validateDesired } from './desired.js';
import { waitForIntent } from './wait.js';

/** `service apply`: create when missing, else replace spec/labels/annotations when they differ (declarative). */
export async function applyService(
  connect: Connect<Services>,
  io: ActionIO,
  change: ServiceChange,
): Promise<Service> {
  // Apply never uses BYO revision names (kn ignores --revision-name here).
  const desired = desiredService('apply', {
    ...change,
    flags: { ...change.flags, 'revision-name': undefined },
  });
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.cluster);
  const ctx = await validateDesired(store, desired);
  const name = desired.metadata.name!;
  const ns = desired.metadata.namespace!;
  const existing = await findService(store, name);
  if (!existing) return createDesired(store, io, desired, change, 'apply');
  // Compare with what the server would store: the desired object after Knative's defaulting.
  const defaulted = structuredClone(desired);
  setServiceDefaults(defaulted, ctx);
  const same =
    sameJson(existing.spec.template, defaulted.spec.template) &&
    sameJson(existing.metadata.labels ?? {}, defaulted.metadata.labels ?? {}) &&
    sameJson(
      stripBookkeeping(existing.metadata.annotations),
      stripBookkeeping(defaulted.metadata.annotations),
    );
  if (same && change.dryRun?.output) {
    await printDryRunObject(io, existing, change.dryRun.output);
    return existing;
  }
  if (same) {
    if (change.dryRun) io.line(`Dry run: nothing was written.`);
    io.line(`No changes to apply to service '${name}'.`);
    io.line(
      `Service '${name}' with latest revision '${existing.status?.latestReadyRevisionName ?? ''}' (unchanged) is available at URL:`,
    );
    io.line(existing.status?.url ?? '');
    return existing;
  }
  const { before, after } = await store.updateServiceWithRetry(
    name,
    (svc) => {
      svc.metadata.labels = desired.metadata.labels;
      svc.metadata.annotations = {
        ...pickBookkeeping(svc.metadata.annotations),
        ...(desired.metadata.annotations ?? {}),
      };
      svc.spec = { ...desired.spec, traffic: desired.spec.traffic ?? svc.spec.traffic };
    },
    ns,
    { dryRun: change.dryRun !== undefined },
  );
  const cluster = store.cluster;
  if (change.dryRun)
    return reportDryRun(requireClusterForDryRun(cluster), io, change.dryRun, 'apply', before, after);
  if (!cluster || !change.wait.wait || before.metadata.generation === after.metadata.generation) {
    io.line(`Service '${name}' applied in namespace '${ns}'.`);
    return after;
  }
  const ready = await waitForIntent(
    cluster,
    io,
    `Applying service '${name}' in namespace '${ns}':`,
    after,
    change.wait,
    before.status?.latestCreatedRevisionName,
  );
  io.line(
    `Service '${name}' applied to latest revision '${ready.status?.latestReadyRevisionName}' is available at URL:`,
  );
  io.line(ready.status?.url ?? '');
  return ready;
}
