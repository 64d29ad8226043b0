/**
 * What the suites that run test/e2e/fixtures/pod-app.mjs as Knative Services share (real-apps,
 * pvc): the app's image and entry, whether pods run sandboxed, a full local cluster with some
 * config-features enabled, waiting for a Service to be Ready, and a GET through the gateway.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Condition, Service } from '../../src/lib/apis/types.js';
import { detectBwrap } from '../../src/lib/kubelet/sandbox.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { send } from '../dataplane/helpers.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

// The app's directory is its image: the sandbox shows a pod its image directory wherever it is
// (also under /tmp, which a sandboxed pod otherwise sees as its own empty /tmp).
export const IMAGE = pathToFileURL(resolve('test/e2e/fixtures')).href;
export const APP = resolve('test/e2e/fixtures/pod-app.mjs');
export const SANDBOX = !!detectBwrap().path;

export const cond = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

/** Services of serving.knative.dev/v1 in `default`, for client-node's CustomObjectsApi. */
export const KSVC = { group: 'serving.knative.dev', version: 'v1', namespace: 'default', plural: 'services' };

/** A full local cluster with the given config-features set, and client-node's APIs for it. */
export async function startAppCluster(
  features: Record<string, string>,
): Promise<{ cluster: TestCluster; custom: CustomObjectsApi; core: CoreV1Api }> {
  const cluster = await startTestCluster();
  await patchConfigData(cluster.client, 'config-features', features);
  return {
    cluster,
    custom: cluster.kc.makeApiClient(CustomObjectsApi),
    core: cluster.kc.makeApiClient(CoreV1Api),
  };
}

/** Waits until the Service is Ready (at `revision`, if given); returns its host for the gateway. */
export async function readyHost(custom: CustomObjectsApi, name: string, revision?: string): Promise<string> {
  const svc = await waitUntil(
    revision ? `service ${name} Ready at ${revision}` : `service ${name} Ready`,
    async () => {
      const s = (await custom.getNamespacedCustomObject({ ...KSVC, name })) as Service;
      return cond(s.status?.conditions, 'Ready')?.status === 'True' &&
        (revision === undefined || s.status?.latestReadyRevisionName === revision) &&
        s.status?.url
        ? s
        : undefined;
    },
    60_000,
    100,
  );
  return new URL(svc.status!.url!).host;
}

/** GET through the gateway, waiting for the route to be programmed; resolves the body. */
export async function getThroughGateway(cluster: TestCluster, host: string, path: string): Promise<string> {
  const answer = await waitUntil(
    `${host}${path}`,
    async () => {
      const a = await send(cluster.gatewayPort!, host, { path });
      return a.status !== 404 && a.status !== 503 ? a : undefined;
    },
    30_000,
    100,
  );
  return answer.body;
}
