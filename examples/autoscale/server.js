// Autoscaling sample (after Knative's autoscale-go): each query parameter adds work to a request.
//   ?sleep=ms    wait that many milliseconds (concurrency without CPU)
//   ?prime=n     compute the largest prime <= n (CPU)
//   ?bloat=mb    allocate and touch that many megabytes (memory)
//   ?status=code answer with that HTTP status (for rollout and error tests)
// The body names the revision that served the request.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const revision = process.env.K_REVISION || 'local';

function largestPrimeAtMost(n) {
  for (let candidate = Math.floor(n); candidate >= 2; candidate--) {
    let prime = true;
    for (let d = 2; d * d <= candidate; d++) {
      if (candidate % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return candidate;
  }
  return null;
}

function bloat(mb) {
  const buffer = Buffer.alloc(mb * 1024 * 1024);
  // Touch every page so the memory is really resident.
  for (let i = 0; i < buffer.length; i += 4096) buffer[i] = 1;
  return buffer.length;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  const lines = [];
  const sleep = Number(url.searchParams.get('sleep') ?? 0);
  if (sleep > 0) {
    await new Promise((resolve) => setTimeout(resolve, sleep));
    lines.push(`Slept for ${sleep} milliseconds.`);
  }
  const prime = Number(url.searchParams.get('prime') ?? 0);
  if (prime > 0) {
    const p = largestPrimeAtMost(prime);
    lines.push(
      p === null
        ? `There are no primes smaller than ${prime}.`
        : `The largest prime less than ${prime} is ${p}.`,
    );
  }
  const mb = Number(url.searchParams.get('bloat') ?? 0);
  if (mb > 0) lines.push(`Allocated ${bloat(mb) / (1024 * 1024)} Mb of memory.`);
  const status = Number(url.searchParams.get('status') ?? 200);
  const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200;
  lines.push(`Revision: ${revision}`);
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(lines.join('\n') + '\n');
});

// knlite's runtime sets HOST=127.0.0.1 so only its gateway reaches the app; unset: every interface.
const host = process.env.HOST || undefined;
server.listen(port, host, () =>
  console.log(`autoscale listening on port ${port} of ${host ?? 'every interface'} (revision ${revision})`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
