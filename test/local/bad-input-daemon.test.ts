/**
 * Bad input against a real daemon, the way a careless user sends it: knlite flags and files, and
 * kubectl apply/patch of built-in and Knative kinds. Every case gets a clear error that names the
 * problem, no stack trace, and changes nothing; the daemon keeps serving and restarts cleanly.
 * (The API server's own matrix of raw bodies is test/apiserver-input/matrix.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localApiGet, readDaemonState, startDaemon, stopDaemon } from '../../src/lib/local/daemon.js';
import { localPaths } from '../../src/lib/local/paths.js';
import { requireBuild, ROOT, runBin } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'knlite-badin-'));
const paths = localPaths(home, true);
const file = (name: string, text: string): string => {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
};
const ksvc = (spec: string, name = 'bad') =>
  `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n${spec}\n`;

type Case = [label: string, argv: () => string[], message: RegExp | string];

/** knlite commands: exit non-zero with the message, never a stack trace. */
const CLI: Case[] = [
  [
    '--env-file that does not exist',
    () => ['service', 'create', 'x', '--image', 'i', '--env-file', '/missing'],
    'cannot read --env-file /missing',
  ],
  [
    '--scale-min that is not a number',
    () => ['service', 'create', 'x', '--image', 'i', '--scale-min', 'many'],
    'Expected an integer',
  ],
  [
    'a negative memory limit',
    () => ['service', 'create', 'x', '--image', 'i', '--limit', 'memory=-1Gi'],
    'memory',
  ],
  [
    'a file whose containers is not a list',
    () => ['service', 'apply', 'bad', '-f', file('a.yaml', ksvc('      containers: "notalist"'))],
    'spec.template.spec.containers',
  ],
  [
    'a file whose image is a number',
    () => ['service', 'apply', 'bad', '-f', file('b.yaml', ksvc('      containers:\n        - image: 5'))],
    'image',
  ],
  [
    'a file with an invalid name',
    () => [
      'service',
      'apply',
      'Bad_Name',
      '-f',
      file('c.yaml', ksvc('      containers:\n        - image: x', 'Bad_Name')),
    ],
    'Bad_Name',
  ],
  ['traffic over 100 percent', () => ['traffic', 'split', 'hello', '--traffic', 'hello-00001=200'], '200'],
  [
    'a domain that is not a domain name',
    () => ['domain', 'create', 'not a domain', '--ref', 'hello'],
    'not a domain',
  ],
];

/** kubectl against the daemon's API server. */
const KUBECTL: Case[] = [
  [
    'a ConfigMap value that is a number (patch)',
    () => [
      'patch',
      'cm',
      '-n',
      'knative-serving',
      'config-autoscaler',
      '--type',
      'merge',
      '-p',
      '{"data":{"stable-window":60}}',
    ],
    'cannot unmarshal number into Go struct field ConfigMap.data of type string',
  ],
  [
    'an unquoted 0 in a ConfigMap (apply)',
    () => [
      'apply',
      '-f',
      file(
        'cm.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-autoscaler\n  namespace: knative-serving\ndata:\n  scale-down-delay: 0\n',
      ),
    ],
    'ConfigMap',
  ],
  [
    'a Knative Service whose containers is a string',
    () => ['apply', '-f', file('k.yaml', ksvc('      containers: "notalist"'))],
    'spec.template.spec.containers',
  ],
  [
    'a Deployment with -1 replicas',
    () => [
      'apply',
      '-f',
      file(
        'd.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n        - name: c\n          image: x\n',
      ),
    ],
    'replicas',
  ],
  [
    'a Secret whose data is not base64',
    () => [
      'apply',
      '-f',
      file('s.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  key: "not base64!"\n'),
    ],
    'base64',
  ],
  [
    'a Pod with a negative memory limit',
    () => [
      'apply',
      '-f',
      file(
        'p.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: x\n      resources:\n        limits:\n          memory: -1Gi\n',
      ),
    ],
    'must be greater than or equal to 0',
  ],
  [
    'a Knative Service with an upper-case name',
    () => ['apply', '-f', file('u.yaml', ksvc('      containers:\n        - image: x', 'UPPER'))],
    'UPPER',
  ],
  [
    'an invalid label value',
    () => ['label', 'cm', '-n', 'knative-serving', 'config-gc', 'a=not valid'],
    'not valid',
  ],
];

describe('bad input against a running daemon', () => {
  let env: NodeJS.ProcessEnv;
  let pid: number;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const kubectl = (argv: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile('kubectl', argv, { env }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
  const configMaps = async () =>
    (await localApiGet(paths.kubeconfig, '/api/v1/namespaces/knative-serving/configmaps/config-autoscaler'))
      .body;

  beforeAll(async () => {
    requireBuild();
    const { state } = await startDaemon(paths, { gatewayPort: 0 });
    pid = state.pid;
    env = { ...process.env, KNLITE_HOME: home, KUBECONFIG: state.kubeconfig, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stopDaemon(paths);
    rmSync(home, { recursive: true, force: true });
  });

  it.each(CLI)('knlite: %s', async (_label, argv, message) => {
    const before = await configMaps();
    const r = await runBin(argv(), { env, cwd: ROOT });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(escape(message)) : message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(await configMaps()).toBe(before);
    expect(alive()).toBe(true);
  });

  it.each(KUBECTL)('kubectl: %s', async (_label, argv, message) => {
    const before = await configMaps();
    const r = await kubectl(argv());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(escape(message)) : message);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(await configMaps()).toBe(before);
    expect(alive()).toBe(true);
  });

  it('restarts cleanly afterwards and still holds the seeded configuration', async () => {
    expect(await stopDaemon(paths)).toBe(true);
    const { state } = await startDaemon(paths, { gatewayPort: 0 });
    expect(readDaemonState(paths)?.pid).toBe(state.pid);
    expect((await localApiGet(state.kubeconfig, '/readyz')).status).toBe(200);
    expect(JSON.parse(await configMaps()).data._example).toBeDefined();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
