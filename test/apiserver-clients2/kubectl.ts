/**
 * Real `kubectl` against an in-process API server: one server and a private HOME (so kubectl's
 * discovery and OpenAPI cache stay out of ~/.kube) per test file. CI installs kubectl; a missing
 * kubectl fails the suite.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/lib/apiserver/server.js';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** One kubectl run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A server plus a kubectl bound to it. */
export interface KubectlEnv {
  server: ApiServer;
  home: string;
  kubectl(args: string[], stdin?: string): Promise<Run>;
  close(): Promise<void>;
}

/** Starts a server and checks kubectl is there. */
export async function startKubectlEnv(opts: Partial<ApiServerOptions> = {}): Promise<KubectlEnv> {
  const probe = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(`kubectl is required for this suite: ${probe.error?.message ?? probe.stderr}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-kubectl2-'));
  const server = await startApiServer({ dataDir: path.join(home, 'data'), port: 0, ...opts });
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, server.kubeconfig(), { mode: 0o600 });
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
  const kubectl = (args: string[], stdin?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        KUBECTL,
        ['--request-timeout=20s', ...args],
        { env, timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
          resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  return {
    server,
    home,
    kubectl,
    async close() {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
