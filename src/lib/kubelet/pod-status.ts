/**
 * The runtime's Pod controller: every replica this node runs has its Pod object — created with the
 * Deployment as controller owner, so deleting the Deployment cascades — and its status written
 * through /status whenever it changed (re-read on a conflict). A Pod deleted by someone else
 * (kubectl delete pod, a namespace going away) is reported to the Deployment controller, which
 * stops the process and starts a replacement if one is still wanted.
 */
import { controllerOf } from '../apis/owner.js';
import type { Pod } from '../apis/types.js';
import { isNotFound } from '../kube/errors.js';
import { Kinds } from '../kube/kinds.js';
import type { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { splitKey } from '../kube/store.js';
import type { EndpointsController } from './endpoints.js';
import { stableJson } from './names.js';
import { is409, writeQueue, type NodeState, type Replica } from './node.js';

export class PodStatusController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly rest: RestClient,
    private readonly node: NodeState,
    private readonly endpoints: EndpointsController,
    /** The Pod of a running replica was deleted by someone else. */
    private readonly vanished: (podKey: string, replica: Replica) => void,
  ) {
    this.queue = writeQueue(node, 'pods', 'writing pod', (key) => this.sync(key));
  }

  /** Create or update the Pod of the replica at `podKey`, after `delayMs`. */
  enqueue(podKey: string, delayMs = 0): void {
    this.queue.addAfter(podKey, delayMs);
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }

  /** Deletes a Pod at once (its process is already stopped); a missing one is fine. */
  async delete(pod: Pod): Promise<void> {
    try {
      await this.rest.delete(Kinds.pod, pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // On a fresh runtime no pod on the cluster has a process behind it: pods owned by a Deployment
  // are leftovers of a previous run and would otherwise be counted and routed to.
  async deleteStale(): Promise<void> {
    const pods = await this.rest.list<Pod>(Kinds.pod);
    const stale = pods.items.filter((p) => {
      const owner = controllerOf(p);
      return owner?.kind === 'Deployment' && owner.apiVersion === 'apps/v1';
    });
    for (const pod of stale) await this.delete(pod);
    if (stale.length > 0) this.node.log(`deleted ${stale.length} stale pod(s) of a previous run`);
  }

  private async sync(podKey: string): Promise<void> {
    const replica = this.node.replicas.get(podKey);
    if (!replica || replica.deleting || this.node.stopping) return;
    const { namespace, name } = splitKey(podKey);
    if (!replica.created) {
      try {
        replica.pod = await this.rest.create(Kinds.pod, replica.pod);
        replica.created = true;
        this.endpoints.enqueueFor(replica);
      } catch (err) {
        if (!is409(err)) throw err;
        replica.pod = await this.rest.get<Pod>(Kinds.pod, namespace, name);
        replica.created = true;
      }
    }
    const status = replica.proc.status();
    const json = stableJson(status);
    if (json === replica.writtenStatus) return;
    for (let attempt = 0; ; attempt++) {
      try {
        replica.pod = await this.rest.replaceStatus(Kinds.pod, { ...replica.pod, status });
        replica.writtenStatus = json;
        return;
      } catch (err) {
        if (isNotFound(err)) return this.vanished(podKey, replica);
        if (!is409(err) || attempt >= 5) throw err;
        replica.pod = await this.rest.get<Pod>(Kinds.pod, namespace, name);
      }
    }
  }
}
