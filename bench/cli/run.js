#!/usr/bin/env node
// CLI speed, side by side in one run; run after `npm run build`:
//   node bench/cli/run.js [--runs 20] [--list-runs 10]
// 1. process start to exit: `knlite version` vs `node -e 0`, and `knlite --help`;
// 2. `knlite service list` vs `kubectl get ksvc` against the same in-process local cluster
//    (dist/lib/local/stack.js), with 10 services (reconciler on) and with 1,000 services (a second
//    cluster with the reconciler off: 1,000 reconciled services would mean 1,000 revisions and
//    deployments, which measures the reconciler rather than the CLI);
// 3. which modules `knlite version`, `knlite --help` and `knlite service list` load: an ESM resolve
//    hook plus a CJS resolve wrapper count files under node_modules/@kubernetes/client-node.
// With `--anchor DIR` (another built checkout, e.g. `git archive <commit> | tar -x -C DIR`, node_modules
// linked, `npm run build`), every knlite row is measured for both builds, interleaved run by run, so
// machine load hits both alike. Prints a Markdown report (paste into bench/README.md "## cli").
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 20);
const LIST_RUNS = arg('list-runs', 10);
const anchorIndex = process.argv.indexOf('--anchor');
const anchorRoot = anchorIndex > 0 ? process.argv[anchorIndex + 1] : undefined;

if (!existsSync(join(root, 'dist/commands/version.js')) || !existsSync(join(root, 'oclif.manifest.json'))) {
  console.error('Error: run `npm run build` first (bench/cli measures the built bin/run.js).');
  process.exit(1);
}

const bin = join(root, 'bin/run.js');
const baseEnv = { ...process.env, NO_COLOR: '1' };
delete baseEnv.NODE_OPTIONS;

// Runs a process to completion without blocking this event loop (the API server lives in it).
function runProcess(cmd, args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

// Wall time of one process from spawn to exit, in ms; fails loudly on a non-zero exit.
async function timeOnce(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = await runProcess(cmd, args, env);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { p50: q(0.5), p95: q(0.95), min: s[0], n: s.length };
}

// Measures several variants round-robin (one run of each per round), so load changes hit all alike.
async function measureInterleaved(variants, runs) {
  for (const v of variants) await timeOnce(v.cmd, v.args, v.env); // warm the OS file cache
  const samples = variants.map(() => []);
  const stdout = variants.map(() => '');
  for (let i = 0; i < runs; i++) {
    for (const [j, v] of variants.entries()) {
      const r = await timeOnce(v.cmd, v.args, v.env);
      samples[j].push(r.ms);
      stdout[j] = r.stdout;
    }
  }
  return variants.map((v, j) => ({ label: v.label, ...stats(samples[j]), stdout: stdout[j] }));
}

// This build's `knlite ARGS`, and the anchor build's when --anchor is given.
function knlite(label, args, env) {
  const own = { label, cmd: process.execPath, args: [bin, ...args], env };
  if (!anchorRoot) return [own];
  return [
    { ...own, label: `${label} [anchor]`, args: [join(anchorRoot, 'bin/run.js'), ...args] },
    { ...own, label: `${label} [this]` },
  ];
}

const fmt = (n) => n.toFixed(1);
const row = (m) => `| \`${m.label}\` | ${m.n} | ${fmt(m.p50)} | ${fmt(m.p95)} | ${fmt(m.min)} |`;
const out = [];
const say = (line = '') => {
  out.push(line);
  console.error(line);
};

say(
  `Recorded ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length}× ${cpus()[0]?.model.trim()}, Node ${process.version}, ${process.platform}, 1-min load average ${loadavg()[0].toFixed(1)} at start.`,
);
say();

// ---- 1. start-up --------------------------------------------------------------------------------
say('### Start-up (process start to exit)');
say();
say('| command | runs | p50 ms | p95 ms | min ms |');
say('|---|---|---|---|---|');
for (const m of await measureInterleaved(
  [
    { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], env: baseEnv },
    ...knlite('knlite version', ['version'], baseEnv),
    ...knlite('knlite version -o json', ['version', '-o', 'json'], baseEnv),
    ...knlite('knlite --help', ['--help'], baseEnv),
    ...knlite('knlite service create --help', ['service', 'create', '--help'], baseEnv),
    ...knlite('knlite autocomplete script bash', ['autocomplete', 'script', 'bash'], baseEnv),
  ],
  RUNS,
)) {
  say(row(m));
}
say();

// ---- 3. module loading (done before the cluster so it does not compete for CPU) -------------------
const hookDir = mkdtempSync(join(tmpdir(), 'knlite-bench-hook-'));
const logFile = join(hookDir, 'modules.log');
writeFileSync(
  join(hookDir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(logFile)}, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(
  join(hookDir, 'register.mjs'),
  `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(join(hookDir, 'hooks.mjs')).href)});
const Module = createRequire(import.meta.url)('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (...a) {
  const f = original.apply(this, a);
  appendFileSync(${JSON.stringify(logFile)}, f + '\\n');
  return f;
};
`,
);
async function modulesLoaded(args, env) {
  writeFileSync(logFile, '');
  const r = await runProcess(
    process.execPath,
    ['--import', pathToFileURL(join(hookDir, 'register.mjs')).href, bin, ...args],
    env,
  );
  if (r.status !== 0) throw new Error(`knlite ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const files = new Set(readFileSync(logFile, 'utf8').split('\n').filter(Boolean));
  const clientNode = [...files].filter((f) => f.includes('node_modules/@kubernetes/client-node/')).length;
  const ours = [...files].filter((f) => f.includes('/dist/')).length;
  return { total: files.size, clientNode, ours };
}

// ---- 2. service list vs kubectl -----------------------------------------------------------------
const { startLocalStack } = await import(pathToFileURL(join(root, 'dist/lib/local/stack.js')).href);
const { ServingClient } = await import(pathToFileURL(join(root, 'dist/lib/client/serving-client.js')).href);

async function withCluster(count, reconciler, fn) {
  const home = mkdtempSync(join(tmpdir(), 'knlite-bench-cli-'));
  const stack = await startLocalStack({
    dataDir: join(home, 'data'),
    runtimeDir: join(home, 'runtime'),
    reconciler,
    runtime: false,
    dataplane: false,
  });
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, stack.server.kubeconfig(), { mode: 0o600 });
  try {
    const client = await ServingClient.connect({ kubeconfig: kubeconfigPath });
    const t0 = Date.now();
    const names = Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
    // 16 concurrent creates through the API (admission runs for each).
    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(
        names.slice(i, i + 16).map((name) =>
          client.createService({
            metadata: { name },
            spec: { template: { spec: { containers: [{ image: 'file:///srv/app' }] } } },
          }),
        ),
      );
    }
    client.close();
    console.error(`created ${count} services in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await fn({ ...baseEnv, KUBECONFIG: kubeconfigPath, KNLITE_HOME: home });
  } finally {
    await stack.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const lists = [];
let listModules;
for (const [count, reconciler] of [
  [10, true],
  [1000, false],
]) {
  await withCluster(count, reconciler, async (env) => {
    const measured = await measureInterleaved(
      [
        { label: `kubectl get ksvc (${count})`, cmd: 'kubectl', args: ['get', 'ksvc'], env },
        ...knlite(`knlite service list (${count})`, ['service', 'list'], env),
      ],
      LIST_RUNS,
    );
    for (const m of measured) {
      const lines = m.stdout.trimEnd().split('\n').length - 1;
      if (lines !== count) throw new Error(`expected ${count} rows, ${m.label} printed ${lines}`);
    }
    lists.push(...measured);
    if (count === 10) listModules = await modulesLoaded(['service', 'list'], env);
  });
}
say('### `service list` vs `kubectl get ksvc` (same in-process cluster, runtime and gateway off)');
say();
say('| command (services) | runs | p50 ms | p95 ms | min ms |');
say('|---|---|---|---|---|');
for (const m of lists) say(row(m));
say();

say('### Modules loaded');
say();
say('| command | modules resolved | of them dist/ (ours) | of them @kubernetes/client-node |');
say('|---|---|---|---|');
for (const [label, args] of [
  ['knlite version', ['version']],
  ['knlite --help', ['--help']],
]) {
  const m = await modulesLoaded(args, baseEnv);
  say(`| \`${label}\` | ${m.total} | ${m.ours} | ${m.clientNode} |`);
}
say(
  `| \`knlite service list\` (10) | ${listModules.total} | ${listModules.ours} | ${listModules.clientNode} |`,
);
rmSync(hookDir, { recursive: true, force: true });

say(`1-min load average at end ${loadavg()[0].toFixed(1)}.`);
console.log(out.join('\n'));
