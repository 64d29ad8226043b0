/**
 * The one Kubernetes REST client (docs/adr/0005-kube-access-layer.md): plain JSON in and out over
 * node:https / node:http with keep-alive agents, metav1.Status errors decoded into ApiError,
 * streaming watches read line by line, 30 s per-request timeouts. Verbs: GET, LIST (label/field
 * selectors, limit/continue), WATCH, POST, PUT, PATCH (merge, JSON, strategic, server-side apply),
 * DELETE, on objects and their `status`/`scale` subresources, with dryRun. Bearer tokens, token
 * files, basic auth, client certificates, CA bundles and insecure-skip-tls-verify are handled here;
 * `exec`/`auth-provider` users are delegated to client-node's KubeConfig.applyToHTTPSOptions,
 * imported only when such a user is in use — so the CLI never loads client-node on its hot path.
 *
 * Plain JSON matters: client-node's typed APIs deserialize into model classes (Dates, dropped unknown
 * fields) and its KubernetesObjectApi maps a Knative `Service` onto core `V1Service`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { KubeList, KubeObject } from '../apis/types.js';
import { ApiError, KubeconfigError } from './errors.js';
import { apiVersionOf, collectionPath, Kinds, objectPath, type Kind } from './kinds.js';
import {
  kubeconfigFromString,
  loadKubeconfig,
  type LoadOptions,
  type ResolvedKubeconfig,
} from './kubeconfig.js';

/** Query parameters; undefined and '' values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Options of one raw REST call. */
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

/** Scope and filters of a list call. */
export interface ListOptions {
  /** One namespace; undefined or '' lists across all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** Scope, filters and starting point of a watch. */
export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Ask the server to end the stream after this long (it then resolves `done`). */
  timeoutSeconds?: number;
}

/** Patch flavours Kubernetes accepts. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Options shared by writes. */
export interface WriteOptions {
  /** Ask the server to validate and admit without persisting (`dryRun=All`). */
  dryRun?: boolean;
  fieldManager?: string;
}

/** Options of a PATCH. */
export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

/** Options of a PUT. */
export interface ReplaceOptions extends WriteOptions {
  subresource?: string;
}

/** Options of a DELETE. */
export interface DeleteOptions {
  /** Precondition: delete only the object with this uid. */
  uid?: string;
  /** Default `Background`: children go through the API server's garbage collector. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

/** An autoscaling/v1 Scale (the `scale` subresource). */
export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const DEFAULT_TIMEOUT_MS = 30_000;

type HttpsOptionsApplier = { applyToHTTPSOptions(o: https.RequestOptions): Promise<void> };

/** The REST client for one resolved connection (kubeconfig context or in-cluster service account). */
export class RestClient {
  private readonly agent: http.Agent;
  /** Watches hold their socket for minutes: a pool of their own keeps them from starving requests. */
  private readonly watchAgent: http.Agent;
  private readonly base: URL;
  private token?: { value: string; at: number };
  // client-node KubeConfig, created on first use for exec/auth-provider users only.
  private clientNodeConfig?: Promise<HttpsOptionsApplier>;

  constructor(
    readonly config: ResolvedKubeconfig,
    opts: { maxSockets?: number } = {},
  ) {
    this.base = new URL(config.server);
    const tls: https.AgentOptions = {
      keepAlive: true,
      ca: config.ca,
      cert: config.cert,
      key: config.key,
      rejectUnauthorized: !config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
    };
    // Keep-alive: a thousand services means thousands of writes; one TLS handshake each would dominate.
    const make = (maxSockets?: number): http.Agent =>
      this.base.protocol === 'https:'
        ? new https.Agent({ ...tls, maxSockets })
        : new http.Agent({ keepAlive: true, maxSockets });
    this.agent = make(opts.maxSockets ?? 64);
    this.watchAgent = make();
  }

  /** Loads the kubeconfig (or in-cluster config, or `onMissing`'s file) and returns a client for it. */
  static async connect(opts: LoadOptions = {}): Promise<RestClient> {
    return new RestClient(await loadKubeconfig(opts));
  }

  /** A client for a kubeconfig document held in memory (the embedded API server's own). */
  static fromKubeconfig(text: string, context?: string): RestClient {
    return new RestClient(kubeconfigFromString(text, context));
  }

  /** The API server URL (for messages). */
  get server(): string {
    return this.config.server;
  }

  /** The kubeconfig context in use ('in-cluster' inside a pod). */
  get contextName(): string {
    return this.config.contextName;
  }

  /** The context's namespace, or 'default'. */
  get namespace(): string {
    return this.config.namespace;
  }

  /** Releases pooled sockets (and open watches) so the process can exit promptly. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  // ---- typed verbs ---------------------------------------------------------------------------

  /** GETs one object (or one of its subresources). */
  get<T extends KubeObject>(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    subresource?: string,
  ): Promise<T> {
    return this.request<T>('GET', objectPath(kind, namespace, name, subresource));
  }

  /** LISTs one page of a kind (all of it unless `limit` is set). */
  list<T extends KubeObject>(kind: Kind, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', collectionPath(kind, opts.namespace), {
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
      },
    });
  }

  /** LISTs every page (`limit`/`continue`, `pageSize` objects at a time) into one list. */
  async listAll<T extends KubeObject>(
    kind: Kind,
    opts: Omit<ListOptions, 'limit' | 'continue'> & { pageSize?: number } = {},
  ): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page: KubeList<T> = await this.list<T>(kind, {
        ...opts,
        limit: opts.pageSize ?? 500,
        continue: cont,
      });
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion;
    } while (cont);
    return {
      apiVersion: apiVersionOf(kind),
      kind: `${kind.kind}List`,
      metadata: { resourceVersion: rv },
      items,
    };
  }

  /** Opens a watch on a kind; see `watchPath`. */
  watch<T extends KubeObject>(
    kind: Kind,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
  ): Promise<WatchHandle> {
    const { namespace, ...query } = opts;
    return this.watchPath<T>(collectionPath(kind, namespace), query, onEvent);
  }

  /** POSTs a new object into `obj.metadata.namespace` (apiVersion/kind filled from `kind` when absent). */
  create<T extends KubeObject>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>('POST', collectionPath(kind, obj.metadata.namespace), {
      body: withType(kind, obj),
      query: writeQuery(opts),
    });
  }

  /** PUTs the whole object (optimistic concurrency through metadata.resourceVersion). */
  replace<T extends KubeObject>(kind: Kind, obj: T, opts: ReplaceOptions = {}): Promise<T> {
    return this.request<T>(
      'PUT',
      objectPath(kind, obj.metadata.namespace, obj.metadata.name!, opts.subresource),
      {
        body: withType(kind, obj),
        query: writeQuery(opts),
      },
    );
  }

  /** PUTs the `status` subresource. */
  replaceStatus<T extends KubeObject>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.replace(kind, obj, { ...opts, subresource: 'status' });
  }

  /** PATCHes an object (merge by default; `apply` is server-side apply and needs a fieldManager). */
  patch<T extends KubeObject>(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType = 'merge',
    opts: PatchOptions = {},
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(kind, namespace, name, opts.subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      query: { ...writeQuery(opts), force: opts.force || undefined },
    });
  }

  /**
   * DELETEs an object (background propagation unless told otherwise); resolves to the server's
   * answer (the object, or a Status), which for `dryRun` is the object that would be deleted.
   */
  async delete<T extends KubeObject = KubeObject>(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<T | undefined> {
    const body: Record<string, unknown> = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: opts.propagationPolicy ?? 'Background',
    };
    if (opts.uid) body.preconditions = { uid: opts.uid };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.request<T | undefined>('DELETE', objectPath(kind, namespace, name), {
      body,
      query: { gracePeriodSeconds: opts.gracePeriodSeconds },
    });
  }

  /** Sets `spec.replicas` through the `scale` subresource (an unconditional PUT of a Scale). */
  updateScale(kind: Kind, namespace: string, name: string, replicas: number): Promise<Scale> {
    const scale: Scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace },
      spec: { replicas },
    };
    return this.request<Scale>('PUT', objectPath(kind, namespace, name, 'scale'), { body: scale });
  }

  // ---- raw -----------------------------------------------------------------------------------

  /** Sends one request and returns the decoded JSON body; non-2xx answers throw ApiError. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const req = await this.prepare(method, path, opts.query, this.agent);
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
              new Error(
                `the API server at ${this.config.server} answered ${method} ${path} with something that is not JSON`,
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

  /** GETs a path whose answer is plain text (`pods/log`); non-2xx answers throw ApiError. */
  async getText(path: string, query: Query = {}, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const req = await this.prepare('GET', path, query, this.agent);
    (req.headers as http.OutgoingHttpHeaders).Accept = 'text/plain, */*';
    return new Promise<string>((resolvePromise, reject) => {
      const r = this.lib().request(req, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new ApiError(status, parseStatus(text), 'GET', path));
          resolvePromise(text);
        });
      });
      r.setTimeout(timeoutMs, () =>
        r.destroy(Object.assign(new Error(`request timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      r.on('error', reject);
      r.end();
    });
  }

  /**
   * Has the API server's runtime dial `port` of the pod and hangs up at once: a `pods/portforward`
   * WebSocket upgrade (kube-apiserver hands it to the pod's kubelet) whose connection is dropped as
   * soon as it is upgraded, before any byte is forwarded. The pod sees a connection open and close,
   * as with a TCP probe; a frozen pod is woken by the dial. Resolves whether the server upgraded
   * (false: it refused with a Status, or the connection failed; it never rejects). The upgrade goes out on a pooled
   * keep-alive connection, so no TLS handshake is on the path.
   */
  async dialPod(namespace: string, pod: string, port: number): Promise<boolean> {
    let req: https.RequestOptions;
    try {
      req = await this.prepare(
        'GET',
        objectPath(Kinds.pod, namespace, pod, 'portforward'),
        { ports: port },
        this.agent,
      );
    } catch {
      return false; // no credentials to send (an unreadable token file, a failing exec plugin)
    }
    Object.assign(req.headers as http.OutgoingHttpHeaders, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Protocol': 'v4.channel.k8s.io',
    });
    return new Promise<boolean>((resolvePromise) => {
      const r = this.lib().request(req);
      r.on('upgrade', (_res, socket) => {
        socket.destroy();
        resolvePromise(true);
      });
      r.on('response', (res) => {
        res.resume();
        resolvePromise(false);
      });
      r.on('error', () => resolvePromise(false));
      r.setTimeout(DEFAULT_TIMEOUT_MS, () => r.destroy());
      r.end();
    });
  }

  /**
   * GETs a path whose answer is a text stream (`pods/log?follow=true`) and calls `onText` with each
   * chunk as it arrives. `done` resolves when the server ends the stream or `stop()` is called, and
   * rejects with ApiError on a non-2xx answer. Long-lived, so it uses the watch connection pool.
   */
  streamText(path: string, query: Query, onText: (text: string) => void): Promise<WatchHandle> {
    return this.openStream(path, query, 'text/plain, */*', onText);
  }

  /**
   * Opens a watch stream (`?watch=true`) on a collection path and calls `onEvent` for each line.
   * `done` rejects with ApiError when the server refuses the watch (for example 410 Gone on a
   * too-old resourceVersion); an in-stream 410 arrives as an ERROR event.
   */
  watchPath<T extends KubeObject>(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent<T>) => void,
  ): Promise<WatchHandle> {
    let buffered = '';
    return this.openStream(path, { ...query, watch: true }, 'application/json', (chunk, stopped) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        // A handler may stop the watch: the rest of the chunk is not delivered then.
        if (line !== '' && !stopped()) onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    });
  }

  /**
   * A streaming GET: `onChunk` gets the body as it arrives (until `stop()`, which `stopped` tells);
   * if it throws, the stream is cut and `done` rejects with that error.
   */
  private async openStream(
    path: string,
    query: Query,
    accept: string,
    onChunk: (text: string, stopped: () => boolean) => void,
  ): Promise<WatchHandle> {
    const req = await this.prepare('GET', path, query, this.watchAgent);
    (req.headers as http.OutgoingHttpHeaders).Accept = accept;
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
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (stopped) return;
          try {
            onChunk(chunk, () => stopped);
          } catch (err) {
            stopped = true;
            request?.destroy();
            reject(err);
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

  private async prepare(
    method: string,
    path: string,
    query: Query = {},
    agent: http.Agent,
  ): Promise<https.RequestOptions> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': 'knlite' };
    const opts: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
      path: url.pathname + url.search,
      agent,
      headers,
    };
    const kc = this.config;
    const token = kc.token ?? (kc.tokenFile ? this.fileToken(kc.tokenFile) : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (kc.username !== undefined && kc.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${kc.username}:${kc.password}`).toString('base64')}`;
    }
    if (kc.needsClientNode) {
      // exec plugins and auth providers: let client-node run them (it caches tokens); it sets
      // headers and, for exec certificates, cert/key — which then must bypass our pooled agent.
      const applier = await this.clientNode();
      const tlsOpts: https.RequestOptions = { headers };
      await applier.applyToHTTPSOptions(tlsOpts);
      opts.headers = tlsOpts.headers;
      if (tlsOpts.cert || tlsOpts.key) {
        opts.agent = undefined;
        Object.assign(opts, {
          ca: kc.ca,
          cert: tlsOpts.cert,
          key: tlsOpts.key,
          rejectUnauthorized: !kc.insecureSkipTlsVerify,
        });
      }
    }
    return opts;
  }

  private fileToken(path: string): string {
    const maxAge = this.config.tokenFileCacheMs ?? 0;
    if (this.token && Date.now() - this.token.at < maxAge) return this.token.value;
    try {
      this.token = { value: readFileSync(path, 'utf8').trim(), at: Date.now() };
      return this.token.value;
    } catch (err) {
      throw new KubeconfigError(
        `cannot read tokenFile ${path} named in the kubeconfig: ${(err as Error).message}`,
        'KubeconfigInvalid',
        { cause: err },
      );
    }
  }

  private clientNode(): Promise<HttpsOptionsApplier> {
    this.clientNodeConfig ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify(this.config.merged));
      kc.setCurrentContext(this.config.contextName);
      return kc;
    })();
    return this.clientNodeConfig;
  }
}

function withType<T extends KubeObject>(kind: Kind, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(kind), kind: obj.kind ?? kind.kind };
}

function writeQuery(opts: WriteOptions): Query {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
}

function parseStatus(text: string): ApiError['status'] {
  try {
    const parsed = JSON.parse(text) as ApiError['status'];
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return text ? { message: text.trim().slice(0, 500) } : undefined;
  }
}
