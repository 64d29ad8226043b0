/**
 * A small Kubernetes REST transport over node:https / node:http (docs/adr/0002-cli-transport.md):
 * JSON in and out, metav1.Status errors decoded into ApiError, streaming watches read line by line,
 * per-request timeouts. Bearer tokens, token files, client certificates, CA bundles and
 * insecure-skip-tls-verify are handled here; `exec`/`auth-provider` users are delegated to
 * client-node's KubeConfig.applyToHTTPSOptions, imported only when such a user is in use.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { ResolvedKubeconfig } from './kubeconfig.js';
import { ApiError, KnError } from './errors.js';
import type { KubeObject } from '../apis/types.js';

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one REST call. */
export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Content type of the body; JSON unless a patch type is given. */
  contentType?: string;
  /** Abort the request after this long (default 30 s). */
  timeoutMs?: number;
}

/** One watch event as the API server streams it. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch: `done` settles when the server closes the stream or `stop()` is called. */
export interface WatchHandle {
  done: Promise<void>;
  stop(): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The REST transport for one resolved kubeconfig context. */
export class RestTransport {
  private readonly agent: http.Agent;
  private readonly base: URL;
  // client-node KubeConfig, created on first use for exec/auth-provider users only.
  private clientNodeConfig?: Promise<{ applyToHTTPSOptions(o: https.RequestOptions): Promise<void> }>;

  constructor(readonly kc: ResolvedKubeconfig) {
    this.base = new URL(kc.server);
    const tls: https.AgentOptions = {
      keepAlive: true,
      ca: kc.ca,
      cert: kc.cert,
      key: kc.key,
      rejectUnauthorized: !kc.insecureSkipTlsVerify,
      servername: kc.tlsServerName,
    };
    this.agent = this.base.protocol === 'https:' ? new https.Agent(tls) : new http.Agent({ keepAlive: true });
  }

  /** The API server URL (for messages). */
  get server(): string {
    return this.kc.server;
  }

  /** Releases pooled sockets so the process can exit promptly. */
  close(): void {
    this.agent.destroy();
  }

  /** Sends one request and returns the decoded JSON body; non-2xx answers throw ApiError. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const req = await this.prepare(method, path, opts.query);
    const payload =
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string'
          ? opts.body
          : JSON.stringify(opts.body);
    if (payload !== undefined) {
      const headers = req.headers as http.OutgoingHttpHeaders;
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<T>((resolvePromise, reject) => {
      const r = this.lib().request(req, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new ApiError(status, parseStatus(text), method, path));
          if (text === '') return resolvePromise(undefined as T);
          try {
            resolvePromise(JSON.parse(text) as T);
          } catch {
            reject(
              new KnError(
                `the API server at ${this.kc.server} answered ${method} ${path} with something that is not JSON`,
                { name: 'ApiError' },
              ),
            );
          }
        });
      });
      r.setTimeout(timeoutMs, () =>
        r.destroy(Object.assign(new Error(`request timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      r.on('error', reject);
      r.end(payload);
    });
  }

  /**
   * Opens a watch stream (`?watch=true`) and calls `onEvent` for each line. `done` rejects with
   * ApiError when the server refuses the watch (for example 410 Gone on a too-old resourceVersion).
   */
  async watch<T extends KubeObject>(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent<T>) => void,
  ): Promise<WatchHandle> {
    const req = await this.prepare('GET', path, { ...query, watch: true });
    let request: http.ClientRequest | undefined;
    let stopped = false;
    const done = new Promise<void>((resolvePromise, reject) => {
      request = this.lib().request(req, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(new ApiError(status, parseStatus(Buffer.concat(chunks).toString('utf8')), 'GET', path)),
          );
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line === '' || stopped) continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch (err) {
              request?.destroy();
              return reject(err);
            }
          }
        });
        res.on('end', () => resolvePromise());
        res.on('error', (err) => (stopped ? resolvePromise() : reject(err)));
        res.on('close', () => resolvePromise());
      });
      request.on('error', (err) => (stopped ? resolvePromise() : reject(err)));
      request.end();
    });
    return {
      done,
      stop: () => {
        stopped = true;
        request?.destroy();
      },
    };
  }

  private lib(): typeof https | typeof http {
    return this.base.protocol === 'https:' ? https : http;
  }

  private async prepare(method: string, path: string, query: Query = {}): Promise<https.RequestOptions> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': 'knlite' };
    const opts: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      agent: this.agent,
      headers,
    };
    const token = this.kc.token ?? (this.kc.tokenFile ? readTokenFile(this.kc.tokenFile) : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (this.kc.username !== undefined && this.kc.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${this.kc.username}:${this.kc.password}`).toString('base64')}`;
    }
    if (this.kc.needsClientNode) {
      // exec plugins and auth providers: let client-node run them (it caches tokens); it sets
      // headers and, for exec certificates, cert/key — which then must bypass our pooled agent.
      const kc = await this.clientNode();
      const tlsOpts: https.RequestOptions = { headers };
      await kc.applyToHTTPSOptions(tlsOpts);
      opts.headers = tlsOpts.headers;
      if (tlsOpts.cert || tlsOpts.key) {
        opts.agent = undefined;
        Object.assign(opts, {
          ca: this.kc.ca,
          cert: tlsOpts.cert,
          key: tlsOpts.key,
          rejectUnauthorized: !this.kc.insecureSkipTlsVerify,
        });
      }
    }
    return opts;
  }

  private clientNode(): Promise<{ applyToHTTPSOptions(o: https.RequestOptions): Promise<void> }> {
    this.clientNodeConfig ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify(this.kc.merged));
      kc.setCurrentContext(this.kc.contextName);
      return kc;
    })();
    return this.clientNodeConfig;
  }
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new KnError(`cannot read tokenFile ${path} named in the kubeconfig: ${(err as Error).message}`, {
      name: 'KubeconfigInvalid',
      cause: err,
    });
  }
}

function parseStatus(text: string): ApiError['status'] {
  try {
    const parsed = JSON.parse(text) as ApiError['status'];
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return text ? { message: text.trim().slice(0, 500) } : undefined;
  }
}
