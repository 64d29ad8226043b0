/**
 * Applies `service create|update|apply` flags to a Service (kn `configuration_edit_flags.go`): one
 * pure function over the object, calling the per-family editors in podspec-edit.ts and scale.ts.
 * Everything is validated first; on any bad value a KnError is thrown and nothing is written.
 */
import { existsSync, statSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import type { Container, Service } from '../apis/types.js';
import {
  Annotations,
  LegacyAnnotations,
  LOCAL_IMAGE_PREFIX,
  Labels,
  SERVING_V1,
  VISIBILITY_CLUSTER_LOCAL,
} from '../apis/keys.js';
import { invalidValue } from '../client/errors.js';
import { parseGoDuration } from '../apis/durations.js';
import { validateService, validationFailedMessage } from '../apis/validation.js';
import { setServiceDefaults } from '../apis/defaults.js';
import type { ApisContext } from '../apis/context.js';
import type { ServiceEditFlagValues } from './flags.js';
import { applyMapEdits, parseKeyValues } from './kv.js';
import {
  applyProbeOptions,
  editEnv,
  editEnvFrom,
  editEnvValueFrom,
  editMounts,
  editResources,
  editVolumes,
  parsePort,
  parseProbe,
  parsePullPolicy,
  readEnvFile,
} from './podspec-edit.js';
import { editScale } from './scale.js';

/** A bare Service named `name` (in `namespace`, when given) with one empty container. */
export function makeService(name: string, namespace?: string): Service {
  return {
    apiVersion: SERVING_V1,
    kind: 'Service',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec: { template: { metadata: {}, spec: { containers: [{}] } } },
  };
}

// DNS-1035 label: what Knative requires of Service names (they become DNS names and K8s Services).
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// DNS-1123 label: revision names and tags.
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a service name the way Knative does (DNS-1035 label, at most 63 characters). */
export function checkServiceName(name: string): void {
  if (!DNS1035.test(name) || name.length > 63) {
    throw invalidValue(
      `invalid service name '${name}': use at most 63 lower-case letters, digits and '-', starting with a letter and ending with a letter or digit`,
    );
  }
}

/** `--image`: a path that exists locally (./app, /abs/dir) becomes `file://<absolute path>`; anything else is an image reference. */
export function resolveImage(image: string, cwd = process.cwd()): string {
  if (image === '') throw invalidValue('--image must not be empty');
  if (image.startsWith(LOCAL_IMAGE_PREFIX)) return image;
  const looksLocal =
    image.startsWith('./') ||
    image.startsWith('../') ||
    image.startsWith('/') ||
    image === '.' ||
    image === '..';
  const abs = resolve(cwd, image);
  if (existsSync(abs) && (looksLocal || statSync(abs).isDirectory())) return `${LOCAL_IMAGE_PREFIX}${abs}`;
  if (looksLocal)
    throw invalidValue(`--image ${image} looks like a local directory, but ${abs} does not exist`);
  return image;
}

/**
 * `-f FILE`: images in the file that name a directory relative to it (`./app`, `../app`, `.`) become
 * `file://<absolute path>` resolved against the file's directory, as the server cannot know where
 * the file was; absolute paths and everything else are sent as written.
 */
export function resolveFileImages(svc: Service, fileDir: string): void {
  const spec = svc.spec?.template?.spec;
  for (const c of [
    ...(spec?.containers ?? []),
    ...((spec?.initContainers as Container[] | undefined) ?? []),
  ]) {
    const image = c.image;
    if (typeof image !== 'string' || !/^\.\.?(\/|$)/.test(image)) continue;
    const abs = resolve(fileDir, image);
    if (!existsSync(abs) || !statSync(abs).isDirectory())
      throw invalidValue(
        `image ${image} looks like a local directory, but ${abs} (relative to the file) is not one`,
      );
    c.image = `${LOCAL_IMAGE_PREFIX}${abs}`;
  }
}

/** Expands a --revision-name template (`{{.Service}}`, `{{.Generation}}`, `{{.Random n}}`) and prefixes it with `<service>-` when missing. */
export function expandRevisionName(
  template: string,
  service: string,
  generation: number,
  random: (n: number) => string = randomSuffix,
): string {
  const expanded = template.replace(
    /\{\{\s*(\.Service|\.Generation|\.Random\s+(\d+))\s*\}\}/g,
    (_m, what: string, n?: string) => {
      if (what === '.Service') return service;
      if (what === '.Generation') return String(generation);
      return random(Number(n));
    },
  );
  if (/\{\{.*\}\}/.test(expanded)) {
    throw invalidValue(
      `invalid --revision-name '${template}': only {{.Service}}, {{.Generation}} and {{.Random n}} can be used`,
    );
  }
  const name = expanded.startsWith(`${service}-`) ? expanded : `${service}-${expanded}`;
  if (!DNS1123.test(name) || name.length > 63) {
    throw invalidValue(
      `invalid --revision-name: '${name}' must be at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return name;
}

/** n random lower-case letters and digits (kn's {{.Random n}}). */
export function randomSuffix(n: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

const AUTOSCALING_PREFIXES = ['autoscaling.knative.dev/', 'autoscaling.knlite.dev/'];

/** Options of applyServiceFlags. */
export interface EditOptions {
  /** Resolve relative --image and --env-file paths against this directory. */
  cwd?: string;
  /** Random source for {{.Random n}} (tests pass a fixed one). */
  random?: (n: number) => string;
  /**
   * The pod spec's volumes are not known (checking flags before the service is read): a plain
   * `--mount /path=VOLUME` is not checked against them; the real edit checks it.
   */
  volumesUnknown?: boolean;
}

/** Applies every service edit flag to `svc` in place (the object must already carry its name). */
export function applyServiceFlags(svc: Service, f: ServiceEditFlagValues, opts: EditOptions = {}): Service {
  const name = svc.metadata.name!;
  svc.spec ??= { template: { spec: { containers: [] } } };
  svc.spec.template ??= { spec: { containers: [] } };
  const template = svc.spec.template;
  template.metadata ??= {};
  template.spec ??= { containers: [] };
  if (!template.spec.containers?.length) template.spec.containers = [{}];
  const c: Container = template.spec.containers[0];

  if (f.image !== undefined) {
    c.image = resolveImage(f.image, opts.cwd);
  }
  if (f['env-file']) editEnv(c, readEnvFile(resolve(opts.cwd ?? '.', f['env-file'])), 'env-file');
  if (f.env?.length) editEnv(c, f.env);
  if (f['env-value-from']?.length) editEnvValueFrom(c, f['env-value-from']);
  if (f['env-from']?.length) editEnvFrom(c, f['env-from']);
  if (f.port !== undefined) c.ports = [parsePort(f.port)];
  if (f.cmd?.length) c.command = [...f.cmd];
  if (f.arg?.length) c.args = [...f.arg];
  if (f.request?.length) editResources(c, 'requests', f.request);
  if (f.limit?.length) editResources(c, 'limits', f.limit);
  if (f['pull-policy'] !== undefined) c.imagePullPolicy = parsePullPolicy(f['pull-policy']);
  if (f.user !== undefined) {
    if (f.user < 0) throw invalidValue(`invalid --user ${f.user}: must not be negative`);
    c.securityContext = { ...(c.securityContext ?? {}), runAsUser: f.user };
  }
  if (f['probe-readiness'] !== undefined)
    c.readinessProbe = parseProbe(f['probe-readiness'], 'probe-readiness');
  if (f['probe-readiness-opts'] !== undefined)
    c.readinessProbe = applyProbeOptions(
      c.readinessProbe ?? {},
      f['probe-readiness-opts'],
      'probe-readiness-opts',
    );
  if (f['probe-liveness'] !== undefined) c.livenessProbe = parseProbe(f['probe-liveness'], 'probe-liveness');
  if (f['probe-liveness-opts'] !== undefined)
    c.livenessProbe = applyProbeOptions(
      c.livenessProbe ?? {},
      f['probe-liveness-opts'],
      'probe-liveness-opts',
    );
  if (f.volume?.length) editVolumes(template.spec, f.volume);
  if (f.mount?.length) editMounts(template.spec, c, f.mount, { volumesUnknown: opts.volumesUnknown });

  if (f['service-account'] !== undefined) {
    if (f['service-account'] === '') delete template.spec.serviceAccountName;
    else template.spec.serviceAccountName = f['service-account'];
  }
  if (f['pull-secret'] !== undefined) {
    if (f['pull-secret'] === '') delete template.spec.imagePullSecrets;
    else template.spec.imagePullSecrets = [{ name: f['pull-secret'] }];
  }

  editScale(template, f);
  editMetadata(svc, f);
  if (f['rollout-duration'] !== undefined) editRolloutDuration(svc, f['rollout-duration']);

  if (f['cluster-local'] !== undefined) {
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (f['cluster-local']) labels[Labels.visibility] = VISIBILITY_CLUSTER_LOCAL;
    else delete labels[Labels.visibility];
    svc.metadata.labels = Object.keys(labels).length ? labels : undefined;
  }

  if (f['revision-name'] !== undefined) {
    template.metadata.name = expandRevisionName(
      f['revision-name'],
      name,
      (svc.metadata.generation ?? 0) + 1,
      opts.random,
    );
  }
  // --lock-to-digest is accepted for kn compatibility: local images have no registry digest to pin.
  return svc;
}

// -l/-a apply to service and template; -service/-revision variants to one of them; autoscaling
// annotations belong on the template only (kn rejects them on the service).
function editMetadata(svc: Service, f: ServiceEditFlagValues): void {
  const template = svc.spec.template;
  const labels = parseKeyValues(f.label, 'label');
  const labelsSvc = parseKeyValues(f['label-service'], 'label-service');
  const labelsRev = parseKeyValues(f['label-revision'], 'label-revision');
  svc.metadata.labels = applyMapEdits(applyMapEdits(svc.metadata.labels, labels), labelsSvc);
  template.metadata!.labels = applyMapEdits(applyMapEdits(template.metadata!.labels, labels), labelsRev);

  const annotations = parseKeyValues(f.annotation, 'annotation');
  const annotationsSvc = parseKeyValues(f['annotation-service'], 'annotation-service');
  const annotationsRev = parseKeyValues(f['annotation-revision'], 'annotation-revision');
  for (const [k] of annotationsSvc.set) {
    if (AUTOSCALING_PREFIXES.some((p) => k.startsWith(p))) {
      throw invalidValue(
        `service can not have auto-scaling related annotation: ${k} , please update using '--annotation-revision'`,
      );
    }
  }
  const serviceLevel = {
    set: annotations.set.filter(([k]) => !AUTOSCALING_PREFIXES.some((p) => k.startsWith(p))),
    remove: annotations.remove.filter((k) => !AUTOSCALING_PREFIXES.some((p) => k.startsWith(p))),
  };
  svc.metadata.annotations = applyMapEdits(
    applyMapEdits(svc.metadata.annotations, serviceLevel),
    annotationsSvc,
  );
  template.metadata!.annotations = applyMapEdits(
    applyMapEdits(template.metadata!.annotations, annotations),
    annotationsRev,
  );
  if (f.image !== undefined && !f.image.startsWith('./') && !f.image.startsWith('/')) {
    // kn records the image the user asked for (used to show "(pinned to ...)" and by lock-to-digest).
    template.metadata!.annotations = {
      ...(template.metadata!.annotations ?? {}),
      [Annotations.userImage]: f.image,
    };
  }
}

/**
 * --rollout-duration: the Service's `serving.knative.dev/rollout-duration` (the Route inherits it),
 * a Go duration of whole seconds; the legacy camelCase spelling is dropped so the new value wins.
 */
function editRolloutDuration(svc: Service, value: string): void {
  const ms = parseGoDuration(value.trim());
  if (ms === undefined || ms < 0 || Math.round(ms / 1000) * 1000 !== ms) {
    throw invalidValue(
      `invalid --rollout-duration '${value}': expected a whole number of seconds with a unit, such as 90s, 5m or 0`,
    );
  }
  const annotations = { ...(svc.metadata.annotations ?? {}) };
  delete annotations[LegacyAnnotations.rolloutDuration];
  annotations[Annotations.rolloutDuration] = value.trim();
  svc.metadata.annotations = annotations;
}

/** Whether an edit changed the revision template (i.e. will produce a new Revision). */
export function templateChanged(before: Service, after: Service): boolean {
  return JSON.stringify(before.spec?.template ?? {}) !== JSON.stringify(after.spec?.template ?? {});
}

/**
 * Checks every edit flag's syntax and values without the service: applies them to a scratch
 * service, so a bad flag is reported before anything connects to a cluster.
 */
export function checkServiceFlags(name: string, f: ServiceEditFlagValues, opts: EditOptions = {}): void {
  applyServiceFlags(makeService(name), f, { ...opts, volumesUnknown: true });
}

/**
 * Local checks before any write: the service name, an image, then Knative's own webhook validation
 * (src/lib/apis/validation.ts) under `ctx` — the cluster's config-defaults, config-autoscaler and
 * config-features (cluster-config.ts) — so bad values are refused with Knative's message and
 * nothing is sent.
 */
export function validateServiceLocally(svc: Service, old?: Service, ctx?: ApisContext): void {
  checkServiceName(svc.metadata.name ?? '');
  const containers = svc.spec?.template?.spec?.containers ?? [];
  if (!containers.length || !containers[0].image) {
    throw invalidValue(`service '${svc.metadata.name}' has no image: provide one with --image`);
  }
  // The webhook validates after defaulting, so validate a defaulted copy (the object sent stays as the user wrote it).
  const defaulted = structuredClone(svc);
  setServiceDefaults(defaulted, ctx, old);
  const err = validateService(defaulted, old, ctx);
  if (err) throw invalidValue(validationFailedMessage(err));
}
