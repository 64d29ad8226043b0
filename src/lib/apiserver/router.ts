/**
 * REST routing: maps kube-apiserver paths to handlers. Serves /version, /healthz, /readyz,
 * /livez, /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>, /openapi/v2, /openapi/v3[/...], and
 * for every resource the namespaced and cluster-scoped collection and item paths (GET, LIST,
 * WATCH via `?watch=true` or the legacy `/watch/` prefix, POST, PUT, PATCH, DELETE,
 * deletecollection) with the `/status` and `/scale` subresources, pods' `log` and `proxy`
 * (pod-subresources.ts; exec arrives as an upgrade, see server.ts), the self-review APIs (reviews.ts) and `metrics.k8s.io/v1beta1` (GET/LIST) while a metrics
 * source is wired in. Bodies are JSON,
 * YAML or, for a few core kinds, protobuf (protobuf.ts). Responses are JSON (or `as=Table` when
 * asked; /openapi/v2 also as protobuf); failures are metav1.Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../apis/types.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { badRequest, methodNotAllowed, resourceNotFound, tooLarge, type Status } from './errors.js';
import type { DeleteOptions, Handlers, RawList, WriteOptions } from './handlers.js';
import type { Scale } from './scale.js';
import { applyPatch, PATCH_TYPES } from './patch.js';
import { allOf, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ResourceType, UserInfo } from './types.js';
import { serveWatch, type WatchSettings } from './watch.js';
import {
  BODY_TYPES,
  decodeBody,
  queryBool,
  queryInt,
  unsupportedBody,
  validateListQuery,
  validateWriteQuery,
} from './request.js';

import { METRICS_GROUP, METRICS_VERSION, serveMetrics, type MetricsSource } from './metrics.js';
import { openApiV2, openApiV3GroupVersion, openApiV3Index } from './openapi.js';
import {
  decodeProtobufObject,
  encodeOpenApiV2,
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
  PROTOBUF_TYPE,
  wantsOpenApiProtobuf,
} from './protobuf.js';
import type { PodConnector } from './pod-connector.js';
import { POD_SUBRESOURCES, servePodProxy, servePodSubresource, splitPodProxyId } from './pod-subresources.js';
import type { Authorizer } from './rbac.js';
import { answerReview, reviewAt } from './reviews.js';
import type { TokenSigner } from './sa-token.js';
import { requestToken } from './token-request.js';
import { toTable } from './table.js';

/** Everything a request needs. */
export interface RouterContext {
  handlers: Handlers;
  watch: WatchSettings;
  maxBodyBytes: number;
  serverAddress: string;
  /** Registers a watch closer so server shutdown can end open streams. */
  trackWatch(close: () => void): () => void;
  /** What runs the pods (for pods/log, exec), when something is connected. */
  pods?(): PodConnector | undefined;
  /** The metrics API's source, when one is wired in (`metrics.k8s.io` is served only then). */
  metrics?: () => MetricsSource | undefined;
  /** Answers the self-reviews. */
  authorizer: Authorizer;
  /** Issues service-account tokens (serviceaccounts/token). */
  tokens: TokenSigner;
}

/** A parsed resource path. */
interface ResourcePath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource: string;
  watchPrefix: boolean;
}

/** Parses /api/v1/... and /apis/<g>/<v>/... resource paths; undefined for anything else. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  const out: ResourcePath = { group, version, resource: '', subresource: '', watchPrefix };
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
  ) {
    out.namespace = rest[1];
    rest = rest.slice(2);
  }
  // A pod's proxy subresource takes a path of its own: pods/<name>/proxy/<path...>.
  if (rest.length === 0 || (rest.length > 3 && rest[2] !== 'proxy')) return undefined;
  out.resource = rest[0];
  out.name = rest[1];
  out.subresource = rest[2] ?? '';
  return out;
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes a metav1.Status failure. */
export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status.code, status);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

/** Reads the request body, enforcing the size limit (413 beyond it). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/** Parsed `Accept` wishes: a Table rendering. */
function wantsTable(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  // The first acceptable media type wins; kubectl lists Table first and plain JSON as fallback.
  for (const part of accept.split(',')) {
    const p = part.trim();
    if (/as=Table/.test(p) && /g=meta\.k8s\.io/.test(p)) return true;
    if (/^application\/json\s*(;|$)/.test(p) && !/as=/.test(p)) return false;
  }
  return false;
}

function tableEventObject(
  type: ResourceType,
  obj: KubeObject,
  includeObject: string | undefined,
  rv: string,
): string {
  return JSON.stringify(toTable(type, [obj], { includeObject, listRv: rv }));
}

function listJson(type: ResourceType, list: RawList): string {
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continue) meta.continue = list.continue;
  if (list.remainingItemCount !== undefined) meta.remainingItemCount = list.remainingItemCount;
  return `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[${list.items.join(',')}]}`;
}

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

function writeOptions(
  q: URLSearchParams,
  user: UserInfo,
  warnings: string[],
  kind: OptionsKind,
  patchType?: string,
  userAgent?: string,
): WriteOptions {
  validateWriteQuery(q, kind, patchType);
  const fv = q.get('fieldValidation') || undefined;
  // Without a fieldManager, kube-apiserver names the manager after the user agent's product.
  const fieldManager = q.get('fieldManager') || (userAgent ?? '').split('/')[0].slice(0, 128) || 'unknown';
  return {
    user,
    dryRun: q.getAll('dryRun').length > 0,
    fieldValidation: fv,
    warnings,
    fieldManager,
    force: queryBool(q, 'force'),
  };
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

/** The decoded body of a create-only request (a review, a TokenRequest): JSON, YAML or protobuf. */
async function createBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = mediaType(req);
  if (type !== PROTOBUF_TYPE && !BODY_TYPES.includes(type)) {
    await readBody(req, limit).catch(() => undefined);
    throw unsupportedBody(BODY_TYPES);
  }
  const buf = await readBody(req, limit);
  return type === PROTOBUF_TYPE ? decodeProtobufObject(buf, BODY_TYPES) : decodeBody(buf, type);
}

/** The raw path after `.../proxy` of a pods/proxy request ('' for none), trailing slash kept. */
function proxyRest(pathname: string): string {
  const m = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/proxy(\/.*)?$/.exec(pathname);
  return m?.[1] ?? '';
}

/** Routes one authenticated request. Throws ApiError for failures (the caller renders Status). */
export async function route(
  ctx: RouterContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  user: UserInfo,
): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  const registry = ctx.handlers.registry;
  const ua = String(req.headers['user-agent'] ?? '');

  switch (path) {
    case '/healthz':
    case '/readyz':
    case '/livez':
      return sendText(res, 200, 'ok');
    case '/version':
      return sendJson(res, 200, versionInfo());
    case '/api':
      return sendJson(res, 200, apiVersions(ctx.serverAddress));
    case '/apis':
      return sendJson(res, 200, apiGroupList(registry));
    case '/openapi/v2':
      if (wantsOpenApiProtobuf(req.headers.accept)) {
        const proto = encodeOpenApiV2(openApiV2(registry.all()) as Record<string, unknown>);
        res.writeHead(200, {
          'Content-Type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
          'Content-Length': proto.length,
        });
        res.end(proto);
        return;
      }
      return sendJson(res, 200, openApiV2(registry.all()));
    case '/openapi/v3':
      return sendJson(res, 200, openApiV3Index(registry.all()));
  }
  if (path.startsWith('/healthz/') || path.startsWith('/readyz/') || path.startsWith('/livez/'))
    return sendText(res, 200, 'ok');
  let m = path.match(/^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/);
  if (m) {
    const doc = m[1]
      ? openApiV3GroupVersion(registry.all(), '', 'v1')
      : openApiV3GroupVersion(registry.all(), m[2], m[3]);
    if (!doc) throw resourceNotFound();
    return sendJson(res, 200, doc);
  }
  if ((m = path.match(/^\/apis\/([^/]+)$/))) {
    const g = apiGroup(registry, m[1]);
    if (!g) throw resourceNotFound();
    return sendJson(res, 200, g);
  }
  if ((m = path.match(/^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/))) {
    const list = m[1] ? apiResourceList(registry, '', 'v1') : apiResourceList(registry, m[2], m[3]);
    if (!list) throw resourceNotFound();
    return sendJson(res, 200, list);
  }

  const review = reviewAt(path);
  if (review) {
    if (method !== 'POST') throw methodNotAllowed();
    validateWriteQuery(q, 'CreateOptions');
    const value = await createBody(req, ctx.maxBodyBytes);
    return sendJson(res, 201, answerReview(review, value, user, ctx.authorizer));
  }

  const metrics = ctx.metrics?.();
  const metricsPrefix = `/apis/${METRICS_GROUP}/${METRICS_VERSION}/`;
  if (metrics && path.startsWith(metricsPrefix)) {
    const segs = path.slice(metricsPrefix.length).split('/').filter(Boolean).map(decodeURIComponent);
    const out = serveMetrics(metrics, method, segs, q);
    if (!out) throw resourceNotFound();
    return sendJson(res, 200, out);
  }

  const p = parseResourcePath(path);
  if (!p) throw resourceNotFound();
  let type = registry.get(p.group, p.version, p.resource);
  let subresource = p.subresource;
  const name = p.name;
  let namespace = p.namespace;
  if (!type && p.group === '' && p.resource === 'namespaces' && p.namespace === undefined)
    type = registry.get('', 'v1', 'namespaces');
  if (!type) throw resourceNotFound();
  if (!type.namespaced && namespace !== undefined) throw resourceNotFound();
  if (subresource === 'finalize' && type.resource === 'namespaces') subresource = 'status';
  if (
    type.group === '' &&
    type.resource === 'pods' &&
    name !== undefined &&
    namespace !== undefined &&
    subresource === 'proxy'
  ) {
    const id = splitPodProxyId(name);
    return servePodProxy(
      ctx.pods?.(),
      req,
      res,
      ctx.handlers.get(type, namespace, id.pod),
      id.port,
      proxyRest(url.pathname),
      url.search,
    );
  }
  if (
    type.group === '' &&
    type.resource === 'pods' &&
    name !== undefined &&
    namespace !== undefined &&
    POD_SUBRESOURCES.has(subresource)
  )
    return servePodSubresource(
      ctx.pods?.(),
      req,
      res,
      ctx.handlers.get(type, namespace, name),
      subresource,
      q,
    );
  if (type.group === '' && type.resource === 'serviceaccounts' && subresource === 'token') {
    if (name === undefined || namespace === undefined) throw resourceNotFound();
    if (method !== 'POST') throw methodNotAllowed();
    validateWriteQuery(q, 'CreateOptions');
    const value = await createBody(req, ctx.maxBodyBytes);
    const store = ctx.handlers.store;
    const token = requestToken(ctx.tokens, (r, ns, n) => store.get('', r, ns, n), namespace, name, value);
    return sendJson(res, 201, token);
  }
  if (
    subresource &&
    !(
      (subresource === 'status' && type.subresources.status) ||
      (subresource === 'scale' && type.subresources.scale)
    )
  )
    throw resourceNotFound();
  if (name === undefined && subresource) throw resourceNotFound();
  if (type.namespaced && name !== undefined && namespace === undefined) throw resourceNotFound();
  if (!type.namespaced) namespace = undefined;
  const h = ctx.handlers;
  // Responses wait for the group commit that holds this request's writes (and anything it read).
  const send = async (
    code: number,
    payload: unknown,
    headers?: Record<string, string | string[]>,
  ): Promise<void> => {
    await h.store.flushed();
    sendJson(res, code, payload, headers);
  };
  const warnings: string[] = [];
  const table = wantsTable(req);
  const includeObject = q.get('includeObject') ?? undefined;

  const isWatch = p.watchPrefix || queryBool(q, 'watch');
  if (method === 'GET' && isWatch) {
    if (subresource) throw resourceNotFound();
    validateListQuery(q, true);
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'), type.kind);
    const t = type;
    await h.store.flushed();
    const close = serveWatch(
      req,
      res,
      h.store,
      {
        type,
        namespace,
        name,
        match: allOf(labels, fields),
        resourceVersion: q.get('resourceVersion') ?? undefined,
        timeoutSeconds: queryInt(q, 'timeoutSeconds'),
        allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks'),
        sendInitialEvents: queryBool(q, 'sendInitialEvents'),
        encode: (data, obj) => {
          if (table)
            return tableEventObject(t, h.present(t, { ...obj() }), includeObject, String(h.store.rv));
          const want = t.group ? `${t.group}/${t.version}` : t.version;
          return data.includes(`"apiVersion":${JSON.stringify(want)}`)
            ? data
            : JSON.stringify(h.present(t, { ...obj() }));
        },
      },
      ctx.watch,
    );
    const untrack = ctx.trackWatch(close);
    res.on('close', untrack);
    return;
  }
  if (isWatch) throw methodNotAllowed();

  /** Reads and decodes the body after checking its media type is one `accepted` lists. */
  const body = async (accepted = BODY_TYPES): Promise<{ value: unknown; type: string }> => {
    const type2 = mediaType(req);
    if (type2 === PROTOBUF_TYPE && accepted === BODY_TYPES) {
      const buf = await readBody(req, ctx.maxBodyBytes);
      return { value: decodeProtobufObject(buf, BODY_TYPES), type: type2 };
    }
    if (!accepted.includes(type2)) {
      await readBody(req, ctx.maxBodyBytes).catch(() => undefined);
      throw unsupportedBody(accepted);
    }
    const buf = await readBody(req, ctx.maxBodyBytes);
    return { value: decodeBody(buf, type2, accepted === PATCH_TYPES ? 'patch' : 'object'), type: type2 };
  };

  if (name === undefined) {
    switch (method) {
      case 'GET': {
        validateListQuery(q, false);
        const limit = queryInt(q, 'limit');
        const list = h.list(type, namespace, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit,
          continue: q.get('continue') ?? undefined,
        });
        if (table) {
          const objs = list.items.map((s) => JSON.parse(s) as KubeObject);
          return send(
            200,
            toTable(type, objs, { includeObject, listRv: list.resourceVersion, continue: list.continue }),
          );
        }
        return send(200, listJson(type, list));
      }
      case 'POST': {
        if (!type.verbs.includes('create')) throw methodNotAllowed();
        const b = await body();
        const opts = writeOptions(q, user, warnings, 'CreateOptions', undefined, ua);
        const created = h.create(type, namespace, b.value, opts);
        return send(opts.dryRun ? 200 : 201, created, warningHeaders(warnings));
      }
      case 'DELETE': {
        if (!type.verbs.includes('deletecollection')) throw methodNotAllowed();
        const opts = await deleteOptions(req, q, user, warnings, ctx.maxBodyBytes);
        const list = h.deleteCollection(
          type,
          namespace,
          {
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
          },
          opts,
        );
        return send(200, listJson(type, list));
      }
      default:
        throw methodNotAllowed();
    }
  }

  if (subresource === 'scale') {
    switch (method) {
      case 'GET':
        return send(200, h.getScale(type, namespace, name));
      case 'PUT': {
        const b = await body();
        const opts = writeOptions(q, user, warnings, 'UpdateOptions', undefined, ua);
        const scale = b.value as Scale;
        if (!scale || typeof scale !== 'object')
          throw badRequest('the body of the request is not a Scale object');
        if (scale.metadata?.name && scale.metadata.name !== name)
          throw badRequest(
            `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`,
          );
        return send(
          200,
          h.updateScale(type, namespace, name, () => scale, opts),
        );
      }
      case 'PATCH': {
        const b = await body(PATCH_TYPES);
        const opts = writeOptions(q, user, warnings, 'PatchOptions', b.type, ua);
        const ct = b.type;
        return send(
          200,
          h.updateScale(type, namespace, name, (cur) => applyPatch(ct, cur, b.value, true) as Scale, opts),
        );
      }
      default:
        throw methodNotAllowed();
    }
  }

  const sub = subresource as '' | 'status';
  switch (method) {
    case 'GET': {
      const obj = h.get(type, namespace, name);
      if (table && !sub)
        return send(200, toTable(type, [obj], { includeObject, listRv: obj.metadata.resourceVersion }));
      return send(200, obj);
    }
    case 'PUT': {
      const b = await body();
      const opts = writeOptions(q, user, warnings, 'UpdateOptions', undefined, ua);
      return send(200, h.update(type, namespace, name, b.value, sub, opts), warningHeaders(warnings));
    }
    case 'PATCH': {
      const b = await body(PATCH_TYPES);
      const ct = b.type;
      const opts = writeOptions(q, user, warnings, 'PatchOptions', ct, ua);
      const existed = !!h.store.get(
        type.group,
        type.resource,
        type.namespaced ? (namespace ?? '') : '',
        name,
      );
      const out = h.patch(type, namespace, name, ct, b.value, sub, opts);
      return send(existed || opts.dryRun ? 200 : 201, out, warningHeaders(warnings));
    }
    case 'DELETE': {
      if (sub) throw methodNotAllowed();
      const opts = await deleteOptions(req, q, user, warnings, ctx.maxBodyBytes);
      const out = h.delete(type, namespace, name, opts);
      return send(
        out.metadata.deletionTimestamp &&
          h.store.get(type.group, type.resource, out.metadata.namespace ?? '', name)
          ? 202
          : 200,
        out,
      );
    }
    default:
      throw methodNotAllowed();
  }
}

async function deleteOptions(
  req: IncomingMessage,
  q: URLSearchParams,
  user: UserInfo,
  warnings: string[],
  limit: number,
): Promise<DeleteOptions> {
  const opts: DeleteOptions = writeOptions(q, user, warnings, 'DeleteOptions');
  const buf = await readBody(req, limit);
  if (buf.length && buf.toString('utf8').trim()) {
    if (!BODY_TYPES.includes(mediaType(req))) throw unsupportedBody(BODY_TYPES);
    const b = decodeBody(buf, mediaType(req)) as {
      propagationPolicy?: string;
      orphanDependents?: boolean;
      dryRun?: string[];
      preconditions?: { uid?: string; resourceVersion?: string };
    };
    if (b && typeof b === 'object') {
      if (b.propagationPolicy) opts.propagationPolicy = b.propagationPolicy;
      else if (b.orphanDependents === true) opts.propagationPolicy = 'Orphan';
      if (Array.isArray(b.dryRun) && b.dryRun.includes('All')) opts.dryRun = true;
      if (b.preconditions) opts.preconditions = b.preconditions;
    }
  }
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp;
  if (q.has('orphanDependents') && queryBool(q, 'orphanDependents') && !pp) opts.propagationPolicy = 'Orphan';
  return opts;
}
