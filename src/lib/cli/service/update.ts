/** `service update` (and `traffic split`): read-modify-write with conflict retry, then wait like kn. */
import type { Service } from '../../apis/types.js';
import { invalidValue, usageError } from '../../client/errors.js';
import type { ActionIO, Connect } from '../actions.js';
import { validationContext } from '../cluster-config.js';
import { requireClusterForDryRun } from '../dry-run.js';
import type { ServiceEditFlagValues } from '../flags.js';
import {
  applyServiceFlags,
  checkServiceFlags,
  checkServiceName,
  templateChanged,
  validateServiceLocally,
} from '../service-edit.js';
import {
  computeTraffic,
  hasTrafficEdits,
  parseTrafficFlags,
  unknownRevisionRefs,
  type TrafficEdits,
} from '../traffic.js';
import { reportDryRun, type ServiceChange, type Services } from './common.js';
import { waitForIntent } from './wait.js';

function anyEditFlag(f: ServiceEditFlagValues): boolean {
  return Object.values(f).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

/** `service update`: read-modify-write with conflict retry, then wait like kn and report the outcome. */
export async function updateService(
  connect: Connect<Services>,
  io: ActionIO,
  change: ServiceChange & { name: string },
): Promise<Service> {
  const edits: TrafficEdits = parseTrafficFlags(change.traffic ?? {});
  if (!anyEditFlag(change.flags) && !hasTrafficEdits(edits)) {
    throw usageError(
      `flag(s) not set: 'service update' needs at least one flag to change, e.g. --image or --env`,
    );
  }
  checkServiceName(change.name);
  checkServiceFlags(change.name, change.flags, change.edit);
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.cluster);
  const ctx = await validationContext(store);
  let revisionNames: string[] | undefined;
  const cluster = store.cluster;
  if (cluster && (edits.traffic.length || edits.tags.length)) {
    revisionNames = (await cluster.listRevisions({ service: change.name })).items.map(
      (r) => r.metadata.name!,
    );
  }
  const { before, after } = await store.updateServiceWithRetry(
    change.name,
    (svc) => {
      const original = structuredClone(svc);
      applyServiceFlags(svc, change.flags, change.edit);
      const mutation = templateChanged(original, svc);
      if (mutation && change.flags['revision-name'] === undefined && original.spec.template.metadata?.name) {
        // A BYO revision name can only be used once: a changed template needs a new (server) name.
        delete svc.spec.template.metadata!.name;
      }
      if (hasTrafficEdits(edits)) {
        if (revisionNames) {
          const unknown = unknownRevisionRefs(edits, svc, revisionNames);
          if (unknown.length) {
            throw invalidValue(
              `revision '${unknown[0]}' not found for service '${change.name}' in namespace '${svc.metadata.namespace}': use a revision name, a tag or @latest`,
            );
          }
        }
        svc.spec.traffic = computeTraffic(svc, edits, { mutation });
      }
      validateServiceLocally(svc, original, ctx);
    },
    undefined,
    { dryRun: change.dryRun !== undefined },
  );
  if (change.dryRun)
    return reportDryRun(requireClusterForDryRun(cluster), io, change.dryRun, 'update', before, after);
  const name = change.name;
  const ns = after.metadata.namespace ?? store.namespace;
  if (!cluster || !change.wait.wait) {
    io.line(`Service '${name}' updated in namespace '${ns}'.`);
    return after;
  }
  if (before.metadata.generation === after.metadata.generation) {
    io.line(`Service '${name}' updated in namespace '${ns}'.`);
    io.line('No new revision has been created.');
    return after;
  }
  const ready = await waitForIntent(
    cluster,
    io,
    `Updating Service '${name}' in namespace '${ns}':`,
    after,
    change.wait,
    before.status?.latestCreatedRevisionName,
  );
  const latest = ready.status?.latestReadyRevisionName;
  if (latest !== before.status?.latestReadyRevisionName) {
    io.line(`Service '${name}' updated to latest revision '${latest}' is available at URL:`);
  } else {
    io.line(`Service '${name}' with latest revision '${latest}' (unchanged) is available at URL:`);
  }
  io.line(ready.status?.url ?? '');
  return ready;
}
