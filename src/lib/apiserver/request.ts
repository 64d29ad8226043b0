/**
 * Request decoding before any handler runs, as kube-apiserver does it: the body's media type must
 * be one the endpoint accepts (415 otherwise), JSON deeper than 10,000 levels is refused before it
 * is parsed, YAML is limited the same way and may not expand aliases beyond its own size, and query
 * parameters are parsed like metav1's parameter codec (booleans, integers, dryRun, fieldManager,
 * fieldValidation, resourceVersion, resourceVersionMatch), answering 400/422 in kube's words.
 */
import yaml from 'js-yaml';
import { ApiError, badRequest, invalid, type StatusCause } from './errors.js';

/**
 * The deepest nesting a body may have. kube-apiserver inherits encoding/json's 10,000; V8's
 * JSON.stringify and structuredClone recurse natively and overflow the stack at 2,000–4,000
 * levels, so bodies deep enough to reach that are refused here, with kube's wording, before
 * anything serialises them.
 */
export const MAX_JSON_DEPTH = 1_000;

/** Media types a create or update body may have. */
export const BODY_TYPES = ['application/json', 'application/yaml'];

/** 415 with kube-apiserver's message for a body in a format the endpoint does not take. */
export function unsupportedBody(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/**
 * Finds the first bracket that nests deeper than `max` in JSON text, skipping strings, without
 * recursion; undefined when the text stays within the limit.
 */
export function tooDeepJson(text: string, max = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return text[i];
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/**
 * Walks a parsed YAML value without recursion: its depth must stay within `MAX_JSON_DEPTH` and,
 * since aliases share nodes, its expanded node count within what the text itself could spell out.
 */
function checkYamlValue(value: unknown, textLength: number): void {
  const budget = textLength + 1000;
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > budget)
      throw badRequest('error converting YAML to JSON: yaml: document contains excessive aliasing');
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH)
      throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_JSON_DEPTH}`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** Whether a media type is decoded as YAML. */
export function isYamlType(type: string): boolean {
  return type === 'application/yaml' || type === 'application/apply-patch+yaml';
}

/**
 * Decodes a JSON or YAML body; malformed input is 400. `what` names the step in JSON errors the
 * way kube-apiserver does: object bodies fail while reading their version/kind, patches do not.
 */
export function decodeBody(buf: Buffer, type: string, what: 'object' | 'patch' = 'object'): unknown {
  const text = buf.toString('utf8');
  if (!text.trim()) throw badRequest('the body of the request is empty');
  const jsonError = (msg: string): ApiError =>
    badRequest(what === 'object' ? `couldn't get version/kind; json parse error: ${msg}` : msg);
  if (isYamlType(type)) {
    let value: unknown;
    try {
      value = yaml.load(text, { schema: yaml.JSON_SCHEMA, maxDepth: MAX_JSON_DEPTH } as yaml.LoadOptions);
    } catch (err) {
      if (err instanceof RangeError || /^nesting exceeded maxDepth/.test((err as Error).message))
        throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_JSON_DEPTH}`);
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    checkYamlValue(value, text.length);
    return value;
  }
  const deep = tooDeepJson(text);
  if (deep) throw jsonError(`invalid character '${deep}' exceeded max depth`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw jsonError((err as Error).message.split('\n')[0]);
  }
}

// ---- query parameters -------------------------------------------------------------------------

/**
 * A boolean query parameter as metav1's parameter codec reads it (runtime.Convert_Slice_string_To_bool):
 * absent is false, `0` and any casing of `false` are false, anything else (`true`, `True`, `1`, even
 * an empty value) is true.
 */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Whether a boolean parameter is present at all (pointer fields such as sendInitialEvents). */
export function queryBoolPtr(q: URLSearchParams, name: string): boolean | undefined {
  return q.has(name) ? queryBool(q, name) : undefined;
}

const INT64_MAX = 2n ** 63n - 1n;

/** An int64 query parameter (strconv.ParseInt); malformed is 400 with Go's message. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v))
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > INT64_MAX || n < -INT64_MAX - 1n)
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}

/** The problem with a resourceVersion string, as strconv.ParseUint words it; undefined if valid. */
export function resourceVersionProblem(rv: string): string | undefined {
  if (!/^\d+$/.test(rv)) return `strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`;
  if (BigInt(rv) > 2n ** 64n - 1n)
    return `strconv.ParseUint: parsing ${JSON.stringify(rv)}: value out of range`;
  return undefined;
}

/** 400 for a resourceVersion that is not a number, naming `field`. */
export function checkResourceVersion(rv: string | undefined, field: string): void {
  if (rv === undefined || rv === '') return;
  const p = resourceVersionProblem(rv);
  if (p) throw badRequest(`${field}: Invalid value: ${JSON.stringify(rv)}: ${p}`);
}

const META = 'meta.k8s.io';

/** Go's `%#U` for a rune: `U+0007`, or `U+00E9 'é'` when printable. */
function goRune(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /\p{C}|\p{Z}/u.test(String.fromCodePoint(cp)) && cp !== 0x20
    ? hex
    : `${hex} '${String.fromCodePoint(cp)}'`;
}

/** Checks of CreateOptions/UpdateOptions/PatchOptions/DeleteOptions (ValidateCreateOptions and friends). */
export function validateWriteQuery(
  q: URLSearchParams,
  kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions',
  patchType?: string,
): void {
  const causes: StatusCause[] = [];
  if (kind === 'PatchOptions') {
    if (patchType !== 'application/apply-patch+yaml') {
      if (q.has('force'))
        causes.push({
          field: 'force',
          message: 'Forbidden: may not be specified for non-apply patch',
          reason: 'FieldValueForbidden',
        });
    } else if (!q.get('fieldManager'))
      causes.push({
        field: 'fieldManager',
        message: 'Required value: is required for apply patch',
        reason: 'FieldValueRequired',
      });
  }
  const fm = q.get('fieldManager') ?? '';
  if (kind !== 'DeleteOptions') {
    if (Buffer.byteLength(fm) > 128)
      causes.push({
        field: 'fieldManager',
        message: 'Too long: may not be more than 128 bytes',
        reason: 'FieldValueTooLong',
      });
    let i = 0;
    for (const ch of fm) {
      const cp = ch.codePointAt(0)!;
      if (/\p{C}/u.test(ch))
        causes.push({
          field: 'fieldManager',
          message: `Invalid value: ${JSON.stringify(fm)}: invalid character ${goRune(cp)} (at position ${i})`,
          reason: 'FieldValueInvalid',
        });
      i += Buffer.byteLength(ch);
    }
  }
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All'))
    causes.push({
      field: 'dryRun',
      message: `Unsupported value: []string{${dryRun.map((d) => JSON.stringify(d)).join(', ')}}: supported values: "All"`,
      reason: 'FieldValueNotSupported',
    });
  const fv = q.get('fieldValidation');
  if (kind !== 'DeleteOptions' && fv !== null && !['', 'Ignore', 'Strict', 'Warn'].includes(fv))
    causes.push({
      field: 'fieldValidation',
      message: `Unsupported value: ${JSON.stringify(fv)}: supported values: "", "Ignore", "Strict", "Warn"`,
      reason: 'FieldValueNotSupported',
    });
  if (causes.length) throw invalid({ kind, group: META }, '', causes);
}

/** ValidateListOptions: resourceVersion, resourceVersionMatch and sendInitialEvents for a list or watch. */
export function validateListQuery(q: URLSearchParams, watch: boolean): void {
  const rv = q.get('resourceVersion') ?? '';
  checkResourceVersion(rv, 'resourceVersion');
  const match = q.get('resourceVersionMatch') ?? '';
  const sendInitial = queryBoolPtr(q, 'sendInitialEvents');
  const cont = q.get('continue') ?? '';
  const causes: StatusCause[] = [];
  const forbidden = (field: string, why: string): void => {
    causes.push({ field, message: `Forbidden: ${why}`, reason: 'FieldValueForbidden' });
  };
  const unsupported = (supported: string[]): void => {
    causes.push({
      field: 'resourceVersionMatch',
      message: `Unsupported value: ${JSON.stringify(match)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
      reason: 'FieldValueNotSupported',
    });
  };
  if (watch) {
    if (sendInitial !== undefined && match !== 'NotOlderThan')
      forbidden(
        'resourceVersionMatch',
        'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      );
    if (match) {
      if (sendInitial === undefined)
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        );
      if (match !== 'NotOlderThan') unsupported(['NotOlderThan']);
      if (cont)
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match) {
      if (!rv)
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch is forbidden unless resourceVersion is provided',
        );
      if (cont)
        forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') unsupported(['Exact', 'NotOlderThan', '']);
      if (match === 'Exact' && rv === '0')
        forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        );
    }
    if (sendInitial !== undefined) forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  if (causes.length) throw invalid({ kind: 'ListOptions', group: META }, '', causes);
}
