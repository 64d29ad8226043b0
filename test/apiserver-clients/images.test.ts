/**
 * Local directories as images in YAML: an absolute directory is accepted by the Knative webhook just
 * like `file:///abs/dir` (what the CLI's `--image /abs/dir` sends); a relative one is refused with a
 * message saying how to write it, since the server does not know the client's directory; and
 * `knlite service apply -f` resolves relative directories against the file's own directory.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ROOT, runInProcess } from '../support/cli.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { clientEnv, kubectl, requireKubectl } from './clients.js';

let cluster: TestCluster;
let work = '';
let env: NodeJS.ProcessEnv;

const ksvc = (name: string, image: string): string =>
  [
    'apiVersion: serving.knative.dev/v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `      - image: ${JSON.stringify(image)}`,
    '',
  ].join('\n');

beforeAll(async () => {
  requireKubectl();
  cluster = await startTestCluster({ reconciler: false, runtime: false, dataplane: false });
  work = mkdtempSync(join(tmpdir(), 'knlite-images-'));
  mkdirSync(join(work, 'project'));
  cpSync(join(ROOT, 'test/cli/fixtures/hello'), join(work, 'project', 'app'), { recursive: true });
  env = clientEnv(cluster.kubeconfigPath, cluster.home);
});

afterAll(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('local directories as images in YAML', () => {
  it('kubectl apply accepts an absolute directory', async () => {
    const file = join(work, 'abs.yaml');
    writeFileSync(file, ksvc('abs', join(work, 'project', 'app')));
    const out = await kubectl(env, ['apply', '-f', file]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('service.serving.knative.dev/abs created');
  });

  it('kubectl apply refuses a relative directory, saying to use an absolute path or file://', async () => {
    const file = join(work, 'rel.yaml');
    writeFileSync(file, ksvc('rel', './app'));
    const out = await kubectl(env, ['apply', '-f', file]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('"./app" is a relative directory');
    expect(out.stderr).toContain('use an absolute path or file:///abs/path');
  });

  it('knlite service apply -f resolves a relative directory against the file', async () => {
    const file = join(work, 'project', 'svc.yaml');
    writeFileSync(file, ksvc('fromfile', './app'));
    // Run from elsewhere: the file's directory, not the working directory, anchors the path.
    const r = await runInProcess(['service', 'apply', '-f', file, '--no-wait'], {
      env: { KUBECONFIG: cluster.kubeconfigPath },
      cwd: tmpdir(),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const svc = await cluster.client.get<Service>(Kinds.service, 'default', 'fromfile');
    expect(svc.spec.template.spec.containers[0]!.image).toBe(`file://${join(work, 'project', 'app')}`);
  });
});
