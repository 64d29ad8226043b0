/**
 * The knative-serving ConfigMaps the local cluster seeds, with Knative's shipped `_example` blocks.
 */
import { ConfigMaps, SYSTEM_NAMESPACE } from '../keys.js';
import type { ConfigMap } from '../types.js';
import { EXAMPLE_KEY } from './parse.js';
import { DEFAULT_FEATURES } from './features.js';

const EXAMPLES: Record<string, string> = {
  [ConfigMaps.domain]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# Default value for domain, for routes that do not have app=prod labels.
# Although it will match all routes, it is the least-specific rule so it
# will only be used if no other domain matches.
example.com: |

# These are example settings of domain.
# example.org will be used for routes having app=nonprofit.
example.org: |
  selector:
    app: nonprofit

# Routes having the cluster domain suffix (by default 'svc.cluster.local')
# will not be exposed through Ingress. You can define your own label
# selector to assign that domain suffix to your Route here, or you can set
# the label
#    "networking.knative.dev/visibility=cluster-local"
# to achieve the same effect.  This shows how to make routes having
# the label app=secret only exposed to the local cluster.
svc.cluster.local: |
  selector:
    app: secret
`,
  [ConfigMaps.network]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# domain-template specifies the golang text template string to use
# when constructing the Knative service's DNS name.
domain-template: "{{.Name}}.{{.Namespace}}.{{.Domain}}"

# tag-template specifies the golang text template string to use
# when constructing the DNS name for "tags" within the traffic blocks
# of Routes and Configuration.
tag-template: "{{.Tag}}-{{.Name}}"

# Controls whether TLS certificates are automatically provisioned and
# installed in the Knative ingress to terminate TLS connections
# for cluster external domains (like: app.example.com)
external-domain-tls: "Disabled"

# If true, networking plugins can add additional information to deployed
# applications to make their pods directly accessible via their IPs even if mesh is
# enabled and thus direct-addressability is usually not possible.
# autocreate-cluster-domain-claims controls whether ClusterDomainClaims should
# be automatically created (and deleted) as needed when DomainMappings are
# reconciled.
autocreate-cluster-domain-claims: "false"

# default-external-scheme sets the default scheme to use for Route URLs.
default-external-scheme: "http"

# rollout-duration contains the minimal duration in seconds over which the
# Configuration traffic targets are rolled out to the newest revision.
rollout-duration: "0"

# knlite extension: the port of the local gateway; URLs carry it when it is not 80.
local-gateway-port: "8080"
`,
  [ConfigMaps.gc]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# Duration since creation before considering a revision for GC or "disabled".
retain-since-create-time: "48h"

# Duration since active before considering a revision for GC or "disabled".
retain-since-last-active-time: "15h"

# Minimum number of non-active revisions to retain.
min-non-active-revisions: "20"

# Maximum number of non-active revisions to retain
# or "disabled" to disable any maximum limit.
max-non-active-revisions: "1000"
`,
  [ConfigMaps.autoscaler]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

container-concurrency-target-percentage: "70"
container-concurrency-target-default: "100"
requests-per-second-target-default: "200"
target-burst-capacity: "211"
stable-window: "60s"
panic-window-percentage: "10.0"
panic-threshold-percentage: "200.0"
max-scale-up-rate: "1000.0"
max-scale-down-rate: "2.0"
enable-scale-to-zero: "true"
scale-to-zero-grace-period: "30s"
scale-to-zero-pod-retention-period: "0s"
pod-autoscaler-class: "kpa.autoscaling.knative.dev"
activator-capacity: "100.0"
initial-scale: "1"
allow-zero-initial-scale: "false"
min-scale: "0"
max-scale: "0"
scale-down-delay: "0s"
max-scale-limit: "0"

# knlite: how long scale-to-zero keeps the last instance frozen (its processes
# stopped with SIGSTOP: memory held, no CPU) so the next request thaws it instead
# of cold-starting; "off" or a duration up to 1h. Per revision:
# autoscaling.knlite.dev/frozen-retention.
frozen-retention: "off"
`,
  [ConfigMaps.defaults]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

revision-timeout-seconds: "300"  # 5 minutes
max-revision-timeout-seconds: "600"  # 10 minutes
revision-response-start-timeout-seconds: "300"
revision-idle-timeout-seconds: "0"  # infinite
revision-cpu-request: "400m"  # 0.4 of a CPU (aka 400 milli-CPU)
revision-memory-request: "100M"  # 100 megabytes of memory
revision-ephemeral-storage-request: "500M"  # 500 megabytes of storage
revision-cpu-limit: "1000m"  # 1 CPU (aka 1000 milli-CPU)
revision-memory-limit: "200M"  # 200 megabytes of memory
revision-ephemeral-storage-limit: "750M"  # 750 megabytes of storage
container-name-template: "user-container"
init-container-name-template: "init-container"
container-concurrency: "0"
container-concurrency-max-limit: "1000"
allow-container-concurrency-zero: "true"
enable-service-links: "false"
`,
  [ConfigMaps.features]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

${Object.entries(DEFAULT_FEATURES)
  .map(([k, v]) => `${k}: "${v}"`)
  .join('\n')}
`,
  [ConfigMaps.deployment]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

progress-deadline: "600s"
registries-skipping-tag-resolving: "kind.local,ko.local,dev.local"
digest-resolution-timeout: "10s"
`,
};

/** Options for the ConfigMaps the local cluster seeds. */
export interface SeedOptions {
  /** A default domain to put in config-domain (the local cluster uses "localhost"). */
  domain?: string;
  /** The gateway port written to config-network `local-gateway-port`. */
  gatewayPort?: number;
  /** Sets config-network `autocreate-cluster-domain-claims: "true"`. */
  autocreateClusterDomainClaims?: boolean;
}

/**
 * The knative-serving ConfigMaps with Knative's shipped content: each has its `_example` block and
 * otherwise empty data (so Knative's defaults apply), plus the local-cluster settings asked for.
 */
export function defaultConfigMaps(opts: SeedOptions = {}): ConfigMap[] {
  return Object.values(ConfigMaps).map((name) => {
    const data: Record<string, string> = { [EXAMPLE_KEY]: EXAMPLES[name] };
    if (name === ConfigMaps.domain && opts.domain) data[opts.domain] = '';
    if (name === ConfigMaps.network) {
      if (opts.gatewayPort !== undefined) data['local-gateway-port'] = String(opts.gatewayPort);
      if (opts.autocreateClusterDomainClaims) data['autocreate-cluster-domain-claims'] = 'true';
    }
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: SYSTEM_NAMESPACE,
        labels: { 'app.kubernetes.io/name': 'knative-serving', 'app.kubernetes.io/component': 'controller' },
      },
      data,
    };
  });
}
