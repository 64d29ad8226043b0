/**
 * Runs the embedded API server in its own process for the durability test: starts it on the data
 * directory given as argv[2] and prints one JSON line `{url, token, caPem}` once it listens.
 * Usage: node --import tsx test/support/apiserver-child.ts <dataDir>
 */
import { startTestApiServer } from './apiserver.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: apiserver-child.ts <dataDir>');
  process.exit(2);
}
const { server } = await startTestApiServer({ dataDir });
process.stdout.write(JSON.stringify({ url: server.url, token: server.token, caPem: server.caPem }) + '\n');
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
