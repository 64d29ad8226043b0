/** Waiting for a written service like kn: Ready at our generation, and the revision we created serving. */
import type { Service } from '../../apis/types.js';
import { KnError } from '../../client/errors.js';
import { formatRootCause, revisionRootCause, type RootCause } from '../../client/root-cause.js';
import type { ServingClient } from '../../client/serving-client.js';
import type { ActionIO, WaitSettings } from '../actions.js';

/**
 * Prints kn's "<Verb>ing service ...:" heading, waits for the service to be Ready at the generation
 * we wrote and checks the user's intent: the latest ready revision must be the one our change
 * created. Failures become KnErrors (exit 1).
 */
export async function waitForIntent(
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
