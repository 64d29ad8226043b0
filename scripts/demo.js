#!/usr/bin/env node
// `npm run demo`: the main job on the embedded local cluster, end to end, using the built CLI.
// It starts the local cluster (data in $KNLITE_HOME, default ~/.knlite), deploys examples/hello,
// calls its URL through the gateway, rolls out a second revision and splits traffic with tags.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const home = process.env.KNLITE_HOME || join(homedir(), '.knlite');
const kubeconfig = join(home, 'kubeconfig');

function knlite(...args) {
  console.log(`\n$ knlite ${args.join(' ')}`);
  const res = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, KNLITE_HOME: home },
  });
  if (res.status !== 0) {
    console.error(`\ndemo: "knlite ${args.join(' ')}" failed (exit ${res.status})`);
    process.exit(res.status ?? 1);
  }
}

function get(url) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    // *.localhost resolves to this machine; connect to 127.0.0.1 and keep the Host header.
    const req = request(
      { host: '127.0.0.1', port: u.port || 80, path: u.pathname, headers: { host: u.host } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function serviceUrl(name) {
  const res = spawnSync(
    process.execPath,
    [
      join(root, 'bin/run.js'),
      'service',
      'describe',
      name,
      '--kubeconfig',
      kubeconfig,
      '-o',
      'jsonpath={.status.url}',
    ],
    { encoding: 'utf8', env: { ...process.env, KNLITE_HOME: home } },
  );
  return res.stdout.trim();
}

knlite('cluster', 'start', '--no-kubeconfig');
const kc = ['--kubeconfig', kubeconfig];
knlite(
  'service',
  'create',
  'hello',
  '--image',
  join(root, 'examples/hello'),
  '--env',
  'TARGET=knlite',
  '--force',
  ...kc,
);
const url = serviceUrl('hello');
console.log(`\n$ curl ${url}\n${await get(url)}`);
knlite('service', 'update', 'hello', '--env', 'TARGET=again', ...kc);
knlite(
  'traffic',
  'split',
  'hello',
  '--traffic',
  'hello-00001=50',
  '--traffic',
  '@latest=50',
  '--tag',
  'hello-00001=blue',
  '--tag',
  '@latest=green',
  ...kc,
);
const counts = {};
for (let i = 0; i < 20; i++) {
  const body = await get(url);
  counts[body] = (counts[body] ?? 0) + 1;
}
console.log(`\n20 requests to ${url}:`);
for (const [body, n] of Object.entries(counts)) console.log(`  ${n} × ${body}`);
knlite('revision', 'list', '-s', 'hello', ...kc);
console.log(`\nDone. The local cluster keeps running: knlite cluster status | knlite cluster stop`);
