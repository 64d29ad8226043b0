/**
 * kn's map-flag grammar (`pkg/util/parsing_helper.go`): `KEY=value` sets, `KEY-` removes; values may
 * contain `=`. Parsed edits keep the user's order so lists (env) stay stable.
 */
import { invalidValue } from '../client/errors.js';

/** Ordered set and remove operations from repeated KEY=value / KEY- flags. */
export interface KeyValueEdits {
  set: [string, string][];
  remove: string[];
}

/** Parses `KEY=value` / `KEY-` values of `--<flag>`; a value with neither is an error naming the flag. */
export function parseKeyValues(
  values: readonly string[] | undefined,
  flag: string,
  opts: { keyName?: string } = {},
): KeyValueEdits {
  const edits: KeyValueEdits = { set: [], remove: [] };
  const keyName = opts.keyName ?? 'KEY';
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq < 0) {
      if (raw.endsWith('-') && raw.length > 1) {
        edits.remove.push(raw.slice(0, -1));
        continue;
      }
      throw invalidValue(`invalid --${flag} '${raw}': expected ${keyName}=value, or ${keyName}- to remove`);
    }
    const key = raw.slice(0, eq);
    if (key === '')
      throw invalidValue(`invalid --${flag} '${raw}': the ${keyName.toLowerCase()} before '=' is empty`);
    edits.set.push([key, raw.slice(eq + 1)]);
  }
  return edits;
}

/** Applies edits to a string map; returns undefined when the map ends up empty. */
export function applyMapEdits(
  map: Record<string, string> | undefined,
  edits: KeyValueEdits,
): Record<string, string> | undefined {
  const out = { ...(map ?? {}) };
  for (const k of edits.remove) delete out[k];
  for (const [k, v] of edits.set) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Splits `a=b` into [a, b]; anything else is kn's "expecting the value format in value1=value2" error. */
export function splitPair(value: string): [string, string] {
  const parts = value.split('=');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw invalidValue(`expecting the value format in value1=value2, given ${value}`);
  }
  return [parts[0], parts[1]];
}
