/** The opaque `continue` token of paginated lists: the snapshot's resourceVersion and the last key. */
import { badRequest } from './errors.js';

export function encodeContinue(rv: number, namespace: string, name: string): string {
  return Buffer.from(JSON.stringify({ v: 'knlite/1', rv, start: [namespace, name] })).toString('base64url');
}

export function decodeContinue(token: string): { rv: number; namespace: string; name: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v: string;
      rv: number;
      start: [string, string];
    };
    if (parsed.v !== 'knlite/1' || !Array.isArray(parsed.start)) throw new Error('bad');
    return { rv: parsed.rv, namespace: parsed.start[0], name: parsed.start[1] };
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}
