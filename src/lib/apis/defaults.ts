/**
 * Knative Serving's webhook defaulting (pkg/apis/serving/v1/*_defaults.go,
 * v1beta1/domainmapping_defaults.go, serving.SetUserInfo), applied in place.
 *
 * Defaulting is idempotent and only fills what is missing, so re-applying it to a stored object
 * changes nothing — a no-op update never bumps `metadata.generation`.
 * `old` is the stored object on update (Knative's "baseline").
 */
import { apisContext, jsonEqual, type ApisContext } from './context.js';
import { Annotations } from './keys.js';
import { childName } from './names.js';
import { renderTemplate } from './templates.js';
import type {
  Configuration,
  Container,
  DomainMapping,
  KubeObject,
  ObjectMeta,
  Revision,
  RevisionSpec,
  RevisionTemplateSpec,
  Route,
  RouteSpec,
  Service,
  TrafficTarget,
} from './types.js';

type Ctx = Partial<ApisContext>;

/** Defaults a Service: template (unless an update keeps a BYO revision name), traffic, creator/lastModifier. */
export function setServiceDefaults(svc: Service, ctx?: Ctx, old?: Service): void {
  const c = apisContext(ctx);
  svc.spec ??= {} as Service['spec'];
  setConfigurationSpecDefaults(svc.spec, c, !old, old?.spec, svc.metadata);
  setRouteSpecDefaults(svc.spec, { defaultConfigurationName: true });
  setUserInfo(svc, c, old?.spec, svc.spec, !!old);
}

/** Defaults a Configuration; creator/lastModifier only when it has no owner (not Service-managed). */
export function setConfigurationDefaults(cfg: Configuration, ctx?: Ctx, old?: Configuration): void {
  const c = apisContext(ctx);
  cfg.spec ??= {} as Configuration['spec'];
  setConfigurationSpecDefaults(cfg.spec, c, !old, old?.spec, cfg.metadata);
  if (!cfg.metadata.ownerReferences?.length) setUserInfo(cfg, c, old?.spec, cfg.spec, !!old);
}

/** Defaults a standalone Revision's spec (on create only: a Revision's spec is immutable). */
export function setRevisionDefaults(rev: Revision, ctx?: Ctx, old?: Revision): void {
  if (old) return;
  rev.spec ??= { containers: [] };
  setRevisionSpecDefaults(rev.spec, apisContext(ctx), true);
}

/** Defaults a Route's traffic targets; creator/lastModifier only when it has no owner. */
export function setRouteDefaults(route: Route, ctx?: Ctx, old?: Route): void {
  const c = apisContext(ctx);
  route.spec ??= {};
  setRouteSpecDefaults(route.spec, {});
  if (!route.metadata.ownerReferences?.length) setUserInfo(route, c, old?.spec, route.spec, !!old);
}

/** Defaults a DomainMapping: `spec.ref.namespace` to its own namespace; creator/lastModifier. */
export function setDomainMappingDefaults(dm: DomainMapping, ctx?: Ctx, old?: DomainMapping): void {
  const c = apisContext(ctx);
  if (dm.spec?.ref && !dm.spec.ref.namespace && dm.metadata.namespace)
    dm.spec.ref.namespace = dm.metadata.namespace;
  setUserInfo(dm, c, old?.spec, dm.spec, !!old);
}

/** ConfigurationSpec.SetDefaults: skipped on an update that keeps the same BYO revision name. */
function setConfigurationSpecDefaults(
  spec: { template: RevisionTemplateSpec },
  ctx: ApisContext,
  create: boolean,
  prev: { template?: RevisionTemplateSpec } | undefined,
  parent: ObjectMeta,
): void {
  spec.template ??= { spec: { containers: [] } };
  const newName = spec.template.metadata?.name;
  // Re-defaulting could suggest changes that conflict with "BYO revision name" validation.
  if (prev && newName && newName === prev.template?.metadata?.name) return;
  spec.template.spec ??= { containers: [] };
  setRevisionSpecDefaults(spec.template.spec, ctx, create, parent);
}

/** RouteSpec.SetDefaults: a Service with no traffic sends 100% to latest; each target gets latestRevision/percent. */
export function setRouteSpecDefaults(spec: RouteSpec, opts: { defaultConfigurationName?: boolean }): void {
  if ((!spec.traffic || spec.traffic.length === 0) && opts.defaultConfigurationName) {
    spec.traffic = [{ percent: 100, latestRevision: true }];
  }
  for (const tt of spec.traffic ?? []) setTrafficTargetDefaults(tt);
}

function setTrafficTargetDefaults(tt: TrafficTarget): void {
  if (tt.latestRevision === undefined || tt.latestRevision === null) tt.latestRevision = !tt.revisionName;
  if (tt.percent === undefined || tt.percent === null) tt.percent = 0;
}

/**
 * RevisionSpec.SetDefaults (timeouts, containerConcurrency, container names, probes, mounts);
 * `parent` is the Service/Configuration whose metadata the container-name templates may use.
 */
export function setRevisionSpecDefaults(
  rs: RevisionSpec,
  ctx: ApisContext,
  create: boolean,
  parent: ObjectMeta = {},
): void {
  const d = ctx.defaults;
  if (!rs.timeoutSeconds) rs.timeoutSeconds = d.revisionTimeoutSeconds;
  const timeout = rs.timeoutSeconds;
  // Response-start and idle timeouts are only defaulted when configured and shorter than the timeout.
  if (rs.responseStartTimeoutSeconds === undefined || rs.responseStartTimeoutSeconds === null) {
    const v = d.revisionResponseStartTimeoutSeconds;
    if (v !== 0 && v < timeout) rs.responseStartTimeoutSeconds = v;
  }
  if (rs.idleTimeoutSeconds === undefined || rs.idleTimeoutSeconds === null) {
    const v = d.revisionIdleTimeoutSeconds;
    if (v !== 0 && v < timeout) rs.idleTimeoutSeconds = v;
  }
  if (rs.containerConcurrency === undefined || rs.containerConcurrency === null) {
    rs.containerConcurrency = d.containerConcurrency;
  }
  if (
    create &&
    (rs.enableServiceLinks === undefined || rs.enableServiceLinks === null) &&
    d.enableServiceLinks !== undefined
  ) {
    rs.enableServiceLinks = d.enableServiceLinks;
  }
  rs.containers ??= [];
  const initContainers = Array.isArray(rs.initContainers) ? (rs.initContainers as Container[]) : [];
  // Generated names avoid clashing with user-supplied ones.
  const taken = new Set([...rs.containers, ...initContainers].map((c) => c.name ?? ''));
  applyDefaultContainerNames(rs.containers, taken, containerName(d.containerNameTemplate, parent));
  applyDefaultContainerNames(initContainers, taken, containerName(d.initContainerNameTemplate, parent));
  for (const container of rs.containers) applyContainerDefaults(rs, container, ctx);
}

/** Renders config-defaults' container-name templates (e.g. `{{.Name}}`) against the parent's metadata. */
function containerName(template: string, parent: ObjectMeta): string {
  if (!template.includes('{{')) return template;
  try {
    return renderTemplate(template, {
      Name: parent.name ?? '',
      Namespace: parent.namespace ?? '',
      Annotations: parent.annotations ?? {},
      Labels: parent.labels ?? {},
    });
  } catch {
    // An unsupported template: Knative validates config-defaults, so fall back to the raw text.
    return template;
  }
}

/** Unnamed containers get the template name, or `<name>-N` with several containers or on a clash. */
function applyDefaultContainerNames(containers: Container[], taken: Set<string>, base: string): void {
  let next = 0;
  for (const c of containers) {
    if (c.name) continue;
    let name = base;
    if (containers.length > 1 || taken.has(name)) {
      do {
        name = childName(base, `-${next++}`);
      } while (taken.has(name));
    }
    c.name = name;
  }
}

function applyContainerDefaults(rs: RevisionSpec, container: Container, ctx: ApisContext): void {
  const d = ctx.defaults;
  container.resources ??= {};
  const res = container.resources;
  const fill = (kind: 'requests' | 'limits', resource: string, value: string | undefined) => {
    if (!value || res[kind]?.[resource] !== undefined) return;
    res[kind] = { ...(res[kind] ?? {}), [resource]: value };
  };
  fill('requests', 'cpu', d.revisionCpuRequest);
  fill('limits', 'cpu', d.revisionCpuLimit);
  fill('requests', 'memory', d.revisionMemoryRequest);
  fill('limits', 'memory', d.revisionMemoryLimit);
  fill('requests', 'ephemeral-storage', d.revisionEphemeralStorageRequest);
  fill('limits', 'ephemeral-storage', d.revisionEphemeralStorageLimit);
  // The default probe goes on the serving container: the only one, or the one with a port.
  if (rs.containers.length === 1 || (container.ports?.length ?? 0) > 0) {
    const p = (container.readinessProbe ??= {});
    if (!p.tcpSocket && !p.httpGet && !p.exec && !p.grpc) p.tcpSocket = { port: 0 };
  }
  applyReadinessProbeDefaults(container);
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    if (probe?.grpc && probe.grpc.service === undefined) probe.grpc.service = '';
  }
  const writable = new Set(
    (rs.volumes ?? []).filter((v) => v.emptyDir || v.persistentVolumeClaim).map((v) => v.name),
  );
  for (const vm of container.volumeMounts ?? []) {
    // Only emptyDir and PVC volumes may be written to.
    if (!writable.has(vm.name)) vm.readOnly = true;
  }
}

/** successThreshold 1; with an explicit periodSeconds, Kubernetes' failureThreshold 3 / timeoutSeconds 1. */
function applyReadinessProbeDefaults(container: Container): void {
  // Sidecars may have no readiness probe; they get none.
  const p = container.readinessProbe;
  if (!p) return;
  if (!p.successThreshold) p.successThreshold = 1;
  if (p.periodSeconds) {
    if (!p.failureThreshold) p.failureThreshold = 3;
    if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  }
}

/** serving.SetUserInfo: creator+lastModifier on create; lastModifier on an update that changes the spec. */
function setUserInfo(
  obj: KubeObject,
  ctx: ApisContext,
  oldSpec: unknown,
  newSpec: unknown,
  update: boolean,
): void {
  if (ctx.username === undefined) return;
  const ann = (obj.metadata.annotations ??= {});
  if (update) {
    if (jsonEqual(oldSpec, newSpec)) return;
    ann[Annotations.lastModifier] = ctx.username;
  } else {
    ann[Annotations.creator] = ctx.username;
    ann[Annotations.lastModifier] = ctx.username;
  }
}
