// Hello world for knlite (and any Knative): listens on $PORT, answers "Hello <TARGET>!" followed by
// the revision that served the request, so traffic splits and rollouts are visible with curl. It binds
// $HOST when set (knlite's runtime sets 127.0.0.1, so only the gateway reaches the app), else every
// interface (Knative leaves HOST unset).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST || undefined;
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

server.listen(port, host, () =>
  console.log(`hello listening on port ${port} of ${host ?? 'every interface'} (revision ${revision})`),
);

// Knative sends SIGTERM before stopping a pod: finish in-flight requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
