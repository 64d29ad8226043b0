/**
 * Knative Serving's webhooks as API server admission plugins: a defaulting (mutating) step and a
 * validating step for services, configurations, revisions, routes and domainmappings in
 * serving.knative.dev. Configs come from ConfigMaps in knative-serving, read per request.
 *
 * Only main-resource writes are admitted: `/status` (and `/scale`) writes by controllers are not
 * re-defaulted or re-validated, since their spec cannot change.
 */
import { AdmissionError, type AdmissionPlugin, type AdmissionRequest } from '../apiserver/types.js';
import { ConfigStore } from '../apis/config-store.js';
import { jsonEqual, type ApisContext } from '../apis/context.js';
import {
  setConfigurationDefaults,
  setDomainMappingDefaults,
  setRevisionDefaults,
  setRouteDefaults,
  setServiceDefaults,
} from '../apis/defaults.js';
import { SERVING_GROUP, SYSTEM_NAMESPACE } from '../apis/keys.js';
import type {
  ConfigMap,
  Configuration,
  DomainMapping,
  KubeObject,
  Revision,
  Route,
  Service,
} from '../apis/types.js';
import {
  validateConfiguration,
  validateDomainMapping,
  validateRevision,
  validateRoute,
  validateService,
  validationFailedMessage,
  type FieldError,
} from '../apis/validation.js';

/** Name of Knative's validating webhook, as it appears in denial messages. */
export const VALIDATION_WEBHOOK = 'validation.webhook.serving.knative.dev';
/** Name of Knative's defaulting webhook. */
export const DEFAULTING_WEBHOOK = 'webhook.serving.knative.dev';

type Kind = {
  defaults: (obj: any, ctx: Partial<ApisContext>, old?: any) => void;
  validate: (obj: any, old: any, ctx: Partial<ApisContext>) => FieldError | undefined;
};

const KINDS: Record<string, Kind> = {
  services: {
    defaults: (o: Service, c, old?: Service) => setServiceDefaults(o, c, old),
    validate: (o: Service, old: Service | undefined, c) => validateService(o, old, c),
  },
  configurations: {
    defaults: (o: Configuration, c, old?: Configuration) => setConfigurationDefaults(o, c, old),
    validate: (o: Configuration, old: Configuration | undefined, c) => validateConfiguration(o, old, c),
  },
  revisions: {
    defaults: (o: Revision, c, old?: Revision) => setRevisionDefaults(o, c, old),
    validate: (o: Revision, old: Revision | undefined, c) => validateRevision(o, old, c),
  },
  routes: {
    defaults: (o: Route, c, old?: Route) => setRouteDefaults(o, c, old),
    validate: (o: Route, old: Route | undefined, c) => validateRoute(o, old, c),
  },
  domainmappings: {
    defaults: (o: DomainMapping, c, old?: DomainMapping) => setDomainMappingDefaults(o, c, old),
    validate: (o: DomainMapping, old: DomainMapping | undefined, c) => validateDomainMapping(o, old, c),
  },
};

function matches(req: AdmissionRequest): boolean {
  return (
    req.type.group === SERVING_GROUP &&
    req.type.resource in KINDS &&
    req.operation !== 'DELETE' &&
    req.subresource === '' &&
    // Objects being deleted are only losing finalizers; Knative's webhooks let those through.
    !(req.operation === 'UPDATE' && req.oldObject?.metadata.deletionTimestamp)
  );
}

/**
 * The request's Knative context from the knative-serving ConfigMaps, with the last good config of
 * each (an invalid ConfigMap never blocks admission; the reconciler reports it).
 */
function contextFor(req: AdmissionRequest, configs: ConfigStore): Partial<ApisContext> {
  configs.reload(
    (name) => req.lookup('', 'configmaps', SYSTEM_NAMESPACE, name) as ConfigMap | undefined,
    ['defaults', 'autoscaler', 'features'],
  );
  const { defaults, autoscaler, features } = configs.get();
  return { defaults, autoscaler, features, username: req.userInfo?.username };
}

/** Knative's denial text for a validation error. */
export function denialMessage(err: FieldError): string {
  return `admission webhook "${VALIDATION_WEBHOOK}" denied the request: ${validationFailedMessage(err)}`;
}

/** Throws the AdmissionError the API server turns into a 400 BadRequest metav1.Status. */
export function rejectWith(err: FieldError): never {
  throw new AdmissionError(
    denialMessage(err),
    400,
    'BadRequest',
    err.errors.flatMap((e) =>
      e.paths.map((field) => ({ field, message: e.message, reason: 'FieldValueInvalid' })),
    ),
  );
}

/** The defaulting (mutating) plugin. */
export function knativeDefaulting(configs = new ConfigStore()): AdmissionPlugin {
  return {
    name: DEFAULTING_WEBHOOK,
    matches,
    mutate(req) {
      const kind = KINDS[req.type.resource];
      const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
      kind.defaults(req.object, contextFor(req, configs), old);
      keepSpecOnNoop(req.object, old);
    },
  };
}

/**
 * When an update leaves the spec semantically unchanged, keep the stored spec byte-for-byte so
 * field order from defaulting can never look like a change (and bump `metadata.generation`).
 */
function keepSpecOnNoop(obj: KubeObject, old: KubeObject | undefined): void {
  if (!old || !('spec' in old)) return;
  if (jsonEqual(obj.spec, old.spec)) obj.spec = structuredClone(old.spec);
}

/** The validating plugin; rejects with Knative's webhook denial text. */
export function knativeValidation(configs = new ConfigStore()): AdmissionPlugin {
  return {
    name: VALIDATION_WEBHOOK,
    matches,
    validate(req) {
      const kind = KINDS[req.type.resource];
      const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
      const err = kind.validate(req.object, old, contextFor(req, configs));
      if (err) rejectWith(err);
    },
  };
}

/** Knative's admission for serving.knative.dev: defaulting, then validation. */
export function knativeAdmission(): AdmissionPlugin[] {
  const configs = new ConfigStore();
  return [knativeDefaulting(configs), knativeValidation(configs)];
}

/** The serving.knative.dev resources Knative's webhooks admit. */
export type ServingResource = 'services' | 'configurations' | 'revisions' | 'routes' | 'domainmappings';

/**
 * What admission would say about writing `obj` (with `old` on update), without sending anything:
 * defaults a copy, validates it and returns the error (render with `denialMessage` or
 * `validationFailedMessage`), or undefined when the write would be admitted.
 */
export function checkWrite<T extends KubeObject>(
  resource: ServingResource,
  obj: T,
  old?: T,
  ctx: Partial<ApisContext> = {},
): FieldError | undefined {
  const kind = KINDS[resource];
  const copy = structuredClone(obj);
  kind.defaults(copy, ctx, old);
  return kind.validate(copy, old, ctx);
}
