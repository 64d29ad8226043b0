import { Flags } from '@oclif/core';
import yaml from 'js-yaml';
import { KnCommand } from '../../lib/cli/base.js';
import { GATEWAY_SERVICE_TYPES, makeInstallManifests } from '../../lib/install/manifests.js';

/** `knlite reconciler manifests`: YAML to make a plain Kubernetes cluster serve Knative resources. */
export default class ReconcilerManifests extends KnCommand {
  static override summary = 'Print the manifests that prepare a cluster for the bundled reconciler.';
  static override description =
    "Prints, as one multi-document YAML stream for `kubectl apply -f -`: the Knative CRDs (serving.knative.dev, plus the KIngress and ClusterDomainClaim of networking.internal.knative.dev), the knative-serving namespace with Knative's ConfigMaps (shipped defaults), and least-privilege RBAC for the reconciler and the gateway. With --image, also Deployments that run `knlite reconciler run` and `knlite gateway run` in the cluster (non-root, probes, resources), the gateway's Service (--gateway-service-type) and a PodDisruptionBudget; without it, run both from your machine.";
  static override examples = [
    '<%= config.bin %> reconciler manifests | kubectl apply -f -',
    '<%= config.bin %> reconciler manifests --image registry.example.com/knlite:0.1.0 | kubectl apply -f -',
    '<%= config.bin %> reconciler manifests --no-crds',
  ];
  // Prints manifests; talks to no cluster.
  static override baseFlags = {};
  static override flags = {
    crds: Flags.boolean({ summary: 'Include the serving.knative.dev CRDs.', default: true, allowNo: true }),
    image: Flags.string({
      summary:
        'Image with knlite installed; adds the reconciler and gateway Deployments, the gateway Service and its PodDisruptionBudget.',
      helpValue: 'IMAGE',
    }),
    'gateway-service-type': Flags.string({
      summary: "Type of the gateway's Service (with --image).",
      options: [...GATEWAY_SERVICE_TYPES],
      default: 'LoadBalancer',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReconcilerManifests);
    const docs = makeInstallManifests({
      crds: flags.crds,
      image: flags.image,
      gatewayServiceType: flags['gateway-service-type'] as (typeof GATEWAY_SERVICE_TYPES)[number],
    });
    // Written straight to stdout: this is data for `kubectl apply -f -`, not a log line.
    process.stdout.write(
      `${docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true }).trimEnd()).join('\n---\n')}\n`,
    );
  }
}
