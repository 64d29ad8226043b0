/**
 * The pod subresources that reach into a running pod, served through the PodConnector the stack
 * plugs in (pod-connector.ts):
 *
 * - `GET pods/<name>/log` with PodLogOptions (container, follow, previous, timestamps, tailLines,
 *   sinceSeconds, sinceTime, limitBytes), streamed as text/plain; options are validated like
 *   kube-apiserver's (422 PodLogOptions invalid, 400 for an unknown container or a pod the runtime
 *   cannot read, with kube's messages);
 * - `pods/<name>/exec` over WebSocket with the channel protocols kubectl speaks (`v5.channel.k8s.io`
 *   and `v4.channel.k8s.io`): stdin 0, stdout 1, stderr 2, the exit Status on 3, resize 4 (ignored:
 *   without a terminal there is nothing to resize), and v5's close frame 255 to end stdin. A TTY
 *   runs the command under `script` (a pseudo-terminal) when that is installed.
 * - `pods/<name>[:<port>]/proxy[/<path>]`, any method, as kube-apiserver's proxy to a pod: the
 *   request (method, path and query, headers minus the hop-by-hop ones and the caller's
 *   Authorization, the body streamed) goes to the pod's port through the connector's `dial`, and the
 *   answer (status, headers, body) streams back. The port is the one named, else the pod's first
 *   containerPort, else 80. A pod the runtime cannot reach answers 503 ServiceUnavailable
 *   `error trying to reach service: …`, as kube-apiserver does.
 * - `pods/<name>/portforward?ports=P[,P…]` over WebSocket with the kubelet's channel protocol
 *   (`v4.channel.k8s.io`, or no subprotocol): per port, a data channel 2i and an error channel
 *   2i+1, each opened by the port as two little-endian bytes; one TCP connection to each port
 *   through the connector's `dial` (which wakes a frozen pod), closed with the WebSocket. This is
 *   what client-node's PortForward and the Python client's `portforward` speak. kubectl's own
 *   port-forward (SPDY, or SPDY tunnelled through a WebSocket) is refused with a Status that says
 *   so.
 *
 * A request without a WebSocket upgrade for exec/portforward is answered 400 like kube-apiserver
 * (`Upgrade request required`); SPDY upgrades (kubectl's fallback) get the same Status as their
 * WebSocket counterparts.
 */
import { existsSync } from 'node:fs';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KubeObject, Pod } from '../apis/types.js';
import { ApiError, badRequest, invalid, methodNotAllowed, toStatus, type Status } from './errors.js';
import { isUnavailable, type PodConnector, type PodTarget } from './pod-connector.js';
import { queryBool, queryInt } from './request.js';
import { stripHopByHop } from '../net/hop-by-hop.js';

/** Subresources of pods this module serves. */
export const POD_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);

/** Exec channel protocols, preferred first. */
const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const POD_LOG_KIND = { kind: 'PodLogOptions', group: '' };

function noConnector(what: string): ApiError {
  return new ApiError(
    503,
    'ServiceUnavailable',
    `${what} needs the runtime that runs this server's pods, and none is connected to the API server`,
  );
}

/** Picks the container a request names (or the only one), with kube-apiserver's messages. */
export function selectContainer(pod: Pod, requested: string | undefined): string {
  const spec = (pod.spec ?? {}) as {
    containers?: { name?: string }[];
    initContainers?: { name?: string }[];
    ephemeralContainers?: { name?: string }[];
  };
  const all = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ]
    .map((c) => c.name ?? '')
    .filter(Boolean);
  const name = pod.metadata.name!;
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const main = (spec.containers ?? []).map((c) => c.name ?? '');
  if (main.length === 1) return main[0]!;
  if (main.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

function targetOf(pod: Pod, container: string): PodTarget {
  if (!pod.spec?.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return {
    namespace: pod.metadata.namespace ?? '',
    pod: pod.metadata.name!,
    uid: pod.metadata.uid,
    container,
  };
}

/** Reads and validates PodLogOptions from the query. */
function logOptions(q: URLSearchParams, podName: string) {
  const tailLines = queryInt(q, 'tailLines');
  const limitBytes = queryInt(q, 'limitBytes');
  const sinceSeconds = queryInt(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  const causes: { field: string; message: string; reason?: string }[] = [];
  if (tailLines !== undefined && tailLines < 0)
    causes.push({
      field: 'tailLines',
      message: `Invalid value: ${tailLines}: must be greater than or equal to 0`,
    });
  if (limitBytes !== undefined && limitBytes < 1)
    causes.push({ field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    causes.push({
      field: 'sinceSeconds',
      reason: 'FieldValueForbidden',
      message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  else if (sinceSeconds !== undefined && sinceSeconds < 1)
    causes.push({ field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (causes.length) throw invalid(POD_LOG_KIND, podName, causes);
  let sinceMs: number | undefined;
  if (sinceTime !== undefined) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs) || !/^\d{4}-\d\d-\d\dT/.test(sinceTime))
      throw badRequest(
        `parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
      );
  } else if (sinceSeconds !== undefined) sinceMs = Date.now() - sinceSeconds * 1000;
  return {
    previous: queryBool(q, 'previous'),
    follow: queryBool(q, 'follow'),
    timestamps: queryBool(q, 'timestamps'),
    tailLines,
    limitBytes,
    sinceMs,
  };
}

/** Serves a non-upgrade request to a pod subresource. */
export async function servePodSubresource(
  connector: PodConnector | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  pod: KubeObject,
  subresource: string,
  q: URLSearchParams,
): Promise<void> {
  const p = pod as Pod;
  if (subresource === 'attach') throw attachNotSupported();
  if (subresource === 'exec' || subresource === 'portforward') throw badRequest('Upgrade request required');
  if (req.method !== 'GET') throw methodNotAllowed();
  const opts = logOptions(q, p.metadata.name!);
  const container = selectContainer(p, q.get('container') || undefined);
  const target = targetOf(p, container);
  if (!connector) throw noConnector('reading pod logs');
  const log = connector.openLog({ ...target, ...opts });
  if (isUnavailable(log)) throw badRequest(log.unavailable);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  // Headers go out at once so a following client sees the stream begin.
  res.flushHeaders();
  await log.pipe(res, abort.signal);
  res.end();
}

/** The pod name and port of a `pods/<id>/proxy` request: `name`, `name:port` or `http:name:port`. */
export function splitPodProxyId(id: string): { pod: string; port?: string } {
  const parts = id.split(':');
  if (parts.length === 1) return { pod: id };
  if (parts.length === 2 && parts[0] && parts[1]) return { pod: parts[0], port: parts[1] };
  if (parts.length === 3 && parts[1] && (parts[0] === 'http' || parts[0] === ''))
    return { pod: parts[1], port: parts[2] || undefined };
  if (parts.length === 3 && parts[0] === 'https')
    throw badRequest(
      `invalid pod request ${JSON.stringify(id)}: this API server reaches pods over http only`,
    );
  throw badRequest(`invalid pod request ${JSON.stringify(id)}`);
}

/** The port a proxy request goes to: the one named (a number or a containerPort's name), else the first containerPort, else 80. */
function proxyPort(pod: Pod, port: string | undefined): number {
  const ports = (pod.spec?.containers ?? []).flatMap(
    (c) => (c as { ports?: { name?: string; containerPort?: number }[] }).ports ?? [],
  );
  if (port === undefined) return ports.find((p) => p.containerPort)?.containerPort ?? 80;
  if (/^\d+$/.test(port) && Number(port) > 0 && Number(port) < 65536) return Number(port);
  const named = ports.find((p) => p.name === port)?.containerPort;
  if (named) return named;
  throw unreachable(`no port named ${JSON.stringify(port)} in pod ${pod.metadata.name}`);
}

function unreachable(why: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${why}`);
}

/**
 * Serves `pods/<id>/proxy<rest>`: forwards the request to the pod and streams the answer back.
 * `rest` is the raw (still escaped) path after `proxy`, `search` the query string with its `?`.
 */
export async function servePodProxy(
  connector: PodConnector | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  pod: KubeObject,
  port: string | undefined,
  rest: string,
  search: string,
): Promise<void> {
  const p = pod as Pod;
  const target = targetOf(p, '');
  const to = proxyPort(p, port);
  if (!connector) throw noConnector('proxying to a pod');
  const socket = await connector.dial({ namespace: target.namespace, pod: target.pod, uid: target.uid }, to);
  if (isUnavailable(socket)) throw unreachable(socket.unavailable);
  // As kube-apiserver's reverse proxy: connection fields and the caller's credentials stay here;
  // the caller's address is appended to X-Forwarded-For.
  const headers = stripHopByHop(req.rawHeaders).filter(([k]) => {
    const n = k.toLowerCase();
    return n !== 'authorization' && n !== 'x-forwarded-for';
  });
  const caller = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const xff = req.headers['x-forwarded-for'];
  const prior = Array.isArray(xff) ? xff.join(', ') : xff;
  headers.push(['X-Forwarded-For', prior ? `${prior}, ${caller}` : caller]);
  await new Promise<void>((resolve, reject) => {
    let answered = false;
    const upstream = request({
      createConnection: () => socket,
      method: req.method,
      path: (rest || '/') + search,
      headers: headers.flat() as unknown as Record<string, string>,
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve();
    });
    upstream.on('response', (ures: IncomingMessage) => {
      answered = true;
      res.writeHead(ures.statusCode ?? 502, ures.statusMessage, stripHopByHop(ures.rawHeaders).flat());
      // Headers go out at once: a streaming answer's client sees it begin.
      res.flushHeaders();
      ures.on('error', () => res.destroy());
      ures.on('aborted', () => res.destroy());
      ures.pipe(res);
    });
    upstream.on('error', (err) => {
      socket.destroy();
      if (answered || res.headersSent) return void res.destroy();
      reject(unreachable(err.message));
    });
    req.pipe(upstream);
  });
}

function portForwardNotSupported(offered: string): ApiError {
  return new ApiError(
    501,
    'NotSupported',
    `port-forward is served over WebSocket with the ${PORT_FORWARD_PROTOCOL} channel protocol (client-node's PortForward, the Python client's portforward), not ${offered}; kubectl port-forward speaks SPDY, which this API server does not — reach the pod through its Service or the knlite gateway instead`,
  );
}

function attachNotSupported(): ApiError {
  return new ApiError(
    501,
    'NotSupported',
    'attach is not supported by this API server (pod processes have no attachable terminal); use kubectl logs -f or kubectl exec',
  );
}

/** Writes a Status as a plain HTTP response on a socket that asked to upgrade. */
export function refuseUpgrade(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  const reason = status.code === 501 ? 'Not Implemented' : status.code === 400 ? 'Bad Request' : 'Error';
  socket.end(
    `HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/** The kubelet's binary port-forward protocol; a client offering no subprotocol gets it too. */
const PORT_FORWARD_PROTOCOL = 'v4.channel.k8s.io';

const portForwardWss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false),
});

/** The subprotocols a WebSocket upgrade offers. */
function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The `ports` of a port-forward request (repeated or comma-separated), validated as the kubelet does. */
export function portForwardPorts(q: URLSearchParams): number[] {
  const raw = q.getAll('ports').flatMap((v) => v.split(','));
  if (raw.length === 0) throw badRequest('query parameter "port" is required');
  return raw.map((v) => {
    const s = v.trim();
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n > 65535) throw badRequest(`unable to parse "${s}" as a port`);
    if (n < 1) throw badRequest(`port "${s}" must be > 0`);
    return n;
  });
}

/**
 * Serves `pods/<name>/portforward` over WebSocket: one connection to each requested port, dialled
 * once the client is connected, its bytes on that port's data channel and a dial failure on its
 * error channel (the kubelet's wording). The WebSocket closes when every connection has ended, and
 * closing it ends them.
 */
function upgradePortForward(
  connector: PodConnector | undefined,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: Pod,
  q: URLSearchParams,
): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const offered = offeredProtocols(req);
  if (upgrade !== 'websocket') throw portForwardNotSupported(String(req.headers.upgrade));
  if (offered.length > 0 && !offered.includes(PORT_FORWARD_PROTOCOL))
    throw portForwardNotSupported(`the subprotocols [${offered.join(' ')}]`);
  const ports = portForwardPorts(q);
  const target = targetOf(pod, '');
  if (!connector) throw noConnector('port-forward');
  portForwardWss.handleUpgrade(req, socket, head, (ws) => {
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    };
    const conns: (Duplex | undefined)[] = ports.map(() => undefined);
    const done = ports.map(() => false);
    const ended = (i: number): void => {
      if (done[i]) return;
      done[i] = true;
      if (done.every(Boolean)) ws.close(1000);
    };
    let closed = false;
    ws.on('close', () => {
      closed = true;
      for (const c of conns) c?.destroy();
    });
    // What the client sends before its port's connection is up waits for it.
    const pending: Buffer[][] = ports.map(() => []);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
      if (buf.length === 0 || buf[0] % 2 === 1 || buf[0] / 2 >= ports.length) return;
      const i = buf[0] / 2;
      if (conns[i]) conns[i].write(buf.subarray(1));
      else if (!done[i]) pending[i].push(buf.subarray(1));
    });
    ports.forEach((port, i) => {
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      send(2 * i, portBytes);
      send(2 * i + 1, portBytes);
      const fail = (why: string): void => {
        send(
          2 * i + 1,
          `an error occurred forwarding ${port} -> ${port}: error forwarding port ${port} to pod ${target.pod}, uid ${target.uid ?? ''}: ${why}`,
        );
        ended(i);
      };
      void connector.dial(target, port).then(
        (conn) => {
          if (isUnavailable(conn)) return fail(conn.unavailable);
          if (closed) return void conn.destroy();
          conns[i] = conn;
          for (const chunk of pending[i].splice(0)) conn.write(chunk);
          conn.on('data', (d: Buffer) => send(2 * i, d));
          conn.on('error', (err) => {
            if (!conn.destroyed) fail(err.message);
          });
          conn.once('close', () => ended(i));
        },
        (err: unknown) => fail((err as Error).message),
      );
    });
  });
}

/**
 * Serves an upgrade request to `pods/<name>/exec` or `portforward` (WebSocket) — or refuses attach
 * and SPDY upgrades with a Status. Throws ApiError for failures found before the upgrade.
 */
export function upgradePodSubresource(
  connector: PodConnector | undefined,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: KubeObject,
  subresource: string,
  q: URLSearchParams,
): void {
  const p = pod as Pod;
  if (subresource === 'portforward') return upgradePortForward(connector, req, socket, head, p, q);
  if (subresource !== 'exec') throw attachNotSupported();
  const isWebSocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isWebSocket)
    throw new ApiError(
      501,
      'NotSupported',
      `exec is served over WebSocket (${EXEC_PROTOCOLS.join(', ')}), not ${String(req.headers.upgrade)}`,
    );
  const offered = offeredProtocols(req);
  if (!EXEC_PROTOCOLS.some((x) => offered.includes(x)))
    throw badRequest(
      `exec needs one of the subprotocols ${EXEC_PROTOCOLS.join(', ')}; offered: [${offered.join(' ')}]`,
    );
  const command = q.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const stdin = queryBool(q, 'stdin');
  const stdout = queryBool(q, 'stdout');
  const stderr = queryBool(q, 'stderr');
  const tty = queryBool(q, 'tty');
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const container = selectContainer(p, q.get('container') || undefined);
  const target = targetOf(p, container);
  if (!connector) throw noConnector('exec');
  const argv =
    tty && existsSync('/usr/bin/script')
      ? ['/usr/bin/script', '-qefc', shellQuote(command), '/dev/null']
      : command;
  wss.handleUpgrade(req, socket, head, (ws) => {
    // Started only once the client is connected: nothing runs for a failed handshake.
    const child = connector.exec({ ...target, command: argv, stdin, tty });
    if (isUnavailable(child)) {
      ws.send(
        Buffer.concat([
          Buffer.from([3]),
          Buffer.from(JSON.stringify(toStatus(badRequest(child.unavailable)))),
        ]),
      );
      ws.close(1000);
      return;
    }
    runExec(ws, child, { stdout, stderr, tty });
  });
}

function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function runExec(
  ws: WebSocket,
  child: import('node:child_process').ChildProcess,
  want: { stdout: boolean; stderr: boolean; tty: boolean },
): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  };
  // With a TTY the kubelet merges stderr into stdout (one terminal).
  child.stdout?.on('data', (d: Buffer) => want.stdout && send(1, d));
  child.stderr?.on('data', (d: Buffer) =>
    want.stderr && !want.tty ? send(2, d) : want.stdout && send(1, d),
  );
  child.stdin?.on('error', () => {});
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
    if (buf.length === 0) return;
    const channel = buf[0];
    const payload = buf.subarray(1);
    if (channel === 0) child.stdin?.write(payload);
    else if (channel === 255 && v5 && payload[0] === 0) child.stdin?.end();
  });
  ws.on('close', () => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let finished = false;
  const finish = (status: Record<string, unknown>) => {
    if (finished) return;
    finished = true;
    send(3, JSON.stringify(status));
    ws.close(1000);
  };
  child.once('error', (err) => {
    if (child.pid !== undefined) return; // errors after the start surface as 'close'
    finish({
      metadata: {},
      status: 'Failure',
      message: `exec failed: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'executable file not found in $PATH' : err.message}`,
      reason: 'InternalError',
      code: 500,
    });
  });
  child.once('close', (code, signal) => {
    if (code === 0) return finish({ metadata: {}, status: 'Success' });
    const exit = code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 0);
    finish({
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: exit status ${exit}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
    });
  });
}
