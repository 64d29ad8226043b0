/** `service describe`: the service, its revisions, the root cause when not Ready. */
import type { AutoscalerDecision } from '../../apis/autoscaler-decision.js';
import { Labels } from '../../apis/keys.js';
import type { Rollout } from '../../apis/rollout.js';
import type { Revision, Service } from '../../apis/types.js';
import type { RootCause } from '../../client/root-cause.js';
import type { ServingClient } from '../../client/serving-client.js';
import { Kinds } from '../../kube/kinds.js';
import { autoscalerDecision } from '../revision-actions.js';

/** A service and the revisions that belong to it (for describe), with the root cause when not Ready. */
export async function getServiceWithRevisions(
  client: ServingClient,
  name: string,
  opts: { verbose?: boolean } = {},
): Promise<{
  service: Service;
  revisions: Revision[];
  rootCause?: RootCause;
  /** With `verbose`: the autoscaler's last decision per revision name. */
  autoscaler?: Map<string, AutoscalerDecision>;
  /** A gradual rollout in progress. */
  rollout?: Rollout;
}> {
  const service = await client.getService(name);
  const revisions = (
    await client.listObjects<Revision>(Kinds.revision, {
      labelSelector: `${Labels.service}=${name}`,
      namespace: service.metadata.namespace,
    })
  ).items;
  let autoscaler: Map<string, AutoscalerDecision> | undefined;
  if (opts.verbose) {
    const docs = await Promise.all(revisions.map((r) => autoscalerDecision(client, r)));
    autoscaler = new Map(docs.flatMap((d, i) => (d ? [[revisions[i].metadata.name!, d]] : [])));
  }
  const [rootCause, rollout] = await Promise.all([
    client.rootCause(service),
    client.rolloutInProgress(service),
  ]);
  return { service, revisions, rootCause, autoscaler, rollout };
}
