/**
 * Structural OpenAPI v3 schemas as the apiextensions-apiserver enforces them on custom resources:
 * `pruneUnknownFields` drops what the schema does not declare (and nulls the schema does not allow),
 * `validateSchema` checks what is left. Errors are field causes phrased like kube-openapi's
 * (`Invalid value: "string": spec.x in body must be of type integer: "string"`, `Required value`),
 * ready for `invalid()` in errors.ts.
 *
 * Supported keywords: type (object/array/string/integer/number/boolean), properties, required, items,
 * additionalProperties (schema or bool), enum, pattern, minimum/maximum (+exclusive), multipleOf,
 * minLength/maxLength, minItems/maxItems, uniqueItems, minProperties/maxProperties, format int32/int64,
 * nullable, anyOf/allOf/oneOf/not, x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields,
 * x-kubernetes-embedded-resource.
 */

/** A (structural) OpenAPI v3 schema node. */
export type Schema = Record<string, unknown>;

/** One schema violation, shaped like a metav1.StatusCause. */
export interface SchemaError {
  /** Dotted field path with [i] for array items, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** The message without the field prefix, e.g. `Required value`. */
  message: string;
  /** metav1.CauseType: FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ... */
  reason: string;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The JSON type name kube-openapi reports for a value: string, number, integer-less "number", boolean, object, array, null. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How field.Error prints a value: strings quoted, everything else as JSON. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (isPlainObject(value) || Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

class Validator {
  readonly errors: SchemaError[] = [];

  private add(field: string, reason: string, message: string): void {
    this.errors.push({ field, reason, message });
  }

  private invalid(field: string, value: unknown, detail: string): void {
    // kube-openapi names the field again inside the detail: "<path> in body must be ...".
    this.add(
      field,
      'FieldValueInvalid',
      `Invalid value: ${showValue(value)}: ${field || 'body'} in body ${detail}`,
    );
  }

  private typeError(field: string, value: unknown, expected: string): void {
    const actual = jsonType(value);
    this.add(
      field,
      'FieldValueTypeInvalid',
      `Invalid value: "${actual}": ${field || 'body'} in body must be of type ${expected}: "${actual}"`,
    );
  }

  validate(schema: Schema | undefined, value: unknown, path: string): void {
    if (!schema || typeof schema !== 'object') return;
    if (value === null) {
      if (schema.nullable === true) return;
      if (schema['x-kubernetes-int-or-string'] === true) return this.typeError(path, value, 'integer,string');
      if (typeof schema.type === 'string') return this.typeError(path, value, schema.type);
      return;
    }
    if (schema['x-kubernetes-int-or-string'] === true) {
      const ok = (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string';
      if (!ok) return this.typeError(path, value, 'integer,string');
    } else if (typeof schema.type === 'string' && !matchesType(schema.type, value)) {
      return this.typeError(path, value, schema.type);
    }
    this.combinators(schema, value, path);
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
      const supported = schema.enum.map(showValue).join(', ');
      this.add(
        path,
        'FieldValueNotSupported',
        `Unsupported value: ${showValue(value)}: supported values: ${supported}`,
      );
    }
    if (typeof value === 'string') this.validateString(schema, value, path);
    else if (typeof value === 'number') this.validateNumber(schema, value, path);
    else if (Array.isArray(value)) this.validateArray(schema, value, path);
    else if (isPlainObject(value)) this.validateObject(schema, value, path);
  }

  private combinators(schema: Schema, value: unknown, path: string): void {
    // int-or-string's anyOf [{integer},{string}] is already enforced above.
    if (Array.isArray(schema.anyOf) && schema['x-kubernetes-int-or-string'] !== true) {
      const anyOf = schema.anyOf as Schema[];
      if (!anyOf.some((s) => validateSchema(s, value, path).length === 0)) {
        this.invalid(path, value, 'must validate at least one schema (anyOf)');
      }
    }
    if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) this.validate(s, value, path);
    if (Array.isArray(schema.oneOf)) {
      const passing = (schema.oneOf as Schema[]).filter(
        (s) => validateSchema(s, value, path).length === 0,
      ).length;
      if (passing !== 1) this.invalid(path, value, 'must validate one and only one schema (oneOf)');
    }
    if (isPlainObject(schema.not) && validateSchema(schema.not, value, path).length === 0) {
      this.invalid(path, value, 'must not validate the schema (not)');
    }
  }

  private validateString(schema: Schema, value: string, path: string): void {
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
      this.add(path, 'FieldValueTooLong', `Too long: may not be longer than ${schema.maxLength}`);
    }
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
      this.invalid(path, value, `should be at least ${schema.minLength} chars long`);
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      this.invalid(path, value, `should match '${schema.pattern}'`);
    }
  }

  private validateNumber(schema: Schema, value: number, path: string): void {
    const { minimum, maximum } = schema;
    if (typeof minimum === 'number') {
      if (schema.exclusiveMinimum === true ? value <= minimum : value < minimum) {
        this.invalid(
          path,
          value,
          `should be greater than ${schema.exclusiveMinimum === true ? '' : 'or equal to '}${minimum}`,
        );
      }
    }
    if (typeof maximum === 'number') {
      if (schema.exclusiveMaximum === true ? value >= maximum : value > maximum) {
        this.invalid(
          path,
          value,
          `should be less than ${schema.exclusiveMaximum === true ? '' : 'or equal to '}${maximum}`,
        );
      }
    }
    if (
      typeof schema.multipleOf === 'number' &&
      schema.multipleOf > 0 &&
      !Number.isInteger(value / schema.multipleOf)
    ) {
      this.invalid(path, value, `should be a multiple of ${schema.multipleOf}`);
    }
    if (schema.format === 'int32' && Number.isInteger(value) && (value < INT32_MIN || value > INT32_MAX)) {
      this.invalid(path, value, 'must be of type int32');
    }
    if (schema.format === 'int64' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      // JSON numbers beyond 2^53 have already lost precision; refuse rather than store a different value.
      this.invalid(path, value, 'must be of type int64');
    }
  }

  private validateArray(schema: Schema, value: unknown[], path: string): void {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      this.add(
        path,
        'FieldValueTooMany',
        `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      );
    }
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      this.invalid(path, value, `should have at least ${schema.minItems} items`);
    }
    if (schema.uniqueItems === true) {
      value.forEach((item, i) => {
        if (value.slice(0, i).some((prev) => deepEqual(prev, item))) {
          this.add(`${path}[${i}]`, 'FieldValueDuplicate', `Duplicate value: ${showValue(item)}`);
        }
      });
    }
    if (isPlainObject(schema.items)) {
      value.forEach((item, i) => this.validate(schema.items as Schema, item, `${path}[${i}]`));
    }
  }

  private validateObject(schema: Schema, value: Record<string, unknown>, path: string): void {
    const properties = isPlainObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required as string[]) {
        if (value[key] === undefined) this.add(child(path, key), 'FieldValueRequired', 'Required value');
      }
    }
    const count = Object.keys(value).length;
    if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) {
      this.add(
        path,
        'FieldValueTooMany',
        `Too many: ${count}: must have at most ${schema.maxProperties} items`,
      );
    }
    if (typeof schema.minProperties === 'number' && count < schema.minProperties) {
      this.invalid(path, value, `should have at least ${schema.minProperties} properties`);
    }
    if (schema['x-kubernetes-embedded-resource'] === true) this.validateEmbedded(value, path);
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (key in properties) this.validate(properties[key], v, child(path, key));
      else if (isPlainObject(schema.additionalProperties)) {
        this.validate(schema.additionalProperties, v, child(path, key));
      }
    }
  }

  private validateEmbedded(value: Record<string, unknown>, path: string): void {
    for (const key of ['apiVersion', 'kind']) {
      if (typeof value[key] !== 'string' || value[key] === '') {
        this.add(child(path, key), 'FieldValueRequired', 'Required value: must not be empty');
      }
    }
    if (value.metadata !== undefined && !isPlainObject(value.metadata)) {
      this.typeError(child(path, 'metadata'), value.metadata, 'object');
    }
  }
}

/**
 * Validates `obj` against a structural schema and returns every violation (empty when valid). The
 * root's `metadata` is left to ObjectMeta validation, as the apiextensions-apiserver does.
 */
export function validateSchema(schema: Schema | undefined, obj: unknown, path = ''): SchemaError[] {
  const v = new Validator();
  if (!schema) return v.errors;
  if (
    path === '' &&
    isPlainObject(obj) &&
    isPlainObject(schema.properties) &&
    'metadata' in schema.properties
  ) {
    // Validate everything but the root metadata's inner fields.
    const { metadata, ...rest } = obj;
    const rootSchema = {
      ...schema,
      properties: { ...(schema.properties as Record<string, Schema>), metadata: undefined },
    };
    v.validate(rootSchema, rest, '');
    if (metadata !== undefined && !isPlainObject(metadata))
      v.validate({ type: 'object' }, metadata, 'metadata');
    return v.errors;
  }
  v.validate(schema, obj, path);
  return v.errors;
}

/** Whether a node keeps fields it does not declare. */
function preservesUnknown(schema: Schema): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}

function pruneValue(schema: Schema | undefined, value: unknown, path: string, removed: string[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (isPlainObject(schema.items)) {
      value.forEach((item, i) => pruneValue(schema.items as Schema, item, `${path}[${i}]`, removed));
    }
    return;
  }
  if (!isPlainObject(value) || schema['x-kubernetes-int-or-string'] === true) return;
  if (schema.type !== undefined && schema.type !== 'object') return; // a type error; validation reports it
  const properties = isPlainObject(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
  const additional = schema.additionalProperties;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const fieldPath = child(path, key);
    // An embedded resource always keeps its type meta and (ObjectMeta-shaped) metadata.
    if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (key in properties && key !== 'metadata')
        pruneValue(properties[key], value[key], fieldPath, removed);
      continue;
    }
    const sub = key in properties ? properties[key] : isPlainObject(additional) ? additional : undefined;
    if (value[key] === null && sub && sub.nullable !== true) {
      // The apiextensions-apiserver drops nulls the schema does not allow instead of rejecting them.
      delete value[key];
      continue;
    }
    if (sub) pruneValue(sub, value[key], fieldPath, removed);
    else if (additional !== true && !preservesUnknown(schema)) {
      delete value[key];
      removed.push(fieldPath);
    }
  }
}

/**
 * Removes, in place, every field of `obj` the schema does not declare (outside
 * x-kubernetes-preserve-unknown-fields) and returns the removed paths, for strict field validation
 * (`unknown field "spec.foo"`). apiVersion, kind and metadata at the root are always kept.
 */
export function pruneUnknownFields(schema: Schema | undefined, obj: Record<string, unknown>): string[] {
  const removed: string[] = [];
  if (!schema || !isPlainObject(obj)) return removed;
  const rootSchema: Schema = {
    ...schema,
    'x-kubernetes-embedded-resource': true,
  };
  pruneValue(rootSchema, obj, '', removed);
  return removed;
}
