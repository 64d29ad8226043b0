/** core Namespaces: the system ones stay; deletion is finished by the namespace controller (gc.ts). */
import { forbidden } from '../errors.js';
import type { Strategy } from '../strategy.js';

const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export const namespaceStrategy: Strategy = {
  prepareForCreate(obj) {
    const o = obj as Record<string, unknown>;
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: 'Active' };
  },
  checkDelete(type, name) {
    if (UNDELETABLE_NAMESPACES.has(name)) throw forbidden(type, name, 'this namespace may not be deleted');
  },
  beginDeletion(obj) {
    // Namespaces finalize through the namespace controller (gc.ts), which empties them first.
    if (obj.metadata.deletionTimestamp) return false;
    obj.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.deletionGracePeriodSeconds = 0;
    obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    return true;
  },
};
