/**
 * What the `service` commands do between parsing and printing: list, describe, create (with
 * --force), update, apply, delete, export. Commands stay thin; these functions hold kn's
 * semantics — create-or-replace, "unchanged" detection, waiting on the user's intent — and report
 * through `ActionIO`, so TTY progress versus plain lines is decided in one place.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yaml from 'js-yaml';
import { crdToResourceTypes, loadCrdObjects } from '../apiserver/crds.js';
import { validateSchema, type Schema } from '../apiserver/schema.js';
import type { KubeList, Revision, Service } from '../apis/types.js';
import type { Rollout } from '../apis/rollout.js';
import { Annotations, Labels, SERVING_V1 } from '../apis/keys.js';
import { KnError, invalidValue, usageError } from '../client/errors.js';
import { isNotFound } from '../kube/errors.js';
import type { ServiceStore } from '../client/service-store.js';
import type { ServingClient } from '../client/serving-client.js';
import { formatRootCause, revisionRootCause, type RootCause } from '../client/root-cause.js';
import type { AutoscalerDecision } from '../apis/autoscaler-decision.js';
import { autoscalerDecision } from './revision-actions.js';
import { Kinds } from '../kube/kinds.js';
import type { ServiceEditFlagValues } from './flags.js';
import type { Progress } from './progress.js';
import { setServiceDefaults } from '../apis/defaults.js';
import type { ApisContext } from '../apis/context.js';
import { validationContext } from './cluster-config.js';
import { deleteEach } from './delete-each.js';
import {
  planServiceChange,
  planServiceDelete,
  printDryRunObject,
  printServicePlan,
  requireClusterForDryRun,
} from './dry-run.js';
import type { OutputSpec } from '../printers/output.js';
import {
  applyServiceFlags,
  checkServiceFlags,
  checkServiceName,
  makeService,
  resolveFileImages,
  templateChanged,
  validateServiceLocally,
  type EditOptions,
} from './service-edit.js';
import {
  computeTraffic,
  hasTrafficEdits,
  parseTrafficFlags,
  unknownRevisionRefs,
  type TrafficEdits,
} from './traffic.js';

/** How actions talk to the user. */
export interface ActionIO {
  line(text?: string): void;
  progress(what: string): Progress;
}

/**
 * How an action gets its store or client: called only once the input has been checked, so a usage
 * error never connects to a cluster (or starts the local one).
 */
export type Connect<T> = () => Promise<T>;

/** Wait settings from waitFlags. */
export interface WaitSettings {
  wait: boolean;
  timeoutSeconds: number;
  windowSeconds: number;
}

/** Lists services; with a name, the list holds just that service (or nothing). */
export async function listServices(
  store: ServiceStore,
  opts: { name?: string; allNamespaces?: boolean },
): Promise<KubeList<Service>> {
  const list = await store.listServices({ allNamespaces: opts.allNamespaces });
  if (opts.name) list.items = list.items.filter((s) => s.metadata.name === opts.name);
  return list;
}

/** A service and the revisions that belong to it (for describe), with the root cause when not Ready. */
export async function getServiceWithRevisions(
  client: ServingClient,
  name: string,
  opts: { verbose?: boolean } = {},
): Promise<{
  service: Service;
  revisions: Revision[];
  rootCause?: RootCause;
  /** With `verbose`: the autoscaler's last decision per revision name. */
  autoscaler?: Map<string, AutoscalerDecision>;
  /** A gradual rollout in progress. */
  rollout?: Rollout;
}> {
  const service = await client.getService(name);
  const revisions = (
    await client.listObjects<Revision>(Kinds.revision, {
      labelSelector: `${Labels.service}=${name}`,
      namespace: service.metadata.namespace,
    })
  ).items;
  let autoscaler: Map<string, AutoscalerDecision> | undefined;
  if (opts.verbose) {
    const docs = await Promise.all(revisions.map((r) => autoscalerDecision(client, r)));
    autoscaler = new Map(docs.flatMap((d, i) => (d ? [[revisions[i].metadata.name!, d]] : [])));
  }
  const [rootCause, rollout] = await Promise.all([
    client.rootCause(service),
    client.rolloutInProgress(service),
  ]);
  return { service, revisions, rootCause, autoscaler, rollout };
}

/** The service if it exists, else undefined (other errors propagate). */
export async function findService(store: ServiceStore, name: string): Promise<Service | undefined> {
  try {
    return await store.getService(name);
  } catch (err) {
    if (isNotFound(err) || (err instanceof KnError && err.name === 'NotFound')) return undefined;
    throw err;
  }
}

/** Reads a Service from a YAML or JSON file (`-f`), with kn's checks. */
export function readServiceFile(path: string): Service {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KnError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      { name: 'FileError' },
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new KnError(`${path} is not a YAML or JSON document: ${(err as Error).message.split('\n')[0]}`, {
      name: 'FileError',
    });
  }
  const svc = doc as Service;
  if (!svc || typeof svc !== 'object' || Array.isArray(svc) || typeof svc.metadata !== 'object') {
    throw new KnError(
      `${path} does not hold a Knative Service (expected apiVersion: ${SERVING_V1}, kind: Service)`,
      { name: 'FileError' },
    );
  }
  if (svc.kind !== undefined && svc.kind !== 'Service') {
    throw new KnError(`${path} holds a ${svc.kind}, not a Knative Service`, { name: 'FileError' });
  }
  // Decode against the Service CRD's schema before anything reads a field (as the API server does):
  // `containers: "notalist"` is a type error naming the field, not a missing image.
  const errors = validateSchema(serviceSchema(), svc);
  if (errors.length) {
    throw new KnError(
      `${path} is not a valid Knative Service: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      { name: 'FileError' },
    );
  }
  return svc;
}

let cachedServiceSchema: Schema | undefined;

/** The structural schema of serving.knative.dev/v1 Service, from the shipped CRD. */
function serviceSchema(): Schema {
  if (cachedServiceSchema) return cachedServiceSchema;
  const crd = loadCrdObjects().find((c) => c.metadata.name === 'services.serving.knative.dev');
  const type = crd ? crdToResourceTypes(crd).find((t) => t.version === 'v1') : undefined;
  cachedServiceSchema = type?.schema ?? { type: 'object' };
  return cachedServiceSchema;
}

/** Inputs of create/update/apply. */
export interface ServiceChange {
  name?: string;
  file?: string;
  flags: ServiceEditFlagValues;
  traffic?: { tag?: string[]; untag?: string[]; traffic?: string[] };
  wait: WaitSettings;
  edit?: EditOptions;
  /** --dry-run: the server admits the write without storing it; the plan is printed instead. */
  dryRun?: DryRun;
}

/** --dry-run and its -o: print the server's object in that format instead of the plan. */
export interface DryRun {
  output?: OutputSpec;
}

// Prints what a dry run found: the server's object with -o, else the plan.
async function reportDryRun(
  store: ServiceStore,
  io: ActionIO,
  dryRun: DryRun,
  verb: 'create' | 'update' | 'apply',
  before: Service | undefined,
  after: Service,
): Promise<Service> {
  if (dryRun.output) await printDryRunObject(io, after, dryRun.output);
  else printServicePlan(io, await planServiceChange(store as ServingClient, verb, before, after));
  return after;
}

// The desired Service for create/apply: the file (if any) with flags applied on top. It needs no
// cluster (its namespace is left to the store when the file names none); the checks that depend on
// the cluster's configuration come after connecting, in validateDesired.
function desiredService(verb: 'create' | 'apply', change: ServiceChange): Service {
  let svc: Service;
  if (change.file) {
    svc = readServiceFile(change.file);
    resolveFileImages(svc, dirname(resolve(change.file)));
    const fileName = svc.metadata.name;
    if (change.name && fileName && change.name !== fileName) {
      throw usageError(`provided service name '${change.name}' doesn't match name from file '${fileName}'`);
    }
    const name = change.name ?? fileName;
    if (!name) throw usageError('no service name provided in command parameter or file');
    svc = {
      apiVersion: SERVING_V1,
      kind: 'Service',
      ...svc,
      metadata: { ...svc.metadata, name },
    };
    delete svc.status;
    svc.spec ??= { template: { spec: { containers: [{}] } } };
  } else {
    if (!change.name)
      throw usageError(`'service ${verb}' requires the service name given as single argument`);
    if (change.flags.image === undefined)
      throw usageError(`'service ${verb}' requires the image name to run provided with the --image option`);
    svc = makeService(change.name);
  }
  validateNameEarly(svc.metadata.name!);
  applyServiceFlags(svc, change.flags, change.edit);
  if (change.traffic?.tag?.length) {
    svc.spec.traffic = computeTraffic(svc, parseTrafficFlags({ tag: change.traffic.tag }), {
      create: true,
      mutation: true,
    });
  }
  return svc;
}

function validateNameEarly(name: string): void {
  checkServiceName(name);
}

// Puts the desired service into the store's namespace (unless it names one) and validates it the
// way the cluster's webhook will, under the cluster's configuration.
async function validateDesired(store: ServiceStore, svc: Service): Promise<ApisContext> {
  svc.metadata.namespace ??= store.namespace;
  const ctx = await validationContext(store);
  validateServiceLocally(svc, undefined, ctx);
  return ctx;
}

/** `service create`: create (or with --force replace) and wait for the created revision to be ready. */
export async function createService(
  connect: Connect<ServiceStore>,
  io: ActionIO,
  change: ServiceChange & { force?: boolean },
): Promise<Service> {
  const svc = desiredService('create', change);
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.offline);
  await validateDesired(store, svc);
  return createDesired(store, io, svc, change, 'create');
}

async function createDesired(
  store: ServiceStore,
  io: ActionIO,
  svc: Service,
  change: { force?: boolean; wait: WaitSettings; dryRun?: DryRun },
  verb: 'create' | 'apply',
): Promise<Service> {
  const write = { dryRun: change.dryRun !== undefined };
  const name = svc.metadata.name!;
  const ns = svc.metadata.namespace!;
  const existing = await findService(store, name);
  if (existing && !change.force) {
    throw new KnError(
      `cannot create service '${name}' in namespace '${ns}' because the service already exists and no --force option was given`,
      {
        name: 'AlreadyExists',
      },
    );
  }
  let result: Service;
  if (existing) {
    // Replace through read-modify-write: the reconciler writes status concurrently (409s are retried).
    const replaced = await store.updateServiceWithRetry(
      name,
      (current) => ({
        ...svc,
        metadata: {
          ...svc.metadata,
          resourceVersion: current.metadata.resourceVersion,
          // Knative's creator/lastModifier annotations are immutable bookkeeping: carry them over.
          annotations: {
            ...pickBookkeeping(current.metadata.annotations),
            ...(svc.metadata.annotations ?? {}),
          },
        },
      }),
      ns,
      write,
    );
    result = replaced.after;
  } else {
    result = await store.createService(svc, write);
  }
  if (change.dryRun)
    return reportDryRun(store, io, change.dryRun, existing ? 'update' : verb, existing, result);
  const [verbIng, verbEd] = existing ? ['Replacing', 'replaced'] : ['Creating', 'created'];
  if (store.offline || !change.wait.wait) {
    io.line(`Service '${name}' ${verbEd} in namespace '${ns}'.`);
    return result;
  }
  if (existing && existing.metadata.generation === result.metadata.generation) {
    io.line(`Service '${name}' ${verbEd} in namespace '${ns}' (unchanged).`);
    return result;
  }
  const ready = await waitForIntent(
    store as ServingClient,
    io,
    `${verbIng} service '${name}' in namespace '${ns}':`,
    result,
    change.wait,
    existing?.status?.latestCreatedRevisionName,
  );
  io.line(
    `Service '${name}' ${verbEd} to latest revision '${ready.status?.latestReadyRevisionName}' is available at URL:`,
  );
  io.line(ready.status?.url ?? '');
  return ready;
}

/**
 * Prints kn's "<Verb>ing service ...:" heading, waits for the service to be Ready at the generation
 * we wrote and checks the user's intent: the latest ready revision must be the one our change
 * created. Failures become KnErrors (exit 1).
 */
async function waitForIntent(
  client: ServingClient,
  io: ActionIO,
  heading: string,
  written: Service,
  w: WaitSettings,
  previousCreated?: string,
): Promise<Service> {
  io.line(heading);
  io.line();
  const ready = await waitForIntentQuietly(client, io, written, w, previousCreated);
  io.line();
  return ready;
}

/** The wait and intent check of waitForIntent, without its heading and spacing lines. */
async function waitForIntentQuietly(
  client: ServingClient,
  io: ActionIO,
  written: Service,
  w: WaitSettings,
  previousCreated?: string,
): Promise<Service> {
  const name = written.metadata.name!;
  const progress = io.progress(`Waiting for service '${name}' to become ready`);
  let result;
  try {
    result = await client.waitForService(
      name,
      {
        generation: written.metadata.generation ?? 1,
        timeoutMs: w.timeoutSeconds * 1000,
        windowMs: w.windowSeconds * 1000,
        onProgress: (m, t) => progress.update(m, t),
      },
      written.metadata.namespace,
    );
  } finally {
    progress.done();
  }
  const svc = result.service;
  if (!result.ready) {
    throw new KnError(
      `${result.reason ?? 'NotReady'}: ${result.message ?? `service '${name}' is not ready`}${causeBlock(result.rootCause)}`,
      { name: 'NotReady' },
    );
  }
  const created = svc.status?.latestCreatedRevisionName;
  const wanted = written.spec.template.metadata?.name;
  if (wanted && svc.status?.latestReadyRevisionName !== wanted) {
    throw new KnError(
      `service '${name}' is ready, but revision '${wanted}' is not its latest ready revision (${svc.status?.latestReadyRevisionName})${await revisionCauseBlock(client, wanted, svc)}`,
      {
        name: 'NotReady',
      },
    );
  }
  if (created && created !== previousCreated && svc.status?.latestReadyRevisionName !== created) {
    throw new KnError(
      `service '${name}' is ready, but the new revision '${created}' is not (still serving '${svc.status?.latestReadyRevisionName}')${await revisionCauseBlock(client, created, svc)}`,
      {
        name: 'NotReady',
      },
    );
  }
  return svc;
}

// The root cause block appended to a failed wait's message ('' when there is none).
function causeBlock(cause: RootCause | undefined): string {
  return cause ? `\n${formatRootCause(cause).join('\n')}` : '';
}

async function revisionCauseBlock(client: ServingClient, revision: string, svc: Service): Promise<string> {
  try {
    return causeBlock(
      await revisionRootCause(client, await client.getRevision(revision, svc.metadata.namespace)),
    );
  } catch {
    return '';
  }
}

function anyEditFlag(f: ServiceEditFlagValues): boolean {
  return Object.values(f).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
}

/** `service update`: read-modify-write with conflict retry, then wait like kn and report the outcome. */
export async function updateService(
  connect: Connect<ServiceStore>,
  io: ActionIO,
  change: ServiceChange & { name: string },
): Promise<Service> {
  const edits: TrafficEdits = parseTrafficFlags(change.traffic ?? {});
  if (!anyEditFlag(change.flags) && !hasTrafficEdits(edits)) {
    throw usageError(
      `flag(s) not set: 'service update' needs at least one flag to change, e.g. --image or --env`,
    );
  }
  checkServiceName(change.name);
  checkServiceFlags(change.name, change.flags, change.edit);
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.offline);
  const ctx = await validationContext(store);
  let revisionNames: string[] | undefined;
  if (!store.offline && (edits.traffic.length || edits.tags.length)) {
    const client = store as ServingClient;
    revisionNames = (await client.listRevisions({ service: change.name })).items.map((r) => r.metadata.name!);
  }
  const { before, after } = await store.updateServiceWithRetry(
    change.name,
    (svc) => {
      const original = structuredClone(svc);
      applyServiceFlags(svc, change.flags, change.edit);
      const mutation = templateChanged(original, svc);
      if (mutation && change.flags['revision-name'] === undefined && original.spec.template.metadata?.name) {
        // A BYO revision name can only be used once: a changed template needs a new (server) name.
        delete svc.spec.template.metadata!.name;
      }
      if (hasTrafficEdits(edits)) {
        if (revisionNames) {
          const unknown = unknownRevisionRefs(edits, svc, revisionNames);
          if (unknown.length) {
            throw invalidValue(
              `revision '${unknown[0]}' not found for service '${change.name}' in namespace '${svc.metadata.namespace}': use a revision name, a tag or @latest`,
            );
          }
        }
        svc.spec.traffic = computeTraffic(svc, edits, { mutation });
      }
      validateServiceLocally(svc, original, ctx);
    },
    undefined,
    { dryRun: change.dryRun !== undefined },
  );
  if (change.dryRun) return reportDryRun(store, io, change.dryRun, 'update', before, after);
  const name = change.name;
  const ns = after.metadata.namespace ?? store.namespace;
  if (store.offline || !change.wait.wait) {
    io.line(`Service '${name}' updated in namespace '${ns}'.`);
    return after;
  }
  if (before.metadata.generation === after.metadata.generation) {
    io.line(`Service '${name}' updated in namespace '${ns}'.`);
    io.line('No new revision has been created.');
    return after;
  }
  const ready = await waitForIntent(
    store as ServingClient,
    io,
    `Updating Service '${name}' in namespace '${ns}':`,
    after,
    change.wait,
    before.status?.latestCreatedRevisionName,
  );
  const latest = ready.status?.latestReadyRevisionName;
  if (latest !== before.status?.latestReadyRevisionName) {
    io.line(`Service '${name}' updated to latest revision '${latest}' is available at URL:`);
  } else {
    io.line(`Service '${name}' with latest revision '${latest}' (unchanged) is available at URL:`);
  }
  io.line(ready.status?.url ?? '');
  return ready;
}

/** `service apply`: create when missing, else replace spec/labels/annotations when they differ (declarative). */
export async function applyService(
  connect: Connect<ServiceStore>,
  io: ActionIO,
  change: ServiceChange,
): Promise<Service> {
  // Apply never uses BYO revision names (kn ignores --revision-name here).
  const desired = desiredService('apply', {
    ...change,
    flags: { ...change.flags, 'revision-name': undefined },
  });
  const store = await connect();
  if (change.dryRun) requireClusterForDryRun(store.offline);
  const ctx = await validateDesired(store, desired);
  const name = desired.metadata.name!;
  const ns = desired.metadata.namespace!;
  const existing = await findService(store, name);
  if (!existing) return createDesired(store, io, desired, change, 'apply');
  // Compare with what the server would store: the desired object after Knative's defaulting.
  const defaulted = structuredClone(desired);
  setServiceDefaults(defaulted, ctx);
  const same =
    sameJson(existing.spec.template, defaulted.spec.template) &&
    sameJson(existing.metadata.labels ?? {}, defaulted.metadata.labels ?? {}) &&
    sameJson(
      stripBookkeeping(existing.metadata.annotations),
      stripBookkeeping(defaulted.metadata.annotations),
    );
  if (same && change.dryRun?.output) {
    await printDryRunObject(io, existing, change.dryRun.output);
    return existing;
  }
  if (same) {
    if (change.dryRun) io.line(`Dry run: nothing was written.`);
    io.line(`No changes to apply to service '${name}'.`);
    io.line(
      `Service '${name}' with latest revision '${existing.status?.latestReadyRevisionName ?? ''}' (unchanged) is available at URL:`,
    );
    io.line(existing.status?.url ?? '');
    return existing;
  }
  const { before, after } = await store.updateServiceWithRetry(
    name,
    (svc) => {
      svc.metadata.labels = desired.metadata.labels;
      svc.metadata.annotations = {
        ...pickBookkeeping(svc.metadata.annotations),
        ...(desired.metadata.annotations ?? {}),
      };
      svc.spec = { ...desired.spec, traffic: desired.spec.traffic ?? svc.spec.traffic };
    },
    ns,
    { dryRun: change.dryRun !== undefined },
  );
  if (change.dryRun) return reportDryRun(store, io, change.dryRun, 'apply', before, after);
  if (store.offline || !change.wait.wait || before.metadata.generation === after.metadata.generation) {
    io.line(`Service '${name}' applied in namespace '${ns}'.`);
    return after;
  }
  const ready = await waitForIntent(
    store as ServingClient,
    io,
    `Applying service '${name}' in namespace '${ns}':`,
    after,
    change.wait,
    before.status?.latestCreatedRevisionName,
  );
  io.line(
    `Service '${name}' applied to latest revision '${ready.status?.latestReadyRevisionName}' is available at URL:`,
  );
  io.line(ready.status?.url ?? '');
  return ready;
}

// Deep equality independent of key order.
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

const BOOKKEEPING = [Annotations.creator, Annotations.lastModifier];

function stripBookkeeping(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => !BOOKKEEPING.includes(k as never)));
}

function pickBookkeeping(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => BOOKKEEPING.includes(k as never)));
}

/**
 * `service delete NAME... | --all`: deletes each in turn with one line per deleted service; a name
 * that fails does not stop the others, the failures are reported together at the end (exit 1).
 */
export async function deleteServices(
  connect: Connect<ServiceStore>,
  io: ActionIO,
  opts: { names: string[]; all?: boolean; wait: WaitSettings; dryRun?: DryRun },
): Promise<string[]> {
  if (opts.all && opts.names.length)
    throw usageError("'service delete' with --all flag requires no arguments");
  if (!opts.all && !opts.names.length) throw usageError("'service delete' requires the service name(s)");
  const store = await connect();
  if (opts.dryRun) requireClusterForDryRun(store.offline);
  const names = opts.all ? (await store.listServices()).items.map((s) => s.metadata.name!) : opts.names;
  if (opts.all && names.length === 0) {
    io.line('No services found.');
    return [];
  }
  return deleteEach(names, io, async (name) => {
    if (opts.dryRun) {
      const client = store as ServingClient;
      const svc =
        (await client.deleteService(name, undefined, { dryRun: true })) ?? (await client.getService(name));
      if (opts.dryRun.output) await printDryRunObject(io, svc, opts.dryRun.output);
      else printServicePlan(io, await planServiceDelete(client, svc));
      return '';
    }
    await store.deleteService(name);
    if (opts.wait.wait && !store.offline)
      await (store as ServingClient).waitForDeletion(Kinds.service, name, opts.wait.timeoutSeconds * 1000);
    return `Service '${name}' successfully deleted in namespace '${store.namespace}'.`;
  });
}

/** `service export`: the service without runtime fields (kn export.go), optionally with its routed revisions. */
export async function exportService(
  client: ServingClient,
  name: string,
  opts: { withRevisions?: boolean; mode?: 'export' | 'replay' },
): Promise<
  | Service
  | { apiVersion: string; kind: string; spec: { service: Service; revisions: Revision[] } }
  | KubeList<Service>
> {
  const svc = await client.getService(name);
  const clean = cleanForExport(svc);
  let revisions: Revision[] = [];
  if (opts.withRevisions) {
    const routed = new Set((svc.spec.traffic ?? []).map((t) => t.revisionName).filter(Boolean));
    revisions = (await client.listRevisions({ service: name })).items
      .filter((r) => routed.has(r.metadata.name) && r.metadata.name !== svc.spec.template.metadata?.name)
      .reverse()
      .map(cleanRevision);
    if (revisions.length === 0 && routed.size > 0)
      throw new KnError(`no revisions found for the service ${name}`, { name: 'NotFound' });
  }
  if ((opts.mode ?? 'export') === 'replay') {
    if (!opts.withRevisions) return clean;
    const items: Service[] = revisions.map((r) => ({
      ...clean,
      spec: { template: { metadata: { ...r.metadata, namespace: undefined }, spec: r.spec } },
    }));
    return { apiVersion: 'v1', kind: 'List', metadata: {}, items: [...items, clean] };
  }
  return { apiVersion: 'client.knative.dev/v1alpha1', kind: 'Export', spec: { service: clean, revisions } };
}

const EXPORT_DROP_ANNOTATIONS = [
  Annotations.creator,
  Annotations.lastModifier,
  'kubectl.kubernetes.io/last-applied-configuration',
];
const EXPORT_DROP_TEMPLATE_ANNOTATIONS = [
  Annotations.revisionLastPinned,
  Annotations.creator,
  Annotations.routingStateModified,
  Annotations.updateTimestamp,
];
const EXPORT_DROP_LABELS = [Labels.configurationUID, Labels.serviceUID];

function without(
  map: Record<string, string> | undefined,
  keys: string[],
): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !keys.includes(k)));
  return Object.keys(out).length ? out : undefined;
}

/** A Service reduced to what is needed to recreate it (name, namespace, labels, annotations, spec). */
export function cleanForExport(svc: Service): Service {
  const template = structuredClone(svc.spec.template);
  if (template.metadata) {
    template.metadata.annotations = without(template.metadata.annotations, EXPORT_DROP_TEMPLATE_ANNOTATIONS);
    template.metadata.labels = without(template.metadata.labels, EXPORT_DROP_LABELS);
    delete template.metadata.creationTimestamp;
  }
  const spec: Service['spec'] = { template };
  if (svc.spec.traffic) spec.traffic = svc.spec.traffic;
  return JSON.parse(
    JSON.stringify({
      apiVersion: SERVING_V1,
      kind: 'Service',
      metadata: {
        name: svc.metadata.name,
        namespace: svc.metadata.namespace,
        labels: without(svc.metadata.labels, EXPORT_DROP_LABELS),
        annotations: without(svc.metadata.annotations, EXPORT_DROP_ANNOTATIONS),
      },
      spec,
    }),
  ) as Service;
}

function cleanRevision(r: Revision): Revision {
  return JSON.parse(
    JSON.stringify({
      apiVersion: SERVING_V1,
      kind: 'Revision',
      metadata: {
        name: r.metadata.name,
        namespace: r.metadata.namespace,
        labels: without(r.metadata.labels, [...EXPORT_DROP_LABELS, Labels.revisionUID]),
        annotations: without(r.metadata.annotations, EXPORT_DROP_TEMPLATE_ANNOTATIONS),
      },
      spec: r.spec,
    }),
  ) as Revision;
}
