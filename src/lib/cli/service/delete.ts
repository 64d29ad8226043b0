/** `service delete NAME... | --all`. */
import { usageError } from '../../client/errors.js';
import { Kinds } from '../../kube/kinds.js';
import type { ActionIO, Connect, DryRun, WaitSettings } from '../actions.js';
import { deleteEach } from '../delete-each.js';
import {
  planServiceDelete,
  printDryRunObject,
  printServicePlan,
  requireClusterForDryRun,
} from '../dry-run.js';
import type { Services } from './common.js';

/**
 * `service delete NAME... | --all`: deletes each in turn with one line per deleted service; a name
 * that fails does not stop the others, the failures are reported together at the end (exit 1).
 */
export async function deleteServices(
  connect: Connect<Services>,
  io: ActionIO,
  opts: { names: string[]; all?: boolean; wait: WaitSettings; dryRun?: DryRun },
): Promise<string[]> {
  if (opts.all && opts.names.length)
    throw usageError("'service delete' with --all flag requires no arguments");
  if (!opts.all && !opts.names.length) throw usageError("'service delete' requires the service name(s)");
  const store = await connect();
  if (opts.dryRun) requireClusterForDryRun(store.cluster);
  const names = opts.all ? (await store.listServices()).items.map((s) => s.metadata.name!) : opts.names;
  if (opts.all && names.length === 0) {
    io.line('No services found.');
    return [];
  }
  return deleteEach(names, io, async (name) => {
    if (opts.dryRun) {
      const client = requireClusterForDryRun(store.cluster);
      const svc =
        (await client.deleteService(name, undefined, { dryRun: true })) ?? (await client.getService(name));
      if (opts.dryRun.output) await printDryRunObject(io, svc, opts.dryRun.output);
      else printServicePlan(io, await planServiceDelete(client, svc));
      return '';
    }
    await store.deleteService(name);
    if (opts.wait.wait && store.cluster)
      await store.cluster.waitForDeletion(Kinds.service, name, opts.wait.timeoutSeconds * 1000);
    return `Service '${name}' successfully deleted in namespace '${store.namespace}'.`;
  });
}
