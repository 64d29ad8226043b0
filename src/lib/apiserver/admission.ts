/**
 * The admission chain of one write: schema types first, then every matching plugin's mutate, then
 * the full schema, then every matching plugin's validate (kube-apiserver's order).
 */
import { ApiError, badRequest, invalid } from './errors.js';
import { pruneUnknownFields, validateSchema } from './schema.js';
import { AdmissionError, type AdmissionPlugin, type AdmissionRequest } from './types.js';

/**
 * Runs one admission step; a step that fails on a body it cannot handle answers 400 like a webhook
 * that cannot decode its request, never a 500 with the step's internals.
 */
function guarded(plugin: AdmissionPlugin, step: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError || err instanceof AdmissionError || !(err instanceof Error)) throw err;
    process.emitWarning(
      `knlite apiserver: admission ${plugin.name} ${step} failed: ${err.stack ?? err.message}`,
    );
    throw badRequest(
      `admission webhook "${plugin.name}" denied the request: cannot decode incoming object: ${err.message}`,
    );
  }
}

/** Admits `req.object` (mutating it in place) or throws the Status the write fails with. */
export function runAdmission(admission: AdmissionPlugin[], req: AdmissionRequest): void {
  const { type, operation, object: obj } = req;
  if (type.schema && operation !== 'DELETE') {
    // Decoding comes first: admission code only ever sees bodies whose fields have their schema's types.
    const wrongTypes = validateSchema(type.schema, obj).filter((e) => e.reason === 'FieldValueTypeInvalid');
    if (wrongTypes.length) throw invalid(type, obj.metadata.name ?? '', wrongTypes);
  }
  const plugins = admission.filter((p) => p.matches(req));
  for (const p of plugins) guarded(p, 'mutate', () => p.mutate?.(req));
  if (type.schema && operation !== 'DELETE') {
    // Mutating admission may add fields; drop what the schema does not declare, as the apiserver does.
    if (plugins.length) pruneUnknownFields(type.schema, obj as Record<string, unknown>);
    const errors = validateSchema(type.schema, obj);
    if (errors.length)
      throw invalid(
        type,
        obj.metadata.name ?? '',
        errors.map((e) => ({ field: e.field, message: e.message, reason: e.reason })),
      );
  }
  for (const p of plugins) guarded(p, 'validate', () => p.validate?.(req));
}
