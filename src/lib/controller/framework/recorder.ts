/**
 * Kubernetes Event recorder: writes core/v1 Events about reconciled objects. Events are diagnostics,
 * so a failed Event write is logged and dropped — it never fails a reconcile (status writes do).
 */
import type { KubeEvent, KubeObject } from '../../apis/types.js';
import type { Client, Recorder } from './client.js';
import { Kinds } from '../../kube/kinds.js';

/** Events are reported as coming from this component. */
export const EVENT_SOURCE = 'knlite-reconciler';

/** Builds the Event object for `obj` (pure, for tests). */
export function makeEvent(
  obj: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  now: Date,
): KubeEvent {
  const ts = now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${obj.metadata.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
      namespace: obj.metadata.namespace ?? 'default',
    },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
    },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: ts,
    lastTimestamp: ts,
    source: { component: EVENT_SOURCE },
  };
}

/** A Recorder that writes Events through `client`. */
export class EventRecorder implements Recorder {
  constructor(
    private readonly client: Client,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ev = makeEvent(obj, type, reason, message, new Date());
    this.client
      .create(Kinds.event, ev)
      .catch((err: Error) => this.log(`event ${reason} on ${obj.metadata.name}: ${err.message}`));
  }
}
