// Hello world for knlite (and any Knative): listens on $PORT, answers "Hello <TARGET>!" followed by
// the revision that served the request, so traffic splits and rollouts are visible with curl.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const target = process.env.TARGET || 'World';
const revision = process.env.K_REVISION || 'local';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`Hello ${target}! (${revision})\n`);
});

server.listen(port, () => console.log(`hello listening on port ${port} (revision ${revision})`));

// Knative sends SIGTERM before stopping a pod: finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
