/** core Pods: a new pod is Pending until its kubelet reports. */
import type { Strategy } from '../strategy.js';

export const podStrategy: Strategy = {
  prepareForCreate(obj) {
    const o = obj as Record<string, any>;
    o.status = { phase: 'Pending', ...(o.status ?? {}) };
  },
};
