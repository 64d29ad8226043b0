/**
 * `--dry-run` on the mutating commands: the write goes to the API server with `dryRun=All` (admitted,
 * defaulted and validated, never stored), and what the server answered becomes a plan — the
 * revision the change would create, the traffic table that would result (with tag URLs), the
 * revisions config-gc would then collect, and a unified diff of the object's YAML. `-o FORMAT`
 * prints the server's object instead of the plan.
 */
import yaml from 'js-yaml';
import { parseConfigs, type KnativeConfigs } from '../apis/config/index.js';
import { Annotations, ConfigMaps, Labels, RoutingState, SYSTEM_NAMESPACE } from '../apis/keys.js';
import { configurationNameFor, revisionNameFor } from '../apis/names.js';
import type { ConfigMap, Configuration, KubeObject, Revision, Route, Service } from '../apis/types.js';
import { usageError } from '../client/errors.js';
import type { ServingClient } from '../client/serving-client.js';
import { collect } from '../controller/gc/resources/collect.js';
import { routeUrl, tagUrl } from '../controller/route/resources/domains.js';
import { formatObject, type OutputSpec } from '../printers/output.js';
import { unifiedDiff } from '../printers/unified-diff.js';
import type { ActionIO } from './actions.js';

/** One row of the traffic table a change would produce. */
export interface PlannedTarget {
  /** The revision that would receive the traffic ('' when @latest has no revision yet). */
  revision: string;
  percent: number;
  /** Whether the target follows the latest ready revision (@latest). */
  latest: boolean;
  tag?: string;
  /** The tag's own URL. */
  url?: string;
}

/** What a dry run of a service change found. */
export interface ServicePlan {
  dryRun: true;
  verb: 'create' | 'update' | 'apply' | 'delete';
  name: string;
  namespace: string;
  /** Name of the revision the change would create (undefined: no new revision). */
  newRevision?: string;
  /** The service URL after the change. */
  url?: string;
  traffic: PlannedTarget[];
  /** Revisions config-gc would delete once the change is in effect; undefined when not computable. */
  gc?: string[];
  /** Why `gc` is undefined. */
  gcUnknown?: string;
  /** For delete: the children that go with the service. */
  cascade?: string[];
  /** Unified diff of the object's YAML, current → dry run. */
  diff: string;
}

/** The parts of an object a user edits (no status, no server bookkeeping), for the diff. */
function editable(obj: KubeObject | undefined): string {
  if (!obj) return '';
  const o = obj as KubeObject & { spec?: unknown };
  const meta = o.metadata ?? {};
  const shown = {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      ...(meta.labels && Object.keys(meta.labels).length ? { labels: meta.labels } : {}),
      ...(meta.annotations && Object.keys(meta.annotations).length ? { annotations: meta.annotations } : {}),
    },
    spec: o.spec,
  };
  return yaml.dump(JSON.parse(JSON.stringify(shown)), { noRefs: true, lineWidth: -1, sortKeys: true });
}

/** Unified diff of two versions of an object (either may be absent: create, delete). */
export function objectDiff(
  kind: string,
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): string {
  const name = (after ?? before)?.metadata.name ?? '';
  return unifiedDiff(
    editable(before),
    editable(after),
    before ? `${kind}/${name} (current)` : '/dev/null',
    after ? `${kind}/${name} (dry run)` : '/dev/null',
  );
}

async function readConfigs(client: ServingClient): Promise<{ cfg: KnativeConfigs; gcReadable: boolean }> {
  const names = [ConfigMaps.domain, ConfigMaps.network, ConfigMaps.gc];
  const found = new Map<string, ConfigMap | undefined>();
  let gcReadable = true;
  await Promise.all(
    names.map(async (n) => {
      try {
        found.set(n, await client.findConfigMap(SYSTEM_NAMESPACE, n));
      } catch {
        if (n === ConfigMaps.gc) gcReadable = false;
      }
    }),
  );
  try {
    return { cfg: parseConfigs((n) => found.get(n)), gcReadable };
  } catch {
    // A ConfigMap the reconciler would refuse: the plan uses Knative's defaults for URLs, no GC.
    return { cfg: parseConfigs(() => undefined), gcReadable: false };
  }
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The name the Configuration's next revision gets (BYO name, else `<config>-<generation+1>`). */
async function nextRevisionName(
  client: ServingClient,
  before: Service | undefined,
  after: Service,
): Promise<string> {
  const byo = after.spec.template.metadata?.name;
  if (byo) return byo;
  const configName = configurationNameFor(after.metadata.name!);
  if (!before) return revisionNameFor(configName, 1);
  let generation = 0;
  try {
    const config: Configuration = await client.getConfiguration(configName, after.metadata.namespace);
    generation = config.metadata.generation ?? 0;
  } catch {
    const m = /-(\d+)$/.exec(before.status?.latestCreatedRevisionName ?? '');
    generation = m ? Number(m[1]) : 0;
  }
  return revisionNameFor(configName, generation + 1);
}

/** A Route as the service's reconciler would make it (for URLs: name, namespace, labels). */
function routeOf(svc: Service): Route {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      labels: svc.metadata.labels,
      annotations: svc.metadata.annotations,
    },
    spec: {},
  } as Route;
}

/**
 * Plans a service create/update/apply from the current object (`before`, absent for create) and the
 * object the server returned for the dry-run write (`after`).
 */
export async function planServiceChange(
  client: ServingClient,
  verb: ServicePlan['verb'],
  before: Service | undefined,
  after: Service,
): Promise<ServicePlan> {
  const name = after.metadata.name!;
  const namespace = after.metadata.namespace ?? client.namespace;
  const creates = !before || !sameJson(before.spec.template, after.spec.template);
  const newRevision = creates ? await nextRevisionName(client, before, after) : undefined;
  const latest = newRevision ?? before?.status?.latestReadyRevisionName ?? '';
  const { cfg, gcReadable } = await readConfigs(client);
  const route = routeOf(after);
  const targets = after.spec.traffic?.length ? after.spec.traffic : [{ latestRevision: true, percent: 100 }];
  const traffic: PlannedTarget[] = targets.map((t) => {
    const isLatest = t.latestRevision === true || (t.latestRevision === undefined && !t.revisionName);
    return {
      revision: isLatest ? latest : (t.revisionName ?? ''),
      percent: t.percent ?? 0,
      latest: isLatest,
      ...(t.tag ? { tag: t.tag, url: tagUrl(route, cfg, t.tag) } : {}),
    };
  });
  const plan: ServicePlan = {
    dryRun: true,
    verb,
    name,
    namespace,
    newRevision,
    url: routeUrl(route, cfg),
    traffic,
    diff: objectDiff('service', before, after),
  };
  if (!gcReadable) plan.gcUnknown = `${ConfigMaps.gc} is not readable`;
  else if (before) plan.gc = await plannedCollection(client, after, traffic, newRevision, cfg);
  else plan.gc = [];
  return plan;
}

// Knative's GC pass as it would run once the change is in effect: the new revision is the latest
// ready one, revisions the new traffic names are active, those it stops naming turn reserve now.
async function plannedCollection(
  client: ServingClient,
  after: Service,
  traffic: PlannedTarget[],
  newRevision: string | undefined,
  cfg: KnativeConfigs,
): Promise<string[]> {
  const now = Date.now();
  const stamp = new Date(now).toISOString();
  const routed = new Set(traffic.map((t) => t.revision).filter(Boolean));
  const revisions = (await client.listRevisions({ service: after.metadata.name })).items.map((r) => {
    const copy: Revision = structuredClone(r);
    const wasActive = r.metadata.labels?.[Labels.routingState] === RoutingState.active;
    const active = routed.has(r.metadata.name!);
    copy.metadata.labels = {
      ...copy.metadata.labels,
      [Labels.routingState]: active ? RoutingState.active : RoutingState.reserve,
    };
    if (wasActive && !active)
      copy.metadata.annotations = { ...copy.metadata.annotations, [Annotations.routingStateModified]: stamp };
    return copy;
  });
  if (newRevision && !revisions.some((r) => r.metadata.name === newRevision)) {
    revisions.push({
      metadata: {
        name: newRevision,
        creationTimestamp: stamp,
        labels: { [Labels.routingState]: RoutingState.active },
      },
      spec: { containers: [] },
    });
  }
  const latest = newRevision ?? traffic.find((t) => t.latest)?.revision;
  const config = {
    metadata: { name: configurationNameFor(after.metadata.name!) },
    spec: {},
    status: { latestReadyRevisionName: latest },
  } as unknown as Configuration;
  return collect(config, revisions, cfg.gc, now).delete;
}

/** Plans a service deletion: the object, and the children the API server's GC would remove with it. */
export async function planServiceDelete(client: ServingClient, svc: Service): Promise<ServicePlan> {
  const name = svc.metadata.name!;
  const revisions = (await client.listRevisions({ service: name }).catch(() => ({ items: [] as Revision[] })))
    .items;
  return {
    dryRun: true,
    verb: 'delete',
    name,
    namespace: svc.metadata.namespace ?? client.namespace,
    url: svc.status?.url,
    traffic: [],
    gc: [],
    cascade: [
      `configuration/${configurationNameFor(name)}`,
      `route/${name}`,
      ...revisions.map((r) => `revision/${r.metadata.name}`),
    ],
    diff: objectDiff('service', svc, undefined),
  };
}

/** Prints a service plan. */
export function printServicePlan(io: ActionIO, plan: ServicePlan): void {
  const what = { create: 'created', update: 'updated', apply: 'applied', delete: 'deleted' }[plan.verb];
  io.line(
    `Dry run: service '${plan.name}' would be ${what} in namespace '${plan.namespace}' (nothing was written).`,
  );
  if (plan.verb === 'delete') {
    io.line(`With it would go: ${plan.cascade?.join(', ') || 'nothing else'}.`);
  } else {
    io.line(
      plan.newRevision
        ? `Revision '${plan.newRevision}' would be created.`
        : 'No new revision would be created (the revision template is unchanged).',
    );
    io.line();
    io.line(`Traffic${plan.url ? ` (${plan.url})` : ''}:`);
    const rows = plan.traffic.map((t) => [
      `${t.percent}%`,
      t.latest ? `@latest (${t.revision || 'none yet'})` : t.revision,
      t.tag ? `#${t.tag}` : '',
      t.url ?? '',
    ]);
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) {
      io.line(
        `  ${r[0].padStart(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd(),
      );
    }
    io.line();
    if (plan.gc === undefined) io.line(`Revision GC: not computable (${plan.gcUnknown}).`);
    else if (plan.gc.length === 0) io.line('Revision GC: would delete nothing.');
    else io.line(`Revision GC: would delete ${plan.gc.join(', ')}.`);
  }
  printDiff(io, plan.diff);
}

/** Prints the diff section ("no changes" when empty). */
export function printDiff(io: ActionIO, diff: string): void {
  io.line();
  if (!diff) {
    io.line('No changes to the object.');
    return;
  }
  for (const l of diff.replace(/\n$/, '').split('\n')) io.line(l);
}

/** Prints the server's dry-run object in the -o format (the output ends in a newline like -o elsewhere). */
export async function printDryRunObject(io: ActionIO, obj: KubeObject, output: OutputSpec): Promise<void> {
  const text = await formatObject(obj, output);
  io.line(text.replace(/\n$/, ''));
}

/** A dry run needs a cluster: the server is what checks the change. Returns that cluster. */
export function requireClusterForDryRun<C>(cluster: C | undefined): C {
  if (cluster === undefined)
    throw usageError('--dry-run asks the cluster to check the change and cannot be used with --target');
  return cluster;
}
