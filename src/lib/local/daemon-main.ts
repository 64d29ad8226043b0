/**
 * Entry point of the local cluster daemon process (spawned detached by `knlite cluster start`).
 * Runs the local stack (the components asked for) on stable ports remembered in `ports.json`,
 * records itself in `daemon.json`, and shuts everything down gracefully on SIGTERM/SIGINT. Output
 * goes to `daemon.log`. Only this process loads the server stack; the CLI side is daemon.ts.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { localPaths, readJsonFile, writePrivateFile, type LocalPaths } from './paths.js';
import { COMPONENTS, parseComponents } from './components.js';
import type { DaemonPorts, DaemonState } from './daemon.js';
import { startLocalStack } from './stack.js';

/** Default gateway port (the URLs README shows); a busy port falls back to a free one. */
const DEFAULT_GATEWAY_PORT = 8080;
/** Default gateway HTTPS port; a busy port falls back to a free one. */
const DEFAULT_GATEWAY_HTTPS_PORT = 8443;

function writeJson(path: string, value: unknown): void {
  writePrivateFile(path, JSON.stringify(value, null, 2));
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Chooses ports: explicit flags win, then the remembered ones (if still free), then defaults. */
async function choosePorts(paths: LocalPaths, requested: DaemonPorts): Promise<DaemonPorts> {
  const remembered = readJsonFile<DaemonPorts>(paths.ports) ?? {};
  const pick = async (flag: number | undefined, kept: number | undefined, fallback: number) => {
    if (flag !== undefined) return flag;
    if (kept && (await portFree(kept))) return kept;
    if (fallback && (await portFree(fallback))) return fallback;
    return 0;
  };
  return {
    apiPort: await pick(requested.apiPort, remembered.apiPort, 0),
    gatewayPort: await pick(requested.gatewayPort, remembered.gatewayPort, DEFAULT_GATEWAY_PORT),
    gatewayHttpsPort: await pick(
      requested.gatewayHttpsPort,
      remembered.gatewayHttpsPort,
      DEFAULT_GATEWAY_HTTPS_PORT,
    ),
    adminPort: await pick(requested.adminPort, remembered.adminPort, 0),
  };
}

/** Runs the local stack in this process until SIGTERM/SIGINT (the daemon's main loop). */
async function runDaemon(paths: LocalPaths, requested: DaemonPorts): Promise<void> {
  const ports = await choosePorts(paths, requested);
  const components = requested.components ?? [...COMPONENTS];
  const stack = await startLocalStack({
    dataDir: paths.data,
    runtimeDir: paths.runtime,
    ...ports,
    reconciler: components.includes('reconciler'),
    runtime: components.includes('runtime'),
    dataplane: components.includes('gateway'),
    // The reconciler and the data plane get threads of their own; the API server and runtime share this one.
    threads: true,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  const kubeconfig = stack.server.kubeconfig();
  writePrivateFile(paths.kubeconfig, kubeconfig);
  writeJson(paths.ports, {
    apiPort: stack.server.port,
    gatewayPort: stack.gatewayPort,
    gatewayHttpsPort: stack.gatewayHttpsPort,
    adminPort: stack.adminPort,
  });
  const state: DaemonState = {
    pid: process.pid,
    apiUrl: stack.server.url,
    gatewayPort: stack.gatewayPort,
    gatewayHttpsPort: stack.gatewayHttpsPort,
    adminPort: stack.adminPort,
    caFile: stack.caFile,
    startedAt: new Date().toISOString(),
    kubeconfig: paths.kubeconfig,
    components,
  };
  writeJson(paths.state, state);
  console.log(`${state.startedAt} local cluster ready (pid ${process.pid})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${new Date().toISOString()} ${signal}: stopping`);
    await stack.stop();
    rmSync(paths.state, { force: true });
    console.log(`${new Date().toISOString()} stopped`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    'api-port': { type: 'string' },
    'gateway-port': { type: 'string' },
    'gateway-https-port': { type: 'string' },
    'admin-port': { type: 'string' },
    components: { type: 'string' },
  },
});
if (!values.home) {
  console.error('daemon-main: --home is required');
  process.exit(2);
}
const paths = localPaths(values.home, true);
try {
  await runDaemon(paths, {
    apiPort: values['api-port'] ? Number(values['api-port']) : undefined,
    gatewayPort: values['gateway-port'] ? Number(values['gateway-port']) : undefined,
    gatewayHttpsPort: values['gateway-https-port'] ? Number(values['gateway-https-port']) : undefined,
    adminPort: values['admin-port'] ? Number(values['admin-port']) : undefined,
    components: values.components ? parseComponents(values.components) : undefined,
  });
} catch (err) {
  // One sentence for the user (start prints the log's tail); the stack only when debugging.
  console.error(`knlite daemon failed to start: ${(err as Error).message ?? err}`);
  if (process.env.KNLITE_DEBUG) console.error((err as Error).stack);
  rmSync(paths.state, { force: true });
  process.exit(1);
}
