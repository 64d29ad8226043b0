import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Command, Flags } from '@oclif/core';
import { KubeConfig } from '@kubernetes/client-node';
import { startReconciler } from '../../lib/controller/index.js';

/** `knlite reconciler run`: the bundled Knative Serving reconciler against the current kubeconfig context. */
export default class ReconcilerRun extends Command {
  static override summary = 'Run the bundled Knative Serving reconciler against a cluster.';
  static override description =
    "Runs knlite's Knative Serving reconcilers (Service, Configuration, Revision, Route, labeler, DomainMapping, revision GC) against the current kubeconfig context of any Kubernetes cluster that has the serving.knative.dev CRDs but no Knative controller. Revisions become apps/v1 Deployments and core Services. Leader election on the Lease knative-serving/knlite-reconciler keeps several replicas from reconciling at once. Runs until interrupted (Ctrl-C or SIGTERM).";
  static override examples = [
    '<%= config.bin %> reconciler run',
    '<%= config.bin %> reconciler run --context kind-dev',
    '<%= config.bin %> reconciler run --kubeconfig ./kubeconfig --no-leader-elect',
  ];
  static override flags = {
    kubeconfig: Flags.string({
      summary: 'Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).',
      helpValue: 'PATH',
    }),
    context: Flags.string({ summary: 'Name of the kubeconfig context to use.', helpValue: 'NAME' }),
    'leader-elect': Flags.boolean({
      summary: 'Reconcile only while holding the leader Lease.',
      default: true,
      allowNo: true,
    }),
    identity: Flags.string({
      summary: 'Leader election identity (default: <hostname>_<random>).',
      helpValue: 'NAME',
    }),
    verbose: Flags.boolean({ char: 'v', summary: 'Log reconcile errors and retries.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReconcilerRun);
    const kc = new KubeConfig();
    try {
      if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      this.error(`cannot read the kubeconfig: ${(err as Error).message}`, { exit: 1 });
    }
    if (flags.context) {
      if (!kc.getContextObject(flags.context))
        this.error(`context "${flags.context}" not found in the kubeconfig`, { exit: 1 });
      kc.setCurrentContext(flags.context);
    }
    if (!kc.getCurrentCluster())
      this.error('no current cluster in the kubeconfig: pass --context or --kubeconfig', { exit: 1 });

    const identity = flags.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    const log = flags.verbose ? (msg: string) => this.logToStderr(`reconciler: ${msg}`) : undefined;
    let running;
    try {
      running = await startReconciler(kc, {
        leaderElection: flags['leader-elect'],
        identity,
        log,
      });
    } catch (err) {
      this.error((err as Error).message, { exit: 1 });
    }
    this.log(
      `Reconciling Knative Serving resources on ${kc.getCurrentCluster()!.server} (context ${kc.getCurrentContext()}, ${flags['leader-elect'] ? `leader election as ${identity}` : 'no leader election'}). Press Ctrl-C to stop.`,
    );

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.stop();
    this.log('Reconciler stopped.');
  }
}
