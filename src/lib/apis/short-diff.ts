/**
 * An approximation of knative.dev/pkg kmp.ShortDiff, used in "(-old +new)" validation details:
 * one "<Go field path>:\n\t-: \"old\"\n\t+: \"new\"\n" block per changed leaf.
 */
import { jsonEqual } from './context.js';
import { KNATIVE_SPEC_FIELDS } from './podspec-validation.js';

/** Names the Go field for `key` under `path`. */
export type FieldNamer = (path: (string | number)[], key: string) => string;

/** Go field paths for a RevisionTemplateSpec (`.ObjectMeta.Labels["k"]`, `.Spec.PodSpec.Containers[0].Image`). */
export const templateField: FieldNamer = (path, key) => {
  if (path.length === 0)
    return key === 'metadata' ? '.ObjectMeta' : key === 'spec' ? '.Spec' : `.${goName(key)}`;
  if (path[0] === 'spec') return revisionSpecField(path.slice(1), key);
  return metaField(path.slice(1), key);
};

/** Go field paths for a RevisionSpec (`.PodSpec.Containers[0].Image`, `.TimeoutSeconds`). */
export const revisionSpecField: FieldNamer = (path, key) => {
  if (path.length === 0)
    return KNATIVE_SPEC_FIELDS.includes(key) ? `.${goName(key)}` : `.PodSpec.${goName(key)}`;
  return genericField(path, key);
};

const metaField: FieldNamer = (path, key) =>
  path.length === 0 ? `.${goName(key)}` : `[${JSON.stringify(key)}]`;

const genericField: FieldNamer = (path, key) => {
  const parent = path[path.length - 1];
  // Children of maps (env values aside) render as ["key"]; struct fields as .Field.
  if (
    parent === 'labels' ||
    parent === 'annotations' ||
    parent === 'limits' ||
    parent === 'requests' ||
    parent === 'nodeSelector'
  ) {
    return `[${JSON.stringify(key)}]`;
  }
  return `.${goName(key)}`;
};

function goName(key: string): string {
  const special: Record<string, string> = {
    httpGet: 'HTTPGet',
    tcpSocket: 'TCPSocket',
    grpc: 'GRPC',
    serviceAccountName: 'ServiceAccountName',
  };
  return special[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/** Diffs two JSON values, naming paths with `namer` under `root` (e.g. "{v1.RevisionSpec}"). */
export function shortDiff(a: unknown, b: unknown, root: string, namer: FieldNamer): string {
  const out: string[] = [];
  walkDiff(a, b, [], root, namer, out);
  return out.join('');
}

function walkDiff(
  a: unknown,
  b: unknown,
  path: (string | number)[],
  rendered: string,
  namer: FieldNamer,
  out: string[],
) {
  if (jsonEqual(a, b)) return;
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      walkDiff(ao[k], bo[k], [...path, k], rendered + namer(path, k), namer, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => walkDiff(v, b[i], [...path, i], `${rendered}[${i}]`, namer, out));
    return;
  }
  out.push(`${rendered}:\n\t-: ${renderValue(a)}\n\t+: ${renderValue(b)}\n`);
}

function renderValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'object') return `"${JSON.stringify(v)}"`;
  return `"${String(v)}"`;
}
