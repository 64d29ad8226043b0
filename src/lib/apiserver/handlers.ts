/**
 * Object semantics behind the REST verbs: decode → admit → store → encode. Supports get, list
 * (label/field selectors, limit/continue), create (generateName, dryRun), update, patch (merge,
 * JSON, strategic, server-side apply), delete (finalizers, propagation policies, preconditions) and
 * deletecollection, plus the /status and /scale subresources. Every write stamps a new global
 * resourceVersion and records managedFields; generation moves only when the spec does; CRD schemas
 * are pruned and enforced, built-in kinds are decoded strictly against Kubernetes' definitions.
 * The verbs are the same for every kind: what differs per kind is its strategy (strategy.ts,
 * strategies/), the admission chain is admission.ts and the /scale view scale.ts.
 */
import crypto from 'node:crypto';
import type { KubeObject, OwnerReference } from '../apis/types.js';
import { runAdmission } from './admission.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, notFound } from './errors.js';
import { kindDefinition, pruneUnknownKubeFields, type Schema } from './kube-schemas.js';
import {
  applyConfiguration,
  updateManagedFields,
  type FieldContext,
  type ManagedFieldsEntry,
} from './managed-fields.js';
import { applyPatch } from './patch.js';
import type { Registry } from './registry.js';
import { applyScale, toScale, type Scale } from './scale.js';
import { allOf, labelSelectorPrefilter, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { pruneUnknownFields, validateSchema } from './schema.js';
import type { Store } from './store.js';
import { strategyFor } from './strategies/index.js';
import { tracksGeneration } from './strategy.js';
import type {
  AdmissionOperation,
  AdmissionPlugin,
  AdmissionRequest,
  ResourceType,
  UserInfo,
} from './types.js';
import { CREATE_ON_UPDATE } from './builtins.js';
import { DecodeError, decodeTyped, kindShape } from './typed.js';
import { nameCauses, validateObject } from './validation.js';
import { checkResourceVersion } from './request.js';

/** Options common to writes. */
export interface WriteOptions {
  user: UserInfo;
  dryRun?: boolean;
  /** Strict | Warn | Ignore (kube-apiserver's fieldValidation). */
  fieldValidation?: string;
  /** Collects `Warning` response headers. */
  warnings?: string[];
  /** The field manager recorded in managedFields (the `fieldManager` parameter or the user agent). */
  fieldManager?: string;
  /** Server-side apply's `force`: take over fields other managers own. */
  force?: boolean;
}

/** DeleteOptions the server honours. */
export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** List options. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** A list result with items kept as JSON text so large lists are never re-serialised. */
export interface RawList {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  items: string[];
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** The finalizer the garbage collector acts on (foreground cascading deletion). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(
          Object.keys(val)
            .sort()
            .map((k) => [k, (val as Record<string, unknown>)[k]]),
        )
      : val,
  );
}

/** Everything outside metadata (and status, when it is a subresource): what `generation` tracks. */
function specPart(obj: KubeObject, statusIsSubresource: boolean): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (statusIsSubresource && k === 'status') continue;
    rest[k] = v;
  }
  return canonical(rest);
}

function nsOf(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced ? (namespace ?? '') : '';
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Events the GC and CRD registry care about, raised after commits. */
export interface Hooks {
  /** A CRD was stored (created/updated) or deleted. */
  crdChanged?(crd: KubeObject, deleted: boolean): void;
  /** A Namespace was created or updated (the service-account controller seeds `default`). */
  namespaceStored?(ns: KubeObject): void;
}

/** The REST object semantics over a store, a registry and an admission chain. */
export class Handlers {
  constructor(
    readonly store: Store,
    readonly registry: Registry,
    private readonly admission: AdmissionPlugin[] = [],
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  /** GET one object. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(type.group, type.resource, nsOf(type, namespace), name);
    if (!obj) throw notFound(type, name);
    return this.present(type, obj);
  }

  /** Rewrites apiVersion for the version being served (all versions share storage). */
  present(type: ResourceType, obj: KubeObject): KubeObject {
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    return obj;
  }

  /** LIST with selectors and pagination; items stay JSON text unless a selector needs them parsed. */
  list(type: ResourceType, namespace: string | undefined, opts: ListOptions): RawList {
    const label = parseLabelSelector(opts.labelSelector);
    const field = parseFieldSelector(opts.fieldSelector, type.kind);
    const match = allOf(label, field);
    const prefilter = labelSelectorPrefilter(opts.labelSelector);
    let rv = this.store.rv;
    let after: { namespace: string; name: string } | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      after = { namespace: c.namespace, name: c.name };
      rv = c.rv;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: string[] = [];
    const apiVersion = apiVersionOf(type);
    const rewrite = this.multiVersion(type);
    let last: { namespace: string; name: string } | undefined;
    let more = false;
    let remaining = 0;
    for (const row of this.store.list(
      type.group,
      type.resource,
      type.namespaced ? namespace : undefined,
      after,
    )) {
      if (prefilter && !prefilter(row.data)) continue;
      if (items.length >= limit) {
        // Count what is left so remainingItemCount is right, like etcd's count-on-limit.
        if (!match) remaining++;
        else if (match(JSON.parse(row.data) as KubeObject)) remaining++;
        more = true;
        continue;
      }
      let data = row.data;
      if (match || rewrite) {
        const obj = JSON.parse(data) as KubeObject;
        if (match && !match(obj)) continue;
        if (rewrite) {
          obj.apiVersion = apiVersion;
          data = JSON.stringify(obj);
        }
      }
      items.push(data);
      last = { namespace: row.namespace, name: row.name };
    }
    const out: RawList = { resourceVersion: String(rv), items };
    if (more && last && remaining > 0) {
      out.continue = encodeContinue(rv, last.namespace, last.name);
      out.remainingItemCount = remaining;
    }
    return out;
  }

  private multiVersion(type: ResourceType): boolean {
    return this.registry
      .all()
      .some((t) => t.group === type.group && t.resource === type.resource && t.version !== type.version);
  }

  // ---- writes ------------------------------------------------------------------------------

  /** POST: creates an object. */
  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
    applied?: boolean,
  ): KubeObject {
    const obj = this.decodeBody(type, body);
    const managed = applied ? obj.metadata.managedFields : undefined;
    this.checkNamespace(type, namespace, obj);
    const ns = nsOf(type, namespace);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = this.generateName(type, ns, meta.generateName);
    if (!meta.name)
      throw invalid(type, '', [
        {
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
          reason: 'FieldValueRequired',
        },
      ]);
    const bad = nameCauses(type, meta);
    if (bad.length) throw invalid(type, meta.name, bad);
    if (type.namespaced) this.requireNamespace(type, ns, meta.name);

    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (tracksGeneration(type)) meta.generation = 1;
    else delete meta.generation;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (type.namespaced) meta.namespace = ns;
    else delete meta.namespace;
    const strategy = strategyFor(type);
    strategy.prepareForCreate?.(obj);
    strategy.canonicalize?.(obj);
    this.enforceSchema(type, obj, opts);
    meta.managedFields =
      managed ??
      updateManagedFields(undefined, obj as never, this.manager(opts), this.fieldContext(type, ''));
    if (!meta.managedFields?.length) delete meta.managedFields;
    this.admit('CREATE', type, ns, '', obj, undefined, opts);
    strategy.validate?.(obj);

    this.validate(type, obj, undefined);
    if (this.store.get(type.group, type.resource, ns, meta.name)) throw alreadyExists(type, meta.name);
    if (opts.dryRun) return this.present(type, obj);
    const stored = this.store.create(type.group, type.resource, obj);
    this.afterWrite(type, stored, false);
    return this.present(type, clone(stored));
  }

  /** PUT on the object or its /status. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource: '' | 'status',
    opts: WriteOptions,
  ): KubeObject {
    const obj = this.decodeBody(type, body);
    this.checkNamespace(type, namespace, obj);
    if (obj.metadata.name && obj.metadata.name !== name)
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    obj.metadata.name = name;
    const ns = nsOf(type, namespace);
    const old = this.store.get(type.group, type.resource, ns, name);
    if (!old) {
      if (subresource === '' && CREATE_ON_UPDATE.has(type.resource))
        return this.create(type, namespace, obj, opts);
      throw notFound(type, name);
    }
    const rv = obj.metadata.resourceVersion;
    checkResourceVersion(rv, 'metadata.resourceVersion');
    if (!rv && type.crdName) {
      throw invalid(type, name, [
        {
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
          reason: 'FieldValueInvalid',
        },
      ]);
    }
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(type, name);
    return this.commitUpdate(type, ns, old, obj, subresource, opts);
  }

  /** PATCH on the object or its /status; `apply` patches create a missing object. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    subresource: '' | 'status',
    opts: WriteOptions,
  ): KubeObject {
    const ns = nsOf(type, namespace);
    const old = this.store.get(type.group, type.resource, ns, name);
    const apply = contentType === 'application/apply-patch+yaml';
    if (apply) {
      const body = patch as KubeObject;
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw badRequest('the body of the request is not a valid apply configuration');
      body.metadata ??= {};
      if (body.metadata.name && body.metadata.name !== name)
        throw badRequest(
          `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
        );
      if (!old && subresource !== '') throw notFound(type, name);
      // The configuration must have its schema's types before it can be merged field by field.
      const typed = this.decodeBody(type, clone(body), true);
      if (type.schema) {
        const wrongTypes = validateSchema(type.schema, typed).filter(
          (e) => e.reason === 'FieldValueTypeInvalid',
        );
        if (wrongTypes.length) throw invalid(type, name, wrongTypes);
      }
      const ctx = this.fieldContext(type, subresource);
      const merged = applyConfiguration(
        old ? (clone(old) as never) : undefined,
        body as never,
        this.manager(opts),
        !!opts.force,
        ctx,
      ) as KubeObject;
      if (!old)
        return this.create(
          type,
          namespace,
          { ...merged, metadata: { ...merged.metadata, name } },
          opts,
          true,
        );
      return this.commitPatched(type, ns, name, old, merged, subresource, opts, true);
    }
    if (!old) throw notFound(type, name);
    const patched = applyPatch(contentType, clone(old), patch, !!type.strategicMerge) as KubeObject;
    return this.commitPatched(type, ns, name, old, patched, subresource, opts, false);
  }

  /** The rest of a PATCH once the patch produced an object: decode, preconditions, commit. */
  private commitPatched(
    type: ResourceType,
    ns: string,
    name: string,
    old: KubeObject,
    patched: KubeObject,
    subresource: '' | 'status',
    opts: WriteOptions,
    applied: boolean,
  ): KubeObject {
    if (!patched || typeof patched !== 'object' || Array.isArray(patched))
      throw badRequest('the patch produced an object that is not a JSON object');
    if (!patched.metadata || typeof patched.metadata !== 'object') patched.metadata = {};
    const obj = this.decodeBody(type, patched, true);
    if (type.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    if (obj.metadata.name && obj.metadata.name !== name)
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    obj.metadata.name = name;
    // A resourceVersion in the patch is a precondition.
    checkResourceVersion(obj.metadata.resourceVersion, 'metadata.resourceVersion');
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(type, name);
    return this.commitUpdate(type, ns, old, obj, subresource, opts, applied);
  }

  private commitUpdate(
    type: ResourceType,
    ns: string,
    old: KubeObject,
    incoming: KubeObject,
    subresource: '' | 'status',
    opts: WriteOptions,
    applied = false,
  ): KubeObject {
    const incomingManaged = incoming.metadata.managedFields;
    let obj: KubeObject;
    if (subresource === 'status') {
      // /status writes change status only.
      obj = clone(old);
      if (incoming.status === undefined) delete obj.status;
      else obj.status = incoming.status;
    } else {
      obj = incoming;
      if (type.subresources.status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
      const m = obj.metadata;
      const om = old.metadata;
      m.uid = om.uid;
      m.creationTimestamp = om.creationTimestamp;
      m.namespace = om.namespace;
      if (om.namespace === undefined) delete m.namespace;
      if (om.deletionTimestamp) {
        const added = (m.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
        if (added.length)
          throw invalid(type, old.metadata.name!, [
            {
              field: 'metadata.finalizers',
              message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
              reason: 'FieldValueForbidden',
            },
          ]);
        m.deletionTimestamp = om.deletionTimestamp;
        m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      if (m.generateName === undefined && om.generateName !== undefined) m.generateName = om.generateName;
    }
    if (old.metadata.generation === undefined) delete obj.metadata.generation;
    else obj.metadata.generation = old.metadata.generation;
    obj.metadata.resourceVersion = old.metadata.resourceVersion;

    const strategy = strategyFor(type);
    if (subresource === '') strategy.applyDefaults?.(obj);
    strategy.canonicalize?.(obj);
    this.enforceSchema(type, obj, opts);
    if (applied) obj.metadata.managedFields = incomingManaged;
    else {
      // A client may replace managedFields (`[{}]` clears them); otherwise they carry over.
      let before = old;
      if (
        subresource === '' &&
        Array.isArray(incomingManaged) &&
        canonical(incomingManaged) !== canonical(old.metadata.managedFields ?? [])
      ) {
        const given = (incomingManaged as ManagedFieldsEntry[]).filter((e) => e && e.manager);
        before = { ...old, metadata: { ...old.metadata, managedFields: given } };
      }
      obj.metadata.managedFields = updateManagedFields(
        before as never,
        obj as never,
        this.manager(opts),
        this.fieldContext(type, subresource),
      );
    }
    if (!obj.metadata.managedFields?.length) delete obj.metadata.managedFields;
    this.admit('UPDATE', type, ns, subresource, obj, old, opts);
    if (subresource === '') {
      strategy.validate?.(obj);
      strategy.validateUpdate?.(obj, old);
    }
    this.validate(type, obj, old);
    if (
      old.metadata.generation !== undefined &&
      specPart(obj, !!type.subresources.status) !== specPart(old, !!type.subresources.status)
    ) {
      obj.metadata.generation = old.metadata.generation + 1;
    }
    obj.apiVersion = old.apiVersion ?? apiVersionOf(type);
    obj.kind = type.kind;
    // Read-modify-write loops must be able to settle: an update that changes nothing is not a write.
    if (canonical(obj) === canonical(old)) return this.present(type, obj);
    if (opts.dryRun) return this.present(type, obj);
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length) {
      // Removing the last finalizer of an object being deleted completes the deletion.
      const gone = this.store.delete(type.group, type.resource, obj);
      this.afterWrite(type, gone, true);
      return this.present(type, clone(gone));
    }
    const stored = this.store.update(type.group, type.resource, obj, old);
    this.afterWrite(type, stored, false);
    return this.present(type, clone(stored));
  }

  /** DELETE: finalizers and propagation policies decide whether the object goes now or later. */
  delete(type: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): KubeObject {
    const ns = nsOf(type, namespace);
    const old = this.store.get(type.group, type.resource, ns, name);
    if (!old) throw notFound(type, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid)
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    const strategy = strategyFor(type);
    strategy.checkDelete?.(type, name);
    this.admit('DELETE', type, ns, '', clone(old), old, opts);
    if (opts.dryRun) return this.present(type, old);

    const policy = opts.propagationPolicy ?? 'Background';
    if (!['Background', 'Foreground', 'Orphan'].includes(policy))
      throw invalid({ kind: 'DeleteOptions', group: '' }, '', [
        {
          field: 'propagationPolicy',
          message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
          reason: 'FieldValueNotSupported',
        },
      ]);
    const obj = clone(old);
    const finalizers = [...(obj.metadata.finalizers ?? [])];
    if (strategy.beginDeletion) {
      if (!strategy.beginDeletion(obj)) return this.present(type, obj);
      const stored = this.store.update(type.group, type.resource, obj, old);
      return this.present(type, clone(stored));
    }
    if (policy === 'Orphan') this.orphanDependents(old.metadata.uid!);
    if (
      policy === 'Foreground' &&
      this.store.dependentsOf(old.metadata.uid!).length > 0 &&
      !finalizers.includes(FOREGROUND_FINALIZER)
    )
      finalizers.push(FOREGROUND_FINALIZER);
    if (finalizers.length > 0) {
      if (
        obj.metadata.deletionTimestamp &&
        canonical(finalizers) === canonical(obj.metadata.finalizers ?? [])
      )
        return this.present(type, obj);
      obj.metadata.finalizers = finalizers;
      obj.metadata.deletionTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      obj.metadata.deletionGracePeriodSeconds = 0;
      const stored = this.store.update(type.group, type.resource, obj, old);
      return this.present(type, clone(stored));
    }
    const gone = this.store.delete(type.group, type.resource, obj);
    this.afterWrite(type, gone, true);
    return this.present(type, clone(gone));
  }

  /** DELETE on a collection: deletes every object the selectors match. */
  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    list: ListOptions,
    opts: DeleteOptions,
  ): RawList {
    const all = this.list(type, namespace, {
      labelSelector: list.labelSelector,
      fieldSelector: list.fieldSelector,
    });
    const items: string[] = [];
    for (const data of all.items) {
      const o = JSON.parse(data) as KubeObject;
      try {
        items.push(JSON.stringify(this.delete(type, o.metadata.namespace, o.metadata.name!, opts)));
      } catch (err) {
        // Something else deleted it meanwhile: that is what the caller wanted.
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { resourceVersion: String(this.store.rv), items };
  }

  /** Removes ownerReferences to `uid` from its dependents (Orphan propagation). */
  orphanDependents(uid: string): void {
    for (const key of this.store.dependentsOf(uid)) {
      const dep = this.store.get(key.grp, key.resource, key.namespace, key.name);
      if (!dep) continue;
      const before = clone(dep);
      dep.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter(
        (r: OwnerReference) => r.uid !== uid,
      );
      if (dep.metadata.ownerReferences.length === 0) delete dep.metadata.ownerReferences;
      this.store.update(key.grp, key.resource, dep, before);
    }
  }

  // ---- scale -------------------------------------------------------------------------------

  /** GET .../scale. */
  getScale(type: ResourceType, namespace: string | undefined, name: string): Scale {
    return toScale(type, this.get(type, namespace, name));
  }

  /** PUT/PATCH .../scale: writes spec.replicas through the owning object. */
  updateScale(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    mutate: (scale: Scale) => Scale,
    opts: WriteOptions,
  ): Scale {
    const ns = nsOf(type, namespace);
    const old = this.store.get(type.group, type.resource, ns, name);
    if (!old) throw notFound(type, name);
    const current = toScale(type, this.present(type, clone(old)));
    const next = mutate(current);
    const rv = next.metadata?.resourceVersion;
    checkResourceVersion(rv, 'metadata.resourceVersion');
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(type, name);
    const obj = clone(old);
    applyScale(type, name, next, obj);
    const updated = this.commitUpdate(type, ns, old, obj, '', { ...opts });
    return toScale(type, updated);
  }

  // ---- pipeline pieces ---------------------------------------------------------------------

  private manager(opts: WriteOptions): string {
    return opts.fieldManager || 'unknown';
  }

  private fieldSchemas = new WeakMap<object, Schema>();

  /** What field management needs to know about a kind: its schema (CRD or Kubernetes' own). */
  private fieldContext(type: ResourceType, subresource: '' | 'status'): FieldContext {
    let schema: Schema | undefined;
    if (type.schema) {
      schema = this.fieldSchemas.get(type.schema);
      if (!schema) {
        const props = (type.schema.properties as Record<string, Schema> | undefined) ?? {};
        schema = {
          ...type.schema,
          properties: {
            ...props,
            metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
          },
        };
        this.fieldSchemas.set(type.schema, schema);
      }
    } else schema = kindDefinition(type.group, type.version, type.kind);
    return {
      schema,
      apiVersion: apiVersionOf(type),
      subresource,
      statusIsSubresource: !!type.subresources.status,
      now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  /**
   * Checks the body is an object of this kind that decodes into the kind's typed shape, and
   * normalises apiVersion/kind. `patched` bodies are the result of applying a patch.
   */
  decodeBody(type: ResourceType, body: unknown, patched = false): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest(`the body of the request is not a ${type.kind} object`);
    const obj = body as KubeObject;
    const want = apiVersionOf(type);
    if (obj.kind !== undefined && obj.kind !== type.kind)
      throw badRequest(
        `the kind of the object (${String(obj.kind)}) does not match the kind on the URL (${type.kind})`,
      );
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      const sameGroup = this.registry
        .all()
        .some(
          (t) => t.group === type.group && t.resource === type.resource && apiVersionOf(t) === obj.apiVersion,
        );
      if (!sameGroup)
        throw badRequest(
          `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`,
        );
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    try {
      decodeTyped(kindShape(type.group, type.resource, type.kind, !!type.crdName), obj as never);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      if (patched)
        // The patched object no longer decodes: kube-apiserver's patcher reports the whole result.
        throw invalid({ kind: '', group: '' }, '', [
          {
            field: 'patch',
            message: `Invalid value: ${JSON.stringify(JSON.stringify(obj))}: ${err.message}`,
          },
        ]);
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${err.message}`,
      );
    }
    obj.apiVersion = want;
    obj.kind = type.kind;
    return obj;
  }

  /** kube-apiserver's validation of the decoded object (ObjectMeta and the built-in kinds' rules). */
  private validate(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const causes = validateObject(type, obj, old);
    if (causes.length) throw invalid(type, obj.metadata.name ?? '', causes);
  }

  private checkNamespace(type: ResourceType, namespace: string | undefined, obj: KubeObject): void {
    if (!type.namespaced) return;
    const bodyNs = obj.metadata.namespace;
    if (bodyNs && namespace && bodyNs !== namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
  }

  private requireNamespace(type: ResourceType, ns: string, name: string): void {
    const nsObj = this.store.get('', 'namespaces', '', ns);
    if (!nsObj) throw notFound({ resource: 'namespaces', group: '' }, ns);
    if (nsObj.metadata.deletionTimestamp)
      throw forbidden(
        type,
        name,
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
  }

  private generateName(type: ResourceType, ns: string, prefix: string): string {
    // Five random characters, the same alphabet and length as apiserver's SimpleNameGenerator.
    const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
    for (let i = 0; i < 20; i++) {
      let s = '';
      for (const b of crypto.randomBytes(5)) s += NAME_CHARS[b % NAME_CHARS.length];
      if (!this.store.get(type.group, type.resource, ns, base + s)) return base + s;
    }
    return base + crypto.randomBytes(4).toString('hex');
  }

  private enforceSchema(type: ResourceType, obj: KubeObject, opts: WriteOptions): void {
    const pruned = type.schema
      ? pruneUnknownFields(type.schema, obj as Record<string, unknown>)
      : pruneUnknownKubeFields(type.group, type.version, type.kind, obj as Record<string, unknown>);
    if (pruned.length) {
      const mode = opts.fieldValidation ?? 'Warn';
      if (mode === 'Strict') {
        throw badRequest(
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`,
        );
      }
      if (mode === 'Warn') for (const p of pruned) opts.warnings?.push(`unknown field "${p}"`);
    }
  }

  private admit(
    operation: AdmissionOperation,
    type: ResourceType,
    ns: string,
    subresource: string,
    obj: KubeObject,
    old: KubeObject | undefined,
    opts: WriteOptions,
  ): void {
    const req: AdmissionRequest = {
      operation,
      type,
      namespace: type.namespaced ? ns : undefined,
      name: obj.metadata.name,
      subresource,
      object: obj,
      oldObject: old,
      userInfo: opts.user,
      dryRun: !!opts.dryRun,
      lookup: (group, resource, namespace, name) => this.store.get(group, resource, namespace ?? '', name),
    };
    runAdmission(this.admission, req);
  }

  /** Hooks run after a committed write (CRD registration). */
  hooks: Hooks = {};

  private afterWrite(type: ResourceType, obj: KubeObject, deleted: boolean): void {
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io')
      this.hooks.crdChanged?.(obj, deleted);
    else if (type.resource === 'namespaces' && type.group === '' && !deleted)
      this.hooks.namespaceStored?.(obj);
  }
}
