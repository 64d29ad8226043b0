/**
 * End-to-end: the real revision, route, traffic split and domain commands in-process (and the built
 * bin/run.js once) against the in-process local cluster — API server, reconciler, process runtime and
 * gateway — through the story create → update → split → tag → untag → domain map → delete, with
 * every user error of these commands checked for its sentence, its exit code and that it changed
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { DomainMapping, Revision, Service } from '../../src/lib/apis/types.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { ROOT, knlite, requireBuild, runBin, spawnInTerminal, type CliResult } from '../support/cli.js';

let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;

// eslint-disable-next-line no-control-regex
const ESC = /\u001b\[/;

/** Runs a command and checks the output has no escape codes (stdout is not a terminal here). */
async function run(...argv: string[]): Promise<CliResult> {
  const r = await knlite(argv, env);
  expect(r.stdout, 'no escape codes off a TTY').not.toMatch(ESC);
  expect(r.stderr, 'no escape codes off a TTY').not.toMatch(ESC);
  return r;
}

/** Expects a user error: exit code, one `Error: <sentence>` on stderr, nothing on stdout. */
function expectError(r: CliResult, exitCode: number, message: string | RegExp): void {
  expect(r.exitCode, r.stderr).toBe(exitCode);
  expect(r.stdout).toBe('');
  const first = r.stderr.split('\n')[0];
  if (typeof message === 'string') expect(first).toBe(`Error: ${message}`);
  else expect(first).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

const svc = (): Promise<Service> => api.getService('hello');

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: undefined };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
  // The first revision is created through the API (as kubectl apply would), the second by `service update`.
  const image = `file://${resolve(ROOT, 'test/cli/fixtures/hello')}`;
  const created = await api.createService({
    metadata: { name: 'hello' },
    spec: { template: { spec: { containers: [{ image, env: [{ name: 'TARGET', value: 'one' }] }] } } },
  });
  const first = await api.waitForService('hello', {
    generation: created.metadata.generation!,
    timeoutMs: 60_000,
  });
  expect(first.ready).toBe(true);
  const upd = await run('service', 'update', 'hello', '--env', 'TARGET=two');
  expect(upd.exitCode, upd.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

describe('revision list', () => {
  it('prints kn columns, newest generation first, traffic from the route', async () => {
    const r = await run('revision', 'list');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{3,}/)).toEqual([
      'NAME',
      'SERVICE',
      'TRAFFIC',
      'TAGS',
      'GENERATION',
      'AGE',
      'CONDITIONS',
      'READY',
      'REASON',
    ]);
    expect(lines[1]).toMatch(/^hello-00002\s+hello\s+100%\s+2\s+\S+\s+4 OK \/ 4\s+True$/);
    expect(lines[2]).toMatch(/^hello-00001\s+hello\s+1\s+\S+\s+4 OK \/ 4\s+True$/);
  });

  it('filters by service and name, hides headers, and knows -A and -n', async () => {
    expect((await run('revision', 'list', '-s', 'hello', '--no-headers')).stdout).toMatch(/^hello-00002 /);
    expect((await run('revision', 'list', 'hello-00001')).stdout.trimEnd().split('\n')).toHaveLength(2);
    expect((await run('revision', 'ls', '-A')).stdout).toMatch(/^NAMESPACE\s+NAME\s+SERVICE/);
    expect((await run('revisions', 'list', '-n', 'elsewhere')).stdout).toBe('No revisions found.\n');
    expectError(
      await run('revision', 'list', '-s', 'nosuch'),
      1,
      "service 'nosuch' not found in namespace 'default'",
    );
  });

  it('prints -o json|name|jsonpath in kn order', async () => {
    const json = JSON.parse((await run('revision', 'list', '-o', 'json')).stdout) as {
      kind: string;
      items: Revision[];
    };
    expect(json.kind).toBe('RevisionList');
    expect(json.items.map((i) => i.metadata.name)).toEqual(['hello-00002', 'hello-00001']);
    expect((await run('revision', 'list', '-o', 'name')).stdout).toBe(
      'revision.serving.knative.dev/hello-00002\nrevision.serving.knative.dev/hello-00001\n',
    );
    expect((await run('revision', 'list', '-o', 'jsonpath={.items[0].metadata.name}')).stdout).toBe(
      'hello-00002',
    );
    const empty = JSON.parse((await run('revision', 'list', '-n', 'elsewhere', '-o', 'json')).stdout);
    expect(empty.items).toEqual([]);
    expectError(await run('revision', 'list', '-o', 'wide'), 2, /^Error: invalid output format 'wide'/);
  });
});

describe('revision describe', () => {
  it("prints kn's sections", async () => {
    const r = await run('revision', 'describe', 'hello-00001');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+hello-00001\nNamespace:\s+default\n/);
    expect(r.stdout).toMatch(/\nImage:\s+file:\/\/.*test\/cli\/fixtures\/hello\n/);
    expect(r.stdout).toMatch(/\nEnv:\s+TARGET=one\n/);
    expect(r.stdout).toMatch(/\nService:\s+hello\n\nConditions:\s*\n\s+OK TYPE\s+AGE REASON\n\s+\+\+ Ready /);
    const verbose = await run('revision', 'describe', 'hello-00002', '-v');
    expect(verbose.stdout).toMatch(/\n {2}Latest Ready:\s+true\n/);
    expect(verbose.stdout).toMatch(/\n {2}Traffic:\s+100%\n/);
    const yaml = await run('revision', 'describe', 'hello-00001', '-o', 'yaml');
    expect(yaml.stdout).toMatch(/^apiVersion: serving.knative.dev\/v1\nkind: Revision\n/m);
  });

  it('names a missing revision and a missing argument', async () => {
    expectError(
      await run('revision', 'describe', 'nope'),
      1,
      "revision 'nope' not found in namespace 'default'",
    );
    const r = await run('revision', 'describe');
    expectError(r, 2, /^Error: 'knlite revision describe' requires the name of the revision/);
    expect(r.stderr).toContain("Run 'knlite revision describe --help' for usage.");
  });
});

describe('traffic split', () => {
  it('splits 50/50 and reports like service update', async () => {
    const r = await run(
      'traffic',
      'split',
      'hello',
      '--traffic',
      'hello-00001=50',
      '--traffic',
      '@latest=50',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Updating Service 'hello' in namespace 'default':\n\n/);
    expect(r.stdout).toMatch(
      /\n\nService 'hello' with latest revision 'hello-00002' \(unchanged\) is available at URL:\nhttp:\/\/hello\.default\.localhost(:\d+)?\n$/,
    );
    // The existing @latest target keeps its place; the named revision is appended (kn compute.go).
    expect((await svc()).spec.traffic).toEqual([
      { latestRevision: true, percent: 50 },
      { revisionName: 'hello-00001', percent: 50, latestRevision: false },
    ]);
    const list = await run('revision', 'list');
    expect(list.stdout).toMatch(/\nhello-00002\s+hello\s+50%\s/);
    expect(list.stdout).toMatch(/\nhello-00001\s+hello\s+50%\s/);
  });

  it('refuses to delete a revision that receives traffic, and changes nothing', async () => {
    expectError(
      await run('revision', 'delete', 'hello-00001'),
      1,
      "revision 'hello-00001' cannot be deleted: it receives 50% of the traffic of service 'hello' (route status). Move its traffic away first: knlite traffic split hello --traffic ...",
    );
    expect((await api.getRevision('hello-00001')).metadata.name).toBe('hello-00001');
  });

  it('tags a revision; the route shows the tag URL', async () => {
    const r = await run('traffic', 'split', 'hello', '--tag', 'hello-00001=old');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await svc()).spec.traffic?.[1]).toMatchObject({
      revisionName: 'hello-00001',
      tag: 'old',
      percent: 50,
    });
    const route = await run('route', 'describe', 'hello');
    expect(route.stdout).toMatch(/\nTraffic Targets:\s*\n\s+50%\s+@latest \(hello-00002\)\n/);
    expect(route.stdout).toMatch(
      /\n\s+50%\s+hello-00001 #old\n\s+URL:\s+http:\/\/old-hello\.default\.localhost/,
    );
    expect((await run('revision', 'list')).stdout).toMatch(/\nhello-00001\s+hello\s+50%\s+old\s+1\s/);
  });

  it.each([
    [
      ['--traffic', 'hello-00001=50', '--traffic', '@latest=60'],
      'given traffic percents sum to 110, want <=100',
    ],
    [
      ['--traffic', '@latest=50', '--traffic', '@latest=50'],
      'repetition of identifier @latest is not allowed, use only once with --traffic flag',
    ],
    [
      ['--traffic', 'hello-00001=50,hello-00001=50'],
      'repetition of revision reference hello-00001 is not allowed, use only once with --traffic flag',
    ],
    [['--traffic', '@latest=5x'], 'error converting given 5x to integer value for traffic distribution'],
    [['--traffic', '@latest=-100'], 'invalid value for traffic percent -100, expected 0 <= percent <= 100'],
    [
      ['--traffic', 'hello-00001=10,@latest=20'],
      'unable to allocate the remaining traffic: 70%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
    ],
    [
      ['--tag', 'a', '--tag', 'b'],
      'repetition of identifier @latest is not allowed, use only once with --tag flag',
    ],
    [
      ['--traffic', 'nope=50', '--traffic', '@latest=50'],
      "revision 'nope' not found for service 'hello' in namespace 'default': use a revision name, a tag or @latest",
    ],
    [
      ['--tag', 'hello-00002=old'],
      "refusing to overwrite existing tag in service, add flag '--untag old' in command to untag it",
    ],
    [['--untag', 'zzz,yyy'], 'tag(s) zzz, yyy not present for any revisions of service hello'],
    [['--traffic', 'a=b=c'], /^Error: expecting the value format in value1=value2, given a=b=c/],
  ])('rejects %j before changing anything', async (flags, message) => {
    const before = await svc();
    expectError(await run('traffic', 'split', 'hello', ...flags), 1, message);
    const after = await svc();
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.traffic).toEqual(before.spec.traffic);
  });

  it('names a missing service', async () => {
    expectError(
      await run('traffic', 'split', 'nosuch', '--traffic', '@latest=100'),
      1,
      "service 'nosuch' not found in namespace 'default'",
    );
    expectError(
      await run('traffic', 'split', 'nosuch', '--untag', 'x'),
      1,
      "service 'nosuch' not found in namespace 'default'",
    );
  });

  it('off a terminal, without flags, says which flags are needed (exit 2)', async () => {
    const r = await run('traffic', 'split', 'hello');
    expectError(
      r,
      2,
      "'knlite traffic split' needs --traffic REF=PERCENT, --tag REF=TAG or --untag TAG when not run on a terminal (the interactive wizard needs one)",
    );
    expect(r.stderr).toContain("Run 'knlite traffic split --help' for usage.");
    expectError(await run('traffic', 'split'), 2, /^Error: 'knlite traffic split' requires the service name/);
    expectError(await run('traffic', 'split', 'hello', '--bogus'), 2, /^Error: unknown flag: --bogus/);
  });

  it('untags and moves all traffic to @latest, dropping the old target', async () => {
    const r = await run('traffic', 'split', 'hello', '--untag', 'old', '--traffic', '@latest=100');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "Service 'hello' with latest revision 'hello-00002' (unchanged) is available at URL:",
    );
    expect((await svc()).spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
  });
});

describe('route', () => {
  it('lists NAME URL READY and describes with -o json', async () => {
    const r = await run('route', 'list');
    expect(r.stdout).toMatch(/^NAME\s+URL\s+READY\nhello\s+http:\/\/hello\.default\.localhost\S*\s+True\n$/);
    expect((await run('routes', 'ls', '-n', 'elsewhere')).stdout).toBe('No routes found.\n');
    expect((await run('route', 'list', '-o', 'yaml')).stdout).toMatch(
      /^apiVersion: serving\.knative\.dev\/v1\nkind: RouteList\n/,
    );
    expect((await run('route', 'list', '--no-headers')).stdout).toMatch(/^hello\s+http/);
    const json = JSON.parse((await run('route', 'describe', 'hello', '-o', 'json')).stdout);
    expect(json.kind).toBe('Route');
    expectError(await run('route', 'describe', 'nope'), 1, "route 'nope' not found in namespace 'default'");
  });
});

describe('domain', () => {
  it('maps, lists, describes, updates and deletes a domain', async () => {
    const created = await run('domain', 'map', 'hello.example.com', '--ref', 'hello');
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toBe("Domain mapping 'hello.example.com' created in namespace 'default'.\n");
    const dm = await api.getDomainMapping('hello.example.com');
    expect(dm.spec.ref).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: 'hello',
      namespace: 'default',
    });

    const list = await run('domain', 'list');
    expect(list.stdout).toMatch(/^NAME\s+URL\s+READY\s+KSVC\nhello\.example\.com\s+.*\s+hello\n$/);
    const described = await run('domain', 'describe', 'hello.example.com');
    expect(described.stdout).toMatch(
      /\nReference:\s*\n {2}APIVersion:\s+serving\.knative\.dev\/v1\n {2}Kind:\s+Service\n {2}Name:\s+hello\n/,
    );
    expect((await run('domain', 'describe', 'hello.example.com', '-o', 'name')).stdout).toBe(
      'domainmapping.serving.knative.dev/hello.example.com\n',
    );

    const url = (await run('domain', 'describe', 'hello.example.com', '-o', 'url')).stdout;
    expect(url).toMatch(/^http:\/\/hello\.example\.com(:\d+)?\n$/);
    const updated = await run(
      'domain',
      'update',
      'hello.example.com',
      '--ref',
      'ksvc:hello:default',
      '--tls',
      'hello-cert',
    );
    expect(updated.stdout).toBe("Domain mapping 'hello.example.com' updated in namespace 'default'.\n");
    expect((await api.getDomainMapping('hello.example.com')).spec.tls).toEqual({ secretName: 'hello-cert' });
  });

  it.each([
    [['domain', 'create', 'x.example.com', '--ref', 'foo:hello'], 1, "unsupported sink prefix: 'foo'"],
    [
      ['domain', 'create', 'x.example.com', '--ref', 'nope'],
      1,
      "service 'nope' not found in namespace 'default'",
    ],
    [
      ['domain', 'create', 'x.example.com', '--ref', 'kroute:nope'],
      1,
      "route 'nope' not found in namespace 'default'",
    ],
    [['domain', 'create', 'x.example.com', '--ref', 'ksvc:a:b:c'], 1, /^Error: invalid --ref 'ksvc:a:b:c'/],
    [
      ['domain', 'create', 'x.example.com', '--ref', 'hello', '--tls', 'Bad_Secret'],
      1,
      /^Error: invalid secret name "Bad_Secret": /,
    ],
    [
      ['domain', 'create', 'x.example.com'],
      2,
      "'domain create' requires the route name provided with the --ref flag",
    ],
    [
      ['domain', 'update', 'x.example.com', '--ref', 'hello'],
      1,
      "domain mapping 'x.example.com' not found in namespace 'default'",
    ],
    [['domain', 'update', 'hello.example.com'], 2, "'domain update' needs --ref or --tls to change"],
    [
      ['domain', 'describe', 'x.example.com'],
      1,
      "domain mapping 'x.example.com' not found in namespace 'default'",
    ],
    [
      ['domain', 'delete', 'x.example.com'],
      1,
      "domain mapping 'x.example.com' not found in namespace 'default'",
    ],
  ])('%j fails with exit %i and changes nothing', async (argv, code, message) => {
    expectError(await run(...argv), code, message);
    const names = (await api.listDomainMappings()).items.map((d: DomainMapping) => d.metadata.name);
    expect(names).toEqual(['hello.example.com']);
  });

  it('deletes the mapping', async () => {
    expect((await run('domain', 'delete', 'hello.example.com')).stdout).toBe(
      "Domain mapping 'hello.example.com' deleted in namespace 'default'.\n",
    );
    // As with kn, the delete does not wait for the mapping's finalizer (which releases its claim).
    await waitUntil('the mapping is gone', async () => (await api.listDomainMappings()).items.length === 0);
    expect((await run('domain', 'list')).stdout).toBe('No domain mapping found.\n');
  });
});

describe('revision delete', () => {
  it('checks its arguments (exit 2)', async () => {
    expectError(await run('revision', 'delete'), 2, "'revision delete' requires one or more revision name");
    expectError(
      await run('revision', 'delete', 'x', '--prune-all'),
      2,
      "'revision delete' with --prune-all flag requires no arguments",
    );
    expectError(await run('revision', 'delete', '--prune', 'hello', '--prune-all'), 2, /--prune/);
  });

  it('deletes each named revision like kn: the others go, the missing and the routed one are reported (exit 1)', async () => {
    const r = await run('revision', 'delete', 'hello-00001', 'hello-00002', 'nope', '--wait');
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toBe("Revision 'hello-00001' deleted in namespace 'default'.\n");
    expect(r.stderr).toBe(
      [
        "Error: revision 'hello-00002' cannot be deleted: it receives 100% of the traffic of service 'hello' (route status). Move its traffic away first: knlite traffic split hello --traffic ...",
        "Error: revision 'nope' not found in namespace 'default'",
        '',
      ].join('\n'),
    );
    expect((await api.listRevisions()).items.map((i) => i.metadata.name)).toEqual(['hello-00002']);
    expect((await run('revision', 'delete', '--prune', 'hello')).stdout).toBe(
      'No unreferenced revisions found.\n',
    );
  });

  it('prunes the revisions the route no longer uses', async () => {
    const upd = await run('service', 'update', 'hello', '--env', 'TARGET=three');
    expect(upd.stdout).toContain(
      "Service 'hello' updated to latest revision 'hello-00003' is available at URL:",
    );
    // The labeler marks the revision the route dropped as no longer active.
    await waitUntil('hello-00002 to leave the route', async () => {
      const rev = await api.getRevision('hello-00002');
      return rev.metadata.labels?.['serving.knative.dev/routingState'] !== 'active';
    });
    const r = await run('revision', 'delete', '--prune', 'hello');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe("Revision 'hello-00002' deleted in namespace 'default'.\n");
    expect((await run('revision', 'list', '-o', 'name')).stdout).toBe(
      'revision.serving.knative.dev/hello-00003\n',
    );
  });
});

describe('service delete', () => {
  it('deletes each named service like kn: the others go, the missing one is reported (exit 1)', async () => {
    for (const name of ['gone-a', 'gone-b']) {
      await api.createService({
        metadata: { name },
        spec: { template: { spec: { containers: [{ image: 'file:///nowhere' }] } } },
      });
    }
    const r = await run('service', 'delete', 'gone-a', 'missing', 'gone-b');
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toBe(
      "Service 'gone-a' successfully deleted in namespace 'default'.\nService 'gone-b' successfully deleted in namespace 'default'.\n",
    );
    expect(r.stderr).toBe("Error: service 'missing' not found in namespace 'default'\n");
    await waitUntil('gone-a and gone-b to be deleted', async () => {
      const names = (await api.listServices()).items.map((s) => s.metadata.name);
      return !names.includes('gone-a') && !names.includes('gone-b');
    });
  });
});

describe('built binary', () => {
  it('runs revision list and the traffic split usage error through bin/run.js', async () => {
    requireBuild();
    const childEnv = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home };
    const list = await runBin(['revision', 'list', '-o', 'name'], { env: childEnv });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toBe('revision.serving.knative.dev/hello-00003\n');
    const split = await runBin(['traffic', 'split', 'hello'], { env: childEnv });
    expect(split.exitCode).toBe(2);
    expect(split.stderr).toMatch(/^Error: 'knlite traffic split' needs --traffic/);
    expect(split.stdout + split.stderr).not.toMatch(ESC);
  });

  it('on a terminal without flags opens the traffic wizard (driven through a pty)', async () => {
    requireBuild();
    const before = await svc();
    const child = spawnInTerminal(['traffic', 'split', 'hello'], {
      KUBECONFIG: cluster.kubeconfigPath,
      KNLITE_HOME: cluster.home,
    });
    let screen = '';
    child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    try {
      // eslint-disable-next-line no-control-regex
      const plain = (): string => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
      await waitUntil('the wizard question', () => plain().includes('What do you want to do?'), 60_000);
      child.stdin.write('\u001b[A'); // up from the first choice wraps to the last one, Quit
      await waitUntil('Quit to be selected', () => /❯ Quit/.test(plain()), 10_000);
      child.stdin.write('\r');
      expect(await exited).toBe(0);
      expect(plain()).toContain("Service 'hello' in namespace 'default':");
    } finally {
      child.kill();
    }
    expect((await svc()).metadata.generation).toBe(before.metadata.generation);
  });

  it('two concurrent traffic splits both land (conflicts are retried)', async () => {
    requireBuild();
    const childEnv = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home };
    const [a, b] = await Promise.all([
      runBin(['traffic', 'split', 'hello', '--tag', 'hello-00003=pinned'], { env: childEnv }),
      runBin(['traffic', 'split', 'hello', '--tag', '@latest=current'], { env: childEnv }),
    ]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode, b.stderr).toBe(0);
    const tags = (await svc()).spec.traffic?.map((t) => t.tag).sort();
    expect(tags).toEqual(['current', 'pinned']);
  });
});
