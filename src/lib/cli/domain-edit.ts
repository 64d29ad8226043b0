/**
 * What the `domain` commands do (kn `pkg/commands/domain/*.go`): parse `--ref` (`ksvc:NAME`,
 * `ksvc:NAME:NAMESPACE`, `kroute:NAME`, bare `NAME` = ksvc) and `--tls`, check the referenced object
 * exists, and create, update or delete a serving.knative.dev/v1beta1 DomainMapping with kn's messages.
 */
import type { DomainMapping } from '../apis/types.js';
import { SERVING_V1, SERVING_V1BETA1 } from '../apis/keys.js';
import { isDNS1123Subdomain } from '../apis/names.js';
import { KnError, invalidValue, usageError } from '../client/errors.js';
import type { ServingClient } from '../client/serving-client.js';
import type { ActionIO, Connect, DryRun } from './actions.js';
import { objectDiff, printDiff, printDryRunObject } from './dry-run.js';

/** A DomainMapping's spec.ref. */
export type DomainRef = DomainMapping['spec']['ref'];

const PREFIXES: Record<string, string> = { ksvc: 'Service', kroute: 'Route' };

/** Parses kn's --ref value; `namespace` is the mapping's namespace (the default for the ref). */
export function parseDomainRef(value: string, namespace: string): DomainRef {
  const parts = value.split(':');
  if (parts.length === 1) parts.unshift('ksvc');
  const [prefix, name, refNs, ...extra] = parts;
  if (!(prefix in PREFIXES)) throw invalidValue(`unsupported sink prefix: '${prefix}'`);
  if (!name || extra.length || refNs === '') {
    throw invalidValue(
      `invalid --ref '${value}': use ksvc:NAME, ksvc:NAME:NAMESPACE, kroute:NAME or a bare service NAME`,
    );
  }
  return { apiVersion: SERVING_V1, kind: PREFIXES[prefix], name, namespace: refNs ?? namespace };
}

/** Checks --tls: a DNS-1123 subdomain, as a Secret name must be (kn's message). */
export function validateTlsSecret(secret: string): void {
  const errors = isDNS1123Subdomain(secret);
  if (errors.length) throw invalidValue(`invalid secret name "${secret}": ${errors.join('; ')}`);
}

// The referenced Service or Route must exist; its not-found error names it.
async function checkRef(client: ServingClient, ref: DomainRef): Promise<void> {
  if (ref.kind === 'Route') await client.getRoute(ref.name, ref.namespace);
  else await client.getService(ref.name, ref.namespace);
}

/** Builds a DomainMapping object. */
export function makeDomainMapping(
  name: string,
  namespace: string,
  ref: DomainRef,
  tls?: string,
): DomainMapping {
  return {
    apiVersion: SERVING_V1BETA1,
    kind: 'DomainMapping',
    metadata: { name, namespace },
    spec: { ref, ...(tls ? { tls: { secretName: tls } } : {}) },
  };
}

/** Inputs of domain create/update. */
export interface DomainChange {
  name: string;
  ref?: string;
  tls?: string;
  /** --dry-run: the server checks the write and stores nothing. */
  dryRun?: DryRun;
}

// What a dry run of a domain mapping write found: the server's object with -o, else a diff.
async function reportDomainDryRun(
  io: ActionIO,
  dryRun: DryRun,
  what: 'created' | 'updated' | 'deleted',
  ns: string,
  before: DomainMapping | undefined,
  after: DomainMapping | undefined,
): Promise<void> {
  const obj = (after ?? before)!;
  if (dryRun.output) return printDryRunObject(io, obj, dryRun.output);
  const name = obj.metadata.name!;
  io.line(`Dry run: domain mapping '${name}' would be ${what} in namespace '${ns}' (nothing was written).`);
  if (after) {
    const ref = after.spec.ref;
    const target = `${ref.kind === 'Route' ? 'route' : 'service'} '${ref.name}' in namespace '${ref.namespace ?? ns}'`;
    io.line(`http${after.spec.tls ? 's' : ''}://${name} would route to ${target}.`);
  }
  printDiff(io, objectDiff('domainmapping', before, after));
}

/** `domain create|map NAME --ref ... [--tls S]`. */
export async function createDomainMapping(
  connect: Connect<ServingClient>,
  io: ActionIO,
  change: DomainChange,
): Promise<DomainMapping> {
  if (!change.ref) throw usageError("'domain create' requires the route name provided with the --ref flag");
  // Check the name and flags before connecting; the ref's namespace defaults to the client's.
  const nameErrors = isDNS1123Subdomain(change.name);
  if (nameErrors.length) throw invalidValue(`invalid domain name "${change.name}": ${nameErrors.join('; ')}`);
  parseDomainRef(change.ref, '');
  if (change.tls !== undefined) validateTlsSecret(change.tls);
  const client = await connect();
  const ns = client.namespace;
  const ref = parseDomainRef(change.ref, ns);
  await checkRef(client, ref);
  const created = await client.createDomainMapping(makeDomainMapping(change.name, ns, ref, change.tls), {
    dryRun: change.dryRun !== undefined,
  });
  if (change.dryRun) {
    await reportDomainDryRun(io, change.dryRun, 'created', ns, undefined, created);
    return created;
  }
  io.line(`Domain mapping '${change.name}' created in namespace '${ns}'.`);
  return created;
}

/** `domain update NAME --ref ... [--tls S]`: read-modify-write with conflict retry. */
export async function updateDomainMapping(
  connect: Connect<ServingClient>,
  io: ActionIO,
  change: DomainChange,
): Promise<DomainMapping> {
  if (!change.ref && change.tls === undefined) {
    throw usageError("'domain update' needs --ref or --tls to change");
  }
  if (change.ref) parseDomainRef(change.ref, '');
  if (change.tls) validateTlsSecret(change.tls);
  const client = await connect();
  const ns = client.namespace;
  const ref = change.ref ? parseDomainRef(change.ref, ns) : undefined;
  if (ref) await checkRef(client, ref);
  const { before, after } = await client.updateDomainMappingWithRetry(
    change.name,
    (dm) => {
      if (dm.metadata.deletionTimestamp) {
        throw new KnError(
          `can't update domain mapping '${change.name}' because it has been marked for deletion`,
          { name: 'Conflict' },
        );
      }
      if (ref) dm.spec.ref = ref;
      // --tls "" removes TLS.
      if (change.tls !== undefined) {
        if (change.tls) dm.spec.tls = { secretName: change.tls };
        else delete dm.spec.tls;
      }
    },
    ns,
    { dryRun: change.dryRun !== undefined },
  );
  if (change.dryRun) {
    await reportDomainDryRun(io, change.dryRun, 'updated', ns, before, after);
    return after;
  }
  io.line(`Domain mapping '${change.name}' updated in namespace '${ns}'.`);
  return after;
}

/** `domain delete NAME` (one name, as in kn). */
export async function deleteDomainMapping(
  connect: Connect<ServingClient>,
  io: ActionIO,
  name: string,
  dryRun?: DryRun,
): Promise<void> {
  const client = await connect();
  if (dryRun) {
    const dm =
      (await client.deleteDomainMapping(name, undefined, { dryRun: true })) ??
      (await client.getDomainMapping(name));
    return reportDomainDryRun(io, dryRun, 'deleted', client.namespace, dm, undefined);
  }
  await client.deleteDomainMapping(name);
  io.line(`Domain mapping '${name}' deleted in namespace '${client.namespace}'.`);
}
