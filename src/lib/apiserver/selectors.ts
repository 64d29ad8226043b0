/**
 * Label selectors (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`) and field
 * selectors (`metadata.name`, `metadata.namespace` and a few per-kind fields, with `=`, `==`, `!=`),
 * parsed the way apimachinery does. A selector that does not parse is a 400 BadRequest.
 */
import type { KubeObject } from '../apis/types.js';
import { badRequest } from './errors.js';

/** A compiled selector: true when the object matches. */
export type Matcher = (obj: KubeObject) => boolean;

type Requirement = { key: string; op: 'in' | 'notin' | 'exists' | '!'; values: string[] };

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function checkKey(key: string, selector: string): void {
  if (!LABEL_KEY.test(key))
    throw badRequest(
      `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "${selector}")`,
    );
}

function checkValue(value: string, selector: string): void {
  if (!LABEL_VALUE.test(value))
    throw badRequest(
      `unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (selector "${selector}")`,
    );
}

function parseLabelRequirements(selector: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const raw of splitTerms(selector)) {
    const term = raw.trim();
    if (!term) {
      if (selector.trim()) throw badRequest(`found '', expected: identifier (label selector "${selector}")`);
      continue;
    }
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([^\s=!(),]+)$/))) {
      checkKey(m[1], selector);
      reqs.push({ key: m[1], op: '!', values: [] });
    } else if ((m = term.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      checkKey(m[1], selector);
      const values = m[3].split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, selector));
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = term.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      checkKey(m[1], selector);
      checkValue(m[3], selector);
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = term.match(/^([^\s=!(),]+)$/))) {
      checkKey(m[1], selector);
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else {
      throw badRequest(
        `unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt (label selector "${selector}")`,
      );
    }
  }
  return reqs;
}

/** Compiles a label selector string; an empty or absent selector matches everything. */
export function parseLabelSelector(selector: string | undefined | null): Matcher | undefined {
  if (!selector || !selector.trim()) return undefined;
  const reqs = parseLabelRequirements(selector);
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!':
          return !has;
        case 'in':
          return has && r.values.includes(labels[r.key]);
        case 'notin':
          return !has || !r.values.includes(labels[r.key]);
      }
    });
  };
}

/**
 * A cheap test on an object's stored JSON text for a label selector: false only when the object
 * cannot match (a required `"key":"value"` or `"key":` does not occur in the text), so a LIST skips
 * parsing most non-matching rows. Undefined when the selector requires nothing it can test. Sound
 * because the store writes `JSON.stringify` output and label keys and values never need escaping.
 */
export function labelSelectorPrefilter(
  selector: string | undefined | null,
): ((json: string) => boolean) | undefined {
  if (!selector || !selector.trim()) return undefined;
  const needles: string[][] = [];
  for (const r of parseLabelRequirements(selector)) {
    if (r.op === 'in') needles.push(r.values.map((v) => `${JSON.stringify(r.key)}:${JSON.stringify(v)}`));
    else if (r.op === 'exists') needles.push([`${JSON.stringify(r.key)}:`]);
  }
  if (needles.length === 0) return undefined;
  return (json) => needles.every((anyOf) => anyOf.some((n) => json.includes(n)));
}

/** Matches a structured LabelSelector (matchLabels + matchExpressions), e.g. a Deployment's. */
export function matchesLabelSelector(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
  function k(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(l, key);
  }
}

/** Renders a structured LabelSelector as a selector string (for the scale subresource). */
export function labelSelectorString(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.sort().join(',');
}

/** Field paths each kind supports in field selectors (beyond metadata.name/namespace). */
const FIELD_PATHS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Service: ['spec.clusterIP', 'spec.type'],
  ReplicaSet: ['status.replicas'],
};

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (path === 'source' && cur && typeof cur === 'object')
    return String((cur as { component?: string }).component ?? '');
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Compiles a field selector for a kind; unknown fields are a 400 like kube-apiserver's. */
export function parseFieldSelector(selector: string | undefined | null, kind: string): Matcher | undefined {
  if (!selector || !selector.trim()) return undefined;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELD_PATHS[kind] ?? [])]);
  const terms: { path: string; neg: boolean; value: string }[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    const m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    if (!allowed.has(m[1])) throw badRequest(`field label not supported: ${m[1]}`);
    terms.push({ path: m[1], neg: m[2] === '!=', value: m[3].trim() });
  }
  return (obj) => terms.every((t) => (fieldValue(obj, t.path) === t.value) !== t.neg);
}

/** Combines optional matchers with AND. */
export function allOf(...ms: (Matcher | undefined)[]): Matcher | undefined {
  const list = ms.filter((m): m is Matcher => !!m);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (obj) => list.every((m) => m(obj));
}
