/**
 * `knlite service ...` end to end, in-process through oclif, against the in-process local cluster
 * (API server + reconciler + runtime + gateway): the create → update → describe → list → export →
 * delete story with kn's exact output, every flag family landing in the stored object, every user
 * error (one sentence, right exit code, nothing written), --force, --target offline mode and -o formats.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/lib/apis/types.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { ROOT, runInProcess, type CliResult } from '../support/cli.js';

const APP = join(ROOT, 'test/cli/fixtures/hello');
const ESC = String.fromCharCode(27);
let cluster: TestCluster;
let client: ServingClient;
let tmp: string;

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  client = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'default' });
  tmp = mkdtempSync(join(tmpdir(), 'knlite-cli-e2e-'));
}, 120_000);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function kn(...argv: string[]): Promise<CliResult> {
  return runInProcess(argv, { env: { KUBECONFIG: cluster.kubeconfigPath, NO_COLOR: undefined } });
}

async function serviceNames(): Promise<string[]> {
  return (await client.listServices()).items.map((s) => s.metadata.name!);
}

describe('service story: create → update → describe → list → export → delete', () => {
  it('follows kn output exactly', async () => {
    let r = await kn('service', 'create', 'hello', '--image', APP, '--env', 'TARGET=v1');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const url = `http://hello.default.localhost:${cluster.gatewayPort}`;
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe("Creating service 'hello' in namespace 'default':");
    expect(lines[1]).toBe('');
    expect(lines.slice(2, -4).every((l) => /^ {0,3}\d+\.\d{3}s (\.\.\.|\S.*)$/.test(l))).toBe(true);
    expect(lines.at(-5)).toMatch(/^ {0,3}\d+\.\d{3}s Ready to serve\.$/);
    expect(lines.slice(-4)).toEqual([
      '',
      "Service 'hello' created to latest revision 'hello-00001' is available at URL:",
      url,
      '',
    ]);
    // No escape codes when stdout is not a terminal.
    expect(r.stdout).not.toContain(ESC);
    let svc = await client.getService('hello');
    expect(svc.spec.template.spec.containers[0]).toMatchObject({
      image: `file://${APP}`,
      env: [{ name: 'TARGET', value: 'v1' }],
    });

    r = await kn('service', 'update', 'hello', '--env', 'TARGET=v2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe("Updating Service 'hello' in namespace 'default':");
    expect(r.stdout).toContain(
      `Service 'hello' updated to latest revision 'hello-00002' is available at URL:\n${url}\n`,
    );

    r = await kn('service', 'update', 'hello', '--label-service', 'team=web');
    expect(r.stdout).toBe(
      "Service 'hello' updated in namespace 'default'.\nNo new revision has been created.\n",
    );

    r = await kn('service', 'update', 'hello', '--tag', 'hello-00001=old', '--traffic', 'old=50,@latest=50');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      `Service 'hello' with latest revision 'hello-00002' (unchanged) is available at URL:\n${url}\n`,
    );
    svc = await client.getService('hello');
    expect(svc.spec.traffic).toEqual([
      { latestRevision: true, percent: 50 },
      { revisionName: 'hello-00001', percent: 50, latestRevision: false, tag: 'old' },
    ]);

    r = await kn('service', 'describe', 'hello');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+hello\nNamespace:\s+default\nLabels:\s+team=web\n/);
    expect(r.stdout).toMatch(new RegExp(`\nURL: +${url.replace(/\./g, '\\.')}\n`));
    expect(r.stdout).toMatch(
      /\n {3}50% {2}@latest \(hello-00002\) \[2\] \(\d+s\)\n {8}Image: +file:\/\/.*\n {8}Replicas: +\d\/\d\n {8}Env: +TARGET=v2\n/,
    );
    expect(r.stdout).toMatch(/\n {3}50% {2}hello-00001 #old \[1\] \(\d+s\)\n/);
    expect(r.stdout).toMatch(/Conditions: {2}\n {2}OK TYPE {19}AGE REASON\n {2}\+\+ Ready {15}\s*\d+s \n/);
    expect(r.stdout).not.toContain(ESC);

    r = await kn('service', 'describe', 'hello', '-o', 'url');
    expect(r.stdout).toBe(`${url}\n`);

    r = await kn('service', 'list');
    expect(r.stdout.split('\n')[0]).toMatch(
      /^NAME {4}URL {2,}LATEST {8}AGE {3}CONDITIONS {3}READY {3}REASON$/,
    );
    expect(r.stdout.split('\n')[1]).toMatch(
      new RegExp(`^hello {3}${url.replace(/\./g, '\\.')} {3}hello-00002 {3}\\d+s\\s+3 OK / 3 {5}True$`),
    );
    r = await kn('ksvc', 'ls', '--no-headers');
    expect(r.stdout).toMatch(/^hello /);
    r = await kn('service', 'list', '-o', 'name');
    expect(r.stdout).toBe('service.serving.knative.dev/hello\n');
    r = await kn('service', 'list', '-o', 'json');
    const list = JSON.parse(r.stdout);
    expect(list).toMatchObject({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'ServiceList',
      items: [{ kind: 'Service', metadata: { name: 'hello' } }],
    });
    r = await kn('service', 'list', '-o', 'jsonpath={.items[*].status.latestReadyRevisionName}');
    expect(r.stdout).toBe('hello-00002');
    r = await kn('service', 'describe', 'hello', '-o', 'yaml');
    expect((yaml.load(r.stdout) as Service).metadata.name).toBe('hello');
    r = await kn('service', 'describe', 'hello', '-o', 'go-template={{.metadata.name}}');
    expect(r.stdout).toBe('hello');

    r = await kn('service', 'export', 'hello', '-o', 'yaml', '--mode', 'replay');
    const exported = yaml.load(r.stdout) as Service;
    expect(exported).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: 'default', labels: { team: 'web' } },
      spec: {
        template: expect.objectContaining({
          spec: expect.objectContaining({
            containers: [expect.objectContaining({ image: `file://${APP}` })],
          }),
        }),
        traffic: svc.spec.traffic,
      },
    });
    expect(r.stdout).not.toMatch(/status:|resourceVersion|uid:|creationTimestamp/);
    r = await kn('service', 'export', 'hello', '-o', 'json', '--with-revisions');
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: 'Export',
      spec: { service: { metadata: { name: 'hello' } }, revisions: [{ metadata: { name: 'hello-00001' } }] },
    });
    r = await kn('service', 'export', 'hello');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('requires output format');

    r = await kn('service', 'delete', 'hello', '--wait');
    expect(r.stdout).toBe("Service 'hello' successfully deleted in namespace 'default'.\n");
    expect(await serviceNames()).not.toContain('hello');
    r = await kn('service', 'list');
    expect(r.stdout).toBe('No services found.\n');
    r = await kn('service', 'list', '-o', 'json');
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'ServiceList', items: [] });
  }, 120_000);
});

describe('terminal output', () => {
  it('shows one live progress line on a TTY and still ends with kn lines; --no-color and NO_COLOR drop colours', async () => {
    const run = (extra: string[], env: Record<string, string | undefined>) =>
      runInProcess(
        ['service', 'create', `tty${extra.length}${Object.keys(env).length}`, '--image', APP, ...extra],
        {
          env: { KUBECONFIG: cluster.kubeconfigPath, ...env },
          tty: true,
        },
      );
    for (const [extra, env] of [
      [['--no-color'], { NO_COLOR: undefined }],
      [[], { NO_COLOR: '1' }],
    ] as const) {
      const r = await run([...extra], env);
      expect(r.exitCode).toBe(0);
      // The live line is redrawn in place with carriage returns and erase-line codes only.
      expect(r.stdout).toContain('\r\u001b[2K');
      expect(r.stdout).toMatch(/Waiting for service 'tty\d+' to become ready/);
      expect(r.stdout.split(`\r${ESC}[2K`).join('')).not.toContain(ESC);
      expect(r.stdout).toMatch(
        /Ready to serve\.\n[\s\S]*\nService 'tty\d+' created to latest revision 'tty\d+-00001' is available at URL:\nhttp:\/\/\S+\n$/,
      );
    }
  }, 120_000);
});

describe('failed readiness', () => {
  it("prints the reason and message and exits 1 when the user's revision cannot become ready", async () => {
    const r = await kn(
      'service',
      'create',
      'broken',
      '--image',
      'ghcr.io/nobody/nothing',
      '--wait-window',
      '0',
      '--wait-timeout',
      '90',
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe("Creating service 'broken' in namespace 'default':");
    // One sentence, then the root cause block (failing condition, pod, fix).
    expect(r.stderr).toMatch(
      /^Error: \w+: .+\nRoot cause: revision 'broken-00001': .+\n(?: {2}.+\n)* {2}Fix: .+\.\n$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const d = await kn('service', 'describe', 'broken');
    expect(d.stdout).toMatch(/\n {2}!! Ready /);
    expect(d.stdout).toMatch(/\n {5}! {2}broken-00001 \(latest created\) \[1\]/);
    await kn('service', 'delete', 'broken');
  }, 120_000);
});

describe('flag families', () => {
  it('every create flag lands in the stored Service', async () => {
    const envFile = join(tmp, 'app.env');
    writeFileSync(envFile, 'FROM_FILE=1\n');
    const r = await kn(
      'service',
      'create',
      'flags',
      '--image',
      'ghcr.io/knative/helloworld-go',
      '--no-wait',
      '-e',
      'A=1',
      '--env',
      'B=2',
      '--env-file',
      envFile,
      '--env-from',
      'cm:shared',
      '--env-value-from',
      'PW=secret:db:pw',
      '-p',
      'h2c:8080',
      '--cmd',
      '/ko-app/hello',
      '--arg',
      '--verbose',
      '--request',
      'cpu=100m,memory=64Mi',
      '--limit',
      'memory=256Mi',
      '--scale',
      '1..4',
      '--scale-init',
      '1',
      '--scale-target',
      '50',
      '--scale-metric',
      'rps',
      '--scale-utilization',
      '80',
      '--scale-window',
      '30s',
      '--scale-activation',
      '2',
      '--concurrency-limit',
      '10',
      '--timeout',
      '60',
      '--revision-name',
      '{{.Service}}-first',
      '-l',
      'team=a',
      '--label-service',
      'tier=web',
      '--label-revision',
      'canary=yes',
      '-a',
      'note=x',
      '--annotation-service',
      'owner=me',
      '--annotation-revision',
      'rev=1',
      '--cluster-local',
      '--service-account',
      'runner',
      '--pull-secret',
      'regcred',
      '--pull-policy',
      'ifnotpresent',
      '--user',
      '1001',
      '--probe-readiness',
      'http::8080:/ready',
      '--probe-readiness-opts',
      'PeriodSeconds=5',
      '--probe-liveness',
      'tcp::8080',
      '--volume',
      'cache=ed',
      '--mount',
      '/cache=cache',
      '--mount',
      '/etc/cfg=cm:app-config',
      '--lock-to-digest',
      '--tag',
      'first',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Service 'flags' created in namespace 'default'.\n");
    const svc = await client.getService('flags');
    expect(svc.metadata.labels).toMatchObject({
      team: 'a',
      tier: 'web',
      'networking.knative.dev/visibility': 'cluster-local',
    });
    expect(svc.metadata.annotations).toMatchObject({ note: 'x', owner: 'me' });
    expect(svc.spec.traffic).toEqual([{ latestRevision: true, percent: 100, tag: 'first' }]);
    const t = svc.spec.template;
    expect(t.metadata).toMatchObject({
      name: 'flags-first',
      labels: { team: 'a', canary: 'yes' },
      annotations: {
        note: 'x',
        rev: '1',
        'autoscaling.knative.dev/min-scale': '1',
        'autoscaling.knative.dev/max-scale': '4',
        'autoscaling.knative.dev/initial-scale': '1',
        'autoscaling.knative.dev/target': '50',
        'autoscaling.knative.dev/metric': 'rps',
        'autoscaling.knative.dev/target-utilization-percentage': '80',
        'autoscaling.knative.dev/window': '30s',
        'autoscaling.knative.dev/activation-scale': '2',
      },
    });
    expect(t.spec).toMatchObject({
      containerConcurrency: 10,
      timeoutSeconds: 60,
      serviceAccountName: 'runner',
      imagePullSecrets: [{ name: 'regcred' }],
    });
    expect(t.spec.containers[0]).toMatchObject({
      image: 'ghcr.io/knative/helloworld-go',
      env: [
        { name: 'FROM_FILE', value: '1' },
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } },
      ],
      envFrom: [{ configMapRef: { name: 'shared' } }],
      ports: [{ name: 'h2c', containerPort: 8080 }],
      command: ['/ko-app/hello'],
      args: ['--verbose'],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      imagePullPolicy: 'IfNotPresent',
      securityContext: { runAsUser: 1001 },
      readinessProbe: { httpGet: { port: 8080, path: '/ready' }, periodSeconds: 5 },
      livenessProbe: { tcpSocket: { port: 8080 } },
    });
    expect(t.spec.containers[0].volumeMounts).toHaveLength(2);

    const u = await kn(
      'service',
      'update',
      'flags',
      '--no-wait',
      '-e',
      'A-',
      '--env-from',
      'cm:shared-',
      '-l',
      'team-',
      '--no-cluster-local',
      '--scale-max',
      '9',
      '--mount',
      '/etc/cfg-',
    );
    expect(u.stderr).toBe('');
    expect(u.stdout).toBe("Service 'flags' updated in namespace 'default'.\n");
    const after = await client.getService('flags');
    expect(after.metadata.labels?.team).toBeUndefined();
    expect(after.metadata.labels?.['networking.knative.dev/visibility']).toBeUndefined();
    expect(after.spec.template.metadata?.annotations?.['autoscaling.knative.dev/max-scale']).toBe('9');
    expect(after.spec.template.metadata?.name).toBeUndefined(); // a BYO name is used once
    expect(after.spec.template.spec.containers[0].env!.map((e) => e.name)).toEqual(['FROM_FILE', 'B', 'PW']);
    expect(after.spec.template.spec.containers[0].envFrom).toBeUndefined();
    expect(after.spec.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'cache', mountPath: '/cache' },
    ]);
    await kn('service', 'delete', 'flags');
  }, 60_000);
});

describe('user errors: one sentence, exit code, nothing written', () => {
  beforeAll(async () => {
    const r = await kn('service', 'create', 'exists', '--image', 'ghcr.io/x/y', '--no-wait');
    expect(r.exitCode).toBe(0);
  });

  const bad = join(ROOT, 'test/cli/fixtures/not-yaml.txt');
  it.each<[string[], number, string]>([
    [
      ['service', 'create', 'x', '--image', 'i', '--bogus'],
      2,
      "Error: unknown flag: --bogus for 'knlite service create'",
    ],
    [
      ['service', 'create', 'x'],
      2,
      "Error: 'service create' requires the image name to run provided with the --image option",
    ],
    [
      ['service', 'create', '--image', 'i'],
      2,
      "Error: 'service create' requires the service name given as single argument",
    ],
    [
      ['service', 'describe'],
      2,
      "Error: 'knlite service describe' requires the service name given as single argument",
    ],
    [['service', 'create', 'Bad_Name', '--image', 'i'], 1, "Error: invalid service name 'Bad_Name'"],
    [
      ['service', 'create', 'x', '--image', 'i', '--env', 'NOVALUE'],
      1,
      "Error: invalid --env 'NOVALUE': expected NAME=value, or NAME- to remove",
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--scale', '1..2..3'],
      1,
      'Error: Scale must be of the format x..y or x',
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--port', 'http'],
      1,
      "Error: the port specification 'http' is not valid.",
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--mount', 'etc=cm:x'],
      1,
      "Error: invalid --mount 'etc=cm:x': the mount path 'etc' must be absolute",
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--scale-min', 'many'],
      2,
      'Expected an integer but received: many',
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--wait', '--no-wait'],
      2,
      'Error: only one of --no-wait and --wait may be specified',
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--wait=false'],
      2,
      'Error: use --no-wait instead of providing "false" to --wait',
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--image', 'j'],
      2,
      "Error: flag --image can only be specified once for 'knlite service create'",
    ],
    [['service', 'list', '-A', '-n', 'x'], 2, 'Error: '],
    [['service', 'create', 'x', '-f', bad], 1, `Error: ${bad} does not hold a Knative Service`],
    [
      ['service', 'create', 'x', '-f', join(ROOT, 'test/cli/fixtures/broken.yaml')],
      1,
      'is not a YAML or JSON document',
    ],
    [
      ['service', 'apply', 'notalist', '-f', join(ROOT, 'test/cli/fixtures/notalist.yaml')],
      1,
      'spec.template.spec.containers: Invalid value: "string": spec.template.spec.containers in body must be of type array: "string"',
    ],
    [
      ['service', 'create', 'exists', '--image', 'i'],
      1,
      "Error: cannot create service 'exists' in namespace 'default' because the service already exists and no --force option was given",
    ],
    [['service', 'describe', 'missing'], 1, "Error: service 'missing' not found in namespace 'default'"],
    [
      ['service', 'update', 'missing', '--env', 'A=1'],
      1,
      "Error: service 'missing' not found in namespace 'default'",
    ],
    [['service', 'update', 'exists'], 2, 'Error: flag(s) not set'],
    [
      ['service', 'update', 'exists', '--traffic', '@latest=90,@latest=10'],
      1,
      'Error: repetition of identifier @latest is not allowed, use only once with --traffic flag',
    ],
    [
      ['service', 'update', 'exists', '--traffic', 'latest=100'],
      1,
      "Error: revision 'latest' not found for service 'exists'",
    ],
    [
      ['service', 'update', 'exists', '--untag', 'nope'],
      1,
      'Error: tag(s) nope not present for any revisions of service exists',
    ],
    [['service', 'update', 'exists', '--concurrency-limit', '5000'], 1, 'Error: validation failed'],
    [['service', 'delete', 'missing'], 1, "Error: service 'missing' not found in namespace 'default'"],
    [['service', 'delete'], 2, "Error: 'service delete' requires the service name(s)"],
    [['service', 'list', '-o', 'table'], 2, "Error: invalid output format 'table'"],
  ])('%j → exit %i', async (argv, code, message) => {
    writeFileSync(bad, 'just some text\n');
    writeFileSync(join(ROOT, 'test/cli/fixtures/broken.yaml'), 'a: [unclosed\n');
    const before = await client.getService('exists');
    const namesBefore = await serviceNames();
    // The reconciler keeps writing status, so compare what a user write would change: spec and metadata.
    const userView = (s: Service) =>
      JSON.stringify([s.metadata.generation, s.metadata.labels, s.metadata.annotations, s.spec]);
    const r = await kn(...argv);
    expect(r.exitCode).toBe(code);
    expect(r.stderr.split('\n')[0]).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(await serviceNames()).toEqual(namesBefore);
    expect(userView(await client.getService('exists'))).toBe(userView(before));
  });
});

describe('create --force, apply, delete --all', () => {
  it('replaces with --force and applies declaratively', async () => {
    let r = await kn('service', 'create', 'forced', '--image', 'ghcr.io/a/b', '--no-wait');
    expect(r.exitCode).toBe(0);
    r = await kn('service', 'create', 'forced', '--image', 'ghcr.io/a/c', '--force', '--no-wait');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Service 'forced' replaced in namespace 'default'.\n");
    expect((await client.getService('forced')).spec.template.spec.containers[0].image).toBe('ghcr.io/a/c');

    r = await kn('service', 'apply', 'applied', '--image', APP, '--env', 'TARGET=a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      "Service 'applied' created to latest revision 'applied-00001' is available at URL:",
    );
    r = await kn('service', 'apply', 'applied', '--image', APP, '--env', 'TARGET=a');
    expect(r.stdout).toContain(
      "No changes to apply to service 'applied'.\nService 'applied' with latest revision 'applied-00001' (unchanged)",
    );
    r = await kn('service', 'apply', 'applied', '--image', APP, '--env', 'TARGET=b');
    expect(r.stdout).toContain(
      "Service 'applied' applied to latest revision 'applied-00002' is available at URL:",
    );

    r = await kn('service', 'create', '-f', join(tmp, 'missing.yaml'));
    expect(r.stderr).toContain('no such file');
    const file = join(tmp, 'fromfile.json');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'fromfile' },
        spec: { template: { spec: { containers: [{ image: 'ghcr.io/a/b' }] } } },
      }),
    );
    r = await kn('service', 'create', '-f', file, '--env', 'EXTRA=1', '--no-wait');
    expect(r.stdout).toBe("Service 'fromfile' created in namespace 'default'.\n");
    expect((await client.getService('fromfile')).spec.template.spec.containers[0].env).toEqual([
      { name: 'EXTRA', value: '1' },
    ]);
    r = await kn('service', 'create', 'other', '-f', file);
    expect(r.stderr).toContain("provided service name 'other' doesn't match name from file 'fromfile'");

    r = await kn('service', 'delete', '--all', 'x');
    expect(r.exitCode).toBe(2);
    r = await kn('service', 'delete', '--all');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Service 'forced' successfully deleted in namespace 'default'.");
    await vi_waitEmpty();
    r = await kn('service', 'delete', '--all');
    expect(r.stdout).toBe('No services found.\n');
  }, 90_000);
});

async function vi_waitEmpty(): Promise<void> {
  const { waitUntil } = await import('../support/wait.js');
  await waitUntil('all services deleted', async () => (await serviceNames()).length === 0, 30_000);
}

describe('--target offline mode', () => {
  it('writes to a directory and to a single file, never to the cluster', async () => {
    const dir = join(tmp, 'gitops');
    let r = await kn('service', 'create', 'off', '--image', 'ghcr.io/a/b', '--target', join(tmp, 'nope'));
    expect(r.stderr).toContain(
      `directory '${join(tmp, 'nope')}' not present, please create the directory and try again`,
    );
    mkdirSync(dir);
    r = await kn('service', 'create', 'off', '--image', 'ghcr.io/a/b', '--env', 'A=1', '--target', dir);
    expect(r.stdout).toBe("Service 'off' created in namespace 'default'.\n");
    const path = join(dir, 'default/ksvc/off.yaml');
    expect(yaml.load(readFileSync(path, 'utf8'))).toMatchObject({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'off', namespace: 'default' },
    });
    r = await kn('service', 'update', 'off', '--env', 'B=2', '--target', dir);
    expect(r.stdout).toBe("Service 'off' updated in namespace 'default'.\n");
    expect(
      (yaml.load(readFileSync(path, 'utf8')) as Service).spec.template.spec.containers[0].env,
    ).toHaveLength(2);
    r = await kn('service', 'list', '--target', dir);
    expect(r.stdout).toMatch(/^NAME +URL +LATEST +AGE +CONDITIONS +READY +REASON\noff /);
    r = await kn('service', 'describe', 'off', '--target', dir, '-o', 'name');
    expect(r.stdout).toBe('service.serving.knative.dev/off\n');
    expect(await serviceNames()).not.toContain('off');
    r = await kn('service', 'delete', 'off', '--target', dir);
    expect(existsSync(path)).toBe(false);

    // A dry run needs the cluster's admission: with --target it is a usage error that writes nothing.
    for (const argv of [
      ['service', 'create', 'off', '--image', 'ghcr.io/a/b'],
      ['service', 'delete', 'off'],
    ]) {
      r = await kn(...argv, '--target', dir, '--dry-run');
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(
        '--dry-run asks the cluster to check the change and cannot be used with --target',
      );
      expect(existsSync(path)).toBe(false);
    }

    const file = join(tmp, 'single.json');
    r = await kn('service', 'create', 'single', '--image', 'ghcr.io/a/b', '--target', file);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      kind: 'Service',
      metadata: { name: 'single' },
    });
  });
});
