/**
 * `knlite reconciler run` as a real process against the real API server: it reconciles until
 * SIGTERM, then stops cleanly (releasing its Lease).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCondition } from '../../src/lib/apis/conditions.js';
import type { Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import type { Lease } from '../../src/lib/kube/leader.js';
import { waitUntil } from '../support/wait.js';
import { reportDeployment, startEnv, type Env } from './cluster.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const command = join(root, 'src/commands/reconciler/run.ts');
// Runs the command class the way bin/run.js would (oclif's handle() prints errors and sets the exit code).
const script = `import { handle } from '@oclif/core'; const { default: Run } = await import(${JSON.stringify(command)}); await Run.run(process.argv.slice(1), ${JSON.stringify(root)}).catch(handle);`;
const runCommand = (...args: string[]) =>
  spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('knlite reconciler run', () => {
  let env: Env;
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    env = await startEnv({ reconciler: false });
    dir = mkdtempSync(join(tmpdir(), 'knlite-cmd-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, env.server.kubeconfig('e2e'), { mode: 0o600 });
  });
  afterAll(async () => {
    await env?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reconciles with leader election until SIGTERM, then releases the lease', async () => {
    const child = runCommand('--kubeconfig', kubeconfig, '--context', 'e2e', '--identity', 'cli-test');
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil(
        'reconciler started',
        () => out.includes('Reconciling Knative Serving resources'),
        60_000,
      );
      await env.api.create(Kinds.service, {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'cli', namespace: 'default' },
        spec: { template: { spec: { containers: [{ image: 'file:///apps/cli' }] } } },
      } as Service);
      await reportDeployment(env, 'default', 'cli-00001', 1);
      await env.waitFor<Service>(
        'service ready',
        Kinds.service,
        'default',
        'cli',
        (s) => getCondition(s.status, 'Ready')?.status === 'True',
      );
      const lease = await env.waitFor<Lease>(
        'lease held',
        Kinds.lease,
        'knative-serving',
        'knlite-reconciler',
        (l) => l.spec.holderIdentity === 'cli-test',
      );
      expect(lease.spec.leaseDurationSeconds).toBe(15);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('Reconciler stopped.');
    const released = await env.get<Lease>(Kinds.lease, 'knative-serving', 'knlite-reconciler');
    expect(released?.spec.holderIdentity).toBeFalsy();
  });

  it('fails clearly for an unknown context', async () => {
    const child = runCommand('--kubeconfig', kubeconfig, '--context', 'nope');
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain("context 'nope' not found in the kubeconfig");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
