import { describe, expect, it } from 'vitest';
import { loadCrdResourceTypes } from '../../src/lib/apiserver/crds.js';
import {
  definitionName,
  openApiV2,
  openApiV3GroupVersion,
  openApiV3Index,
} from '../../src/lib/apiserver/openapi.js';
import type { ResourceType } from '../../src/lib/apiserver/types.js';

const coreType = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType => ({
  group,
  version,
  resource,
  kind,
  listKind: `${kind}List`,
  singular: kind.toLowerCase(),
  namespaced: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: {},
  strategicMerge: true,
  ...extra,
});
const types: ResourceType[] = [
  ...loadCrdResourceTypes(),
  coreType('', 'v1', 'configmaps', 'ConfigMap'),
  coreType('', 'v1', 'pods', 'Pod', { subresources: { status: true } }),
  coreType('', 'v1', 'namespaces', 'Namespace', { namespaced: false }),
  coreType('apps', 'v1', 'deployments', 'Deployment', {
    subresources: {
      status: true,
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    },
  }),
];

type Doc = Record<string, any>;

describe('definitionName', () => {
  it.each([
    ['serving.knative.dev', 'v1', 'Service', 'dev.knative.serving.v1.Service'],
    [
      'networking.internal.knative.dev',
      'v1alpha1',
      'ClusterDomainClaim',
      'dev.knative.internal.networking.v1alpha1.ClusterDomainClaim',
    ],
    ['', 'v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
    ['apps', 'v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'],
    ['coordination.k8s.io', 'v1', 'Lease', 'io.k8s.api.coordination.v1.Lease'],
    [
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    ],
  ])('%s/%s %s → %s', (g, v, k, want) => {
    expect(definitionName(g, v, k)).toBe(want);
  });
});

describe('openApiV2', () => {
  const doc = openApiV2(types) as Doc;

  it('defines every kind and list kind with its group-version-kind', () => {
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['dev.knative.serving.v1.Service']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'serving.knative.dev', version: 'v1', kind: 'Service' },
    ]);
    expect(
      doc.definitions['dev.knative.serving.v1beta1.DomainMappingList']['x-kubernetes-group-version-kind'],
    ).toEqual([{ group: 'serving.knative.dev', version: 'v1beta1', kind: 'DomainMappingList' }]);
    expect(doc.definitions['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', version: 'v1', kind: 'ConfigMap' },
    ]);
    expect(doc.definitions['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
  });

  it('carries strategic-merge keys on core lists', () => {
    const def = (schema: Doc): Doc =>
      schema.$ref ? doc.definitions[String(schema.$ref).replace('#/definitions/', '')] : schema;
    const podSpec = def(doc.definitions['io.k8s.api.core.v1.Pod'].properties.spec);
    expect(podSpec.properties.containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(podSpec.properties.containers['x-kubernetes-patch-strategy']).toBe('merge');
    const container = def(podSpec.properties.containers.items);
    expect(container.properties.env['x-kubernetes-patch-merge-key']).toBe('name');
    expect(container.properties.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(container.properties.ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(podSpec.properties.volumes['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    const deploymentSpec = def(doc.definitions['io.k8s.api.apps.v1.Deployment'].properties.spec);
    expect(def(deploymentSpec.properties.template).properties.spec.$ref).toBe(
      '#/definitions/io.k8s.api.core.v1.PodSpec',
    );
  });

  it("publishes Kubernetes' own descriptions and a path for every operation", () => {
    const container = doc.definitions['io.k8s.api.core.v1.Container'];
    expect(Object.keys(container.properties).length).toBeGreaterThan(20);
    expect(container.required).toEqual(['name']);
    expect(container.description).toBe('A single application container that you want to run within a pod.');
    const pods = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    expect(pods.patch.parameters.find((p: Doc) => p.in === 'body').schema.$ref).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    );
    expect(pods.get.responses['200'].schema.$ref).toBe('#/definitions/io.k8s.api.core.v1.Pod');
    expect(pods.patch.parameters.map((p: Doc) => p.name)).toContain('fieldValidation');
  });

  it('uses swagger 2.0 references and no anyOf', () => {
    const json = JSON.stringify(doc);
    expect(json).not.toContain('#/components/schemas/');
    expect(json).not.toContain('"anyOf"');
    expect(doc.definitions['dev.knative.serving.v1.Service'].properties.metadata).toEqual({
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    });
  });
});

describe('openApiV3', () => {
  it('indexes every group/version with a hashed URL', () => {
    const index = openApiV3Index(types) as Doc;
    expect(Object.keys(index.paths).sort()).toEqual([
      'api/v1',
      'apis/apps/v1',
      'apis/networking.internal.knative.dev/v1alpha1',
      'apis/serving.knative.dev/v1',
      'apis/serving.knative.dev/v1beta1',
    ]);
    expect(index.paths['apis/serving.knative.dev/v1'].serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/serving\.knative\.dev\/v1\?hash=[0-9A-F]+$/,
    );
  });

  it('is stable: the same types give the same hashes', () => {
    expect(openApiV3Index(types)).toEqual(openApiV3Index([...types]));
  });

  it('changes when a served kind changes (a CRD created through the API)', () => {
    const before = (openApiV3Index(types) as Doc).paths['apis/serving.knative.dev/v1'].serverRelativeURL;
    const widget = coreType('serving.knative.dev', 'v1', 'widgets', 'Widget', { schema: { type: 'object' } });
    const after = openApiV3Index([...types, widget]) as Doc;
    expect(after.paths['apis/serving.knative.dev/v1'].serverRelativeURL).not.toBe(before);
    const doc = openApiV3GroupVersion([...types, widget], 'serving.knative.dev', 'v1') as Doc;
    expect(doc.components.schemas['dev.knative.serving.v1.Widget']).toBeDefined();
    expect(
      (openApiV3GroupVersion(types, 'serving.knative.dev', 'v1') as Doc).components.schemas[
        'dev.knative.serving.v1.Widget'
      ],
    ).toBeUndefined();
  });

  it('describes a Knative group/version with GVK-tagged schemas', () => {
    const doc = openApiV3GroupVersion(types, 'serving.knative.dev', 'v1') as Doc;
    expect(doc.openapi).toBe('3.0.0');
    const svc = doc.components.schemas['dev.knative.serving.v1.Service'];
    expect(svc['x-kubernetes-group-version-kind']).toEqual([
      { group: 'serving.knative.dev', version: 'v1', kind: 'Service' },
    ]);
    expect(
      svc.properties.spec.properties.template.properties.spec.properties.containerConcurrency,
    ).toMatchObject({ type: 'integer', format: 'int64' });
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(doc.components.schemas['dev.knative.serving.v1beta1.DomainMapping']).toBeUndefined();
  });

  it('lets kubectl find fieldValidation on every PATCH of every kind (what `kubectl apply` checks)', () => {
    for (const t of types) {
      const doc = openApiV3GroupVersion(types, t.group, t.version) as Doc;
      const patches = Object.values(doc.paths)
        .map((p: any) => p.patch)
        .filter((op: any) => op && op['x-kubernetes-group-version-kind'].kind === t.kind);
      expect(patches.length, t.kind).toBeGreaterThan(0);
      for (const op of patches) {
        expect(op['x-kubernetes-group-version-kind']).toEqual({
          group: t.group,
          version: t.version,
          kind: t.kind,
        });
        expect(op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query')).toBe(true);
        expect(Object.keys(op.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
      }
    }
  });

  it('serves namespaced, cluster-scoped and subresource paths', () => {
    const serving = openApiV3GroupVersion(types, 'serving.knative.dev', 'v1') as Doc;
    expect(Object.keys(serving.paths)).toContain(
      '/apis/serving.knative.dev/v1/namespaces/{namespace}/services/{name}/status',
    );
    const cdc = openApiV3GroupVersion(types, 'networking.internal.knative.dev', 'v1alpha1') as Doc;
    expect(Object.keys(cdc.paths)).toEqual(
      expect.arrayContaining([
        '/apis/networking.internal.knative.dev/v1alpha1/clusterdomainclaims',
        '/apis/networking.internal.knative.dev/v1alpha1/clusterdomainclaims/{name}',
        '/apis/networking.internal.knative.dev/v1alpha1/namespaces/{namespace}/ingresses/{name}/status',
      ]),
    );
    const apps = openApiV3GroupVersion(types, 'apps', 'v1') as Doc;
    expect(
      apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch[
        'x-kubernetes-group-version-kind'
      ],
    ).toEqual({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    expect(openApiV3GroupVersion(types, 'nope', 'v1')).toBeUndefined();
  });
});
