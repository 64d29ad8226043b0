/**
 * Input errors need no cluster: on a machine with no kubeconfig at all (where any client would start
 * the local cluster on demand) every usage error and every bad flag value is reported — with its exit
 * code — before anything connects, so no daemon is started and KNLITE_HOME stays empty. Also run
 * through the installed script (its shebang), where Node must not grab knlite's `--env-file`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localPaths } from '../../src/lib/local/paths.js';
import { stopDaemon } from '../../src/lib/local/daemon.js';
import { knlite, requireBuild, runBin } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'knlite-nocluster-'));
const home = join(root, 'knlite-home');
// No $KUBECONFIG and a HOME without ~/.kube/config: the "fresh machine" where clients autostart.
const env = { KUBECONFIG: undefined, HOME: root, KNLITE_HOME: home, NO_COLOR: undefined };

afterAll(async () => {
  // Only if a command wrongly started the local cluster: stop the daemon it started.
  if (existsSync(localPaths(home).state)) await stopDaemon(localPaths(home));
  rmSync(root, { recursive: true, force: true });
});

/** What exists in KNLITE_HOME (nothing, when no command went near a cluster). */
function homeState(): string[] {
  return existsSync(home) ? readdirSync(home) : [];
}

const missing = join(root, 'missing.env');

describe('input errors on a machine without a kubeconfig', () => {
  it.each<[string[], number, string]>([
    [['service', 'create'], 2, "'service create' requires the service name given as single argument"],
    [
      ['service', 'create', 'x'],
      2,
      "'service create' requires the image name to run provided with the --image option",
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--scale', '1', '--scale-max', '2'],
      2,
      'only --scale or --scale-max can be specified',
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--env-file', missing],
      1,
      `cannot read --env-file ${missing}: no such file`,
    ],
    [
      ['service', 'create', 'x', '--image', 'i', '--port', 'web'],
      1,
      "the port specification 'web' is not valid",
    ],
    [['service', 'update', 'x'], 2, "flag(s) not set: 'service update' needs at least one flag to change"],
    [
      ['service', 'update', 'x', '--scale', '1', '--scale-min', '2'],
      2,
      'only --scale or --scale-min can be specified',
    ],
    [['service', 'update', 'x', '--env-file', missing], 1, `cannot read --env-file ${missing}: no such file`],
    [['service', 'update', 'x', '--env', '=v'], 1, "invalid --env '=v'"],
    [
      ['service', 'apply', 'x'],
      2,
      "'service apply' requires the image name to run provided with the --image option",
    ],
    [['service', 'delete'], 2, "'service delete' requires the service name(s)"],
    [['service', 'delete', 'x', '--all'], 2, "'service delete' with --all flag requires no arguments"],
    [['service', 'export', 'x'], 2, "'knlite service export' requires output format"],
    [['revision', 'delete'], 2, "'revision delete' requires one or more revision name"],
    [
      ['revision', 'delete', 'x', '--prune-all'],
      2,
      "'revision delete' with --prune-all flag requires no arguments",
    ],
    [
      ['traffic', 'split', 'x', '--traffic', '@latest=lots'],
      1,
      'error converting given lots to integer value for traffic distribution',
    ],
    [['traffic', 'split', 'x'], 2, "'knlite traffic split' needs --traffic"],
    [
      ['domain', 'create', 'x.example.com'],
      2,
      "'domain create' requires the route name provided with the --ref flag",
    ],
    [['domain', 'create', 'x.example.com', '--ref', 'foo:bar'], 1, "unsupported sink prefix: 'foo'"],
    [['domain', 'update', 'x.example.com'], 2, "'domain update' needs --ref or --tls to change"],
    [['service', 'logs'], 2, "'knlite service logs' requires the service name given as single argument"],
    [['service', 'logs', 'x', '--since', '5x'], 2, 'since "5x" is not a duration (use e.g. 30s, 5m or 1h)'],
    [['service', 'logs', 'x', '--tail', 'many'], 2, 'parsing --tail: Expected an integer but received: many'],
    [['revision', 'logs', 'x', '-f', '--previous'], 2, '--previous cannot be combined with --follow'],
    [['service', 'top', '--interval', 'soon'], 2, 'interval "soon" is not a duration (use e.g. 2s or 1m)'],
    [['service', 'top', 'x', '-o', 'yaml'], 2, 'invalid value "yaml" for -o/--output'],
    [
      ['service', 'top', '--metrics-url', 'gateway:9090'],
      2,
      'metrics-url "gateway:9090" is not an http:// URL',
    ],
  ])('%j exits %i without connecting', async (argv, exitCode, message) => {
    const r = await knlite(argv, env);
    expect(r.stderr.split('\n')[0]).toContain(`Error: ${message}`);
    expect(r.stderr).not.toContain('starting the local knlite cluster');
    expect(r.exitCode, r.stderr).toBe(exitCode);
    expect(homeState()).toEqual([]);
  });
});

describe('the installed script (shebang) without a kubeconfig', () => {
  it('service create with no name exits 2 and starts no daemon', async () => {
    requireBuild();
    const r = await runBin(['service', 'create'], { env, shebang: true });
    expect(r.stderr).toBe(
      "Error: 'service create' requires the service name given as single argument\nRun 'knlite service create --help' for usage.\n",
    );
    expect(r.exitCode).toBe(2);
    expect(homeState()).toEqual([]);
  });

  it("knlite's --env-file is knlite's: a missing file is its error (exit 1), an existing one is read", async () => {
    requireBuild();
    let r = await runBin(['service', 'create', 'x', '--image', 'i', '--env-file', missing], {
      env,
      shebang: true,
    });
    expect(r.stderr).toBe(`Error: cannot read --env-file ${missing}: no such file\n`);
    expect(r.exitCode).toBe(1);
    r = await runBin(['service', 'create', 'x', '--image', 'i', `--env-file=${missing}`], {
      env,
      shebang: true,
    });
    expect(r.stderr).toBe(`Error: cannot read --env-file ${missing}: no such file\n`);
    expect(r.exitCode).toBe(1);
    expect(homeState()).toEqual([]);

    // An existing file is read by knlite (offline, into --target).
    const file = join(root, 'vars.env');
    writeFileSync(file, 'GREETING=hello\nTARGET=world\n');
    const target = join(root, 'svc.yaml');
    r = await runBin(['service', 'create', 'x', '--image', 'i', '--env-file', file, '--target', target], {
      env,
      shebang: true,
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    r = await runBin(['service', 'describe', 'x', '--target', target, '-o', 'json'], { env, shebang: true });
    expect(JSON.parse(r.stdout).spec.template.spec.containers[0].env).toEqual([
      { name: 'GREETING', value: 'hello' },
      { name: 'TARGET', value: 'world' },
    ]);
  });
});
