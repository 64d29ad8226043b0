/**
 * Writing a Certificate the way both of its owners (Route, DomainMapping) need (Knative's
 * pkg/reconciler/accessor/networking ReconcileCertificate): create it when missing, refuse one of
 * that name controlled by someone else, replace spec/labels/annotations when they drifted, with
 * that accessor's Events; the status belongs to the certificate implementation.
 */
import type { Certificate, KubeObject } from '../apis/types.js';
import { Kinds } from '../kube/kinds.js';
import type { Lister } from '../kube/store.js';
import { isControlledBy } from '../apis/owner.js';
import type { Client, Recorder } from './framework/client.js';
import { childUpdate } from './framework/equality.js';

/** A Certificate of the wanted name exists and is controlled by another object. */
export class CertificateNotOwnedError extends Error {}

/** Creates or updates `want` for `owner`; returns the stored Certificate. */
export async function reconcileCertificate(
  client: Client,
  recorder: Recorder,
  certificates: Lister<Certificate>,
  owner: KubeObject,
  want: Certificate,
): Promise<Certificate> {
  const ref = `${want.metadata.namespace}/${want.metadata.name}`;
  const have = certificates.get(want.metadata.namespace, want.metadata.name!);
  if (!have) {
    try {
      const created = await client.create(Kinds.certificate, want);
      recorder.event(owner, 'Normal', 'Created', `Created Certificate ${ref}`);
      return created;
    } catch (err) {
      const msg = (err as Error).message;
      recorder.event(owner, 'Warning', 'CreationFailed', `Failed to create Certificate ${ref}: ${msg}`);
      throw new Error(`failed to create Certificate: ${msg}`, { cause: err });
    }
  }
  if (!isControlledBy(have, owner)) {
    throw new CertificateNotOwnedError(
      `owner: ${owner.metadata.name} with Type ${owner.kind} does not own Certificate: "${have.metadata.name}"`,
    );
  }
  const update = childUpdate(have, want);
  if (!update) return have;
  try {
    const updated = await client.replace(Kinds.certificate, update);
    recorder.event(owner, 'Normal', 'Updated', `Updated Spec for Certificate ${ref}`);
    return updated;
  } catch (err) {
    const msg = (err as Error).message;
    recorder.event(owner, 'Warning', 'UpdateFailed', `Failed to update Certificate ${ref}: ${msg}`);
    throw new Error(`failed to update Certificate: ${msg}`, { cause: err });
  }
}
