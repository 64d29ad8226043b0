/**
 * What the `revision` commands do between parsing and printing: list revisions with the traffic
 * and tags their service routes to them, and delete revisions — each name on its own, like kn,
 * refusing with the reason and the fix any revision that still receives traffic or carries a tag
 * (deleting it would break the route), and pruning unreferenced ones (kn
 * `pkg/commands/revision/{list,delete}.go`).
 */
import type { KubeList, Pod, Revision, Service } from '../apis/types.js';
import { indexTraffic, trafficKey, type RevisionTraffic, type TrafficIndex } from '../apis/traffic-index.js';
import { FROZEN_POD_CONDITION, Labels, RoutingState } from '../apis/keys.js';
import { KnError, invalidValue, usageError } from '../client/errors.js';
import { Kinds } from '../kube/kinds.js';
import type { ServingClient } from '../client/serving-client.js';
import { deleteEach } from './delete-each.js';
import type { ActionIO, Connect, DryRun, WaitSettings } from './actions.js';
import { printDryRunObject } from './dry-run.js';
import type { FrozenPod } from '../printers/revision-describe.js';
import { revisionRootCause, type RootCause } from '../client/root-cause.js';
import { decisionConfigMapName, readDecision, type AutoscalerDecision } from '../apis/autoscaler-decision.js';

/** A revision list plus the traffic index its TRAFFIC/TAGS columns read. */
export interface RevisionListing {
  list: KubeList<Revision>;
  traffic: TrafficIndex;
}

/**
 * `revision list [NAME] [-s SERVICE] [-A]`: revisions sorted like kn (namespace, service,
 * generation descending, name); `-s` names a service that must exist.
 */
export async function listRevisionsWithTraffic(
  client: ServingClient,
  opts: { name?: string; service?: string; allNamespaces?: boolean },
): Promise<RevisionListing> {
  const list = await client.listRevisions({ service: opts.service, allNamespaces: opts.allNamespaces });
  if (opts.name) list.items = list.items.filter((r) => r.metadata.name === opts.name);
  const services = await client.listServices({ allNamespaces: opts.allNamespaces });
  return { list, traffic: indexTraffic(services.items) };
}

/** The revision plus what its service routes to it (for describe). */
export interface RevisionDetails {
  revision: Revision;
  service?: Service;
  traffic?: RevisionTraffic;
  /** Why the revision is not Ready (undefined when it is). */
  rootCause?: RootCause;
  /** Pods kept frozen after scale to zero, with what they hold. */
  frozen?: FrozenPod[];
  /** The autoscaler's last published decision. */
  autoscaler?: AutoscalerDecision;
}

/** The autoscaler's last decision for a revision, read from the API (undefined when none is published). */
export async function autoscalerDecision(
  client: ServingClient,
  rev: Revision,
): Promise<AutoscalerDecision | undefined> {
  try {
    const cm = await client.findConfigMap(
      rev.metadata.namespace ?? client.namespace,
      decisionConfigMapName(rev.metadata.name!),
    );
    return readDecision(cm);
  } catch {
    return undefined;
  }
}

// The revision's frozen pods, read from the API (the runtime's knlite.dev/Frozen pod condition).
async function frozenPods(client: ServingClient, rev: Revision): Promise<FrozenPod[]> {
  try {
    const pods = await client.listObjects<Pod>(Kinds.pod, {
      namespace: rev.metadata.namespace,
      labelSelector: `${Labels.revision}=${rev.metadata.name}`,
    });
    return pods.items.flatMap((p) => {
      const c = p.status?.conditions?.find((x) => x.type === FROZEN_POD_CONDITION && x.status === 'True');
      return c ? [{ pod: p.metadata.name!, since: c.lastTransitionTime, message: c.message ?? '' }] : [];
    });
  } catch {
    return [];
  }
}

/** `revision describe NAME`: the revision and, when it still exists, its owning service. */
export async function getRevisionDetails(client: ServingClient, name: string): Promise<RevisionDetails> {
  const revision = await client.getRevision(name);
  const svcName = revision.metadata.labels?.[Labels.service];
  let service: Service | undefined;
  if (svcName) {
    try {
      service = await client.getService(svcName, revision.metadata.namespace);
    } catch (err) {
      // A revision can outlive its service for a moment (background deletion); describe it anyway.
      if (!(err instanceof KnError && err.name === 'NotFound')) throw err;
    }
  }
  const traffic = service
    ? indexTraffic([service]).get(trafficKey(revision.metadata.namespace, name))
    : undefined;
  const [rootCause, frozen, autoscaler] = await Promise.all([
    revisionRootCause(client, revision).catch(() => undefined),
    frozenPods(client, revision),
    autoscalerDecision(client, revision),
  ]);
  return { revision, service, traffic, rootCause, frozen, autoscaler };
}

/**
 * Why a revision must not be deleted, or undefined when it may be: it receives traffic (route
 * status) or a tag names it (deleting it would leave the route pointing at nothing).
 */
export function deletionBlocker(rev: Revision, traffic: RevisionTraffic | undefined): string | undefined {
  if (!traffic) return undefined;
  const name = rev.metadata.name;
  const svc = traffic.service;
  if (traffic.percent > 0) {
    return `revision '${name}' cannot be deleted: it receives ${traffic.percent}% of the traffic of service '${svc}' (route status). Move its traffic away first: knlite traffic split ${svc} --traffic ...`;
  }
  if (traffic.tags.length) {
    const tags = traffic.tags.join(',');
    return `revision '${name}' cannot be deleted: it is tagged '${tags}' in the traffic of service '${svc}'. Remove the tag first: knlite traffic split ${svc} --untag ${tags}`;
  }
  return undefined;
}

/** Inputs of `revision delete`. */
export interface RevisionDeleteRequest {
  names: string[];
  /** --prune SERVICE: delete the service's revisions that are not routed. */
  prune?: string;
  /** --prune-all: delete every unrouted revision of the namespace. */
  pruneAll?: boolean;
  wait: WaitSettings;
  /** --dry-run: the server checks each delete and removes nothing. */
  dryRun?: DryRun;
}

/**
 * `revision delete NAME... | --prune SVC | --prune-all`: deletes each revision in turn, printing
 * kn's line for every one deleted; a missing or still-routed revision is reported (with the others'
 * failures, at the end, exit 1) and does not stop the rest.
 */
export async function deleteRevisions(
  connect: Connect<ServingClient>,
  io: ActionIO,
  req: RevisionDeleteRequest,
): Promise<string[]> {
  const pruning = req.prune !== undefined || req.pruneAll === true;
  if (req.prune !== undefined && req.pruneAll) {
    throw usageError('only one of --prune and --prune-all may be specified');
  }
  if (pruning && req.names.length) {
    throw usageError(
      `'revision delete' with --${req.pruneAll ? 'prune-all' : 'prune'} flag requires no arguments`,
    );
  }
  if (!pruning && req.names.length === 0) {
    throw usageError("'revision delete' requires one or more revision name");
  }
  const client = await connect();
  const ns = client.namespace;
  const index = indexTraffic((await client.listServices()).items);

  let names: string[];
  if (pruning) {
    const revisions = (await client.listRevisions({ service: req.prune })).items;
    // kn prunes what the route does not use: routingState != active, and (our extra guard) no traffic or tag.
    names = revisions
      .filter(
        (r) =>
          r.metadata.labels?.[Labels.routingState] !== RoutingState.active &&
          deletionBlocker(r, index.get(trafficKey(r.metadata.namespace, r.metadata.name!))) === undefined,
      )
      .map((r) => r.metadata.name!);
    if (names.length === 0) {
      io.line('No unreferenced revisions found.');
      return [];
    }
  } else {
    names = [...new Set(req.names)];
  }

  return deleteEach(names, io, async (name) => {
    const rev = await client.getRevision(name);
    const revNs = rev.metadata.namespace ?? ns;
    const blocker = deletionBlocker(rev, index.get(trafficKey(revNs, name)));
    if (blocker) throw invalidValue(blocker);
    if (req.dryRun) {
      const gone = (await client.deleteRevision(name, undefined, { dryRun: true })) ?? rev;
      if (req.dryRun.output) {
        await printDryRunObject(io, gone, req.dryRun.output);
        return '';
      }
      return `Dry run: revision '${name}' would be deleted in namespace '${revNs}' (nothing was written).`;
    }
    await client.deleteRevision(name);
    if (req.wait.wait) {
      await client.waitForDeletion(Kinds.revision, name, req.wait.timeoutSeconds * 1000);
    }
    return `Revision '${name}' deleted in namespace '${revNs}'.`;
  });
}
