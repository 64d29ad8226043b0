/**
 * End-to-end harness for the reconciler: the real in-process API server (with Knative admission
 * when available), the real reconciler on it and the real gateway as the KIngress implementation
 * (it reports KIngress status). No runtime runs here, so tests play the runtime's part by writing
 * Deployment and Pod status through the API, exactly as the runtime would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knativeAdmission } from '../../src/lib/webhook/admission.js';
import type { Deployment, KubeObject, Pod } from '../../src/lib/apis/types.js';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { startReconciler, type RunningReconciler } from '../../src/lib/controller/index.js';
import { startDataPlane } from '../../src/lib/dataplane/index.js';
import { Kinds, type Kind } from '../../src/lib/kube/kinds.js';
import { isNotFound } from '../../src/lib/kube/errors.js';
import { RestClient } from '../../src/lib/kube/rest.js';
import { waitUntil } from '../support/wait.js';

/** A started API server + reconciler, with a plain-JSON client. */
export interface Env {
  server: ApiServer;
  api: RestClient;
  reconciler?: RunningReconciler;
  startReconciler(): Promise<void>;
  stopReconciler(): Promise<void>;
  get<T extends KubeObject>(kind: Kind, ns: string | undefined, name: string): Promise<T | undefined>;
  waitFor<T extends KubeObject>(
    what: string,
    kind: Kind,
    ns: string | undefined,
    name: string,
    ok: (o: T) => boolean,
  ): Promise<T>;
  close(): Promise<void>;
}

/** Starts the server (and, unless told otherwise, the reconciler without leader election). */
export async function startEnv(
  opts: { reconciler?: boolean; leaderElection?: boolean; gateway?: boolean } = {},
): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'knlite-ctl-'));
  const server = (await startTestApiServer({ dataDir: dir, port: 0, admission: knativeAdmission() })).server;
  const api = RestClient.fromKubeconfig(server.kubeconfig());
  const gateway =
    opts.gateway === false ? undefined : await startDataPlane(api, { port: 0, adminPort: 0, log: () => {} });
  const env: Env = {
    server,
    api,
    async startReconciler() {
      env.reconciler = await startReconciler(api, {
        leaderElection: opts.leaderElection ?? false,
        identity: 'test',
      });
    },
    async stopReconciler() {
      await env.reconciler?.stop();
      env.reconciler = undefined;
    },
    async get<T extends KubeObject>(kind: Kind, ns: string | undefined, name: string) {
      try {
        return await api.get<T>(kind, ns, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async waitFor<T extends KubeObject>(
      what: string,
      kind: Kind,
      ns: string | undefined,
      name: string,
      ok: (o: T) => boolean,
    ) {
      return waitUntil(what, async () => {
        const o = await env.get<T>(kind, ns, name);
        return o && ok(o) ? o : undefined;
      });
    },
    async close() {
      await env.stopReconciler();
      await gateway?.stop();
      api.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.reconciler !== false) await env.startReconciler();
  return env;
}

/** Plays the runtime: reports `ready` ready replicas (of spec.replicas) on `<rev>-deployment`. */
export async function reportDeployment(
  env: Env,
  ns: string,
  rev: string,
  ready: number,
  extra: Partial<NonNullable<Deployment['status']>> = {},
): Promise<void> {
  const d = await env.waitFor<Deployment>(
    `deployment ${rev}-deployment`,
    Kinds.deployment,
    ns,
    `${rev}-deployment`,
    () => true,
  );
  const status: Deployment['status'] = {
    observedGeneration: d.metadata.generation,
    replicas: d.spec.replicas ?? 1,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: d.spec.replicas ?? 1,
    conditions: [
      {
        type: 'Available',
        status: ready > 0 ? 'True' : 'False',
        reason: ready > 0 ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: ready > 0 ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      },
    ],
    ...extra,
  };
  await env.api.replaceStatus(Kinds.deployment, { ...d, status });
}

/** Plays the runtime: a pod of `rev` whose container keeps exiting with `exitCode`. */
export async function reportCrashingPod(
  env: Env,
  ns: string,
  rev: string,
  exitCode: number,
  message: string,
): Promise<void> {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rev}-deployment-0`,
      namespace: ns,
      labels: { 'serving.knative.dev/revision': rev, app: rev },
    },
    spec: { containers: [{ name: 'user-container', image: 'x' }] },
  };
  const created = await env.api.create(Kinds.pod, pod);
  await env.api.replaceStatus(Kinds.pod, {
    ...created,
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'user-container',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } },
          lastState: { terminated: { exitCode, message, reason: 'Error' } },
        },
      ],
    },
  });
}
