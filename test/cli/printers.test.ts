/**
 * Printers as tables: ages, cells, the generic table renderer (kn's tabwriter spacing, NAMESPACE
 * only with -A, --no-headers), the describe writer and conditions block, -o formats, the
 * "did you mean" message for unknown commands, and progress lines.
 */
import { describe, expect, it } from 'vitest';
import type { Condition, Service } from '../../src/lib/apis/types.js';
import {
  conditionsCell,
  humanDuration,
  readyCell,
  reasonCell,
  shortAge,
  truncateCell,
} from '../../src/lib/printers/cells.js';
import { serviceColumns } from '../../src/lib/printers/columns.js';
import {
  DescribeWriter,
  conditionSymbol,
  writeConditions,
  writeMetadata,
} from '../../src/lib/printers/describe.js';
import {
  formatList,
  formatObject,
  goTemplateToJsonPath,
  objectName,
  parseOutputFlag,
} from '../../src/lib/printers/output.js';
import { printList } from '../../src/lib/printers/print.js';
import { describeService } from '../../src/lib/printers/service-describe.js';
import { renderTable } from '../../src/lib/printers/table.js';
import { notFoundMessage, suggestCommand } from '../../src/lib/cli/not-found.js';
import { makeProgress, progressLine } from '../../src/lib/cli/progress.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString();

function svc(
  name: string,
  ns: string,
  ready: Condition['status'],
  extra: Partial<Service['status']> = {},
): Service {
  const conds: Condition[] = [
    { type: 'ConfigurationsReady', status: ready },
    {
      type: 'Ready',
      status: ready,
      ...(ready === 'True'
        ? {}
        : { reason: 'RevisionMissing', message: 'Configuration "x" does not have any ready Revision.' }),
    },
    { type: 'RoutesReady', status: ready },
  ];
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: ns, creationTimestamp: ago(303) },
    spec: { template: { spec: { containers: [{ image: 'img' }] } } },
    status: {
      url: `http://${name}.${ns}.example.com`,
      latestReadyRevisionName: ready === 'True' ? `${name}-00002` : undefined,
      conditions: conds,
      ...extra,
    },
  };
}

describe('cells', () => {
  it.each([
    [42, '42s'],
    [119, '119s'],
    [303, '5m3s'],
    [600, '10m'],
    [3 * 3600, '3h'],
    [5 * 3600 + 120, '5h2m'],
    [30 * 3600, '30h'],
    [2 * 86400, '2d'],
    [3 * 86400 + 3600, '3d1h'],
    [400 * 86400, '400d'],
    [3 * 365 * 86400, '3y'],
  ])('humanDuration(%is) = %s', (s, want) => expect(humanDuration(s * 1000)).toBe(want));
  it('short ages and conditions cells', () => {
    expect(shortAge(ago(50), NOW)).toBe('50s');
    expect(shortAge(ago(303), NOW)).toBe('5m');
    expect(shortAge(ago(2 * 86400), NOW)).toBe('2d');
    const bad = svc('b', 'ns', 'False');
    expect(conditionsCell(bad.status)).toBe('0 OK / 3');
    expect(readyCell(bad.status)).toBe('False');
    expect(reasonCell(bad.status)).toBe(
      'RevisionMissing : Configuration "x" does not have any ready Revision.',
    );
    expect(readyCell(undefined)).toBe('<unknown>');
    expect(reasonCell(svc('a', 'ns', 'True').status)).toBe('');
    expect(truncateCell('x'.repeat(60))).toBe(`${'x'.repeat(46)} ...`);
  });
});

describe('tables', () => {
  const rows = [svc('hello', 'default', 'True'), svc('broken', 'dev', 'False')];
  it("renders kn's service list", () => {
    expect(renderTable(rows, serviceColumns(NOW))).toBe(
      [
        'NAME     URL                                LATEST        AGE    CONDITIONS   READY   REASON',
        'hello    http://hello.default.example.com   hello-00002   5m3s   3 OK / 3     True',
        'broken   http://broken.dev.example.com                    5m3s   0 OK / 3     False   RevisionMissing : Configuration "x" does not have any ready Revision.',
        '',
      ].join('\n'),
    );
  });
  it('adds NAMESPACE only with -A and drops headers with --no-headers', () => {
    const out = renderTable(rows, serviceColumns(NOW), { allNamespaces: true, noHeaders: true });
    expect(out.split('\n')[0]).toMatch(/^default {3}hello {4}http/);
    expect(out).not.toContain('NAME');
    expect(renderTable(rows, serviceColumns(NOW)).split('\n')[0]).not.toContain('NAMESPACE');
  });
  it('prints "No services found." or an empty list object', async () => {
    const empty = { apiVersion: 'serving.knative.dev/v1', kind: 'ServiceList', metadata: {}, items: [] };
    expect(
      await printList(empty, undefined, { columns: serviceColumns(), empty: 'No services found.' }),
    ).toBe('No services found.\n');
    expect(
      JSON.parse(await printList(empty, { format: 'json' }, { columns: serviceColumns(), empty: 'x' })),
    ).toMatchObject({ kind: 'ServiceList', items: [] });
  });
});

describe('describe writer', () => {
  it('aligns runs of attributes and nests', () => {
    const w = new DescribeWriter();
    w.attr('Name', 'echo').attr('Namespace', 'default').blank().section('Revisions');
    w.nested(2).text('100%  @latest (echo-00001)');
    w.nested(8).attr('Image', 'img').attr('Replicas', '1/1');
    expect(w.toString()).toBe(
      [
        'Name:       echo',
        'Namespace:  default',
        '',
        'Revisions:  ',
        '  100%  @latest (echo-00001)',
        '        Image:     img',
        '        Replicas:  1/1',
        '',
      ].join('\n'),
    );
    expect(new DescribeWriter().attr('URL', 'x'.repeat(100)).toString(40)).toBe(
      `URL:  ${'x'.repeat(30)} ...\n`,
    );
  });
  it('writes metadata without bookkeeping keys unless verbose', () => {
    const w = new DescribeWriter();
    writeMetadata(
      w,
      {
        metadata: {
          name: 'a',
          namespace: 'n',
          labels: { b: '2', a: '1', 'serving.knative.dev/x': 'y' },
          creationTimestamp: ago(50),
        },
      },
      { now: NOW },
    );
    expect(w.toString()).toBe('Name:       a\nNamespace:  n\nLabels:     a=1, b=2\nAge:        50s\n');
  });
  it.each<[Condition, string]>([
    [{ type: 'Ready', status: 'True' }, '++'],
    [{ type: 'Ready', status: 'False' }, '!!'],
    [{ type: 'Active', status: 'False', severity: 'Info' }, ' I'],
    [{ type: 'X', status: 'False', severity: 'Warning' }, ' W'],
    [{ type: 'Ready', status: 'Unknown' }, '??'],
  ])('condition symbol of %j is %s', (c, sym) => expect(conditionSymbol(c)).toBe(sym));
  it('orders conditions Ready first, then by severity and type', () => {
    const w = new DescribeWriter();
    writeConditions(
      w,
      {
        conditions: [
          {
            type: 'Active',
            status: 'False',
            severity: 'Info',
            reason: 'NoTraffic',
            lastTransitionTime: ago(120),
          },
          { type: 'ResourcesAvailable', status: 'True', lastTransitionTime: ago(180) },
          { type: 'Ready', status: 'True', lastTransitionTime: ago(180) },
          { type: 'ContainerHealthy', status: 'True', lastTransitionTime: ago(180) },
        ],
      },
      { now: NOW },
    );
    expect(w.toString()).toBe(
      [
        'Conditions:  ',
        '  OK TYPE                  AGE REASON',
        '  ++ Ready                  3m ',
        '  ++ ContainerHealthy       3m ',
        '  ++ ResourcesAvailable     3m ',
        '   I Active                 2m NoTraffic',
        '',
      ].join('\n'),
    );
  });
  it('describes a service with traffic, tags and failing revisions', () => {
    const s = svc('echo', 'default', 'True', {
      latestCreatedRevisionName: 'echo-00003',
      latestReadyRevisionName: 'echo-00002',
      traffic: [
        { revisionName: 'echo-00002', latestRevision: true, percent: 90, tag: 'current' },
        { revisionName: 'echo-00001', percent: 10 },
      ],
    });
    const rev = (n: number, ready: Condition['status'], reason?: string) => ({
      metadata: {
        name: `echo-0000${n}`,
        labels: { 'serving.knative.dev/configurationGeneration': String(n) },
        creationTimestamp: ago(60 * n),
      },
      spec: { containers: [{ image: `img:v${n}`, env: [{ name: 'TARGET', value: `v${n}` }] }] },
      status: {
        conditions: [{ type: 'Ready', status: ready, reason }],
        actualReplicas: 1,
        desiredReplicas: 1,
      },
    });
    const out = describeService(s, [rev(1, 'True'), rev(2, 'True'), rev(3, 'False', 'ExitCode1')], {
      now: NOW,
    });
    expect(out).toContain(
      [
        'Revisions:  ',
        '     !  echo-00003 (latest created) [3] (3m)',
        '        Error:     ExitCode1',
        '        Image:     img:v3',
        '        Replicas:  1/1',
        '        Env:       TARGET=v3',
        '   90%  @latest (echo-00002) #current [2] (2m)',
        '        Image:     img:v2',
        '        Replicas:  1/1',
        '        Env:       TARGET=v2',
        '   10%  echo-00001 [1] (1m)',
      ].join('\n'),
    );
  });
});

describe('service describe: a gradual rollout in progress', () => {
  const s = svc('echo', 'default', 'Unknown', {
    latestCreatedRevisionName: 'echo-00002',
    latestReadyRevisionName: 'echo-00002',
    traffic: [
      { revisionName: 'echo-00001', latestRevision: true, percent: 59 },
      { revisionName: 'echo-00002', latestRevision: true, percent: 41 },
    ],
  });
  const nowNs = NOW.getTime() * 1e6;
  const rolling = (stepParams: object) => ({
    configurations: [
      {
        configurationName: 'echo',
        percent: 100,
        revisions: [
          { revisionName: 'echo-00001', percent: 59 },
          { revisionName: 'echo-00002', percent: 41 },
        ],
        stepParams,
      },
    ],
  });
  it('shows each revision with its share, the target, the step and when the next is due', () => {
    const out = describeService(s, [], {
      now: NOW,
      rollout: rolling({
        starttime: nowNs - 3e9,
        stepDuration: 2e9,
        stepSize: 20,
        nextStepTime: nowNs + 1.5e9,
      }),
    });
    expect(out).toContain(
      [
        'Rollout:',
        '  Configuration:  echo',
        '  Target:         echo-00002 (41% of 100%)',
        '  Step:           20% every 2s',
        '  Next Step:      in 2s',
        '     59%  echo-00001',
        '     41%  echo-00002 (target)',
        '',
      ].join('\n'),
    );
  });
  it('a rollout in progress is progress, not a root cause; any other cause is still shown', () => {
    const cause = (reason: string) => ({
      source: "service 'echo'",
      condition: { type: 'Ready', status: 'Unknown', reason, message: 'm' },
      logLines: [],
      fix: 'f',
    });
    const rollout = rolling({ starttime: nowNs - 3e9, stepDuration: 2e9, stepSize: 20, nextStepTime: nowNs });
    const opts = { now: NOW, rollout };
    expect(describeService(s, [], { ...opts, rootCause: cause('RolloutInProgress') })).not.toContain(
      'Root cause',
    );
    expect(describeService(s, [], { ...opts, rootCause: cause('RevisionMissing') })).toContain(
      "Root cause: service 'echo': Ready=Unknown RevisionMissing: m",
    );
  });
  it('before the first 1% is ready there is no step yet; a finished rollout shows nothing', () => {
    expect(describeService(s, [], { now: NOW, rollout: rolling({ starttime: nowNs }) })).toContain(
      '  Step:           timed once the first 1% is ready',
    );
    const done = {
      configurations: [
        {
          configurationName: 'echo',
          percent: 100,
          revisions: [{ revisionName: 'echo-00002', percent: 100 }],
          stepParams: {},
        },
      ],
    };
    expect(describeService(s, [], { now: NOW, rollout: done })).not.toContain('Rollout:');
  });
});

describe('-o formats', () => {
  const s = svc('hello', 'default', 'True');
  it.each([
    ['json', { format: 'json' }],
    ['yaml', { format: 'yaml' }],
    ['name', { format: 'name' }],
    ['jsonpath={.metadata.name}', { format: 'jsonpath', template: '{.metadata.name}' }],
    ['jsonpath=.metadata.name', { format: 'jsonpath', template: '{.metadata.name}' }],
    ['go-template={{.metadata.name}}', { format: 'jsonpath', template: '{.metadata.name}' }],
  ])('-o %s', (v, want) => expect(parseOutputFlag(v)).toEqual(want));
  it('refuses unknown formats and url where it does not apply', () => {
    expect(() => parseOutputFlag('table')).toThrow("invalid output format 'table'");
    expect(() => parseOutputFlag('url')).toThrow();
    expect(parseOutputFlag('url', { url: true })).toEqual({ format: 'url' });
  });
  it('renders objects and lists', async () => {
    expect(JSON.parse(await formatObject(s, { format: 'json' }))).toEqual(s);
    expect(await formatObject(s, { format: 'json' })).toContain('\n    "kind"');
    expect(await formatObject(s, { format: 'url' })).toBe('http://hello.default.example.com\n');
    expect(objectName(s)).toBe('service.serving.knative.dev/hello');
    expect(objectName({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBe('configmap/c');
    const list = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'ServiceList',
      metadata: {},
      items: [{ ...s, apiVersion: undefined, kind: undefined }],
    };
    expect(await formatList(list, { format: 'name' })).toBe('service.serving.knative.dev/hello\n');
    expect(
      await formatList(list, {
        format: 'jsonpath',
        template: goTemplateToJsonPath('{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'),
      }),
    ).toBe('hello\n');
  });
});

describe('unknown commands', () => {
  const known = ['service:create', 'service:list', 'service:describe', 'revision:list', 'version', 'ksvc:ls'];
  it('suggests the closest command', () => {
    expect(suggestCommand('servce:list', known)).toBe('service:list');
    expect(suggestCommand('revison', known)).toBe('revision');
    expect(suggestCommand('zzzzzzzz', known)).toBeUndefined();
    expect(notFoundMessage('knlite', 'servce:list', known)).toBe(
      "Error: unknown command 'servce list' for 'knlite'; did you mean 'knlite service list'? Run 'knlite --help' for usage.",
    );
  });
});

describe('progress', () => {
  it("prints kn's plain lines off a TTY", () => {
    let out = '';
    const p = makeProgress({ tty: false, what: 'x', write: (s) => (out += s) });
    p.update('Configuration "hello" is waiting for a Revision to become ready.', 80);
    p.update('Configuration "hello" is waiting for a Revision to become ready.', 4563);
    p.update('Ready to serve.', 4863);
    p.done();
    expect(out).toBe(
      '  0.080s Configuration "hello" is waiting for a Revision to become ready.\n  4.563s ...\n  4.863s Ready to serve.\n',
    );
    expect(progressLine('m', 12345)).toBe(' 12.345s m');
  });
  it('updates one line in place on a TTY', () => {
    let out = '';
    const p = makeProgress({ tty: true, what: "Waiting for service 'hello'", write: (s) => (out += s) });
    p.update('Ready to serve.', 1000);
    p.done();
    expect(out).toContain("\r\u001b[2K⠋ Waiting for service 'hello'");
    expect(out).toContain('  1.000s Ready to serve.\n');
    expect(out.endsWith('\r\u001b[2K')).toBe(true);
  });
});
