import { KnCommand } from '../../lib/cli/base.js';
import { localPaths } from '../../lib/local/paths.js';
import { COMPONENTS, RUN_ELSEWHERE } from '../../lib/local/components.js';
import { readDaemonState, localApiGet } from '../../lib/local/daemon.js';

/** Resources counted by `cluster status`: label → API path. */
const COUNTED: [string, string][] = [
  ['namespaces', '/api/v1/namespaces'],
  ['services (ksvc)', '/apis/serving.knative.dev/v1/services'],
  ['revisions', '/apis/serving.knative.dev/v1/revisions'],
  ['routes', '/apis/serving.knative.dev/v1/routes'],
  ['domainmappings', '/apis/serving.knative.dev/v1beta1/domainmappings'],
  ['deployments', '/apis/apps/v1/deployments'],
  ['pods', '/api/v1/pods'],
];

/** `knlite cluster status`: endpoint, pid, uptime, data plane addresses and object counts. */
export default class ClusterStatus extends KnCommand {
  static override summary = 'Show whether the local cluster runs, where, and what it holds.';
  static override description =
    'Prints the API server endpoint, daemon pid and uptime, the gateway and metrics addresses, and object counts. Exits 1 when the cluster is not running.';
  static override examples = ['<%= config.bin %> cluster status', '<%= config.bin %> cluster status --json'];
  static override enableJsonFlag = true;
  // The local cluster is this machine's: no --kubeconfig/--context/--no-color.
  static override baseFlags = {};

  async run(): Promise<Record<string, unknown>> {
    await this.parse(ClusterStatus);
    const paths = localPaths();
    const state = readDaemonState(paths);
    if (!state) {
      this.log(`Local cluster is not running (home ${paths.home}). Start it with: knlite cluster start`);
      if (this.jsonEnabled()) this.logJson({ running: false, home: paths.home });
      this.exit(1);
    }
    const counts: Record<string, number | string> = {};
    for (const [label, path] of COUNTED) {
      try {
        const res = await localApiGet(state.kubeconfig, path);
        counts[label] =
          res.status === 200 ? (JSON.parse(res.body).items ?? []).length : `error ${res.status}`;
      } catch (err) {
        counts[label] = `unreachable (${(err as Error).message})`;
      }
    }
    const uptimeSeconds = Math.round((Date.now() - Date.parse(state.startedAt)) / 1000);
    this.log(`Status:      running`);
    this.log(`API server:  ${state.apiUrl}`);
    this.log(`PID:         ${state.pid}`);
    this.log(`Uptime:      ${formatDuration(uptimeSeconds)}`);
    if (state.gatewayPort) this.log(`Gateway:     http://127.0.0.1:${state.gatewayPort}`);
    if (state.gatewayHttpsPort) this.log(`HTTPS:       https://127.0.0.1:${state.gatewayHttpsPort}`);
    if (state.caFile) this.log(`CA:          ${state.caFile} (curl --cacert; for https Route URLs)`);
    if (state.adminPort) this.log(`Metrics:     http://127.0.0.1:${state.adminPort}/metrics`);
    const inDaemon = state.components ?? [...COMPONENTS];
    this.log(`Components:  ${inDaemon.join(', ')} (in the daemon)`);
    for (const c of COMPONENTS.filter((c) => !inDaemon.includes(c)))
      this.log(`             ${c}: elsewhere (${RUN_ELSEWHERE[c]})`);
    this.log(`Data:        ${paths.home}`);
    this.log('Objects:');
    for (const [label, n] of Object.entries(counts)) this.log(`  ${label.padEnd(16)} ${n}`);
    return { running: true, ...state, components: inDaemon, uptimeSeconds, counts };
  }
}

/** Formats seconds like kubectl ages: 45s, 3m12s, 2h5m, 3d4h. */
export function formatDuration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
