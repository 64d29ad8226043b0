/** `-f FILE`: a Service read from YAML or JSON, decoded against the Service CRD's schema. */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { crdToResourceTypes, loadCrdObjects } from '../../apiserver/crds.js';
import { validateSchema, type Schema } from '../../apiserver/schema.js';
import { SERVING_V1 } from '../../apis/keys.js';
import type { Service } from '../../apis/types.js';
import { KnError } from '../../client/errors.js';

/** Reads a Service from a YAML or JSON file (`-f`), with kn's checks. */
export function readServiceFile(path: string): Service {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KnError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      { name: 'FileError' },
    );
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new KnError(`${path} is not a YAML or JSON document: ${(err as Error).message.split('\n')[0]}`, {
      name: 'FileError',
    });
  }
  const svc = doc as Service;
  if (!svc || typeof svc !== 'object' || Array.isArray(svc) || typeof svc.metadata !== 'object') {
    throw new KnError(
      `${path} does not hold a Knative Service (expected apiVersion: ${SERVING_V1}, kind: Service)`,
      { name: 'FileError' },
    );
  }
  if (svc.kind !== undefined && svc.kind !== 'Service') {
    throw new KnError(`${path} holds a ${svc.kind}, not a Knative Service`, { name: 'FileError' });
  }
  // Decode against the Service CRD's schema before anything reads a field (as the API server does):
  // `containers: "notalist"` is a type error naming the field, not a missing image.
  const errors = validateSchema(serviceSchema(), svc);
  if (errors.length) {
    throw new KnError(
      `${path} is not a valid Knative Service: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      { name: 'FileError' },
    );
  }
  return svc;
}

let cachedServiceSchema: Schema | undefined;

/** The structural schema of serving.knative.dev/v1 Service, from the shipped CRD. */
export function serviceSchema(): Schema {
  if (cachedServiceSchema) return cachedServiceSchema;
  const crd = loadCrdObjects().find((c) => c.metadata.name === 'services.serving.knative.dev');
  const type = crd ? crdToResourceTypes(crd).find((t) => t.version === 'v1') : undefined;
  cachedServiceSchema = type?.schema ?? { type: 'object' };
  return cachedServiceSchema;
}
