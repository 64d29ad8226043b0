/**
 * Shared flag builders (kn `AddNamespaceFlags`): commands spread them into their static
 * `flags`, e.g. `static flags = { ...namespaceFlags({ allNamespaces: true }), ...outputFlags() }`.
 * Flag names, characters and defaults follow kn exactly.
 * Builders return fresh objects; no parse results live in module state.
 */
import type { ScaleFlagValues } from './scale.js';
import { Flags } from '@oclif/core';

function namespaceFlag() {
  return {
    namespace: Flags.string({
      char: 'n',
      summary: 'Namespace to use (default: the namespace of the current kubeconfig context).',
      helpValue: 'NAMESPACE',
    }),
  };
}

function allNamespacesFlag() {
  return {
    'all-namespaces': Flags.boolean({
      char: 'A',
      summary: 'List the requested object(s) across all namespaces.',
      exclusive: ['namespace'],
    }),
  };
}

/** -n/--namespace, and -A/--all-namespaces for list commands (`namespaceFlags({ allNamespaces: true })`). */
export function namespaceFlags<L extends boolean = false>(opts?: {
  allNamespaces?: L;
}): L extends true
  ? ReturnType<typeof namespaceFlag> & ReturnType<typeof allNamespacesFlag>
  : ReturnType<typeof namespaceFlag> {
  return (opts?.allNamespaces ? { ...namespaceFlag(), ...allNamespacesFlag() } : namespaceFlag()) as never;
}

/** --kubeconfig and --context (kubectl semantics); every command that talks to a cluster has them. */
export function kubeconfigFlags(opts: { fallback?: string } = {}) {
  return {
    kubeconfig: Flags.string({
      summary: `kubectl configuration file (default: $KUBECONFIG, else ~/.kube/config, else ${opts.fallback ?? 'the local knlite cluster'}).`,
      helpValue: 'PATH',
      helpGroup: 'GLOBAL',
    }),
    context: Flags.string({
      summary: 'Name of the kubeconfig context to use.',
      helpValue: 'NAME',
      helpGroup: 'GLOBAL',
    }),
  };
}

/** --leader-elect/--no-leader-elect and --identity, for the components that elect a leader on a Lease. */
export function leaderElectionFlags(leaderElectSummary: string) {
  return {
    'leader-elect': Flags.boolean({ summary: leaderElectSummary, default: true, allowNo: true }),
    identity: Flags.string({
      summary: 'Leader election identity (default: <hostname>_<random>).',
      helpValue: 'NAME',
    }),
  };
}

/** --no-color (NO_COLOR is honoured as well). */
export function colorFlags() {
  return {
    'no-color': Flags.boolean({ summary: 'Disable colored output (also: NO_COLOR=1).', helpGroup: 'GLOBAL' }),
  };
}

function outputFlag(url?: boolean) {
  const formats = [
    'json',
    'yaml',
    'name',
    ...(url ? ['url'] : []),
    'jsonpath=TEMPLATE',
    'jsonpath-file=FILE',
    'go-template=TEMPLATE',
  ];
  return {
    output: Flags.string({ char: 'o', summary: `Output format: ${formats.join('|')}.`, helpValue: 'FORMAT' }),
  };
}

function noHeadersFlag() {
  return {
    'no-headers': Flags.boolean({ summary: "When using the default output format, don't print headers." }),
  };
}

/** -o/--output (json|yaml|name|jsonpath=...|jsonpath-file=...|go-template=...; `url` with `url: true`) and, for lists, --no-headers. */
export function outputFlags<L extends boolean = false>(opts?: {
  list?: L;
  url?: boolean;
}): L extends true
  ? ReturnType<typeof outputFlag> & ReturnType<typeof noHeadersFlag>
  : ReturnType<typeof outputFlag> {
  return (opts?.list ? { ...outputFlag(opts.url), ...noHeadersFlag() } : outputFlag(opts?.url)) as never;
}

/** --wait/--no-wait, --wait-timeout (seconds, default 600), --wait-window (seconds, default 2). */
export function waitFlags(opts: { waitByDefault?: boolean } = {}) {
  const waitDefault = opts.waitByDefault ?? true;
  return {
    wait: Flags.boolean({
      allowNo: true,
      default: waitDefault,
      summary: waitDefault
        ? 'Wait for the operation to complete (--no-wait returns immediately).'
        : 'Wait for the operation to complete (default: --no-wait).',
    }),
    'wait-timeout': Flags.integer({
      default: 600,
      min: 1,
      summary: 'Seconds to wait before giving up on waiting.',
      helpValue: 'SECONDS',
    }),
    'wait-window': Flags.integer({
      default: 2,
      min: 0,
      summary: 'Seconds to tolerate an intermediate Ready=False before failing.',
      helpValue: 'SECONDS',
    }),
  };
}

/**
 * --dry-run (the server checks the change with `dryRun=All` and stores nothing; the plan is printed)
 * and its -o/--output (print the server's object in that format instead).
 */
export function dryRunFlags() {
  return {
    'dry-run': Flags.boolean({
      summary:
        'Have the cluster check the change without writing anything, and print the plan: the revision it would create, the traffic, what revision GC would delete, and a diff.',
    }),
    output: Flags.string({
      char: 'o',
      summary:
        'With --dry-run, print the object the server returned instead of the plan: json|yaml|name|jsonpath=TEMPLATE.',
      helpValue: 'FORMAT',
      dependsOn: ['dry-run'],
    }),
  };
}

/** --target: offline mode (write the resulting object to a file or directory instead of the cluster). */
export function targetFlags() {
  return {
    target: Flags.string({
      summary:
        'Work on local files instead of the cluster: a .yaml/.yml/.json file, or a directory holding <namespace>/ksvc/<name>.yaml.',
      helpValue: 'PATH',
    }),
  };
}

/** The pod-spec and metadata flags shared by `service create|update|apply` (kn configuration_edit_flags.go). */
export function serviceEditFlags() {
  // Map-style flags show their shape in --help (`--env NAME=VALUE`), as kn's usage lines do.
  const stringArray = (summary: string, char?: 'e' | 'l' | 'a' | 'p', helpValue?: string) =>
    Flags.string({ summary, multiple: true, char, ...(helpValue ? { helpValue } : {}) });
  return {
    image: Flags.string({
      summary:
        'Image to run (a local directory such as ./app becomes a file:// image the local cluster runs).',
      helpValue: 'IMAGE',
    }),
    env: stringArray(
      'Environment variable to set, NAME=value; NAME- removes it. Repeatable.',
      'e',
      'NAME=VALUE',
    ),
    'env-file': Flags.string({
      summary: 'File with one NAME=value per line to add to the environment.',
      helpValue: 'PATH',
    }),
    'env-from': stringArray(
      'Add all keys of a ConfigMap (config-map:NAME or cm:NAME) or Secret (secret:NAME or sc:NAME); append - to remove.',
      undefined,
      'SOURCE:NAME',
    ),
    'env-value-from': stringArray(
      'Set one variable from a key: NAME=config-map:CM:KEY or NAME=secret:S:KEY (cm:, sc: short forms); NAME- removes.',
      undefined,
      'NAME=SOURCE',
    ),
    port: Flags.string({
      char: 'p',
      summary: 'Container port, [NAME:]PORT (e.g. 8080 or h2c:8080).',
      helpValue: '[NAME:]PORT',
    }),
    cmd: stringArray('Container command (entrypoint); repeat for each word.'),
    arg: stringArray('Container argument; repeat for each argument (replaces previous arguments).'),
    request: Flags.string({
      multiple: true,
      delimiter: ',',
      summary: 'Resource requests, e.g. cpu=100m,memory=256Mi; cpu- removes.',
      helpValue: 'RESOURCE=QUANTITY',
    }),
    limit: Flags.string({
      multiple: true,
      delimiter: ',',
      summary: 'Resource limits, e.g. cpu=1,memory=1Gi; memory- removes.',
      helpValue: 'RESOURCE=QUANTITY',
    }),
    scale: Flags.string({
      summary: 'Minimum and maximum number of replicas: N, MIN..MAX, MIN.. or ..MAX.',
      helpValue: 'SCALE',
    }),
    'scale-min': Flags.integer({
      summary: 'Minimum number of replicas (autoscaling.knative.dev/min-scale).',
      helpValue: 'N',
    }),
    'scale-max': Flags.integer({
      summary: 'Maximum number of replicas (autoscaling.knative.dev/max-scale).',
      helpValue: 'N',
    }),
    'scale-init': Flags.integer({
      summary: 'Initial number of replicas (autoscaling.knative.dev/initial-scale; 0 allowed).',
      helpValue: 'N',
    }),
    'scale-activation': Flags.integer({
      summary: 'Minimum non-zero replicas when active (autoscaling.knative.dev/activation-scale).',
      helpValue: 'N',
    }),
    'scale-target': Flags.integer({
      summary: 'Soft target per replica for the scale metric (autoscaling.knative.dev/target).',
      helpValue: 'N',
    }),
    'scale-metric': Flags.string({
      summary: 'Metric to scale on: concurrency or rps (autoscaling.knative.dev/metric).',
      helpValue: 'METRIC',
    }),
    'scale-utilization': Flags.integer({
      summary: 'Percentage of the target to aim for (autoscaling.knative.dev/target-utilization-percentage).',
      helpValue: 'PERCENT',
    }),
    'scale-window': Flags.string({
      summary: 'Autoscaler averaging window, e.g. 10s (autoscaling.knative.dev/window).',
      helpValue: 'DURATION',
    }),
    'concurrency-limit': Flags.integer({
      summary: 'Hard limit of concurrent requests per replica (containerConcurrency; 0 = no limit).',
      helpValue: 'N',
    }),
    timeout: Flags.integer({ summary: 'Request timeout in seconds (timeoutSeconds).', helpValue: 'SECONDS' }),
    'revision-name': Flags.string({
      summary:
        'Revision name; a template with {{.Service}}, {{.Generation}}, {{.Random n}}; prefixed with the service name when missing.',
      helpValue: 'NAME',
    }),
    label: stringArray('Label for the service and its revisions, key=value; key- removes.', 'l', 'KEY=VALUE'),
    'label-service': stringArray(
      'Label for the service only (wins over --label), key=value; key- removes.',
      undefined,
      'KEY=VALUE',
    ),
    'label-revision': stringArray(
      'Label for the revision template only, key=value; key- removes.',
      undefined,
      'KEY=VALUE',
    ),
    annotation: stringArray(
      'Annotation for the service and revisions (autoscaling keys go to revisions only), key=value; key- removes.',
      'a',
      'KEY=VALUE',
    ),
    'annotation-service': stringArray(
      'Annotation for the service only, key=value; key- removes.',
      undefined,
      'KEY=VALUE',
    ),
    'annotation-revision': stringArray(
      'Annotation for the revision template only, key=value; key- removes.',
      undefined,
      'KEY=VALUE',
    ),
    'rollout-duration': Flags.string({
      summary:
        'Move traffic to each new revision gradually over this long, e.g. 90s or 5m; 0 moves it at once (serving.knative.dev/rollout-duration).',
      helpValue: 'DURATION',
    }),
    'cluster-local': Flags.boolean({
      allowNo: true,
      summary: 'Make the service reachable only inside the cluster (--no-cluster-local makes it public).',
    }),
    'lock-to-digest': Flags.boolean({
      allowNo: true,
      summary:
        'Keep the running image pinned to its digest when --image is not given (accepted; local images have no digest).',
    }),
    'service-account': Flags.string({ summary: 'Service account name ("" clears it).', helpValue: 'NAME' }),
    'pull-secret': Flags.string({ summary: 'Image pull secret name ("" clears it).', helpValue: 'NAME' }),
    'pull-policy': Flags.string({
      summary: 'Image pull policy: Always, Never or IfNotPresent (case-insensitive).',
      helpValue: 'POLICY',
    }),
    user: Flags.integer({
      summary: 'User ID to run the container as (securityContext.runAsUser).',
      helpValue: 'UID',
    }),
    mount: stringArray(
      'Mount /path=cm:NAME, secret:NAME (sc:), ed:NAME (emptyDir:) or an existing volume NAME; /path- unmounts.',
      undefined,
      'PATH=SOURCE',
    ),
    volume: stringArray(
      'Define a volume NAME=cm:CM, secret:S (sc:), ed:[type=Memory,size=1Gi] (emptyDir:); NAME- removes.',
      undefined,
      'NAME=SOURCE',
    ),
    'probe-readiness': Flags.string({
      summary: 'Readiness probe: http[s]:host:port:path, tcp:host:port or exec:cmd[,arg...].',
      helpValue: 'PROBE',
    }),
    'probe-readiness-opts': Flags.string({
      summary:
        'Readiness probe options: InitialDelaySeconds=,TimeoutSeconds=,PeriodSeconds=,SuccessThreshold=,FailureThreshold=.',
      helpValue: 'OPTS',
    }),
    'probe-liveness': Flags.string({
      summary: 'Liveness probe: http[s]:host:port:path, tcp:host:port or exec:cmd[,arg...].',
      helpValue: 'PROBE',
    }),
    'probe-liveness-opts': Flags.string({
      summary: 'Liveness probe options (same keys as --probe-readiness-opts).',
      helpValue: 'OPTS',
    }),
  };
}

/** --tag (service create, service update, traffic split). */
export function tagFlags() {
  return {
    tag: Flags.string({
      multiple: true,
      delimiter: ',',
      summary: 'Tag a revision, REVISION=TAG or @latest=TAG (a bare TAG means @latest=TAG).',
      helpValue: 'REF=TAG',
    }),
  };
}

/** --tag, --untag and --traffic (service update, traffic split). */
export function trafficFlags() {
  return {
    ...tagFlags(),
    untag: Flags.string({ multiple: true, delimiter: ',', summary: 'Remove a tag.', helpValue: 'TAG' }),
    traffic: Flags.string({
      multiple: true,
      delimiter: ',',
      summary:
        'Traffic percent for a revision, tag or @latest: REF=PERCENT (a bare PERCENT means @latest=PERCENT).',
      helpValue: 'REF=PERCENT',
    }),
  };
}

/** Parsed values of serviceEditFlags (oclif's output shape, kebab-case keys). */
export interface ServiceEditFlagValues extends ScaleFlagValues {
  image?: string;
  env?: string[];
  'env-file'?: string;
  'env-from'?: string[];
  'env-value-from'?: string[];
  port?: string;
  cmd?: string[];
  arg?: string[];
  request?: string[];
  limit?: string[];
  'revision-name'?: string;
  label?: string[];
  'label-service'?: string[];
  'label-revision'?: string[];
  'annotation-service'?: string[];
  'annotation-revision'?: string[];
  'rollout-duration'?: string;
  'cluster-local'?: boolean;
  'lock-to-digest'?: boolean;
  'service-account'?: string;
  'pull-secret'?: string;
  'pull-policy'?: string;
  user?: number;
  mount?: string[];
  volume?: string[];
  'probe-readiness'?: string;
  'probe-readiness-opts'?: string;
  'probe-liveness'?: string;
  'probe-liveness-opts'?: string;
}

const EDIT_FLAG_NAMES = Object.keys(serviceEditFlags()) as (keyof ServiceEditFlagValues)[];

/** Picks the serviceEditFlags values out of a command's parsed flags. */
export function editFlagValues(flags: object): ServiceEditFlagValues {
  const out: Record<string, unknown> = {};
  for (const k of EDIT_FLAG_NAMES)
    if ((flags as Record<string, unknown>)[k] !== undefined) out[k] = (flags as Record<string, unknown>)[k];
  return out as ServiceEditFlagValues;
}

/** `--ref` and `--tls` of `domain create|map|update` (kn's DomainMapping flags). */
export function domainRefFlags(tlsSummary = 'Secret with the TLS certificate for the domain.') {
  return {
    ref: Flags.string({
      summary: 'What the domain maps to: ksvc:NAME, ksvc:NAME:NAMESPACE, kroute:NAME, or a service NAME.',
      helpValue: 'REF',
    }),
    tls: Flags.string({ summary: tlsSummary, helpValue: 'SECRET' }),
  };
}

/** The flags of `service logs` and `revision logs` (kubectl logs' names). */
export function logFlags() {
  return {
    follow: Flags.boolean({
      char: 'f',
      summary: 'Keep streaming, and follow new instances as they start, until Ctrl-C.',
    }),
    tail: Flags.integer({
      summary: 'Lines from the end of each instance log to show (default: all).',
      helpValue: 'N',
    }),
    since: Flags.string({
      summary: 'Only lines newer than this, e.g. 30s, 5m, 1h.',
      helpValue: 'DURATION',
    }),
    timestamps: Flags.boolean({ summary: 'Prefix every line with its RFC 3339 timestamp.' }),
    previous: Flags.boolean({
      char: 'p',
      summary: 'The logs of the previous run of each container (after a crash or restart).',
    }),
    container: Flags.string({
      char: 'c',
      summary: 'Container to read (default: every container of the instance).',
      helpValue: 'NAME',
    }),
  };
}
