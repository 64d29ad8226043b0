/**
 * The knlite gateway alone, in its own process, routing one host to one instance (the bench's
 * "through the gateway" target). Usage: node --import tsx gateway-main.ts <appPort>; prints its port.
 */
import { makeGatewayDeps } from '../../src/lib/dataplane/gateway/deps.js';
import { startGateway } from '../../src/lib/dataplane/gateway/server.js';
import { DataPlaneMetrics } from '../../src/lib/dataplane/metrics.js';
import { DEFAULT_TIMEOUT_SECONDS, GatewayState } from '../../src/lib/dataplane/state.js';

const appPort = Number(process.argv[2]);
const state = new GatewayState();
state.setRevision({
  namespace: 'default',
  name: 'hello-00001',
  service: 'hello',
  containerConcurrency: 0,
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  protocol: 'http1',
  annotations: {},
});
state.setInstances('default/hello-00001', [{ id: `127.0.0.1:${appPort}`, ip: '127.0.0.1', port: appPort }]);
state.setHost('hello.default.localhost', {
  namespace: 'default',
  route: 'hello',
  splits: [{ revision: 'hello-00001', percent: 100 }],
});
const gateway = await startGateway(makeGatewayDeps({ state, metrics: new DataPlaneMetrics() }), {
  host: '127.0.0.1',
  port: 0,
});
process.stdout.write(`${gateway.port}\n`);
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
