import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/lib/apis/types.js';
import { loadCrdResourceTypes } from '../../src/lib/apiserver/crds.js';
import { humanDuration, toTable } from '../../src/lib/apiserver/table.js';
import type { ResourceType } from '../../src/lib/apiserver/types.js';

const now = new Date('2026-01-01T12:00:00Z');
const crdTypes = loadCrdResourceTypes();
const crdType = (r: string) => crdTypes.find((t) => t.resource === r)!;
const core = (group: string, resource: string, kind: string, namespaced = true): ResourceType => ({
  group,
  version: 'v1',
  resource,
  kind,
  listKind: `${kind}List`,
  singular: kind.toLowerCase(),
  namespaced,
  verbs: ['get', 'list'],
  subresources: {},
  strategicMerge: true,
});

const ksvc: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: {
    name: 'hello',
    namespace: 'default',
    creationTimestamp: '2026-01-01T11:55:00Z',
    resourceVersion: '7',
  },
  spec: {},
  status: {
    url: 'http://hello.default.localhost:8080',
    latestCreatedRevisionName: 'hello-00001',
    latestReadyRevisionName: 'hello-00001',
    conditions: [
      { type: 'ConfigurationsReady', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'RoutesReady', status: 'True' },
    ],
  },
};

describe('toTable for Knative kinds', () => {
  it('prints a Service with the CRD printer columns, no Age (as on a real Knative cluster)', () => {
    const table = toTable(crdType('services'), [ksvc], { listRv: '42', now });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.columnDefinitions.map((c) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['URL', 'string', ''],
      ['LatestCreated', 'string', ''],
      ['LatestReady', 'string', ''],
      ['Ready', 'string', ''],
      ['Reason', 'string', ''],
    ]);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0].cells).toEqual([
      'hello',
      'http://hello.default.localhost:8080',
      'hello-00001',
      'hello-00001',
      'True',
      null,
    ]);
    expect(table.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: ksvc.metadata,
    });
  });

  it('prints missing status fields as null cells', () => {
    const fresh: KubeObject = { metadata: { name: 'new' }, spec: {} };
    expect(toTable(crdType('services'), [fresh], { now }).rows[0].cells).toEqual([
      'new',
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('types revision columns: labels as strings, replicas as integers', () => {
    const rev: KubeObject = {
      metadata: {
        name: 'hello-00002',
        labels: {
          'serving.knative.dev/configuration': 'hello',
          'serving.knative.dev/configurationGeneration': '2',
        },
      },
      status: {
        actualReplicas: 0,
        desiredReplicas: 0,
        conditions: [{ type: 'Ready', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    };
    const table = toTable(crdType('revisions'), [rev], { now });
    expect(table.columnDefinitions.map((c) => c.type)).toEqual([
      'string',
      'string',
      'string',
      'string',
      'string',
      'integer',
      'integer',
    ]);
    expect(table.rows[0].cells).toEqual([
      'hello-00002',
      'hello',
      '2',
      'False',
      'ProgressDeadlineExceeded',
      0,
      0,
    ]);
  });

  it('adds only Age when a CRD has no printer columns', () => {
    const cdc: KubeObject = {
      metadata: { name: 'a.example.com', creationTimestamp: '2026-01-01T10:00:00Z' },
      spec: { namespace: 'x' },
    };
    const table = toTable(crdType('clusterdomainclaims'), [cdc], { now });
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'Age:date']);
    expect(table.rows[0].cells).toEqual(['a.example.com', '120m']);
  });

  it('includes the full object, metadata only, or nothing', () => {
    expect(toTable(crdType('services'), [ksvc], { includeObject: 'Object' }).rows[0].object).toBe(ksvc);
    expect(toTable(crdType('services'), [ksvc], { includeObject: 'None' }).rows[0]).not.toHaveProperty(
      'object',
    );
    expect(toTable(crdType('services'), [], { continue: 'abc' }).metadata).toEqual({ continue: 'abc' });
  });
});

describe('toTable for core kinds', () => {
  const created = '2026-01-01T11:00:00Z';

  it('namespaces: NAME STATUS AGE', () => {
    const table = toTable(
      core('', 'namespaces', 'Namespace', false),
      [{ metadata: { name: 'default', creationTimestamp: created }, status: { phase: 'Active' } }],
      { now },
    );
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(table.rows[0].cells).toEqual(['default', 'Active', '60m']);
  });

  it('configmaps: NAME DATA AGE', () => {
    const table = toTable(
      core('', 'configmaps', 'ConfigMap'),
      [{ metadata: { name: 'c', creationTimestamp: created }, data: { a: '1', b: '2' } }],
      { now },
    );
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.rows[0].cells).toEqual(['c', 2, '60m']);
  });

  it('pods: NAME READY STATUS RESTARTS AGE (+ wide IP NODE)', () => {
    const pod: KubeObject = {
      metadata: { name: 'p', creationTimestamp: created },
      spec: { containers: [{ name: 'user-container' }] },
      status: {
        phase: 'Running',
        podIP: '127.0.0.1',
        containerStatuses: [
          {
            name: 'user-container',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T11:59:00Z' } },
          },
        ],
      },
    };
    const table = toTable(core('', 'pods', 'Pod'), [pod], { now });
    expect(table.columnDefinitions.map((c) => `${c.name}/${c.priority}`)).toEqual([
      'Name/0',
      'Ready/0',
      'Status/0',
      'Restarts/0',
      'Age/0',
      'IP/1',
      'Node/1',
    ]);
    expect(table.rows[0].cells).toEqual([
      'p',
      '0/1',
      'CrashLoopBackOff',
      '3 (60s ago)',
      '60m',
      '127.0.0.1',
      '<none>',
    ]);
  });

  it('deployments: NAME READY UP-TO-DATE AVAILABLE AGE', () => {
    const d: KubeObject = {
      metadata: { name: 'hello-00001-deployment', creationTimestamp: created },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        template: { spec: { containers: [{ name: 'user-container', image: 'img' }] } },
      },
      status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
    };
    const table = toTable({ ...core('apps', 'deployments', 'Deployment') }, [d], { now });
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
    ]);
    expect(table.rows[0].cells).toEqual([
      'hello-00001-deployment',
      '1/2',
      2,
      1,
      '60m',
      'user-container',
      'img',
      'app=x',
    ]);
  });

  it('services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', () => {
    const s: KubeObject = {
      metadata: { name: 'hello-00001', creationTimestamp: created },
      spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 443 }] },
    };
    const table = toTable(core('', 'services', 'Service'), [s], { now });
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
    ]);
    expect(table.rows[0].cells.slice(0, 6)).toEqual([
      'hello-00001',
      'ClusterIP',
      '<none>',
      '<none>',
      '80/TCP,443/TCP',
      '60m',
    ]);
  });

  it('other kinds: NAME AGE', () => {
    const table = toTable(core('', 'widgets', 'Widget'), [{ metadata: { name: 'w' } }], { now });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(table.rows[0].cells).toEqual(['w', '<unknown>']);
  });
});

describe('humanDuration', () => {
  it.each([
    [-5_000, '<invalid>'],
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 10 * 60_000, '3h10m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000 + 4 * 3600_000, '3d4h'],
    [100 * 86400_000, '100d'],
    [3 * 365 * 86400_000 + 86400_000, '3y1d'],
    [10 * 365 * 86400_000, '10y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});
