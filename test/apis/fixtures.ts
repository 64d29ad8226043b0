/** Option-builder fixtures for Knative objects used by the apis tests. */
import type {
  Configuration,
  DomainMapping,
  Revision,
  Route,
  Service,
  TrafficTarget,
} from '../../src/lib/apis/types.js';

type Opt<T> = (o: T) => void;

/** A Service with one container image, default namespace. */
export function service(name: string, ...opts: Opt<Service>[]): Service {
  const s: Service = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' }] } } },
  };
  for (const o of opts) o(s);
  return s;
}

/** A standalone Configuration. */
export function configuration(name: string, ...opts: Opt<Configuration>[]): Configuration {
  const c: Configuration = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' }] } } },
  };
  for (const o of opts) o(c);
  return c;
}

/** A standalone Route. */
export function route(name: string, traffic: TrafficTarget[], ...opts: Opt<Route>[]): Route {
  const r: Route = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name, namespace: 'default' },
    spec: { traffic },
  };
  for (const o of opts) o(r);
  return r;
}

/** A Revision. */
export function revision(name: string, ...opts: Opt<Revision>[]): Revision {
  const r: Revision = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' }] },
  };
  for (const o of opts) o(r);
  return r;
}

/** A DomainMapping to a Service in the same namespace. */
export function domainMapping(name: string, ...opts: Opt<DomainMapping>[]): DomainMapping {
  const d: DomainMapping = {
    apiVersion: 'serving.knative.dev/v1beta1',
    kind: 'DomainMapping',
    metadata: { name, namespace: 'default' },
    spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' } },
  };
  for (const o of opts) o(d);
  return d;
}

/** Sets spec.traffic on a Service. */
export const withTraffic =
  (...traffic: TrafficTarget[]): Opt<Service> =>
  (s) => {
    s.spec.traffic = traffic;
  };

/** Sets template annotations (Service or Configuration). */
export const withTemplateAnnotations =
  (annotations: Record<string, string>): Opt<Service | Configuration> =>
  (s) => {
    s.spec.template.metadata = { ...(s.spec.template.metadata ?? {}), annotations };
  };

/** Edits the first container (Service or Configuration). */
export const withContainer =
  (edit: (c: Service['spec']['template']['spec']['containers'][0]) => void): Opt<Service | Configuration> =>
  (s) => {
    edit(s.spec.template.spec.containers[0]);
  };

/** Edits the template spec (Service or Configuration). */
export const withTemplateSpec =
  (edit: (spec: Service['spec']['template']['spec']) => void): Opt<Service | Configuration> =>
  (s) => {
    edit(s.spec.template.spec);
  };

/** Sets the BYO revision name. */
export const withRevisionName =
  (name: string): Opt<Service | Configuration> =>
  (s) => {
    s.spec.template.metadata = { ...(s.spec.template.metadata ?? {}), name };
  };

/** Sets metadata annotations. */
export const withAnnotations =
  (annotations: Record<string, string>) => (o: { metadata: { annotations?: Record<string, string> } }) => {
    o.metadata.annotations = { ...(o.metadata.annotations ?? {}), ...annotations };
  };

/** Sets metadata labels. */
export const withLabels =
  (labels: Record<string, string>) => (o: { metadata: { labels?: Record<string, string> } }) => {
    o.metadata.labels = { ...(o.metadata.labels ?? {}), ...labels };
  };
