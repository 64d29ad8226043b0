/** apiextensions.k8s.io CustomResourceDefinitions: a CRD must describe servable kinds under its own name. */
import type { KubeObject } from '../../apis/types.js';
import { crdToResourceTypes } from '../crds.js';
import { ApiError, invalid } from '../errors.js';
import type { Strategy } from '../strategy.js';
import { AdmissionError } from '../types.js';

function checkCrd(crd: KubeObject): void {
  try {
    const types = crdToResourceTypes(crd);
    if (types.length === 0)
      throw new Error(
        'spec.versions: Required value: must have exactly one version marked as storage version',
      );
    const expected = `${types[0].resource}.${types[0].group}`;
    if (crd.metadata.name !== expected)
      throw invalid(
        { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io' },
        crd.metadata.name ?? '',
        [
          {
            field: 'metadata.name',
            message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
            reason: 'FieldValueInvalid',
          },
        ],
      );
  } catch (err) {
    if (err instanceof ApiError || err instanceof AdmissionError) throw err;
    throw invalid(
      { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io' },
      crd.metadata.name ?? '',
      [{ message: (err as Error).message }],
    );
  }
}

export const crdStrategy: Strategy = { validate: checkCrd };
