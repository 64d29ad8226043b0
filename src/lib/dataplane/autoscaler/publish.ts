/**
 * Publishes the KPA's last decision per revision through the API (docs/adr/0008-autoscaler-decisions.md):
 * `makeDecision()` turns one tick's inputs and result into the document, and `DecisionPublisher`
 * writes it to the revision's `<revision>-autoscaler` ConfigMap — only from the leading replica,
 * only when the decision changed (or its observed values drifted and 10 s passed), never more than
 * once per tick. Write failures are logged and retried by the next change.
 */
import {
  DECISION_KEY,
  DECISION_LABEL,
  decisionConfigMapName,
  type AutoscalerDecision,
} from '../../apis/autoscaler-decision.js';
import { Labels } from '../../apis/keys.js';
import type { ConfigMap, Revision } from '../../apis/types.js';
import { isNotFound } from '../../kube/errors.js';
import { Kinds } from '../../kube/kinds.js';
import type { RestClient } from '../../kube/rest.js';
import type { ScaleResult } from './scale.js';
import type { AutoscalerSpec } from './spec.js';

/** Observed values are republished at most this often when only they changed. */
export const OBSERVED_REFRESH_MS = 10_000;

const round = (x: number): number => Math.round(x * 100) / 100;

/** The decision document of one KPA tick. Pure. */
export function makeDecision(
  revision: string,
  spec: AutoscalerSpec,
  result: ScaleResult,
  readyPods: number,
  now: number,
): AutoscalerDecision {
  const panicTime = result.state.panicTime;
  return {
    revision,
    decidedAt: new Date(now).toISOString(),
    class: spec.class,
    metric: spec.metric,
    observed: { stable: round(result.stableValue), panic: round(result.panicValue), readyPods },
    targetPerPod: round(spec.target),
    totalPerPod: round(spec.total),
    stableWindowSeconds: spec.stableWindowMs / 1000,
    panicWindowSeconds: spec.panicWindowMs / 1000,
    panic: {
      active: result.panicking,
      ...(panicTime !== undefined && result.panicking ? { since: new Date(panicTime).toISOString() } : {}),
    },
    excessBurstCapacity: result.excessBurstCapacity,
    mode: result.excessBurstCapacity < 0 ? 'proxy' : 'serve',
    desiredPods: result.desiredPods,
    want: result.want,
    ...(result.replicas !== undefined ? { replicas: result.replicas } : {}),
    bound: result.bound,
    active: result.active,
    limits: {
      minScale: spec.minScale,
      maxScale: spec.maxScale,
      initialScale: spec.initialScale,
      activationScale: spec.activationScale,
      maxScaleUpRate: spec.maxScaleUpRate,
      maxScaleDownRate: spec.maxScaleDownRate,
      scaleDownDelaySeconds: spec.scaleDownDelayMs / 1000,
      scaleToZeroGracePeriodSeconds: spec.scaleToZeroGracePeriodMs / 1000,
      targetBurstCapacity: spec.targetBurstCapacity,
    },
  };
}

/** The parts whose change is a new decision (observed averages drift every tick; these do not). */
function decisionPart(d: AutoscalerDecision): string {
  return JSON.stringify([
    d.desiredPods,
    d.want,
    d.replicas,
    d.bound.rule,
    d.panic,
    d.active,
    d.mode,
    d.observed.readyPods,
    d.limits,
    d.targetPerPod,
    d.coldStarts?.count,
  ]);
}

interface Published {
  decision: string;
  observed: string;
  at: number;
  uid?: string;
  writing: boolean;
}

/** Writes decision documents to the API. */
export class DecisionPublisher {
  private readonly published = new Map<string, Published>();

  constructor(
    private readonly rest: RestClient,
    private readonly leading: () => boolean,
    private readonly log: (msg: string) => void,
  ) {}

  /** Publishes `doc` for `namespace/revision` if it is news (see the module comment). */
  publish(namespace: string, doc: AutoscalerDecision, now = Date.now()): void {
    if (!this.leading()) return;
    const key = `${namespace}/${doc.revision}`;
    const prev = this.published.get(key);
    const decision = decisionPart(doc);
    const observed = JSON.stringify(doc.observed);
    if (prev?.writing) return;
    if (prev && prev.decision === decision) {
      if (prev.observed === observed || now - prev.at < OBSERVED_REFRESH_MS) return;
    }
    const entry: Published = {
      decision: prev?.decision ?? '',
      observed: prev?.observed ?? '',
      at: prev?.at ?? 0,
      uid: prev?.uid,
      writing: true,
    };
    this.published.set(key, entry);
    void this.write(namespace, doc, entry)
      .then(() => {
        entry.decision = decision;
        entry.observed = observed;
        entry.at = now;
      })
      .catch((err: unknown) => {
        if (!isNotFound(err)) this.log(`publishing the decision for ${key}: ${(err as Error).message}`);
      })
      .finally(() => (entry.writing = false));
  }

  /** Forgets a deleted revision (its ConfigMap goes with it through the owner reference). */
  forget(key: string): void {
    this.published.delete(key);
  }

  private async write(namespace: string, doc: AutoscalerDecision, entry: Published): Promise<void> {
    entry.uid ??= (await this.rest.get<Revision>(Kinds.revision, namespace, doc.revision)).metadata.uid;
    const name = decisionConfigMapName(doc.revision);
    const body: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { [Labels.revision]: doc.revision, [DECISION_LABEL]: 'true' },
        ownerReferences: [
          { apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: doc.revision, uid: entry.uid! },
        ],
      },
      data: { [DECISION_KEY]: JSON.stringify(doc, null, 2) },
    };
    try {
      const have = await this.rest.get<ConfigMap>(Kinds.configMap, namespace, name);
      await this.rest.replace(Kinds.configMap, {
        ...body,
        metadata: { ...body.metadata, resourceVersion: have.metadata.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.rest.create(Kinds.configMap, body);
    }
  }
}
