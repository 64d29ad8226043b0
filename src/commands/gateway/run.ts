import { Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { kubeconfigFlags, leaderElectionFlags } from '../../lib/cli/flags.js';
import { startDataPlane } from '../../lib/dataplane/index.js';
import { runComponent } from '../../lib/cli/component.js';

/** `knlite gateway run`: the data plane (ingress + activator + autoscaler) against any cluster. */
export default class GatewayRun extends KnCommand {
  static override summary = 'Run the gateway (ingress, activator and autoscaler) against a cluster.';
  static override description =
    "Runs knlite's data plane against the current kubeconfig context (or the pod's service account): it implements the KIngress objects of class knlite.ingress.networking.knative.dev, reports their status, proxies requests to revision instances from their Endpoints, buffers requests for revisions at zero and autoscales them (Knative's KPA). Only the holder of the Lease knative-serving/knlite-autoscaler writes /scale and reports ready on /readyz; other replicas stand by and take over when it goes away. Runs until SIGTERM or Ctrl-C, draining in-flight requests first.";
  static override examples = [
    '<%= config.bin %> gateway run',
    '<%= config.bin %> gateway run --kubeconfig ./kubeconfig --http-port 8080 --admin-port 9090',
    '<%= config.bin %> gateway run --host 0.0.0.0 --identity gw-1',
  ];
  // A component, not a client: no --no-color, and in a pod the service account is the fallback.
  static override baseFlags = kubeconfigFlags({ fallback: "the pod's service account" });
  static override flags = {
    'http-port': Flags.integer({
      summary: 'Port for application traffic.',
      default: 8080,
      min: 0,
      max: 65535,
    }),
    'https-port': Flags.integer({
      summary:
        'Port for HTTPS traffic (certificates by SNI from the KIngresses’ spec.tls Secrets); off when unset.',
      min: 0,
      max: 65535,
    }),
    'https-redirect-port': Flags.integer({
      summary: 'HTTPS port named in redirects of http-protocol Redirected (default: --https-port).',
      min: 1,
      max: 65535,
    }),
    'admin-port': Flags.integer({
      summary: 'Port for /metrics, /healthz and /readyz.',
      default: 9090,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1', helpValue: 'ADDRESS' }),
    ...leaderElectionFlags('Autoscale only while holding the autoscaler Lease.'),
    verbose: Flags.boolean({ char: 'v', summary: 'Log programming, status and scaling errors.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GatewayRun);
    const log = flags.verbose ? (msg: string) => this.logToStderr(`gateway: ${msg}`) : () => {};
    const election = (identity: string) =>
      flags['leader-elect'] ? `leader election as ${identity}` : 'no leader election';
    await runComponent(
      flags,
      { log: (l) => this.log(l), fail: (m) => this.fail(m) },
      async (rest, identity) => {
        const dp = await startDataPlane(rest, {
          host: flags.host,
          port: flags['http-port'],
          httpsPort: flags['https-port'],
          httpsRedirectPort: flags['https-redirect-port'],
          adminPort: flags['admin-port'],
          leaderElection: flags['leader-elect'] ? { identity } : false,
          log,
        });
        const https = dp.httpsPort === undefined ? '' : ` and https://${flags.host}:${dp.httpsPort}`;
        return {
          banner: `Gateway listening on http://${flags.host}:${dp.port}${https} (admin :${dp.adminPort}) for ${rest.server} (context ${rest.contextName}, ${election(identity)}). Press Ctrl-C to stop.`,
          stop: () => dp.stop(),
        };
      },
      'Gateway stopped.',
    );
  }
}
