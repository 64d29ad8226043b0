/** The core Service `<rev>` in front of a Revision's pods (selector revision=<rev>, port 80 → user port). */
import { Labels } from '../../../apis/keys.js';
import type { KubeService, Revision } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { podLabels, userPort } from './deployment.js';
import { kubeServiceName } from './names.js';

/** Builds the revision's Kubernetes Service, controlled by the Revision. */
export function makeKubeService(rev: Revision): KubeService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: kubeServiceName(rev),
      namespace: rev.metadata.namespace,
      labels: podLabels(rev),
      ownerReferences: [controllerRef(rev, 'serving.knative.dev/v1', 'Revision')],
    },
    spec: {
      selector: { [Labels.revision]: rev.metadata.name! },
      ports: [{ name: 'http', port: 80, targetPort: userPort(rev), protocol: 'TCP' }],
    },
  };
}
