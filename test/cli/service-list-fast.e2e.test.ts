/**
 * `service list` without oclif (src/lib/cli/service-list.ts): which argument lists bin/run.js answers
 * itself, that they print exactly what the oclif command prints, and that everything else (and every
 * failure) still goes through the command.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ServiceList from '../../src/commands/service/list.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import {
  SERVICE_LIST_IDS,
  parsePlainServiceList,
  runServiceListFast,
} from '../../src/lib/cli/service-list.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { requireBuild, runBin, runInProcess } from '../support/cli.js';

let cluster: TestCluster;

beforeAll(async () => {
  requireBuild();
  cluster = await startTestCluster({ reconciler: true });
  await cluster.client.create(Kinds.namespace, { metadata: { name: 'other' } });
  const client = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
  const svc = (name: string, namespace: string) => ({
    metadata: { name, namespace },
    spec: { template: { spec: { containers: [{ image: 'file:///srv/app' }] } } },
  });
  await client.createService(svc('alpha', 'default'));
  await client.createService(svc('beta-with-a-longer-name', 'default'));
  await client.createService(svc('gamma', 'other'));
  client.close();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Runs runServiceListFast with stdout captured. */
async function fast(argv: string[]): Promise<{ handled: boolean; stdout: string }> {
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = cluster.kubeconfigPath;
  try {
    return { handled: await runServiceListFast(argv), stdout };
  } finally {
    process.stdout.write = write;
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

// The AGE cells ("3s") may tick between two runs; compare the tables with them blanked, by columns.
const cells = (table: string) =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {3,}/).map((c) => (/^\d+s$/.test(c) ? '<age>' : c)));

describe('service list without oclif', () => {
  it('answers to the command id and every alias of the command', () => {
    expect(SERVICE_LIST_IDS.sort()).toEqual(['service:list', ...ServiceList.aliases].sort());
  });

  it('takes only the plain forms', () => {
    expect(parsePlainServiceList(['service', 'list'])).toEqual({ allNamespaces: false, noHeaders: false });
    expect(
      parsePlainServiceList([
        'ksvc',
        'ls',
        '--namespace=dev',
        '--no-headers',
        '--kubeconfig',
        '/k',
        '--context=c',
        '--no-color',
      ]),
    ).toEqual({ namespace: 'dev', allNamespaces: false, noHeaders: true, kubeconfig: '/k', context: 'c' });
    expect(parsePlainServiceList(['services', 'ls', '-A'])).toEqual({
      allNamespaces: true,
      noHeaders: false,
    });
    for (const argv of [
      ['service', 'describe'],
      ['service', 'list', 'hello'],
      ['service', 'list', '-o', 'json'],
      ['service', 'list', '--target', 'dir'],
      ['service', 'list', '-A', '-n', 'x'],
      ['service', 'list', '-n'],
      ['service', 'list', '-n', ''],
      ['service', 'list', '-n', '-A'],
      ['service', 'list', '-n', 'a', '--namespace', 'b'],
      ['service', 'list', '--no-headers=true'],
      ['service', 'list', '--help'],
      ['service', 'list', '--'],
      ['revision', 'list'],
    ])
      expect(parsePlainServiceList(argv), argv.join(' ')).toBeUndefined();
  });

  it('prints what the command prints', async () => {
    for (const argv of [
      ['service', 'list'],
      ['ksvc', 'ls', '--no-headers'],
      ['service', 'list', '-A'],
      ['service', 'list', '-n', 'other'],
      ['service', 'list', '--namespace=empty'],
    ]) {
      const viaOclif = await runInProcess(argv, { env: { KUBECONFIG: cluster.kubeconfigPath } });
      expect(viaOclif.exitCode, argv.join(' ')).toBe(0);
      const r = await fast(argv);
      expect(r.handled, argv.join(' ')).toBe(true);
      expect(cells(r.stdout), argv.join(' ')).toEqual(cells(viaOclif.stdout));
    }
    expect(cells((await fast(['service', 'list', '-A'])).stdout)).toEqual([
      ['NAMESPACE', 'NAME', 'URL', 'LATEST', 'AGE', 'CONDITIONS', 'READY', 'REASON'],
      expect.arrayContaining(['default', 'alpha']),
      expect.arrayContaining(['default', 'beta-with-a-longer-name']),
      expect.arrayContaining(['other', 'gamma']),
    ]);
    expect((await fast(['service', 'list', '-n', 'empty'])).stdout).toBe('No services found.\n');
  }, 60_000);

  it('leaves failures to the command, which reports them', async () => {
    const r = await fast(['service', 'list', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r).toEqual({ handled: false, stdout: '' });
    const bin = await runBin(['service', 'list', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(bin.exitCode).not.toBe(0);
    expect(bin.stderr).toMatch(
      /^Error: the kubeconfig file \/nonexistent\/kubeconfig given with --kubeconfig does not exist/,
    );
    expect(bin.stdout).toBe('');
  });

  it('is what the built CLI runs, without loading oclif', async () => {
    // A module resolve hook records every file the child loads.
    const dir = mkdtempSync(join(tmpdir(), 'knlite-fast-list-'));
    const log = join(dir, 'modules.log');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});`,
    );
    const loaded = async (argv: string[]) => {
      writeFileSync(log, '');
      const r = await runBin(argv, {
        env: { ...cluster.env, NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}` },
      });
      return { ...r, files: readFileSync(log, 'utf8') };
    };
    try {
      const plain = await loaded(['service', 'list']);
      expect(plain.exitCode).toBe(0);
      expect(plain.files).toContain('/dist/lib/cli/service-list.js');
      expect(plain.files).not.toContain('/dist/lib/cli/entry.js');
      const json = await loaded(['service', 'list', '-o', 'name']);
      expect(json.stdout).toBe(
        'service.serving.knative.dev/alpha\nservice.serving.knative.dev/beta-with-a-longer-name\n',
      );
      expect(json.files).toContain('/dist/lib/cli/entry.js');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const r = await runBin(['service', 'list', '-A'], { env: cluster.env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(
      r.stdout
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(/ +/).slice(0, 2)),
    ).toEqual([
      ['default', 'alpha'],
      ['default', 'beta-with-a-longer-name'],
      ['other', 'gamma'],
    ]);
  }, 60_000);
});
