/**
 * The Kubernetes protobuf wire format, as far as clients use it against this server:
 *
 * - request bodies in `application/vnd.kubernetes.protobuf` (kubectl 1.32's typed clients send
 *   `create namespace|configmap|secret` this way and do not fall back to JSON after a 415) are
 *   decoded for v1 Namespace, ConfigMap, Secret and ServiceAccount, the self-reviews of
 *   `kubectl auth`, the TokenRequest of `kubectl create token` and the rbac.authorization.k8s.io/v1
 *   kinds of `kubectl create role|clusterrole|rolebinding|clusterrolebinding` into the JSON object the handlers take; any other kind is refused with 415
 *   naming the media types that work;
 * - `/openapi/v2` asked as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` is
 *   encoded as gnostic's openapi_v2.Document (definitions with their schemas and vendor
 *   extensions; the document's `paths` are empty in JSON too).
 *
 * The envelope is kube's `k8s\0` magic followed by a runtime.Unknown (typeMeta, raw); field
 * numbers follow k8s.io/api's generated.proto and gnostic's OpenAPIv2.proto.
 */
import type { KubeObject } from '../apis/types.js';
import { ApiError, badRequest } from './errors.js';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

/** The media type clients ask for the OpenAPI v2 document in protobuf. */
export const OPENAPI_V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** The Content-Type it is served with: kube-openapi's spelling, since Go's mime parser rejects `@`. */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

// ---- reading -----------------------------------------------------------------------------------

/** One decoded field: its number and either a varint or the bytes of a length-delimited value. */
interface Field {
  no: number;
  varint?: bigint;
  bytes?: Buffer;
}

function malformed(): ApiError {
  return badRequest("couldn't get version/kind; protobuf decode error: malformed protobuf message");
}

function readVarint(buf: Buffer, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.pos >= buf.length || shift > 63n) throw malformed();
    const b = buf[at.pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

/** Splits a message into its fields (groups are not used by Kubernetes and are refused). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = readVarint(buf, at);
    const no = Number(key >> 3n);
    switch (Number(key & 7n)) {
      case 0:
        out.push({ no, varint: readVarint(buf, at) });
        break;
      case 1:
        at.pos += 8;
        break;
      case 2: {
        const len = Number(readVarint(buf, at));
        if (at.pos + len > buf.length) throw malformed();
        out.push({ no, bytes: buf.subarray(at.pos, at.pos + len) });
        at.pos += len;
        break;
      }
      case 5:
        at.pos += 4;
        break;
      default:
        throw malformed();
    }
    if (at.pos > buf.length) throw malformed();
  }
  return out;
}

const str = (f: Field): string => f.bytes?.toString('utf8') ?? '';

/** A message as the last value per field number plus every value (for repeated fields). */
class Message {
  readonly all: Field[];
  constructor(buf: Buffer) {
    this.all = fields(buf);
  }
  last(no: number): Field | undefined {
    for (let i = this.all.length - 1; i >= 0; i--) if (this.all[i]!.no === no) return this.all[i];
    return undefined;
  }
  /** A string field; empty strings (which gogo-generated code always writes) count as absent. */
  string(no: number): string | undefined {
    const f = this.last(no);
    const s = f ? str(f) : '';
    return s === '' ? undefined : s;
  }
  strings(no: number): string[] {
    return this.all.filter((f) => f.no === no).map(str);
  }
  bool(no: number): boolean | undefined {
    const f = this.last(no);
    return f?.varint === undefined ? undefined : f.varint !== 0n;
  }
  int(no: number): number | undefined {
    const v = this.last(no)?.varint;
    return v === undefined ? undefined : Number(BigInt.asIntN(64, v));
  }
  message(no: number): Message | undefined {
    const b = this.last(no)?.bytes;
    return b ? new Message(b) : undefined;
  }
  messages(no: number): Message[] {
    return this.all.filter((f) => f.no === no && f.bytes).map((f) => new Message(f.bytes!));
  }
  /** A map<string, string|bytes> field (entries with key 1, value 2). */
  map(no: number, bytes = false): Record<string, string> | undefined {
    const entries = this.messages(no);
    if (entries.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const e of entries) {
      const v = e.last(2)?.bytes ?? Buffer.alloc(0);
      out[e.string(1) ?? ''] = bytes ? v.toString('base64') : v.toString('utf8');
    }
    return out;
  }
}

/** metav1.Time {seconds 1, nanos 2} as RFC 3339; undefined for the zero time. */
function time(m: Message | undefined): string | undefined {
  const seconds = m?.int(1) ?? 0;
  if (!seconds) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

function objectMeta(m: Message | undefined): KubeObject['metadata'] {
  if (!m) return {};
  return compact({
    name: m.string(1),
    generateName: m.string(2),
    namespace: m.string(3),
    uid: m.string(5),
    resourceVersion: m.string(6),
    generation: m.int(7) || undefined,
    creationTimestamp: time(m.message(8)),
    labels: m.map(11),
    annotations: m.map(12),
    ownerReferences: m.messages(13).length
      ? m.messages(13).map((o) =>
          compact({
            apiVersion: o.string(5) ?? '',
            kind: o.string(1) ?? '',
            name: o.string(3) ?? '',
            uid: o.string(4) ?? '',
            controller: o.bool(6),
            blockOwnerDeletion: o.bool(7),
          }),
        )
      : undefined,
    finalizers: m.strings(14).length ? m.strings(14) : undefined,
  }) as KubeObject['metadata'];
}

type KindDecoder = (m: Message) => Record<string, unknown>;

const resourceAttributes = (a: Message | undefined): Record<string, unknown> | undefined =>
  a &&
  compact({
    namespace: a.string(1),
    verb: a.string(2),
    group: a.string(3),
    version: a.string(4),
    resource: a.string(5),
    subresource: a.string(6),
    name: a.string(7),
  });

const policyRules = (m: Message) => {
  const rules = m.messages(2).map((r) => {
    const list = (no: number) => (r.strings(no).length ? r.strings(no) : undefined);
    return compact({
      verbs: r.strings(1),
      apiGroups: list(2),
      resources: list(3),
      resourceNames: list(4),
      nonResourceURLs: list(5),
    });
  });
  return rules.length ? rules : undefined;
};

const roleBinding = (m: Message) => {
  const ref = m.message(3);
  const subjects = m
    .messages(2)
    .map((s) =>
      compact({ kind: s.string(1), apiGroup: s.string(2), name: s.string(3), namespace: s.string(4) }),
    );
  return compact({
    subjects: subjects.length ? subjects : undefined,
    roleRef: ref && compact({ apiGroup: ref.string(1), kind: ref.string(2), name: ref.string(3) }),
  });
};

/** Decoders by `apiVersion/kind` of the object inside the envelope. */
const DECODERS: Record<string, KindDecoder> = {
  'v1/Namespace': (m) => {
    const finalizers = m.message(2)?.strings(1) ?? [];
    return compact({ spec: finalizers.length ? { finalizers } : undefined });
  },
  'v1/ConfigMap': (m) => compact({ data: m.map(2), binaryData: m.map(3, true), immutable: m.bool(4) }),
  'v1/Secret': (m) =>
    compact({ data: m.map(2, true), type: m.string(3), stringData: m.map(4), immutable: m.bool(5) }),
  'v1/ServiceAccount': (m) =>
    compact({
      secrets: m.messages(2).length
        ? m.messages(2).map((r) => compact({ kind: r.string(1), namespace: r.string(2), name: r.string(3) }))
        : undefined,
      imagePullSecrets: m.messages(3).length
        ? m.messages(3).map((r) => compact({ name: r.string(1) }))
        : undefined,
      automountServiceAccountToken: m.bool(4),
    }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': (m) => {
    const spec = m.message(2);
    const nonResource = spec?.message(2);
    return {
      spec: compact({
        resourceAttributes: resourceAttributes(spec?.message(1)),
        nonResourceAttributes:
          nonResource && compact({ path: nonResource.string(1), verb: nonResource.string(2) }),
      }),
    };
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': (m) => ({
    spec: compact({ namespace: m.message(2)?.string(1) }),
  }),
  'authentication.k8s.io/v1/SelfSubjectReview': () => ({}),
  'rbac.authorization.k8s.io/v1/Role': (m) => compact({ rules: policyRules(m) }),
  'rbac.authorization.k8s.io/v1/ClusterRole': (m) => {
    const selectors = (m.message(3)?.messages(1) ?? []).map((sel) => compact({ matchLabels: sel.map(1) }));
    return compact({
      rules: policyRules(m),
      aggregationRule: selectors.length ? { clusterRoleSelectors: selectors } : undefined,
    });
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': roleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': roleBinding,
  'authentication.k8s.io/v1/TokenRequest': (m) => {
    const spec = m.message(2);
    const ref = spec?.message(3);
    const audiences = spec?.strings(1) ?? [];
    return {
      spec: compact({
        audiences: audiences.length ? audiences : undefined,
        expirationSeconds: spec?.int(4),
        boundObjectRef:
          ref &&
          compact({
            kind: ref.string(1),
            apiVersion: ref.string(2),
            name: ref.string(3),
            uid: ref.string(4),
          }),
      }),
    };
  },
};

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body into a JSON object. 400 for a body
 * that is not kube's envelope; 415 for a kind this server does not decode from protobuf.
 */
export function decodeProtobufObject(buf: Buffer, jsonTypes: string[]): KubeObject {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw badRequest(
      "couldn't get version/kind; protobuf decode error: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
  const unknown = new Message(buf.subarray(MAGIC.length));
  const typeMeta = unknown.message(1);
  const apiVersion = typeMeta?.string(1) ?? '';
  const kind = typeMeta?.string(2) ?? '';
  if (!kind) throw badRequest("Object 'Kind' is missing in protobuf body");
  const decode = DECODERS[`${apiVersion}/${kind}`];
  if (!decode)
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - this server decodes protobuf only for ${Object.keys(DECODERS).join(', ')}; send ${apiVersion}/${kind} as one of: ${jsonTypes.join(', ')}`,
    );
  const raw = new Message(unknown.last(2)?.bytes ?? Buffer.alloc(0));
  return { apiVersion, kind, metadata: objectMeta(raw.message(1)), ...decode(raw) } as KubeObject;
}

// ---- writing -----------------------------------------------------------------------------------

/** A minimal protobuf writer: fields appended in order, nested messages as writers. */
class Writer {
  private readonly parts: Buffer[] = [];
  private static varint(n: number): Buffer {
    const out: number[] = [];
    let v = BigInt(n);
    if (v < 0n) v = BigInt.asUintN(64, v);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      out.push(b);
    } while (v > 0n);
    return Buffer.from(out);
  }
  private key(no: number, wire: number): void {
    this.parts.push(Writer.varint(no * 8 + wire));
  }
  bytes(no: number, value: Buffer): this {
    this.key(no, 2);
    this.parts.push(Writer.varint(value.length), value);
    return this;
  }
  string(no: number, value: unknown): this {
    if (typeof value === 'string' && value !== '') this.bytes(no, Buffer.from(value, 'utf8'));
    return this;
  }
  bool(no: number, value: unknown): this {
    if (typeof value === 'boolean') {
      this.key(no, 0);
      this.parts.push(Writer.varint(value ? 1 : 0));
    }
    return this;
  }
  int(no: number, value: unknown): this {
    if (typeof value === 'number' && Number.isInteger(value)) {
      this.key(no, 0);
      this.parts.push(Writer.varint(value));
    }
    return this;
  }
  double(no: number, value: unknown): this {
    if (typeof value === 'number') {
      this.key(no, 1);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value);
      this.parts.push(b);
    }
    return this;
  }
  message(no: number, value: Writer): this {
    return this.bytes(no, value.finish());
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

type Json = Record<string, unknown>;

/** openapi_v2.Any: the value as YAML text (JSON is YAML). */
function anyValue(value: unknown): Writer {
  return new Writer().string(2, JSON.stringify(value));
}

function vendorExtensions(w: Writer, no: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj))
    if (k.startsWith('x-')) w.message(no, new Writer().string(1, k).message(2, anyValue(v)));
}

/** openapi_v2.Schema. */
function schema(s: Json): Writer {
  const w = new Writer().string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) w.message(5, anyValue(s.default));
  w.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int(11, s.maxLength)
    .int(12, s.minLength)
    .string(13, s.pattern)
    .int(14, s.maxItems)
    .int(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int(17, s.maxProperties)
    .int(18, s.minProperties);
  for (const r of Array.isArray(s.required) ? s.required : []) w.string(19, r);
  for (const e of Array.isArray(s.enum) ? s.enum : []) w.message(20, anyValue(e));
  if (typeof s.additionalProperties === 'boolean')
    w.message(21, new Writer().bool(2, s.additionalProperties));
  else if (s.additionalProperties && typeof s.additionalProperties === 'object')
    w.message(21, new Writer().message(1, schema(s.additionalProperties as Json)));
  if (s.type !== undefined) {
    const t = new Writer();
    for (const v of Array.isArray(s.type) ? s.type : [s.type]) t.string(1, v);
    w.message(22, t);
  }
  if (s.items && typeof s.items === 'object') {
    const items = new Writer();
    for (const i of Array.isArray(s.items) ? s.items : [s.items]) items.message(1, schema(i as Json));
    w.message(23, items);
  }
  for (const a of Array.isArray(s.allOf) ? s.allOf : []) w.message(24, schema(a as Json));
  if (s.properties && typeof s.properties === 'object') {
    const props = new Writer();
    for (const [name, p] of Object.entries(s.properties as Json))
      props.message(1, new Writer().string(1, name).message(2, schema(p as Json)));
    w.message(25, props);
  }
  w.string(26, s.discriminator).bool(27, s.readOnly);
  if (s.example !== undefined) w.message(30, anyValue(s.example));
  vendorExtensions(w, 31, s);
  return w;
}

/** Encodes an OpenAPI v2 document (as openApiV2 builds it) as gnostic's openapi_v2.Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = (doc.info ?? {}) as Json;
  const w = new Writer()
    .string(1, doc.swagger)
    .message(2, new Writer().string(1, info.title).string(2, info.version));
  w.message(8, new Writer());
  const defs = new Writer();
  for (const [name, s] of Object.entries((doc.definitions ?? {}) as Json))
    defs.message(1, new Writer().string(1, name).message(2, schema(s as Json)));
  w.message(9, defs);
  vendorExtensions(w, 16, doc);
  return w.finish();
}

/** Whether an Accept header asks for the protobuf OpenAPI v2 document before any JSON. */
export function wantsOpenApiProtobuf(accept: string | undefined): boolean {
  for (const part of String(accept ?? '').split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type === OPENAPI_V2_PROTOBUF_TYPE || type === OPENAPI_V2_PROTOBUF_CONTENT_TYPE) return true;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return false;
  }
  return false;
}
