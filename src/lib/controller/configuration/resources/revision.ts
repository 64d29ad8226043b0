/** Desired Revision for a Configuration's current generation (Knative's `MakeRevision`). */
import { Annotations, Labels, RoutingState, SERVING_V1 } from '../../../apis/keys.js';
import { revisionNameFor } from '../../../apis/names.js';
import type { Configuration, Revision } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';

/**
 * Stamps a Revision from `config.spec.template`: template metadata carried over, name from the BYO
 * name or `<config>-<generation:05d>`, owner labels (configuration, configurationGeneration,
 * configurationUID, service, serviceUID when the Configuration has them), routingState `pending`
 * (or `active` with the Configuration's routes annotation copied), creator = the Configuration's
 * lastModifier, and a controller reference to the Configuration.
 */
export function makeRevision(config: Configuration, now: Date): Revision {
  const tmpl = structuredClone(config.spec.template);
  const meta = tmpl.metadata ?? {};
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  const cfgLabels = config.metadata.labels ?? {};
  const cfgAnnotations = config.metadata.annotations ?? {};

  labels[Labels.configuration] = config.metadata.name!;
  labels[Labels.configurationGeneration] = String(config.metadata.generation ?? 0);
  if (config.metadata.uid) labels[Labels.configurationUID] = config.metadata.uid;
  if (cfgLabels[Labels.service]) labels[Labels.service] = cfgLabels[Labels.service];
  if (cfgLabels[Labels.serviceUID]) labels[Labels.serviceUID] = cfgLabels[Labels.serviceUID];

  // Pending tells the labeler it hasn't processed this revision; a routed Configuration makes it active.
  labels[Labels.routingState] = RoutingState.pending;
  annotations[Annotations.routingStateModified] = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (cfgAnnotations[Annotations.lastModifier])
    annotations[Annotations.creator] = cfgAnnotations[Annotations.lastModifier];
  if (cfgAnnotations[Annotations.routes]) {
    annotations[Annotations.routes] = cfgAnnotations[Annotations.routes];
    labels[Labels.routingState] = RoutingState.active;
  }

  return {
    apiVersion: SERVING_V1,
    kind: 'Revision',
    metadata: {
      ...meta,
      name: meta.name || revisionNameFor(config.metadata.name!, config.metadata.generation ?? 0),
      namespace: config.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [...(meta.ownerReferences ?? []), controllerRef(config, SERVING_V1, 'Configuration')],
    },
    spec: tmpl.spec,
  };
}
