/** The Service create and apply want: the file (if any) with the flags applied, checked like the webhook. */
import { dirname, resolve } from 'node:path';
import type { ApisContext } from '../../apis/context.js';
import { SERVING_V1 } from '../../apis/keys.js';
import type { Service } from '../../apis/types.js';
import { usageError } from '../../client/errors.js';
import { validationContext } from '../cluster-config.js';
import {
  applyServiceFlags,
  checkServiceName,
  makeService,
  resolveFileImages,
  validateServiceLocally,
} from '../service-edit.js';
import { computeTraffic, parseTrafficFlags } from '../traffic.js';
import type { ServiceChange, Services } from './common.js';
import { readServiceFile } from './file.js';

// The desired Service for create/apply: the file (if any) with flags applied on top. It needs no
// cluster (its namespace is left to the store when the file names none); the checks that depend on
// the cluster's configuration come after connecting, in validateDesired.
export function desiredService(verb: 'create' | 'apply', change: ServiceChange): Service {
  let svc: Service;
  if (change.file) {
    svc = readServiceFile(change.file);
    resolveFileImages(svc, dirname(resolve(change.file)));
    const fileName = svc.metadata.name;
    if (change.name && fileName && change.name !== fileName) {
      throw usageError(`provided service name '${change.name}' doesn't match name from file '${fileName}'`);
    }
    const name = change.name ?? fileName;
    if (!name) throw usageError('no service name provided in command parameter or file');
    svc = {
      apiVersion: SERVING_V1,
      kind: 'Service',
      ...svc,
      metadata: { ...svc.metadata, name },
    };
    delete svc.status;
    svc.spec ??= { template: { spec: { containers: [{}] } } };
  } else {
    if (!change.name)
      throw usageError(`'service ${verb}' requires the service name given as single argument`);
    if (change.flags.image === undefined)
      throw usageError(`'service ${verb}' requires the image name to run provided with the --image option`);
    svc = makeService(change.name);
  }
  validateNameEarly(svc.metadata.name!);
  applyServiceFlags(svc, change.flags, change.edit);
  if (change.traffic?.tag?.length) {
    svc.spec.traffic = computeTraffic(svc, parseTrafficFlags({ tag: change.traffic.tag }), {
      create: true,
      mutation: true,
    });
  }
  return svc;
}

function validateNameEarly(name: string): void {
  checkServiceName(name);
}

// Puts the desired service into the store's namespace (unless it names one) and validates it the
// way the cluster's webhook will, under the cluster's configuration.
export async function validateDesired(store: Services, svc: Service): Promise<ApisContext> {
  svc.metadata.namespace ??= store.namespace;
  const ctx = await validationContext(store);
  validateServiceLocally(svc, undefined, ctx);
  return ctx;
}
