/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.ParseQuantity): `500m`, `1.5`,
 * `128Mi`, `2G`, `1e3`. One parser for the API server's decoding, Knative admission and the runtime.
 */

/** resource.ParseQuantity's message for a malformed quantity. */
export const QUANTITY_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** resource.ParseQuantity's message for an unknown suffix. */
export const QUANTITY_SUFFIX = "unable to parse quantity's suffix";

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A malformed quantity, with resource.ParseQuantity's message. */
export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

/** A parsed quantity: its value as a float (enough for sign and ordering checks). */
export interface Quantity {
  text: string;
  value: number;
}

/** resource.ParseQuantity; throws QuantityError for malformed input. */
export function parseQuantity(raw: string): Quantity {
  const s = raw.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[-+]?\d*)$/.exec(s);
  if (!s || !m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(QUANTITY_FORMAT);
  const suffix = m[4];
  let scale: number;
  if (suffix in BINARY) scale = 2 ** BINARY[suffix];
  else if (suffix in DECIMAL) scale = 10 ** DECIMAL[suffix];
  else if (/^[eE][-+]?\d+$/.test(suffix)) scale = 10 ** Number(suffix.slice(1));
  else throw new QuantityError(QUANTITY_SUFFIX);
  const mantissa = Number(`${m[2] || '0'}.${m[3] || '0'}`);
  return { text: s, value: (m[1] === '-' ? -1 : 1) * mantissa * scale };
}
