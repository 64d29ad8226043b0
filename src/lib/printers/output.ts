/**
 * Machine-readable output (`-o json|yaml|name|url|jsonpath=...|jsonpath-file=...|go-template=...`),
 * kubectl-compatible: JSON indented by 4, YAML via js-yaml, `-o name` as `<kind>.<group>/<name>`,
 * JSONPath through the API server's Kubernetes JSONPath implementation (imported lazily), and a
 * go-template subset translated to JSONPath (`{{.a.b}}`, `{{range .items}}...{{end}}`).
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { KubeList, KubeObject } from '../apis/types.js';
import { usageError, KnError } from '../client/errors.js';

/** A parsed -o value. */
export interface OutputSpec {
  format: 'json' | 'yaml' | 'name' | 'url' | 'jsonpath';
  /** JSONPath template for `jsonpath` (go-templates are translated to it). */
  template?: string;
}

/**
 * Parses the -o flag; undefined means the human-readable default. Unknown formats are usage errors
 * naming the accepted ones.
 */
export function parseOutputFlag(
  value: string | undefined,
  opts: { url?: boolean } = {},
): OutputSpec | undefined {
  if (value === undefined || value === '') return undefined;
  const eq = value.indexOf('=');
  const kind = eq < 0 ? value : value.slice(0, eq);
  const arg = eq < 0 ? '' : value.slice(eq + 1);
  switch (kind) {
    case 'json':
    case 'yaml':
    case 'name':
      if (eq < 0) return { format: kind };
      break;
    case 'url':
      if (eq < 0 && opts.url) return { format: 'url' };
      break;
    case 'jsonpath':
    case 'jsonpath-as-json':
      // kubectl accepts a bare path without braces.
      if (arg) return { format: 'jsonpath', template: arg.includes('{') ? arg : `{${arg}}` };
      throw usageError(`-o ${kind} needs a template, e.g. -o 'jsonpath={.metadata.name}'`);
    case 'jsonpath-file':
      return { format: 'jsonpath', template: readTemplate(arg) };
    case 'go-template':
    case 'template':
      if (arg) return { format: 'jsonpath', template: goTemplateToJsonPath(arg) };
      throw usageError(`-o ${kind} needs a template, e.g. -o 'go-template={{.metadata.name}}'`);
    case 'go-template-file':
    case 'templatefile':
      return { format: 'jsonpath', template: goTemplateToJsonPath(readTemplate(arg)) };
  }
  const accepted = [
    'json',
    'yaml',
    'name',
    ...(opts.url ? ['url'] : []),
    'jsonpath=TEMPLATE',
    'jsonpath-file=FILE',
    'go-template=TEMPLATE',
    'go-template-file=FILE',
  ];
  throw usageError(`invalid output format '${value}': use one of ${accepted.join(', ')}`);
}

function readTemplate(path: string): string {
  if (!path) throw usageError('a template file is required, e.g. -o jsonpath-file=template.txt');
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KnError(`cannot read template file ${path}: ${(err as Error).message}`, { name: 'FileError' });
  }
}

/** Translates the common go-template subset (`{{.a.b}}`, `{{range .items}}…{{end}}`, `{{"\n"}}`) to a JSONPath template. */
export function goTemplateToJsonPath(template: string): string {
  return template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, inner: string) => {
    const range = /^range\s+(\S+)$/.exec(inner);
    if (range) return `{range ${range[1].endsWith(']') ? range[1] : `${range[1]}[*]`}}`;
    return `{${inner}}`;
  });
}

/** `<kind>.<group>/<name>` as `kubectl -o name` prints it (core kinds have no group). */
export function objectName(obj: KubeObject): string {
  const group = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/')[0] : '';
  const kind = (obj.kind ?? '').toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${obj.metadata.name}`;
}

/** Renders one object in a machine format; returns text ending in a newline (jsonpath: as templated). */
export async function formatObject(obj: KubeObject, spec: OutputSpec): Promise<string> {
  switch (spec.format) {
    case 'json':
      return `${JSON.stringify(obj, null, 4)}\n`;
    case 'yaml':
      return yaml.dump(obj, { noRefs: true, lineWidth: -1 });
    case 'name':
      return `${objectName(obj)}\n`;
    case 'url':
      return `${(obj as { status?: { url?: string } }).status?.url ?? ''}\n`;
    case 'jsonpath':
      return renderJsonPath(spec.template!, obj);
  }
}

/** Renders a list in a machine format (items get apiVersion/kind filled in, as kubectl does). */
export async function formatList<T extends KubeObject>(list: KubeList<T>, spec: OutputSpec): Promise<string> {
  const itemKind = (list.kind ?? '').replace(/List$/, '');
  const items = list.items.map((i) => {
    const { apiVersion, kind, ...rest } = i;
    return { apiVersion: apiVersion ?? list.apiVersion, kind: kind ?? itemKind, ...rest } as T;
  });
  const full = { apiVersion: list.apiVersion, kind: list.kind, metadata: list.metadata ?? {}, items };
  switch (spec.format) {
    case 'name':
      return items.map((i) => `${objectName(i)}\n`).join('');
    case 'url':
      return items.map((i) => `${(i as { status?: { url?: string } }).status?.url ?? ''}\n`).join('');
    case 'jsonpath':
      return renderJsonPath(spec.template!, full);
    default:
      return formatObject(full as unknown as KubeObject, spec);
  }
}

async function renderJsonPath(template: string, obj: unknown): Promise<string> {
  // Lazy: the JSONPath engine is only needed for -o jsonpath.
  const { renderJsonPathTemplate } = await import('../jsonpath/jsonpath.js');
  try {
    return renderJsonPathTemplate(template, obj);
  } catch (err) {
    throw usageError(`invalid jsonpath template '${template}': ${(err as Error).message}`);
  }
}
