/**
 * The runtime's Endpoints controller: for every core Service with a selector, the Endpoints list
 * this node's pods that match it — one subset per pod, because every pod listens on its own port —
 * ready while the pod is ready (and not being frozen), with frozen pods named in an annotation for
 * the gateway. The object is replaced from the version last written or read, re-reading only on a
 * conflict, so a pod turning ready costs one round trip; a Service that goes takes its Endpoints.
 */
import type { Endpoints } from '../apis/types.js';
import { FROZEN_PODS_ANNOTATION } from '../apis/keys.js';
import { isNotFound } from '../kube/errors.js';
import { Kinds } from '../kube/kinds.js';
import type { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { splitKey } from '../kube/store.js';
import { stableJson } from './names.js';
import { is409, withTimeout, writeQueue, type NodeState, type Replica } from './node.js';
import { makeEndpoints, selectorMatches } from './resources.js';

export class EndpointsController {
  private readonly queue: WorkQueue;
  /** What was last written per Service (subsets, labels, frozen pods), to skip writes that change nothing. */
  private readonly written = new Map<string, string>();
  /** The Endpoints objects as last written (or read) per Service. */
  private readonly objects = new Map<string, Endpoints>();

  constructor(
    private readonly rest: RestClient,
    private readonly node: NodeState,
  ) {
    this.queue = writeQueue(node, 'endpoints', 'writing endpoints', (key) => this.sync(key));
  }

  /** A Service changed or went (`namespace/name`). */
  serviceChanged(key: string): void {
    this.queue.add(key);
  }

  /** Recompute the Endpoints of every Service selecting this replica's pod, after `delayMs`. */
  enqueueFor(replica: Replica, delayMs = 0): void {
    for (const key of this.keysFor(replica)) this.queue.addAfter(key, delayMs);
  }

  /**
   * Write the Endpoints of every Service selecting this replica now (bounded: a slow API must not
   * hold up a stop by much) — e.g. to take a pod out before signalling it.
   */
  async flushFor(replica: Replica): Promise<void> {
    await withTimeout(Promise.all(this.keysFor(replica).map((key) => this.queue.flush(key))), 2000).catch(
      () => {},
    );
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }

  /** Keys of the Services whose selector matches the replica's pod. */
  private keysFor(replica: Replica): string[] {
    const ns = replica.pod.metadata.namespace;
    return [...this.node.services]
      .filter(
        ([, svc]) =>
          svc.metadata.namespace === ns && selectorMatches(svc.spec.selector, replica.pod.metadata.labels),
      )
      .map(([key]) => key);
  }

  private async sync(key: string): Promise<void> {
    if (this.node.stopping) return;
    const { namespace, name } = splitKey(key);
    const service = this.node.services.get(key);
    if (!service) {
      this.objects.delete(key);
      if (this.written.delete(key)) {
        try {
          await this.rest.delete(Kinds.endpoints, namespace, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    if (!service.spec.selector || Object.keys(service.spec.selector).length === 0) return;
    const pods = [...this.node.replicas.values()]
      .filter(
        (r) =>
          r.created &&
          !r.deleting &&
          r.proc.state.port !== undefined &&
          r.pod.metadata.namespace === namespace &&
          selectorMatches(service.spec.selector, r.pod.metadata.labels),
      )
      .map((r) => ({
        name: r.pod.metadata.name!,
        uid: r.pod.metadata.uid,
        port: r.proc.state.port!,
        ready: r.proc.state.ready && !r.freezing,
        frozen: r.proc.state.frozen !== undefined,
      }));
    const desired = makeEndpoints(service, pods);
    const frozenPods = desired.metadata.annotations?.[FROZEN_PODS_ANNOTATION];
    const json = stableJson({ subsets: desired.subsets, labels: desired.metadata.labels, frozenPods });
    if (this.written.get(key) === json) return;
    for (let attempt = 0; ; attempt++) {
      let existing = attempt === 0 ? this.objects.get(key) : undefined;
      if (!existing) {
        try {
          existing = await this.rest.get<Endpoints>(Kinds.endpoints, namespace, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      // After a restart the stored Endpoints often already say the right thing: leave them be.
      if (
        existing &&
        stableJson({
          subsets: existing.subsets ?? [],
          labels: existing.metadata.labels ?? {},
          frozenPods: existing.metadata.annotations?.[FROZEN_PODS_ANNOTATION],
        }) === json
      ) {
        this.written.set(key, json);
        this.objects.set(key, existing);
        return;
      }
      try {
        if (existing) {
          const annotations = { ...existing.metadata.annotations };
          delete annotations[FROZEN_PODS_ANNOTATION];
          if (frozenPods !== undefined) annotations[FROZEN_PODS_ANNOTATION] = frozenPods;
          const body = {
            ...existing,
            metadata: { ...existing.metadata, labels: desired.metadata.labels, annotations },
            subsets: desired.subsets,
          };
          this.objects.set(key, await this.rest.replace(Kinds.endpoints, body));
        } else {
          this.objects.set(key, await this.rest.create(Kinds.endpoints, desired));
        }
        this.written.set(key, json);
        return;
      } catch (err) {
        // Someone else wrote (or deleted) it since: re-read and try again.
        this.objects.delete(key);
        if ((!is409(err) && !isNotFound(err)) || attempt >= 5) throw err;
      }
    }
  }
}
