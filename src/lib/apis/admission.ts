/**
 * Knative Serving's webhooks as API server admission plugins: a defaulting (mutating) step and a
 * validating step for services, configurations, revisions, routes and domainmappings in
 * serving.knative.dev. Configs come from ConfigMaps in knative-serving, read per request.
 *
 * Only main-resource writes are admitted: `/status` (and `/scale`) writes by controllers are not
 * re-defaulted or re-validated, since their spec cannot change.
 */
import { AdmissionError, type AdmissionPlugin, type AdmissionRequest } from '../apiserver/types.js';
import {
  ConfigError,
  parseAutoscalerConfig,
  parseDefaultsConfig,
  parseFeaturesConfig,
  type AutoscalerConfig,
  type DefaultsConfig,
  type FeaturesConfig,
} from './config.js';
import { jsonEqual, type ApisContext } from './context.js';
import {
  setConfigurationDefaults,
  setDomainMappingDefaults,
  setRevisionDefaults,
  setRouteDefaults,
  setServiceDefaults,
} from './defaults.js';
import { ConfigMaps, SERVING_GROUP, SYSTEM_NAMESPACE } from './keys.js';
import type {
  ConfigMap,
  Configuration,
  DomainMapping,
  KubeObject,
  Revision,
  Route,
  Service,
} from './types.js';
import {
  validateConfiguration,
  validateDomainMapping,
  validateRevision,
  validateRoute,
  validateService,
  validationFailedMessage,
  type FieldError,
} from './validation.js';

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

/** Reads one config, falling back to Knative's defaults if the ConfigMap is invalid. */
function readConfig<T>(req: AdmissionRequest, name: string, parse: (cm: ConfigMap | undefined) => T): T {
  const cm = req.lookup('', 'configmaps', SYSTEM_NAMESPACE, name) as ConfigMap | undefined;
  try {
    return parse(cm);
  } catch (e) {
    // Knative keeps serving with the last good config; with no history, the defaults are that.
    if (e instanceof ConfigError) return parse(undefined);
    throw e;
  }
}

function contextFor(req: AdmissionRequest): Partial<ApisContext> {
  const defaults: DefaultsConfig = readConfig(req, ConfigMaps.defaults, parseDefaultsConfig);
  const autoscaler: AutoscalerConfig = readConfig(req, ConfigMaps.autoscaler, parseAutoscalerConfig);
  const features: FeaturesConfig = readConfig(req, ConfigMaps.features, parseFeaturesConfig);
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
export function knativeDefaulting(): AdmissionPlugin {
  return {
    name: DEFAULTING_WEBHOOK,
    matches,
    mutate(req) {
      const kind = KINDS[req.type.resource];
      const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
      kind.defaults(req.object, contextFor(req), old);
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
export function knativeValidation(): AdmissionPlugin {
  return {
    name: VALIDATION_WEBHOOK,
    matches,
    validate(req) {
      const kind = KINDS[req.type.resource];
      const old = req.operation === 'UPDATE' ? req.oldObject : undefined;
      const err = kind.validate(req.object, old, contextFor(req));
      if (err) rejectWith(err);
    },
  };
}

/** Knative's admission for serving.knative.dev: defaulting, then validation. */
export function knativeAdmission(): AdmissionPlugin[] {
  return [knativeDefaulting(), knativeValidation()];
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
