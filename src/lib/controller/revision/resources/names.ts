/** Names of a Revision's children (fixed cross-component contract; hashing lives in apis/names.ts). */
import { deploymentName as deploymentNameFor } from '../../../apis/names.js';
import type { Revision } from '../../../apis/types.js';

/** The Deployment that runs a Revision: `<rev>-deployment`. */
export const deploymentName = (rev: Revision): string => deploymentNameFor(rev.metadata.name!);

/** The core Service in front of a Revision's pods: `<rev>`. */
export const kubeServiceName = (rev: Revision): string => rev.metadata.name!;
