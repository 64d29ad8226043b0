import { Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { ExitCode } from '../../lib/client/errors.js';
import { localPaths } from '../../lib/local/paths.js';
import { COMPONENTS, parseComponents, RUN_ELSEWHERE } from '../../lib/local/components.js';
import { startDaemon } from '../../lib/local/daemon.js';
import { mergeLocalContext, userKubeconfigPath } from '../../lib/local/kubeconfig.js';
import { readFileSync } from 'node:fs';

/** `knlite cluster start`: starts (or finds) the local cluster daemon and merges its context. */
export default class ClusterStart extends KnCommand {
  static override summary = 'Start the embedded local cluster in the background.';
  static override description = `Starts the knlite daemon: a Kubernetes-compatible API server (SQLite-backed, HTTPS + token),
the Knative Serving reconciler, the local runtime (each pod is a process) and the gateway.
Idempotent: when the cluster already runs, it prints its endpoint and changes nothing.
Data lives in $KNLITE_HOME (default ~/.knlite). A context named "knlite" is merged into your
kubeconfig (like kind does) unless --no-kubeconfig is given.`;
  static override examples = [
    '<%= config.bin %> cluster start',
    '<%= config.bin %> cluster start --gateway-port 9080',
    'KNLITE_HOME=/tmp/kl <%= config.bin %> cluster start --no-kubeconfig',
  ];
  // The local cluster is this machine's: no --kubeconfig/--context/--no-color (--kubeconfig here
  // is the switch that merges its context).
  static override baseFlags = {};
  static override flags = {
    'gateway-port': Flags.integer({
      min: 1,
      max: 65535,
      description: 'Port of the gateway on 127.0.0.1 (default 8080, or a free port).',
    }),
    'api-port': Flags.integer({
      min: 1,
      max: 65535,
      description: 'Port of the API server on 127.0.0.1 (default: a free port, then kept).',
    }),
    kubeconfig: Flags.boolean({
      description: 'Merge the "knlite" context into your kubeconfig and make it current.',
      default: true,
      allowNo: true,
    }),
    components: Flags.string({
      description:
        "Components to run in the daemon: any of api,reconciler,runtime,gateway (api always). The others can run as their own processes against the daemon's kubeconfig (knlite reconciler run, knlite gateway run).",
      default: COMPONENTS.join(','),
      helpValue: 'LIST',
    }),
    'wait-timeout': Flags.integer({
      description: 'Seconds to wait for the cluster to become healthy.',
      default: 90,
    }),
  };

  async run(): Promise<{ apiUrl: string; gatewayUrl?: string; pid: number }> {
    const { flags } = await this.parse(ClusterStart);
    let components;
    try {
      components = parseComponents(flags.components);
    } catch (err) {
      this.fail((err as Error).message, { exitCode: ExitCode.usage });
    }
    const paths = localPaths(undefined, true);
    let result;
    try {
      result = await startDaemon(
        paths,
        { gatewayPort: flags['gateway-port'], apiPort: flags['api-port'], components },
        flags['wait-timeout'] * 1000,
      );
    } catch (err) {
      this.fail((err as Error).message);
    }
    const { state, alreadyRunning } = result;
    if (flags.kubeconfig) mergeLocalContext(readFileSync(state.kubeconfig, 'utf8'));
    this.log(alreadyRunning ? 'Local cluster is already running.' : 'Local cluster started.');
    this.log(`API server:  ${state.apiUrl}`);
    if (state.gatewayPort) this.log(`Gateway:     http://127.0.0.1:${state.gatewayPort}`);
    const elsewhere = COMPONENTS.filter((c) => !(state.components ?? COMPONENTS).includes(c));
    if (elsewhere.length)
      this.log(`Not in the daemon: ${elsewhere.map((c) => `${c} (run ${RUN_ELSEWHERE[c]})`).join(', ')}`);
    this.log(
      `Kubeconfig:  ${flags.kubeconfig ? `${userKubeconfigPath()} (context "knlite")` : state.kubeconfig}`,
    );
    return {
      apiUrl: state.apiUrl,
      gatewayUrl: state.gatewayPort ? `http://127.0.0.1:${state.gatewayPort}` : undefined,
      pid: state.pid,
    };
  }
}
