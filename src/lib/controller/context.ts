/**
 * What every reconciler gets: listers over the informer caches (indexed), a write client, an event
 * recorder, the current Knative configuration and a clock. Production wires informers and the REST
 * client; table tests feed plain objects and record writes — the reconcilers can't tell.
 */
import type {
  Certificate,
  ClusterDomainClaim,
  Configuration,
  Deployment,
  DomainMapping,
  Ingress,
  KubeService,
  Pod,
  Revision,
  Route,
  Service,
} from '../apis/types.js';
import type { Client, Recorder } from './framework/client.js';
import type { Lister } from '../kube/store.js';
import type { KnativeConfigs } from '../apis/config/index.js';

/** Index names the listers must provide (see `indexers` in index.ts and the test fixtures). */
export const Index = {
  /** Revisions by `ns/<serving.knative.dev/configuration label>`. */
  byConfiguration: 'configuration',
  /** Pods by `ns/<serving.knative.dev/revision label>`. */
  byRevision: 'revision',
  /** Routes by the targets they reference: `ns/configuration:<name>` and `ns/revision:<name>`. */
  byTarget: 'target',
  /** Revisions and Configurations by each route named in their routes annotation: `ns/<route>`. */
  byRoute: 'route',
  /** DomainMappings by their name alone (claims are cluster-wide): `<name>`. */
  byName: 'name',
  /** DomainMappings by what they reference: `ns/<name>`. */
  byRef: 'ref',
} as const;

/** Indexed read access to every cached kind. */
export interface Listers {
  services: Lister<Service>;
  configurations: Lister<Configuration>;
  revisions: Lister<Revision>;
  routes: Lister<Route>;
  domainMappings: Lister<DomainMapping>;
  clusterDomainClaims: Lister<ClusterDomainClaim>;
  deployments: Lister<Deployment>;
  kubeServices: Lister<KubeService>;
  pods: Lister<Pod>;
  /** KIngresses written by the Route and DomainMapping reconcilers. */
  ingresses: Lister<Ingress>;
  /** Route placeholder Services (label serving.knative.dev/route). */
  placeholderServices: Lister<KubeService>;
  /** Knative Certificates (external-domain-tls). */
  certificates: Lister<Certificate>;
}

/** Everything a reconciler depends on. */
export interface ReconcilerDeps {
  listers: Listers;
  client: Client;
  recorder: Recorder;
  /** The current knative-serving configuration (parsed ConfigMaps). */
  config(): KnativeConfigs;
  now(): Date;
}
