/**
 * gRPC and HTTP/2 with prior knowledge through the gateway: a real HTTP/2 client (node:http2, which
 * opens with the `PRI *` preface like grpc-js and grpcurl in plaintext) and a gRPC server in a
 * child process. @grpc/grpc-js is not a dependency, so messages are framed by hand: a 5-byte
 * prefix (compressed flag, big-endian length) before each message, `grpc-status`/`grpc-message`
 * in the trailers.
 */
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  makeRevision,
  send,
  serve,
  spawnInstance,
  startInstance,
  startTestGateway,
  type TestGateway,
} from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A gRPC server speaking h2c: Unary echoes, Chat answers each message as it arrives, Missing fails. */
const GRPC_SERVER = `
const http2 = require('node:http2');
const frame = (s) => { const b = Buffer.from(s); const h = Buffer.alloc(5); h.writeUInt32BE(b.length, 1); return Buffer.concat([h, b]); };
const messages = (onMessage) => { let buf = Buffer.alloc(0); return (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) { const n = buf.readUInt32BE(1); onMessage(buf.subarray(5, 5 + n).toString()); buf = buf.subarray(5 + n); }
}; };
let inflight = 0, maxInflight = 0;
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const path = headers[':path'];
  const te = headers.te;
  if (path === '/echo.Echo/Missing') {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'no such thing' }, { endStream: true });
    return;
  }
  if (path === '/stats') { stream.respond({ ':status': 200 }); stream.end(JSON.stringify({ maxInflight })); return; }
  inflight++; maxInflight = Math.max(maxInflight, inflight);
  stream.on('close', () => inflight--);
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-seen-te': String(te), 'x-seen-authority': headers[':authority'], 'x-seen-xff': String(headers['x-forwarded-for']) }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'done' }));
  const received = [];
  stream.on('data', messages((m) => {
    received.push(m);
    if (path === '/echo.Echo/Chat') stream.write(frame('chat:' + m));
  }));
  stream.on('end', () => {
    const finish = () => { if (path === '/echo.Echo/Unary') stream.write(frame('echo:' + received.join(','))); stream.end(); };
    if (path === '/echo.Echo/Slow') setTimeout(finish, 100); else finish();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** gRPC's length-prefixed message framing. */
function frame(message: string): Buffer {
  const body = Buffer.from(message);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function unframe(data: Buffer): string[] {
  const out: string[] = [];
  let rest = data;
  while (rest.length >= 5) {
    const n = rest.readUInt32BE(1);
    out.push(rest.subarray(5, 5 + n).toString());
    rest = rest.subarray(5 + n);
  }
  return out;
}

interface Call {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  messages: string[];
  /** Whether the answer was one HEADERS frame ending the stream (gRPC's trailers-only form). */
  headersEndedStream: boolean;
}

/** A gRPC call over an open session: sends `requests` (all at once), collects the answer. */
function call(session: ClientHttp2Session, host: string, method: string, requests: string[]): Promise<Call> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': `/echo.Echo/${method}`,
      ':authority': host,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const result: Call = { headers: {}, trailers: {}, messages: [], headersEndedStream: false };
    const chunks: Buffer[] = [];
    stream.on('response', (headers, flags) => {
      result.headers = headers;
      result.headersEndedStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    });
    stream.on('trailers', (trailers) => (result.trailers = trailers));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ ...result, messages: unframe(Buffer.concat(chunks)) }));
    stream.on('error', reject);
    stream.end(Buffer.concat(requests.map(frame)));
  });
}

async function gateway(): Promise<TestGateway> {
  const gw = await startTestGateway();
  cleanups.push(() => gw.close());
  return gw;
}

async function grpcInstance() {
  const server = await spawnInstance(GRPC_SERVER);
  cleanups.push(() => server.kill());
  return server;
}

function h2client(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  cleanups.push(() => session.destroy());
  return session;
}

function route(gw: TestGateway, host: string, revision: string): void {
  gw.state.setHost(host, {
    namespace: 'default',
    route: host.split('.')[0],
    splits: [{ revision, percent: 100 }],
  });
}

describe('HTTP/2 with prior knowledge (h2c) on the gateway port', () => {
  it('carries unary and streaming gRPC calls to an h2c revision with trailers intact, HTTP/1.1 alongside', async () => {
    const gw = await gateway();
    const grpc = await grpcInstance();
    serve(gw.state, makeRevision('default', 'grpc-00001', { protocol: 'h2c' }), [grpc.instance]);
    route(gw, 'grpc.default.localhost', 'grpc-00001');
    const session = h2client(gw.port);

    const unary = await call(session, 'grpc.default.localhost', 'Unary', ['hi']);
    expect(unary.headers[':status']).toBe(200);
    expect(unary.headers['content-type']).toBe('application/grpc');
    expect(unary.messages).toEqual(['echo:hi']);
    expect(unary.trailers).toMatchObject({ 'grpc-status': '0', 'grpc-message': 'done' });
    // The instance saw the authority, TE: trailers and the client address.
    expect(unary.headers['x-seen-authority']).toBe('grpc.default.localhost');
    expect(unary.headers['x-seen-te']).toBe('trailers');
    expect(unary.headers['x-seen-xff']).toBe('127.0.0.1');

    const chat = await call(session, 'grpc.default.localhost', 'Chat', ['a', 'b', 'c']);
    expect(chat.messages).toEqual(['chat:a', 'chat:b', 'chat:c']);
    expect(chat.trailers['grpc-status']).toBe('0');

    // A gRPC error answered trailers-only stays trailers-only.
    const missing = await call(session, 'grpc.default.localhost', 'Missing', []);
    expect(missing.headersEndedStream).toBe(true);
    expect(missing.headers).toMatchObject({ 'grpc-status': '5', 'grpc-message': 'no such thing' });

    // Several calls share the one client connection; HTTP/1.1 still works on the same port.
    const parallel = await Promise.all(
      ['x', 'y', 'z'].map((m) => call(session, 'grpc.default.localhost', 'Unary', [m])),
    );
    expect(parallel.map((c) => c.messages[0])).toEqual(['echo:x', 'echo:y', 'echo:z']);
    const inst = await startInstance((req, res) => res.end(`h1 ${req.httpVersion}`));
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'web-00001'), [inst.instance]);
    route(gw, 'web.default.localhost', 'web-00001');
    expect(await send(gw.port, 'web.default.localhost')).toMatchObject({ status: 200, body: 'h1 1.1' });
    expect(gw.metrics.inflight('default/grpc-00001')).toBe(0);
  });

  it('reaches an HTTP/1 revision from an HTTP/2 client and answers unknown hosts with 404', async () => {
    const gw = await gateway();
    const inst = await startInstance((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => res.end(`h1 ${req.method} ${req.headers.host} ${body}`));
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'web-00001'), [inst.instance]);
    route(gw, 'web.default.localhost', 'web-00001');
    const session = h2client(gw.port);
    const get = (host: string, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const s = session.request({ ':method': body ? 'POST' : 'GET', ':path': '/', ':authority': host });
        let status = 0;
        let text = '';
        s.on('response', (h) => (status = Number(h[':status'])));
        s.on('data', (c: Buffer) => (text += c));
        s.on('end', () => resolve({ status, body: text }));
        s.on('error', reject);
        s.end(body);
      });
    expect(await get('web.default.localhost:8080')).toEqual({
      status: 200,
      body: 'h1 GET web.default.localhost:8080 ',
    });
    expect(await get('web.default.localhost', 'payload')).toEqual({
      status: 200,
      body: 'h1 POST web.default.localhost payload',
    });
    const unknown = await get('nope.default.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('nope.default.localhost');
  });

  it('applies the whole chain to h2c requests: activation from zero, containerConcurrency, timeouts, metrics', async () => {
    const gw = await gateway();
    serve(gw.state, makeRevision('default', 'grpc-00001', { protocol: 'h2c', containerConcurrency: 1 }), []);
    route(gw, 'grpc.default.localhost', 'grpc-00001');
    const session = h2client(gw.port);

    // At zero: buffered, the autoscaler poked, released when an instance is ready.
    const pending = Promise.all(
      ['1', '2', '3', '4'].map((m) => call(session, 'grpc.default.localhost', 'Slow', [m])),
    );
    await vi.waitFor(() => expect(gw.metrics.inflight('default/grpc-00001')).toBe(4), { timeout: 10_000 });
    expect(gw.pokes).toContain('default/grpc-00001');
    const grpc = await grpcInstance();
    gw.state.setInstances('default/grpc-00001', [grpc.instance]);
    const answers = await pending;
    expect(answers.map((a) => a.trailers['grpc-status'])).toEqual(['0', '0', '0', '0']);
    // containerConcurrency 1: the instance never saw two calls at once.
    const stats = await new Promise<string>((resolve) => {
      const s = connect(`http://${grpc.instance.id}`);
      const r = s.request({ ':path': '/stats' });
      let t = '';
      r.on('data', (c: Buffer) => (t += c));
      r.on('end', () => {
        s.close();
        resolve(t);
      });
    });
    expect(JSON.parse(stats)).toEqual({ maxInflight: 1 });

    // timeoutSeconds: nothing written in time → 504.
    const silent = await startInstance(() => {});
    cleanups.push(() => silent.close());
    serve(gw.state, makeRevision('default', 'slow-00001', { timeoutSeconds: 1 }), [silent.instance]);
    route(gw, 'slow.default.localhost', 'slow-00001');
    const timedOut = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const s = session.request({ ':path': '/', ':authority': 'slow.default.localhost' });
      let status = 0;
      let body = '';
      s.on('response', (h) => (status = Number(h[':status'])));
      s.on('data', (c: Buffer) => (body += c));
      s.on('end', () => resolve({ status, body }));
      s.on('error', reject);
      s.end();
    });
    expect(timedOut).toEqual({ status: 504, body: 'request timeout\n' });

    const text = await gw.metrics.text();
    expect(text).toContain(
      'knlite_requests_total{namespace="default",service="grpc",revision="grpc-00001",code="200"} 4',
    );
    expect(text).toContain(
      'knlite_requests_total{namespace="default",service="slow",revision="slow-00001",code="504"} 1',
    );
  });
});
