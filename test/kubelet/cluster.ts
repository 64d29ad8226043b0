/** A real in-process API server plus a client for the runtime's integration tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import type { Deployment, Endpoints, Pod } from '../../src/lib/apis/types.js';
import { RestClient } from '../../src/lib/kube/rest.js';
import type { PidRecord } from '../../src/lib/kubelet/process-table.js';
import { tempDir } from './helpers.js';

/** An API server on a random port with typed clients. */
export interface ApiFixture {
  server: ApiServer;
  kc: KubeConfig;
  /** The kube layer's client (what the runtime itself is given). */
  rest: RestClient;
  core: CoreV1Api;
  apps: AppsV1Api;
  dir: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** Starts an API server in a temp dir (no admission: the runtime only needs core and apps kinds). */
export async function startApi(): Promise<ApiFixture> {
  const t = tempDir('knlite-runtime-api-');
  const server = (await startTestApiServer({ dataDir: join(t.dir, 'api'), port: 0 })).server;
  const kubeconfigPath = join(t.dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const rest = RestClient.fromKubeconfig(server.kubeconfig());
  return {
    server,
    kc,
    rest,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    dir: t.dir,
    kubeconfigPath,
    close: async () => {
      rest.close();
      await server.close();
      t.cleanup();
    },
  };
}

/** A Deployment like the reconciler makes for a revision (labels, one container, PORT env). */
export function makeDeployment(
  name: string,
  container: Record<string, unknown>,
  opts: { replicas?: number; progressDeadlineSeconds?: number; labels?: Record<string, string> } = {},
): Deployment {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels },
      progressDeadlineSeconds: opts.progressDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            { name: 'user-container', ports: [{ name: 'user-port', containerPort: 8080 }], ...container },
          ],
        },
      },
    },
  };
}

/** Pods owned by Deployment `name`. */
export async function podsOf(core: CoreV1Api, name: string): Promise<Pod[]> {
  const list = await core.listNamespacedPod({ namespace: 'default' });
  return (list.items as unknown as Pod[]).filter((p) =>
    p.metadata.ownerReferences?.some((o) => o.name === name),
  );
}

/** Reads a Deployment as plain JSON-ish object. */
export async function readDeployment(apps: AppsV1Api, name: string): Promise<Deployment> {
  return (await apps.readNamespacedDeployment({ name, namespace: 'default' })) as unknown as Deployment;
}

/** Reads Endpoints (undefined when absent). */
export async function readEndpoints(core: CoreV1Api, name: string): Promise<Endpoints | undefined> {
  try {
    return (await core.readNamespacedEndpoints({ name, namespace: 'default' })) as unknown as Endpoints;
  } catch {
    return undefined;
  }
}

/** The processes recorded in a runtime data dir's pid table. */
export function recordedProcesses(dataDir: string): PidRecord[] {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'runtime-pids.json'), 'utf8')).processes as PidRecord[];
  } catch {
    return [];
  }
}
