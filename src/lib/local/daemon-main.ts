/**
 * Entry point of the local cluster daemon process (spawned detached by `knlite cluster start`).
 * Runs the whole local stack, records itself in `daemon.json`, and shuts everything down
 * gracefully on SIGTERM/SIGINT. Output goes to `daemon.log`.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { localPaths } from './paths.js';
import { parseComponents } from './components.js';
import { runDaemon } from './daemon.js';

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
