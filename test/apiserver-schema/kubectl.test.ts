/**
 * Real `kubectl` (default flags) against the in-process API server: discovery, OpenAPI-driven
 * `apply` with server-side field validation, printer-column tables, table watches, YAML output,
 * merge patches and deletes. CI installs kubectl; a missing kubectl fails this suite.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { waitUntil } from '../support/wait.js';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

let server: ApiServer;
let home = '';
let kubeconfigPath = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectlEnv(): NodeJS.ProcessEnv {
  // A private HOME keeps kubectl's discovery/OpenAPI cache out of the developer's ~/.kube.
  return { ...process.env, KUBECONFIG: kubeconfigPath, HOME: home };
}

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KUBECTL,
      ['--request-timeout=20s', ...args],
      { env: kubectlEnv(), timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** Sends one request to the server as its admin (for changes kubectl does not make, like status). */
function api(
  method: string,
  p: string,
  body: unknown,
  contentType = 'application/merge-patch+json',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = https.request(
      new URL(p, server.url),
      {
        method,
        ca: server.caPem,
        headers: { authorization: `Bearer ${server.token}`, 'content-type': contentType },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    r.on('error', reject);
    r.end(JSON.stringify(body));
  });
}

/** Splits kubectl's table output into rows of whitespace-separated cells. */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
}

const serviceYaml = (image: string, extra = '') => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
  namespace: default
spec:
  template:
    spec:
      containers:
        - image: ${image}
          env:
            - name: TARGET
              value: World
${extra}`;

function writeManifest(name: string, text: string): string {
  const file = path.join(home, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  const probe = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `kubectl is required for this suite (CI installs it): ${probe.error?.message ?? probe.stderr}`,
    );
  }
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-kubectl-'));
  server = (await startTestApiServer({ dataDir: path.join(home, 'data'), port: 0 })).server;
  kubeconfigPath = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
});

afterAll(async () => {
  await server?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('kubectl against the embedded API server', () => {
  it('get ns prints NAME STATUS AGE', async () => {
    const r = await kubectl(['get', 'ns']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(body.find((row) => row[0] === 'default')?.[1]).toBe('Active');
  });

  it('apply -f creates, then leaves unchanged, then configures a Knative Service', async () => {
    const file = writeManifest('hello.yaml', serviceYaml('ghcr.io/knative/helloworld-go:latest'));
    const created = await kubectl(['apply', '-f', file]);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('service.serving.knative.dev/hello created');

    const again = await kubectl(['apply', '-f', file]);
    expect(again.stdout.trim()).toBe('service.serving.knative.dev/hello unchanged');

    const changed = writeManifest('hello2.yaml', serviceYaml('ghcr.io/knative/helloworld-go:v2'));
    const configured = await kubectl(['apply', '-f', changed]);
    expect(configured.stderr).toBe('');
    expect(configured.stdout.trim()).toBe('service.serving.knative.dev/hello configured');
  });

  it('apply -f rejects unknown fields and schema violations with the server message', async () => {
    const unknown = writeManifest(
      'unknown.yaml',
      serviceYaml('img', '  foo: bar\n').replace('name: hello', 'name: bad1'),
    );
    const r1 = await kubectl(['apply', '-f', unknown]);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('unknown field "spec.foo"');

    const invalid = writeManifest(
      'invalid.yaml',
      serviceYaml('img')
        .replace('name: hello', 'name: bad2')
        .replace(
          '    spec:\n      containers',
          '    spec:\n      containerConcurrency: lots\n      containers',
        ),
    );
    const r2 = await kubectl(['apply', '-f', invalid]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain(
      'spec.template.spec.containerConcurrency in body must be of type integer: "string"',
    );
    const list = await kubectl(['get', 'ksvc', '-o', 'name']);
    expect(list.stdout.trim()).toBe('service.serving.knative.dev/hello');
  });

  it('get ksvc prints the Knative printer columns', async () => {
    const r = await kubectl(['get', 'ksvc']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'URL', 'LATESTCREATED', 'LATESTREADY', 'READY', 'REASON']);
    expect(lines[1].split(/\s+/)[0]).toBe('hello');
  });

  it('get ksvc -w streams an update', async () => {
    let out = '';
    const child: ChildProcess = spawn(KUBECTL, ['--request-timeout=0', 'get', 'ksvc', 'hello', '-w'], {
      env: kubectlEnv(),
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitUntil('the initial watch row', () => /\nhello\s/.test(out), 20_000);
      const status = await api(
        'PATCH',
        '/apis/serving.knative.dev/v1/namespaces/default/services/hello/status',
        {
          status: {
            url: 'http://hello.default.localhost:8080',
            latestCreatedRevisionName: 'hello-00002',
            latestReadyRevisionName: 'hello-00002',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
          },
        },
      );
      expect(status).toBe(200);
      const line = await waitUntil(
        'the updated row',
        () => out.split('\n').find((l) => l.includes('http://hello.default.localhost:8080')),
        20_000,
      );
      expect(line.trim().split(/\s+/)).toEqual([
        'hello',
        'http://hello.default.localhost:8080',
        'hello-00002',
        'hello-00002',
        'True',
      ]);
    } finally {
      child.kill();
    }
  });

  it('get ksvc -o yaml returns the stored object', async () => {
    const r = await kubectl(['get', 'ksvc', 'hello', '-o', 'yaml']);
    expect(r.stderr).toBe('');
    const obj = yaml.load(r.stdout) as any;
    expect(obj.apiVersion).toBe('serving.knative.dev/v1');
    expect(obj.kind).toBe('Service');
    expect(obj.spec.template.spec.containers[0].image).toBe('ghcr.io/knative/helloworld-go:v2');
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      'helloworld-go:v2',
    );
    expect(obj.status.url).toBe('http://hello.default.localhost:8080');
  });

  it('get ksvc -o jsonpath, as kubectl evaluates it', async () => {
    const r = await kubectl([
      'get',
      'ksvc',
      'hello',
      '-o',
      "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
    ]);
    expect(r.stdout).toBe('True');
  });

  it('patch --type merge changes the spec and bumps the generation', async () => {
    const r = await kubectl([
      'patch',
      'ksvc',
      'hello',
      '--type',
      'merge',
      '-p',
      '{"spec":{"template":{"metadata":{"annotations":{"autoscaling.knative.dev/min-scale":"1"}}}}}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('service.serving.knative.dev/hello patched');
    const got = await kubectl(['get', 'ksvc', 'hello', '-o', 'json']);
    const obj = JSON.parse(got.stdout);
    expect(obj.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('1');
    expect(obj.metadata.generation).toBe(3);
  });

  it('delete removes the service, and get then reports NotFound', async () => {
    const r = await kubectl(['delete', 'ksvc', 'hello']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('service.serving.knative.dev "hello" deleted');
    const after = await kubectl(['get', 'ksvc', 'hello']);
    expect(after.code).toBe(1);
    expect(after.stderr.trim()).toBe(
      'Error from server (NotFound): services.serving.knative.dev "hello" not found',
    );
  });
});
