import { Command, Flags } from '@oclif/core';
import yaml from 'js-yaml';
import { makeInstallManifests } from '../../lib/install/manifests.js';

/** `knlite reconciler manifests`: YAML to make a plain Kubernetes cluster serve Knative resources. */
export default class ReconcilerManifests extends Command {
  static override summary = 'Print the manifests that prepare a cluster for the bundled reconciler.';
  static override description =
    "Prints, as one multi-document YAML stream for `kubectl apply -f -`: the serving.knative.dev CRDs, the knative-serving namespace with Knative's ConfigMaps (shipped defaults), and RBAC for the reconciler. With --image, also a Deployment that runs `knlite reconciler run` in the cluster (the image must contain knlite); without it, run `knlite reconciler run` from your machine.";
  static override examples = [
    '<%= config.bin %> reconciler manifests | kubectl apply -f -',
    '<%= config.bin %> reconciler manifests --image registry.example.com/knlite:0.1.0 | kubectl apply -f -',
    '<%= config.bin %> reconciler manifests --no-crds',
  ];
  static override flags = {
    crds: Flags.boolean({ summary: 'Include the serving.knative.dev CRDs.', default: true, allowNo: true }),
    image: Flags.string({
      summary: 'Image with knlite installed; adds an in-cluster reconciler Deployment.',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReconcilerManifests);
    const docs = makeInstallManifests({ crds: flags.crds, image: flags.image });
    // Written straight to stdout: this is data for `kubectl apply -f -`, not a log line.
    process.stdout.write(
      `${docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true }).trimEnd()).join('\n---\n')}\n`,
    );
  }
}
