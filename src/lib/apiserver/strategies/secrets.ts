/** core Secrets: stringData is write-only sugar for base64 data; type defaults to Opaque. */
import type { KubeObject } from '../../apis/types.js';
import type { Strategy } from '../strategy.js';

function normalizeSecret(obj: KubeObject): void {
  const o = obj as KubeObject & {
    stringData?: Record<string, string>;
    data?: Record<string, string>;
    type?: string;
  };
  o.type ??= 'Opaque';
  if (o.stringData && typeof o.stringData === 'object') {
    o.data = { ...(o.data ?? {}) };
    for (const [k, v] of Object.entries(o.stringData))
      o.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete o.stringData;
  }
}

export const secretStrategy: Strategy = { canonicalize: normalizeSecret };
