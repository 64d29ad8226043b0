/**
 * Fixtures for the rollout tests: a scripted terminal that types keystrokes into the wizard's
 * prompts and reads its screen, a service with two Ready revisions of examples/autoscale on the
 * in-process cluster, a load generator against the gateway, and an in-process CLI runner.
 */
import { request } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { resolve } from 'node:path';
import { LOCAL_IMAGE_PREFIX } from '../../src/lib/apis/keys.js';
import type { Service, TrafficTarget } from '../../src/lib/apis/types.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { waitUntil } from '../support/wait.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\u001b[=>78]/g;

/** Keystrokes as a terminal sends them. */
export const Keys = {
  enter: '\r',
  down: '\u001b[B',
  up: '\u001b[A',
  backspace: '\u007f',
  ctrlC: '\u0003',
} as const;

/** A scripted terminal: `input` for the prompts, `output` collecting the screen. */
export class Terminal {
  readonly input = new PassThrough();
  readonly output: Writable;
  private raw = '';
  private cursor = 0;

  constructor() {
    this.output = new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.raw += chunk.toString();
        cb();
      },
    });
  }

  /** Everything written so far, without escape codes. */
  get screen(): string {
    return this.raw.replace(ANSI, '');
  }

  /** Waits until `text` appears after the previous match, then moves past it. */
  async waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    const at = await waitUntil(
      `screen to show ${JSON.stringify(text)} (screen so far:\n${this.screen.slice(-1500)})`,
      () => {
        const i = this.screen.indexOf(text, this.cursor);
        return i >= 0 ? i + 1 : undefined;
      },
      timeoutMs,
      20,
    );
    this.cursor = at - 1 + text.length;
  }

  /** Types keys. */
  type(...keys: string[]): void {
    for (const k of keys) this.input.write(k);
  }

  /** Waits for a prompt's text, then types the keys. */
  async answer(prompt: string, ...keys: string[]): Promise<void> {
    await this.waitFor(prompt);
    this.type(...keys);
  }
}

/** Absolute file:// image of an example app. */
export function exampleImage(name: string): string {
  return `${LOCAL_IMAGE_PREFIX}${resolve('examples', name)}`;
}

/**
 * Creates service `name` from examples/autoscale with two Ready revisions: `<name>-00001` pinned
 * at 100% and `<name>-00002` (the latest) at 0%.
 */
export async function makeTwoRevisionService(client: ServingClient, name: string): Promise<Service> {
  const created = await client.createService({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: client.namespace },
    spec: {
      template: {
        spec: { containers: [{ image: exampleImage('autoscale'), env: [{ name: 'VERSION', value: '1' }] }] },
      },
    },
  });
  await waitReady(client, name, created.metadata.generation ?? 1);
  const { after } = await client.updateServiceWithRetry(name, (svc) => {
    svc.spec.traffic = [{ revisionName: `${name}-00001`, percent: 100 }];
    svc.spec.template.spec.containers[0]!.env = [{ name: 'VERSION', value: '2' }];
  });
  const svc = await waitReady(client, name, after.metadata.generation ?? 2);
  if (svc.status?.latestReadyRevisionName !== `${name}-00002`)
    throw new Error(`expected ${name}-00002 to be the latest ready revision`);
  return svc;
}

async function waitReady(client: ServingClient, name: string, generation: number): Promise<Service> {
  const r = await client.waitForService(name, { generation, timeoutMs: 90_000 });
  if (!r.ready) throw new Error(`service ${name} not ready: ${r.reason}: ${r.message}`);
  return r.service;
}

/** spec.traffic of a service, without the `latestRevision: false` Knative's defaulting adds. */
export async function trafficOf(client: ServingClient, name: string): Promise<TrafficTarget[]> {
  return ((await client.getService(name)).spec.traffic ?? []).map(({ latestRevision, ...t }) =>
    latestRevision ? { latestRevision, ...t } : t,
  );
}

/** One HTTP GET through the gateway with a Host header; resolves status and body. */
export function gatewayGet(
  port: number,
  host: string,
  path = '/',
): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** Sends requests one after another (per worker) until stopped; counts answers by status. */
export function startLoad(
  port: number,
  host: string,
  path = '/',
  workers = 2,
): { stop(): Promise<Record<number, number>> } {
  let running = true;
  const counts: Record<number, number> = {};
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const { status } = await gatewayGet(port, host, path);
        counts[status] = (counts[status] ?? 0) + 1;
      } catch {
        counts[0] = (counts[0] ?? 0) + 1;
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

/** The host of a service's URL (`hello.default.localhost:PORT`). */
export function hostOf(url: string | undefined): string {
  if (!url) throw new Error('no URL');
  return new URL(url).host;
}

/** Runs a knlite command class in-process, capturing stdout/stderr and the exit code. */
export async function runCli(
  command: { run(argv?: string[], opts?: string): Promise<unknown> },
  argv: string[],
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  let exitCode = 0;
  try {
    await command.run(argv, resolve('.'));
  } catch (e) {
    const code = (e as { oclif?: { exit?: number } }).oclif?.exit;
    if (code === undefined) throw e;
    exitCode = code;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { stdout, stderr, exitCode };
}
