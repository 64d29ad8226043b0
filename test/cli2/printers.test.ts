/**
 * Table tests of the phase-2 pure pieces: --ref parsing, the traffic index behind TRAFFIC/TAGS and
 * the delete guard, and the exact kn layouts of revision/route/domain describe and revision list.
 */
import { describe, expect, it } from 'vitest';
import type { DomainMapping, Revision, Route, Service } from '../../src/lib/apis/types.js';
import { parseDomainRef, validateTlsSecret } from '../../src/lib/cli/domain-edit.js';
import { indexTraffic, trafficKey } from '../../src/lib/apis/traffic-index.js';
import { deletionBlocker } from '../../src/lib/cli/revision-actions.js';
import { describeDomainMapping } from '../../src/lib/printers/domain-printers.js';
import { revisionColumns } from '../../src/lib/printers/revision-columns.js';
import { describeRevision } from '../../src/lib/printers/revision-describe.js';
import { describeRoute } from '../../src/lib/printers/route-printers.js';
import { renderTable } from '../../src/lib/printers/table.js';

const NOW = new Date('2026-01-01T00:10:00Z');
const T0 = '2026-01-01T00:00:00Z';
const ready = [{ type: 'Ready', status: 'True' as const, lastTransitionTime: T0 }];

function revision(name: string, gen: number, extra: Partial<Revision> = {}): Revision {
  return {
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: T0,
      labels: {
        'serving.knative.dev/service': 'echo',
        'serving.knative.dev/configurationGeneration': String(gen),
      },
    },
    spec: {
      containers: [
        { image: 'registry/echo', env: [{ name: 'TARGET', value: 'v2' }], ports: [{ containerPort: 8080 }] },
      ],
    },
    status: { conditions: ready, actualReplicas: 0, desiredReplicas: 0 },
    ...extra,
  };
}

const echo: Service = {
  metadata: { name: 'echo', namespace: 'default' },
  spec: {
    template: { spec: { containers: [{}] } },
    traffic: [
      { latestRevision: true, percent: 90, tag: 'current' },
      { revisionName: 'echo-00002', percent: 10, tag: 'candidate' },
      { revisionName: 'echo-00001', percent: 0, tag: 'old' },
    ],
  },
  status: {
    latestReadyRevisionName: 'echo-00003',
    traffic: [
      { revisionName: 'echo-00003', latestRevision: true, percent: 90, tag: 'current' },
      { revisionName: 'echo-00002', percent: 10, tag: 'candidate' },
    ],
  },
};

describe('parseDomainRef', () => {
  it.each([
    ['hello', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'ns' }],
    ['ksvc:hello', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'ns' }],
    [
      'ksvc:hello:other',
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'other' },
    ],
    ['kroute:hello', { apiVersion: 'serving.knative.dev/v1', kind: 'Route', name: 'hello', namespace: 'ns' }],
  ])('%s', (value, ref) => expect(parseDomainRef(value, 'ns')).toEqual(ref));

  it.each([
    ['broker:x', "unsupported sink prefix: 'broker'"],
    ['ksvc:', "invalid --ref 'ksvc:'"],
    ['ksvc:a:b:c', "invalid --ref 'ksvc:a:b:c'"],
    ['ksvc:a:', "invalid --ref 'ksvc:a:'"],
  ])('rejects %s', (value, message) => expect(() => parseDomainRef(value, 'ns')).toThrow(message));

  it('checks --tls secret names', () => {
    expect(() => validateTlsSecret('my-cert')).not.toThrow();
    expect(() => validateTlsSecret('My_Cert')).toThrow(/^invalid secret name "My_Cert": /);
  });
});

describe('traffic index', () => {
  const index = indexTraffic([echo]);
  it('sums route-status percents and collects tags, spec-only tags included', () => {
    expect(index.get(trafficKey('default', 'echo-00003'))).toEqual({
      percent: 90,
      tags: ['current'],
      service: 'echo',
    });
    expect(index.get(trafficKey('default', 'echo-00002'))).toEqual({
      percent: 10,
      tags: ['candidate'],
      service: 'echo',
    });
    expect(index.get(trafficKey('default', 'echo-00001'))).toEqual({
      percent: 0,
      tags: ['old'],
      service: 'echo',
    });
  });

  it('guards deletion of routed or tagged revisions only', () => {
    expect(deletionBlocker(revision('echo-00002', 2), index.get('default/echo-00002'))).toBe(
      "revision 'echo-00002' cannot be deleted: it receives 10% of the traffic of service 'echo' (route status). Move its traffic away first: knlite traffic split echo --traffic ...",
    );
    expect(deletionBlocker(revision('echo-00001', 1), index.get('default/echo-00001'))).toBe(
      "revision 'echo-00001' cannot be deleted: it is tagged 'old' in the traffic of service 'echo'. Remove the tag first: knlite traffic split echo --untag old",
    );
    expect(deletionBlocker(revision('echo-00000', 0), undefined)).toBeUndefined();
  });

  it('renders the revision list like kn', () => {
    const rows = [revision('echo-00003', 3), revision('echo-00002', 2), revision('echo-00001', 1)];
    expect(renderTable(rows, revisionColumns(indexTraffic([echo]), NOW))).toBe(
      [
        'NAME         SERVICE   TRAFFIC   TAGS        GENERATION   AGE   CONDITIONS   READY   REASON',
        'echo-00003   echo      90%       current     3            10m   1 OK / 1     True',
        'echo-00002   echo      10%       candidate   2            10m   1 OK / 1     True',
        'echo-00001   echo                old         1            10m   1 OK / 1     True',
        '',
      ].join('\n'),
    );
  });
});

describe('describe layouts', () => {
  it('revision', () => {
    const rev = revision('echo-00002', 2, {});
    rev.spec.containerConcurrency = 10;
    rev.metadata.annotations = { 'autoscaling.knative.dev/max-scale': '3' };
    expect(describeRevision(rev, { service: echo }, { now: NOW })).toBe(
      [
        'Name:         echo-00002',
        'Namespace:    default',
        'Annotations:  autoscaling.knative.dev/max-scale=3',
        'Age:          10m',
        'Image:        registry/echo',
        'Replicas:     0/0',
        'Port:         8080',
        'Env:          TARGET=v2',
        'Scale:        0 ... 3',
        'Concurrency:  ',
        '  Limit:      10',
        'Service:      echo',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready    10m ',
        '',
      ].join('\n'),
    );
  });

  it('route', () => {
    const route: Route = {
      metadata: {
        name: 'echo',
        namespace: 'default',
        creationTimestamp: T0,
        ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'echo', uid: 'u' }],
      },
      spec: {},
      status: {
        url: 'http://echo.default.example.com',
        conditions: ready,
        traffic: [
          {
            revisionName: 'echo-00003',
            latestRevision: true,
            percent: 90,
            tag: 'current',
            url: 'http://current-echo.default.example.com',
          },
          { revisionName: 'echo-00002', percent: 10 },
        ],
      },
    };
    expect(describeRoute(route, { now: NOW })).toBe(
      [
        'Name:       echo',
        'Namespace:  default',
        'Age:        10m',
        'URL:        http://echo.default.example.com',
        'Service:    echo',
        '',
        'Traffic Targets:  ',
        '   90%  @latest (echo-00003) #current',
        '        URL:  http://current-echo.default.example.com',
        '   10%  echo-00002',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready    10m ',
        '',
      ].join('\n'),
    );
  });

  it('domain mapping', () => {
    const dm: DomainMapping = {
      metadata: { name: 'hello.example.com', namespace: 'default', creationTimestamp: T0 },
      spec: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', namespace: 'default' },
      },
      status: { url: 'http://hello.example.com', conditions: ready },
    };
    expect(describeDomainMapping(dm, { now: NOW })).toBe(
      [
        'Name:       hello.example.com',
        'Namespace:  default',
        'Age:        10m',
        '',
        'URL:  http://hello.example.com',
        '',
        'Reference:     ',
        '  APIVersion:  serving.knative.dev/v1',
        '  Kind:        Service',
        '  Name:        hello',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready    10m ',
        '',
      ].join('\n'),
    );
  });
});
