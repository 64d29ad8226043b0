/**
 * kn's multi-name delete (`service delete a b c`, `revision delete a b c`): each name is deleted on
 * its own, a success line is printed for every one that went, and the failures are reported together
 * at the end as `Error: <e1>\nError: <e2>` with exit 1 — one missing name does not stop the others.
 */
import { KnError, toKnError } from '../client/errors.js';
import type { ActionIO } from './actions.js';

/**
 * Runs `deleteOne` for every name in order; prints the line it returns, collects its error. Throws
 * one KnError holding every failure (its name when they all share one) after the last name.
 */
export async function deleteEach(
  names: readonly string[],
  io: ActionIO,
  deleteOne: (name: string) => Promise<string>,
): Promise<string[]> {
  const deleted: string[] = [];
  const errors: KnError[] = [];
  for (const name of names) {
    try {
      io.line(await deleteOne(name));
      deleted.push(name);
    } catch (err) {
      errors.push(toKnError(err));
    }
  }
  if (errors.length) {
    const names = new Set(errors.map((e) => e.name));
    throw new KnError(errors.map((e) => e.message).join('\nError: '), {
      name: names.size === 1 ? errors[0].name : 'ApiError',
      exitCode: Math.max(...errors.map((e) => e.exitCode)),
    });
  }
  return deleted;
}
