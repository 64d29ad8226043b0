/**
 * A port of knative.dev/pkg `apis.FieldError`: validation errors carry a message, the field paths
 * they apply to and optional details; `via*` prefixes paths as errors bubble up, `also` collects,
 * and `message` renders exactly like Knative (merged by message+details, paths and errors sorted).
 */

/** One leaf error. */
export interface FieldErrorEntry {
  message: string;
  paths: string[];
  details?: string;
}

/** A set of validation errors (never empty). */
export class FieldError {
  readonly errors: FieldErrorEntry[];

  constructor(errors: FieldErrorEntry[]) {
    this.errors = errors;
  }

  /** Builds one error. */
  static of(message: string, paths: string[] = [''], details?: string): FieldError {
    return new FieldError([{ message, paths, ...(details ? { details } : {}) }]);
  }

  /** Prefixes every path with `field` (dot-joined; `[i]` parts glue to the previous part). */
  viaField(...prefix: string[]): FieldError {
    return new FieldError(
      this.errors.map((e) => ({ ...e, paths: e.paths.map((p) => flatten([...prefix, p])) })),
    );
  }

  /** Prefixes every path with `[index]`. */
  viaIndex(index: number): FieldError {
    return this.viaField(`[${index}]`);
  }

  /** Prefixes every path with `field[index]`. */
  viaFieldIndex(field: string, index: number): FieldError {
    return this.viaIndex(index).viaField(field);
  }

  /** Prefixes every path with `[key]`. */
  viaKey(key: string): FieldError {
    return this.viaField(`[${key}]`);
  }

  /** Prefixes every path with `field[key]`. */
  viaFieldKey(field: string, key: string): FieldError {
    return this.viaKey(key).viaField(field);
  }

  /** The merged, sorted, rendered text Knative returns (`<message>: <paths>[\n<details>]` lines). */
  get message(): string {
    return merge(this.errors)
      .map((e) => `${e.message}: ${e.paths.join(', ')}${e.details ? `\n${e.details}` : ''}`)
      .join('\n');
  }

  /** Same as {@link message}. */
  toString(): string {
    return this.message;
  }
}

/** Knative's `errs.Also(...)`: combines possibly-undefined errors; undefined when there are none. */
export function also(...errs: (FieldError | undefined)[]): FieldError | undefined {
  const all = errs.flatMap((e) => e?.errors ?? []);
  return all.length > 0 ? new FieldError(all) : undefined;
}

/** Applies `fn` to an error when there is one (for the via* chain on optional errors). */
export function via(err: FieldError | undefined, fn: (e: FieldError) => FieldError): FieldError | undefined {
  return err ? fn(err) : undefined;
}

function isIndex(part: string): boolean {
  return part.startsWith('[') && part.endsWith(']');
}

/** Knative's flatten: `foo.[0].bar` → `foo[0].bar`, empty parts dropped. */
function flatten(path: string[]): string {
  const out: string[] = [];
  for (const part of path) {
    for (const p of splitPath(part)) {
      if (p === '') continue;
      if (out.length > 0 && isIndex(p)) out[out.length - 1] += p;
      else out.push(p);
    }
  }
  return out.join('.');
}

/** Splits on '.', except inside `[...]` (keys such as `[serving.knative.dev/foo]`). */
function splitPath(part: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of part) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return parts;
}

function merge(errs: FieldErrorEntry[]): FieldErrorEntry[] {
  const byKey = new Map<string, FieldErrorEntry>();
  for (const e of errs) {
    const key = `${e.message}\u0000${e.details ?? ''}`;
    const seen = byKey.get(key);
    if (seen) {
      for (const p of e.paths) if (!seen.paths.includes(p)) seen.paths.push(p);
    } else {
      byKey.set(key, { ...e, paths: [...new Set(e.paths)] });
    }
  }
  const out = [...byKey.values()];
  for (const e of out) e.paths.sort(cmp);
  out.sort((a, b) =>
    a.message === b.message ? cmp(a.details ?? '', b.details ?? '') : cmp(a.message, b.message),
  );
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- Knative's error constructors (apis/field_error.go) ---------------------------------------

/** "must not set the field(s): ...". */
export function errDisallowedFields(...paths: string[]): FieldError {
  return FieldError.of('must not set the field(s)', paths);
}

/** "missing field(s): ...". */
export function errMissingField(...paths: string[]): FieldError {
  return FieldError.of('missing field(s)', paths);
}

/** "expected exactly one, got both: ...". */
export function errMultipleOneOf(...paths: string[]): FieldError {
  return FieldError.of('expected exactly one, got both', paths);
}

/** "expected exactly one, got neither: ...". */
export function errMissingOneOf(...paths: string[]): FieldError {
  return FieldError.of('expected exactly one, got neither', paths);
}

/** "invalid value: <value>: <path>" (+ details). */
export function errInvalidValue(value: unknown, path: string, ...details: string[]): FieldError {
  return FieldError.of(`invalid value: ${goValue(value)}`, [path], details.join(', ') || undefined);
}

/** ErrInvalidArrayValue: "invalid value: <value>: <field>[i]". */
export function errInvalidArrayValue(value: unknown, field: string, index: number): FieldError {
  return errInvalidValue(value, '').viaFieldIndex(field, index);
}

/** "invalid key name \"k\": <path>" (+ details). */
export function errInvalidKeyName(key: string, path: string, ...details: string[]): FieldError {
  return FieldError.of(`invalid key name ${JSON.stringify(key)}`, [path], details.join(', ') || undefined);
}

/** "expected <lower> <= <value> <= <upper>: <path>". */
export function errOutOfBoundsValue(
  value: unknown,
  lower: unknown,
  upper: unknown,
  path: string,
): FieldError {
  return FieldError.of(`expected ${goValue(lower)} <= ${goValue(value)} <= ${goValue(upper)}`, [path]);
}

/** A free-form message over paths. */
export function errGeneric(message: string, ...paths: string[]): FieldError {
  return FieldError.of(message, paths.length ? paths : ['']);
}

/** Go's `%v` for the values Knative prints (numbers, strings, string lists). */
export function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  return String(v);
}
