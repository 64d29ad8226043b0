import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags } from '../../lib/cli/flags.js';
import { parseTopFlags, runTop } from '../../lib/cli/top.js';
import type { TopSnapshot } from '../../lib/printers/top.js';

/** `knlite service top [NAME]`: a live view of a service's revisions from the gateway's metrics. */
export default class ServiceTop extends KnCommand {
  static override summary = 'Show a live view of the traffic, latency and pods of services.';
  static override description =
    "Per revision of the service (or of every service in the namespace): requests per second, success rate (non-5xx), 4xx and 5xx, p50/p90/p95/p99 latency, requests in flight, pods (ready/desired), CPU and memory, cold starts, and sparklines of the recent req/s and p99. Figures come from the knlite gateway's Prometheus metrics over each interval, pods from the autoscaler's decision and the Deployment, CPU and memory from metrics.k8s.io. Redrawn in place on a terminal until Ctrl-C; snapshots one after another otherwise; -o json prints one JSON document per interval. The local cluster publishes its gateway's metrics URL; elsewhere pass --metrics-url.";
  static override aliases = ['ksvc:top', 'services:top'];
  static override examples = [
    '<%= config.bin %> service top',
    '<%= config.bin %> service top hello --interval 5s',
    '<%= config.bin %> service top hello -o json --once',
    '<%= config.bin %> service top hello --metrics-url http://127.0.0.1:9090/metrics',
  ];
  static override args = { name: Args.string({ description: 'the service name (default: every service)' }) };
  static override flags = {
    ...namespaceFlags(),
    interval: Flags.string({
      summary: 'How often to refresh, e.g. 2s, 10s, 1m (default 2s).',
      helpValue: 'DURATION',
    }),
    output: Flags.string({
      char: 'o',
      summary: 'Output format: json (one document per interval).',
      helpValue: 'json',
    }),
    once: Flags.boolean({ summary: 'Print one snapshot (after one interval) and exit.' }),
    'metrics-url': Flags.string({
      summary: "The gateway's Prometheus endpoint (default: the one the local cluster publishes).",
      helpValue: 'URL',
    }),
  };

  async run(): Promise<TopSnapshot[]> {
    const { args, flags } = await this.parse(ServiceTop);
    const opts = { ...parseTopFlags(flags), service: args.name };
    return runTop(await this.client(), opts, { write: (t) => this.write(t), tty: this.isTty });
  }
}
