/**
 * An in-process local cluster for end-to-end tests: the real API server, reconciler, runtime and
 * data plane (as requested) on random ports in a temporary KNLITE_HOME, plus a kubeconfig file the
 * CLI and kubectl can use.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import type { RestClient } from '../../src/lib/kube/rest.js';
import { startLocalStack } from '../../src/lib/local/stack.js';
import type { LocalRuntime } from '../../src/lib/kubelet/index.js';

/** A running test cluster. */
export interface TestCluster {
  home: string;
  kubeconfigPath: string;
  kubeconfig: string;
  /** client-node's view of the cluster, for tests that drive it like an outside user would. */
  kc: KubeConfig;
  /** The stack's own REST client. */
  client: RestClient;
  server: ApiServer;
  /** The local runtime (when started), for tests that look at its processes. */
  runtime?: LocalRuntime;
  gatewayPort?: number;
  gatewayHttpsPort?: number;
  adminPort?: number;
  /** The ingress CA certificate file (issues Route certificates). */
  caFile: string;
  /** Environment for child processes (CLI, kubectl) that must talk to this cluster. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Starts a test cluster; every part except the API server is opt-out. */
export async function startTestCluster(
  opts: { reconciler?: boolean; runtime?: boolean; dataplane?: boolean } = {},
): Promise<TestCluster> {
  const home = mkdtempSync(join(tmpdir(), 'knlite-test-'));
  const stack = await startLocalStack({
    dataDir: join(home, 'data'),
    runtimeDir: join(home, 'runtime'),
    reconciler: opts.reconciler,
    runtime: opts.runtime,
    dataplane: opts.dataplane,
  });
  const kubeconfig = stack.server.kubeconfig();
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    home,
    kubeconfigPath,
    kubeconfig,
    kc,
    client: stack.client,
    server: stack.server,
    runtime: stack.runtime,
    gatewayPort: stack.gatewayPort,
    gatewayHttpsPort: stack.gatewayHttpsPort,
    adminPort: stack.adminPort,
    caFile: stack.caFile,
    env: { ...process.env, KUBECONFIG: kubeconfigPath, KNLITE_HOME: home, NO_COLOR: '1' },
    async stop() {
      await stack.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
