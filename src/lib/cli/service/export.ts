/** `service export`: the service without runtime fields (kn export.go), optionally with its revisions. */
import { Annotations, Labels, SERVING_V1 } from '../../apis/keys.js';
import type { KubeList, Revision, Service } from '../../apis/types.js';
import { KnError } from '../../client/errors.js';
import type { ServingClient } from '../../client/serving-client.js';

/** `service export`: the service without runtime fields (kn export.go), optionally with its routed revisions. */
export async function exportService(
  client: ServingClient,
  name: string,
  opts: { withRevisions?: boolean; mode?: 'export' | 'replay' },
): Promise<
  | Service
  | { apiVersion: string; kind: string; spec: { service: Service; revisions: Revision[] } }
  | KubeList<Service>
> {
  const svc = await client.getService(name);
  const clean = cleanForExport(svc);
  let revisions: Revision[] = [];
  if (opts.withRevisions) {
    const routed = new Set((svc.spec.traffic ?? []).map((t) => t.revisionName).filter(Boolean));
    revisions = (await client.listRevisions({ service: name })).items
      .filter((r) => routed.has(r.metadata.name) && r.metadata.name !== svc.spec.template.metadata?.name)
      .reverse()
      .map(cleanRevision);
    if (revisions.length === 0 && routed.size > 0)
      throw new KnError(`no revisions found for the service ${name}`, { name: 'NotFound' });
  }
  if ((opts.mode ?? 'export') === 'replay') {
    if (!opts.withRevisions) return clean;
    const items: Service[] = revisions.map((r) => ({
      ...clean,
      spec: { template: { metadata: { ...r.metadata, namespace: undefined }, spec: r.spec } },
    }));
    return { apiVersion: 'v1', kind: 'List', metadata: {}, items: [...items, clean] };
  }
  return { apiVersion: 'client.knative.dev/v1alpha1', kind: 'Export', spec: { service: clean, revisions } };
}

const EXPORT_DROP_ANNOTATIONS = [
  Annotations.creator,
  Annotations.lastModifier,
  'kubectl.kubernetes.io/last-applied-configuration',
];
const EXPORT_DROP_TEMPLATE_ANNOTATIONS = [
  Annotations.revisionLastPinned,
  Annotations.creator,
  Annotations.routingStateModified,
  Annotations.updateTimestamp,
];
const EXPORT_DROP_LABELS = [Labels.configurationUID, Labels.serviceUID];

function without(
  map: Record<string, string> | undefined,
  keys: string[],
): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !keys.includes(k)));
  return Object.keys(out).length ? out : undefined;
}

/** A Service reduced to what is needed to recreate it (name, namespace, labels, annotations, spec). */
export function cleanForExport(svc: Service): Service {
  const template = structuredClone(svc.spec.template);
  if (template.metadata) {
    template.metadata.annotations = without(template.metadata.annotations, EXPORT_DROP_TEMPLATE_ANNOTATIONS);
    template.metadata.labels = without(template.metadata.labels, EXPORT_DROP_LABELS);
    delete template.metadata.creationTimestamp;
  }
  const spec: Service['spec'] = { template };
  if (svc.spec.traffic) spec.traffic = svc.spec.traffic;
  return JSON.parse(
    JSON.stringify({
      apiVersion: SERVING_V1,
      kind: 'Service',
      metadata: {
        name: svc.metadata.name,
        namespace: svc.metadata.namespace,
        labels: without(svc.metadata.labels, EXPORT_DROP_LABELS),
        annotations: without(svc.metadata.annotations, EXPORT_DROP_ANNOTATIONS),
      },
      spec,
    }),
  ) as Service;
}

function cleanRevision(r: Revision): Revision {
  return JSON.parse(
    JSON.stringify({
      apiVersion: SERVING_V1,
      kind: 'Revision',
      metadata: {
        name: r.metadata.name,
        namespace: r.metadata.namespace,
        labels: without(r.metadata.labels, [...EXPORT_DROP_LABELS, Labels.revisionUID]),
        annotations: without(r.metadata.annotations, EXPORT_DROP_TEMPLATE_ANNOTATIONS),
      },
      spec: r.spec,
    }),
  ) as Revision;
}
