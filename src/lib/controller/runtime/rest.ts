/**
 * A small JSON REST client over the current kubeconfig context. It speaks plain Kubernetes JSON in
 * both directions: client-node's typed APIs deserialize into model classes (Dates, dropped unknown
 * fields) and its KubernetesObjectApi maps a Knative `Service` onto core `V1Service`, both of which
 * would corrupt Knative objects. Authentication and TLS come from client-node's KubeConfig.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeList, KubeObject } from '../../apis/types.js';
import { apiVersionOf, collectionPath, objectPath, type Kind } from './kinds.js';

/** A failed API call, carrying the HTTP code and the metav1.Status reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** True when `err` is an API 404. */
export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.code === 404;
/** True when `err` is an API 409 Conflict on a stale resourceVersion. */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason !== 'AlreadyExists';
/** True when `err` is an API 409 AlreadyExists. */
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';

/** Options for list calls. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Patch content types supported by Kubernetes. */
export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Plain-JSON CRUD on any kind in the `Kinds` table. */
export class RestClient {
  private readonly agent: http.Agent;
  private readonly server: URL;
  private headers: Record<string, string> = {};
  private headersAt = 0;

  private constructor(
    private readonly kc: KubeConfig,
    server: string,
    tls: https.AgentOptions,
  ) {
    this.server = new URL(server);
    // Keep-alive: a thousand services means thousands of writes; one TLS handshake each would dominate.
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({ ...tls, keepAlive: true, maxSockets: 32 })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** Builds a client for the kubeconfig's current context. */
  static async create(kc: KubeConfig): Promise<RestClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const tls: https.AgentOptions = {
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: opts.rejectUnauthorized,
      servername: opts.servername,
    };
    return new RestClient(kc, cluster.server, tls);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  /** The Kubernetes watch URL base (used by informers). */
  get serverUrl(): string {
    return this.server.toString().replace(/\/$/, '');
  }

  async get<T extends KubeObject>(kind: Kind, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>('GET', objectPath(kind, namespace, name));
  }

  async list<T extends KubeObject>(kind: Kind, opts: ListOptions = {}): Promise<KubeList<T>> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    const qs = q.toString();
    return this.request<KubeList<T>>('GET', collectionPath(kind, opts.namespace) + (qs ? `?${qs}` : ''));
  }

  async create<T extends KubeObject>(kind: Kind, obj: T): Promise<T> {
    const body = { ...obj, apiVersion: apiVersionOf(kind), kind: kind.kind };
    return this.request<T>('POST', collectionPath(kind, obj.metadata.namespace), body);
  }

  /** PUT the whole object (optimistic concurrency through metadata.resourceVersion). */
  async replace<T extends KubeObject>(kind: Kind, obj: T): Promise<T> {
    const body = { ...obj, apiVersion: apiVersionOf(kind), kind: kind.kind };
    return this.request<T>('PUT', objectPath(kind, obj.metadata.namespace, obj.metadata.name!), body);
  }

  /** PUT the /status subresource. */
  async replaceStatus<T extends KubeObject>(kind: Kind, obj: T): Promise<T> {
    const body = { ...obj, apiVersion: apiVersionOf(kind), kind: kind.kind };
    return this.request<T>(
      'PUT',
      objectPath(kind, obj.metadata.namespace, obj.metadata.name!, 'status'),
      body,
    );
  }

  async patch<T extends KubeObject>(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType = 'merge',
    subresource?: string,
  ): Promise<T> {
    return this.request<T>(
      'PATCH',
      objectPath(kind, namespace, name, subresource),
      patch,
      PATCH_CONTENT_TYPES[type],
    );
  }

  async delete(
    kind: Kind,
    namespace: string | undefined,
    name: string,
    opts: { uid?: string } = {},
  ): Promise<void> {
    // Background propagation: children go through the API server's garbage collector.
    const body: Record<string, unknown> = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
    };
    if (opts.uid) body.preconditions = { uid: opts.uid };
    await this.request('DELETE', objectPath(kind, namespace, name), body);
  }

  private async authHeaders(): Promise<Record<string, string>> {
    // Refresh periodically so exec/OIDC tokens that rotate keep working.
    if (Date.now() - this.headersAt > 60_000) {
      const opts: https.RequestOptions = {};
      await this.kc.applyToHTTPSOptions(opts);
      this.headers = { ...((opts.headers ?? {}) as Record<string, string>) };
      if (opts.auth) this.headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      this.headersAt = Date.now();
    }
    return this.headers;
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const headers: Record<string, string> = { ...(await this.authHeaders()), Accept: 'application/json' };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const base = this.server.pathname.replace(/\/$/, '');
    const lib = this.server.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = lib.request(
        {
          method,
          host: this.server.hostname,
          port: this.server.port || undefined,
          path: base + path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) return resolve(parsed as T);
            const reason = parsed?.reason ?? http.STATUS_CODES[code] ?? 'Unknown';
            const message = parsed?.message ?? `${method} ${path}: HTTP ${code} ${text.slice(0, 200)}`;
            reject(new ApiError(code, reason, message));
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timed out after 30s`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
