/**
 * The CLI validates services against the cluster's config-autoscaler, config-defaults and
 * config-features (knative-serving), not Knative's shipped defaults: what the cluster allows is
 * accepted by create, update and apply (also for a service someone else created), a ConfigMap that
 * does not parse counts as the defaults, and offline mode (`--target`) uses the defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { ROOT, knlite, type CliResult } from '../support/cli.js';

const INITIAL_SCALE = 'autoscaling.knative.dev/initial-scale';
const image = resolve(ROOT, 'test/cli/fixtures/hello');
let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
let offline: string;

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: false, dataplane: false });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: undefined };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'default' });
  offline = mkdtempSync(join(tmpdir(), 'knlite-offline-'));
}, 120_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
  rmSync(offline, { recursive: true, force: true });
});

const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

function expectRefused(r: CliResult, message: string): void {
  expect(r.exitCode, r.stderr).toBe(1);
  expect(r.stderr.split('\n')[0]).toBe(`Error: validation failed: ${message}`);
}

const zeroNotAllowed = `invalid value: 0: spec.template.metadata.annotations.${INITIAL_SCALE}=0 not allowed by cluster`;

describe('validation against the cluster configuration', () => {
  it('refuses --scale-init 0 while the cluster does (Knative defaults)', async () => {
    expectRefused(
      await run('service', 'create', 'z0', '--image', image, '--scale-init', '0', '--no-wait'),
      zeroNotAllowed,
    );
    await expect(api.getService('z0')).rejects.toThrow(/not found/);
  });

  it('accepts --scale-init 0 on create, update and apply once allow-zero-initial-scale is "true"', async () => {
    await patchConfigData(cluster.client, 'config-autoscaler', { 'allow-zero-initial-scale': 'true' });
    let r = await run('service', 'create', 'z0', '--image', image, '--scale-init', '0', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await api.getService('z0')).spec.template.metadata?.annotations?.[INITIAL_SCALE]).toBe('0');
    r = await run('service', 'create', 'z1', '--image', image, '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    r = await run('service', 'update', 'z1', '--scale-init', '0', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    r = await run('service', 'apply', 'z2', '--image', image, '--scale-init', '0', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('updates a service created with initial-scale 0 by someone else (kubectl)', async () => {
    await api.createService({
      metadata: { name: 'byapi' },
      spec: {
        template: {
          metadata: { annotations: { [INITIAL_SCALE]: '0' } },
          spec: { containers: [{ image: `file://${image}` }] },
        },
      },
    });
    const r = await run('service', 'update', 'byapi', '--env', 'A=1', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await api.getService('byapi')).spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
    ]);
  });

  it('uses Knative defaults offline (--target), where there is no cluster to ask', async () => {
    expectRefused(
      await run('service', 'create', 'z0', '--image', image, '--scale-init', '0', '--target', offline),
      zeroNotAllowed,
    );
  });

  it('reads config-defaults too: --timeout up to max-revision-timeout-seconds', async () => {
    const timeoutTooLong = 'expected 0 <= 900 <= 600: spec.template.spec.timeoutSeconds';
    expectRefused(await run('service', 'update', 'z1', '--timeout', '900', '--no-wait'), timeoutTooLong);
    await patchConfigData(cluster.client, 'config-defaults', { 'max-revision-timeout-seconds': '1200' });
    const r = await run('service', 'update', 'z1', '--timeout', '900', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await api.getService('z1')).spec.template.spec.timeoutSeconds).toBe(900);
  });

  it('treats a config-autoscaler that does not parse as the defaults', async () => {
    await patchConfigData(cluster.client, 'config-autoscaler', { 'stable-window': 'soon' });
    expectRefused(
      await run('service', 'create', 'z3', '--image', image, '--scale-init', '0', '--no-wait'),
      zeroNotAllowed,
    );
    await patchConfigData(cluster.client, 'config-autoscaler', { 'stable-window': '60s' });
    const r = await run('service', 'create', 'z3', '--image', image, '--scale-init', '0', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
  });
});
