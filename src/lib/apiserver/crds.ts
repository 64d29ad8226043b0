/**
 * CustomResourceDefinitions → served resource types. The Knative CRDs ship as YAML in config/crds
 * (one file per kind, written after Knative Serving's own config/core/300-resources); CRDs created
 * through the API go through the same `crdToResourceTypes` conversion.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { KubeObject } from '../apis/types.js';
import type { PrinterColumn, ResourceType } from './types.js';

/** The verbs every custom resource supports. */
export const CRD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The shipped CRD directory: config/crds under the package root (found from this file, in src/ or dist/). */
export function defaultCrdDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'config', 'crds');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find config/crds above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Reads every *.yaml in `dir` (default: the shipped CRDs) and returns the CRD objects, sorted by name. */
export function loadCrdObjects(dir: string = defaultCrdDir()): KubeObject[] {
  const crds: KubeObject[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()) {
    const path = resolve(dir, file);
    for (const doc of yaml.loadAll(readFileSync(path, 'utf8'))) {
      if (!doc || typeof doc !== 'object') continue;
      const obj = doc as KubeObject;
      if (obj.kind !== 'CustomResourceDefinition')
        throw new Error(`${path}: expected a CustomResourceDefinition, got ${obj.kind}`);
      crds.push(obj);
    }
  }
  return crds.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** Reads the CRDs in `dir` (default: the shipped CRDs) and returns one ResourceType per served version. */
export function loadCrdResourceTypes(dir?: string): ResourceType[] {
  return loadCrdObjects(dir).flatMap(crdToResourceTypes);
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: {
    status?: unknown;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** Converts an apiextensions.k8s.io/v1 CustomResourceDefinition into one ResourceType per served version. */
export function crdToResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = crd.spec as CrdSpec | undefined;
  if (!spec?.group || !spec.names?.kind || !spec.names.plural || !Array.isArray(spec.versions)) {
    throw new Error(
      `CustomResourceDefinition ${crd.metadata.name ?? '(unnamed)'} lacks spec.group, spec.names or spec.versions`,
    );
  }
  const { names } = spec;
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: [...CRD_VERBS],
      subresources: {
        ...(v.subresources?.status !== undefined ? { status: true } : {}),
        ...(v.subresources?.scale ? { scale: { ...v.subresources.scale } } : {}),
      },
      schema: v.schema?.openAPIV3Schema,
      printerColumns: v.additionalPrinterColumns ?? [],
      strategicMerge: false,
      crdName: crd.metadata.name ?? `${names.plural}.${spec.group}`,
    }));
}
