/**
 * `kubectl auth can-i`, `auth can-i --list` and `auth whoami` against the embedded API server: the
 * self-review APIs answer for the identity the server has (the admin token, in system:masters),
 * and discovery lists them so kubectl finds them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { clientEnv, kubectl, requireKubectl } from './clients.js';

let server: ApiServer;
let home = '';
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireKubectl();
  home = mkdtempSync(join(tmpdir(), 'knlite-auth-'));
  server = (await startTestApiServer({ dataDir: join(home, 'data'), port: 0 })).server;
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  env = clientEnv(kubeconfigPath, home);
});

afterAll(async () => {
  await server?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('kubectl auth', () => {
  it('can-i answers yes for the admin, for resources and non-resource URLs', async () => {
    for (const args of [
      ['create', 'pods'],
      ['delete', 'deployments.apps', '-n', 'kube-system'],
      ['patch', 'services.serving.knative.dev', '--subresource=status'],
      ['get', '/healthz'],
    ]) {
      const out = await kubectl(env, ['auth', 'can-i', ...args]);
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
      expect(out.stdout.trim()).toBe('yes');
    }
  });

  it('can-i --list shows everything allowed', async () => {
    const out = await kubectl(env, ['auth', 'can-i', '--list', '-n', 'default']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(out.stdout).toMatch(/^\s+\[\*\]\s+\[\]\s+\[\*\]$/m);
  });

  it('whoami names the admin user and its groups', async () => {
    const out = await kubectl(env, ['auth', 'whoami', '-o', 'json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: { userInfo: { username: 'knlite-admin', groups: ['system:masters', 'system:authenticated'] } },
    });
  });

  it('discovery lists the review resources as create-only', async () => {
    const out = await kubectl(env, ['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(
      /selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview\s+create/,
    );
    expect(out.stdout).toMatch(
      /selfsubjectrulesreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectRulesReview\s+create/,
    );
  });
});
