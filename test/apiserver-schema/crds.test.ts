import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  crdToResourceTypes,
  defaultCrdDir,
  loadCrdObjects,
  loadCrdResourceTypes,
} from '../../src/lib/apiserver/crds.js';

describe('shipped Knative CRDs', () => {
  const types = loadCrdResourceTypes();
  const byResource = (r: string) => types.find((t) => t.resource === r)!;

  it('finds config/crds from the source tree', () => {
    expect(defaultCrdDir()).toMatch(/config[/\\]crds$/);
  });

  it('serves the eight Knative kinds at their group/versions', () => {
    expect(types.map((t) => `${t.group}/${t.version}/${t.resource}:${t.kind}`).sort()).toEqual([
      'networking.internal.knative.dev/v1alpha1/certificates:Certificate',
      'networking.internal.knative.dev/v1alpha1/clusterdomainclaims:ClusterDomainClaim',
      'networking.internal.knative.dev/v1alpha1/ingresses:Ingress',
      'serving.knative.dev/v1/configurations:Configuration',
      'serving.knative.dev/v1/revisions:Revision',
      'serving.knative.dev/v1/routes:Route',
      'serving.knative.dev/v1/services:Service',
      'serving.knative.dev/v1beta1/domainmappings:DomainMapping',
    ]);
  });

  it.each([
    ['services', ['kservice', 'ksvc'], ['all', 'knative', 'serving'], true],
    ['configurations', ['config', 'cfg'], ['all', 'knative', 'serving'], true],
    ['revisions', ['rev'], ['all', 'knative', 'serving'], true],
    ['routes', ['rt'], ['all', 'knative', 'serving'], true],
    ['domainmappings', ['dm'], ['all', 'knative', 'serving'], true],
    ['clusterdomainclaims', ['cdc'], ['knative-internal', 'networking'], false],
    ['ingresses', ['kingress', 'king'], ['knative-internal', 'networking'], true],
    ['certificates', ['kcert'], ['knative-internal', 'networking'], true],
  ])('%s: short names %j, categories %j, namespaced %s', (resource, shortNames, categories, namespaced) => {
    const t = byResource(resource);
    expect(t.shortNames).toEqual(shortNames);
    expect(t.categories).toEqual(categories);
    expect(t.namespaced).toBe(namespaced);
    expect(t.verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    expect(t.listKind).toBe(`${t.kind}List`);
    expect(t.singular).toBe(t.kind.toLowerCase());
    expect(t.crdName).toBe(`${resource}.${t.group}`);
    expect(t.schema?.type).toBe('object');
  });

  it('has the status subresource on every serving kind', () => {
    for (const r of ['services', 'configurations', 'revisions', 'routes', 'domainmappings']) {
      expect(byResource(r).subresources).toEqual({ status: true });
    }
  });

  it.each([
    ['services', ['URL', 'LatestCreated', 'LatestReady', 'Ready', 'Reason']],
    ['configurations', ['LatestCreated', 'LatestReady', 'Ready', 'Reason']],
    ['revisions', ['Config Name', 'Generation', 'Ready', 'Reason', 'Actual Replicas', 'Desired Replicas']],
    ['routes', ['URL', 'Ready', 'Reason']],
    ['domainmappings', ['URL', 'Ready', 'Reason']],
    ['clusterdomainclaims', []],
    ['ingresses', ['Ready', 'Reason']],
    ['certificates', ['Ready', 'Reason']],
  ])('%s printer columns are %j', (resource, names) => {
    expect(byResource(resource).printerColumns!.map((c) => c.name)).toEqual(names);
  });

  it('uses the same JSONPaths as Knative', () => {
    const paths = Object.fromEntries(
      byResource('revisions').printerColumns!.map((c) => [c.name, c.jsonPath]),
    );
    expect(paths).toEqual({
      'Config Name': ".metadata.labels['serving\\.knative\\.dev/configuration']",
      Generation: ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']",
      Ready: ".status.conditions[?(@.type=='Ready')].status",
      Reason: ".status.conditions[?(@.type=='Ready')].reason",
      'Actual Replicas': '.status.actualReplicas',
      'Desired Replicas': '.status.desiredReplicas',
    });
  });

  it('returns the CRD objects themselves, named plural.group', () => {
    const crds = loadCrdObjects();
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'certificates.networking.internal.knative.dev',
      'clusterdomainclaims.networking.internal.knative.dev',
      'configurations.serving.knative.dev',
      'domainmappings.serving.knative.dev',
      'ingresses.networking.internal.knative.dev',
      'revisions.serving.knative.dev',
      'routes.serving.knative.dev',
      'services.serving.knative.dev',
    ]);
    expect(crds.every((c) => c.apiVersion === 'apiextensions.k8s.io/v1')).toBe(true);
  });
});

describe('crdToResourceTypes', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        { name: 'v1alpha1', served: false, storage: false },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
          },
        },
      ],
    },
  };

  it('defaults names and keeps only served versions', () => {
    const [t, ...rest] = crdToResourceTypes(crd);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      group: 'example.com',
      version: 'v1',
      resource: 'widgets',
      kind: 'Widget',
      listKind: 'WidgetList',
      singular: 'widget',
      namespaced: false,
      shortNames: [],
      printerColumns: [],
      subresources: {
        status: true,
        scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
      },
    });
  });

  it('refuses a CRD without names', () => {
    expect(() => crdToResourceTypes({ metadata: { name: 'x' }, spec: { group: 'g' } })).toThrow(
      /lacks spec.group, spec.names or spec.versions/,
    );
  });
});

describe('loadCrdObjects from another directory', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads multi-document files and rejects non-CRDs', () => {
    dir = mkdtempSync(join(tmpdir(), 'knlite-crds-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: bs.x.io}\nspec: {group: x.io, scope: Namespaced, names: {kind: B, plural: bs}, versions: [{name: v1, served: true, storage: true}]}\n---\n',
    );
    expect(loadCrdResourceTypes(dir).map((t) => t.resource)).toEqual(['bs']);
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    expect(() => loadCrdObjects(dir)).toThrow(/expected a CustomResourceDefinition, got ConfigMap/);
  });
});
