import { Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { kubeconfigFlags, leaderElectionFlags } from '../../lib/cli/flags.js';
import { startReconciler } from '../../lib/controller/index.js';
import { runComponent } from '../../lib/cli/component.js';
import { serveHealth } from '../../lib/net/health.js';

/** `knlite reconciler run`: the bundled Knative Serving reconciler against the current kubeconfig context. */
export default class ReconcilerRun extends KnCommand {
  static override summary = 'Run the bundled Knative Serving reconciler against a cluster.';
  static override description =
    "Runs knlite's Knative Serving reconcilers (Service, Configuration, Revision, Route, labeler, DomainMapping, revision GC) against the current kubeconfig context of any Kubernetes cluster that has the serving.knative.dev CRDs but no Knative controller. Revisions become apps/v1 Deployments and core Services. Leader election on the Lease knative-serving/knlite-reconciler keeps several replicas from reconciling at once. Runs until interrupted (Ctrl-C or SIGTERM).";
  static override examples = [
    '<%= config.bin %> reconciler run',
    '<%= config.bin %> reconciler run --context kind-dev',
    '<%= config.bin %> reconciler run --kubeconfig ./kubeconfig --no-leader-elect',
  ];
  // A component, not a client: no --no-color, and in a pod the service account is the fallback.
  static override baseFlags = kubeconfigFlags({ fallback: "the pod's service account" });
  static override flags = {
    ...leaderElectionFlags('Reconcile only while holding the leader Lease.'),
    verbose: Flags.boolean({ char: 'v', summary: 'Log reconcile errors and retries.' }),
    'health-port': Flags.integer({
      summary: 'Serve /healthz and /readyz on this port (0: none).',
      default: 0,
      min: 0,
      max: 65535,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReconcilerRun);
    const log = flags.verbose ? (msg: string) => this.logToStderr(`reconciler: ${msg}`) : undefined;
    await runComponent(
      flags,
      { log: (l) => this.log(l), fail: (m) => this.fail(m) },
      async (rest, identity) => {
        const running = await startReconciler(rest, { leaderElection: flags['leader-elect'], identity, log });
        const health = flags['health-port'] ? await serveHealth(flags['health-port']) : undefined;
        const election = flags['leader-elect'] ? `leader election as ${identity}` : 'no leader election';
        return {
          banner: `Reconciling Knative Serving resources on ${rest.server} (context ${rest.contextName}, ${election}). Press Ctrl-C to stop.`,
          stop: async () => {
            await health?.close();
            await running.stop();
          },
        };
      },
      'Reconciler stopped.',
    );
  }
}
