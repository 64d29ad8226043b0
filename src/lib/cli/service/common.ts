/**
 * What the service use cases share: the store they work on, their inputs, finding a service,
 * reporting a dry run, and comparing what a change would store with what is there.
 */
import { Annotations } from '../../apis/keys.js';
import type { Service } from '../../apis/types.js';
import { KnError } from '../../client/errors.js';
import type { ServiceStore } from '../../client/service-store.js';
import type { ServingClient } from '../../client/serving-client.js';
import { isNotFound } from '../../kube/errors.js';
import type { ActionIO, DryRun, WaitSettings } from '../actions.js';
import { planServiceChange, printDryRunObject, printServicePlan } from '../dry-run.js';
import type { ServiceEditFlagValues } from '../flags.js';
import type { EditOptions } from '../service-edit.js';

/** Where services live: the cluster (waits, revisions, dry runs) or files (--target). */
export type Services = ServiceStore<ServingClient>;

/** The service if it exists, else undefined (other errors propagate). */
export async function findService(store: Services, name: string): Promise<Service | undefined> {
  try {
    return await store.getService(name);
  } catch (err) {
    if (isNotFound(err) || (err instanceof KnError && err.name === 'NotFound')) return undefined;
    throw err;
  }
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

// Prints what a dry run found: the server's object with -o, else the plan.
export async function reportDryRun(
  cluster: ServingClient,
  io: ActionIO,
  dryRun: DryRun,
  verb: 'create' | 'update' | 'apply',
  before: Service | undefined,
  after: Service,
): Promise<Service> {
  if (dryRun.output) await printDryRunObject(io, after, dryRun.output);
  else printServicePlan(io, await planServiceChange(cluster, verb, before, after));
  return after;
}

// Deep equality independent of key order.
export function sameJson(a: unknown, b: unknown): boolean {
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

export function stripBookkeeping(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => !BOOKKEEPING.includes(k as never)));
}

export function pickBookkeeping(a: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(a ?? {}).filter(([k]) => BOOKKEEPING.includes(k as never)));
}
