/**
 * The Knative ConfigMap parsers live in `config/`, one file per ConfigMap. This entry remains for
 * the one importer not yet moved to `config/autoscaler.ts` (the local runtime).
 */
export { parseAutoscalerConfig } from './config/autoscaler.js';
