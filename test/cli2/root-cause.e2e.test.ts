/**
 * End-to-end: every failed or timed-out wait ends with the root cause and a fix, and `service
 * describe` / `revision describe` print the same block for a revision that is not Ready — against
 * the local cluster with real processes: an app that exits with code 3 (exit code, its last log
 * lines, "fix the app or read its output"), and one that listens but never passes its readiness
 * probe (the probe named).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Revision } from '../../src/lib/apis/types.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { serviceRootCause } from '../../src/lib/client/root-cause.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { ROOT, knlite, type CliResult } from '../support/cli.js';

let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
const fixture = (name: string): string => `file://${resolve(ROOT, 'test/cli2/fixtures', name)}`;
const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
}, 60_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

describe('a container that exits', () => {
  it('the failed wait names the condition, exit code, last log lines and the fix', async () => {
    const r = await run('service', 'create', 'crash', '--image', fixture('crash'), '--wait-timeout', '60');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: RevisionFailed: Revision "crash-00001" failed with message: /);
    expect(r.stderr).toContain("Root cause: revision 'crash-00001': ContainerHealthy=False ExitCode3");
    expect(r.stderr).toMatch(/^ {2}Pod: {8}crash-00001-deployment-\S+ \(container user-container\)$/m);
    expect(r.stderr).toMatch(/^ {2}Exit code: {2}3\b/m);
    expect(r.stderr).toMatch(
      /^ {2}Last log lines:\n(?: {4}.*\n)*? {4}config missing: DATABASE_URL is not set$/m,
    );
    expect(r.stderr).toContain(
      '  Fix: the container exited with code 3: fix the app, or read its output with `knlite service logs crash --previous`.',
    );
  });

  it('revision describe and service describe print the same block', async () => {
    const rev = await run('revision', 'describe', 'crash-00001');
    expect(rev.exitCode, rev.stderr).toBe(0);
    expect(rev.stdout).toContain("Root cause: revision 'crash-00001': ContainerHealthy=False ExitCode3");
    expect(rev.stdout).toContain('config missing: DATABASE_URL is not set');
    const svc = await run('service', 'describe', 'crash');
    expect(svc.exitCode, svc.stderr).toBe(0);
    expect(svc.stdout).toContain("Root cause: revision 'crash-00001': ContainerHealthy=False ExitCode3");
    expect(svc.stdout).toContain('`knlite service logs crash --previous`');
    // -o json is the revision as stored: the condition the block was read from.
    const json = JSON.parse(
      (await run('revision', 'describe', 'crash-00001', '-o', 'json')).stdout,
    ) as Revision;
    const healthy = json.status?.conditions?.find((c) => c.type === 'ContainerHealthy');
    expect(healthy).toMatchObject({ status: 'False', reason: 'ExitCode3' });
    // The structured cause, as the CLI computes it.
    const cause = await serviceRootCause(api, await api.getService('crash'));
    expect(cause).toMatchObject({
      source: "revision 'crash-00001'",
      condition: { type: 'ContainerHealthy', status: 'False', reason: 'ExitCode3' },
      container: 'user-container',
      exitCode: 3,
    });
    expect(cause!.logLines).toContain('config missing: DATABASE_URL is not set');
  });
});

describe('a readiness probe that never passes', () => {
  it('the timed-out wait names the probe and the fix', async () => {
    const r = await run(
      'service',
      'create',
      'unready',
      '--image',
      fixture('unready'),
      '--probe-readiness',
      'http:::/healthz',
      '--wait-timeout',
      '4',
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: timeout: service 'unready' not ready after 4 seconds/);
    expect(r.stderr).toMatch(/^Root cause: revision 'unready-00001'/m);
    expect(r.stderr).toMatch(/^ {2}Pod: {8}unready-00001-deployment-\S+ \(container user-container\)$/m);
    expect(r.stderr).toContain('  Probe:      readiness probe httpGet :8080/healthz has not passed');
    expect(r.stderr).toContain(
      '  Fix: the app runs but its readiness probe httpGet :8080/healthz has not passed: make it answer on $PORT, or change the probe with `knlite service update unready --probe-readiness ...`.',
    );
    expect(r.stderr).not.toContain('Exit code');
    // No run ended, so no termination message: these lines come from the pods/log subresource.
    expect(r.stderr).toMatch(/^ {2}Last log lines:\n {4}listening, warming up$/m);
  });

  it('a Ready service has no root cause block', async () => {
    const ok = await run(
      'service',
      'create',
      'fine',
      '--image',
      `file://${resolve(ROOT, 'test/cli/fixtures/hello')}`,
    );
    expect(ok.exitCode, ok.stderr).toBe(0);
    const d = await run('service', 'describe', 'fine');
    expect(d.stdout).not.toContain('Root cause');
    expect(await serviceRootCause(api, await api.getService('fine'))).toBeUndefined();
  });
});
