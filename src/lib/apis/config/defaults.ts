/**
 * config-defaults: revision defaults (pkg/apis/config/defaults.go).
 */
import type { ConfigMap } from '../types.js';
import { ConfigError, dataOf, asInt, asBool } from './parse.js';

/** config-defaults (pkg/apis/config/defaults.go). */
export interface DefaultsConfig {
  revisionTimeoutSeconds: number;
  maxRevisionTimeoutSeconds: number;
  revisionResponseStartTimeoutSeconds: number;
  revisionIdleTimeoutSeconds: number;
  containerNameTemplate: string;
  initContainerNameTemplate: string;
  containerConcurrency: number;
  containerConcurrencyMaxLimit: number;
  allowContainerConcurrencyZero: boolean;
  /** `false` by default; undefined when configured as "default" (leave the Kubernetes default). */
  enableServiceLinks: boolean | undefined;
  revisionCpuRequest?: string;
  revisionMemoryRequest?: string;
  revisionEphemeralStorageRequest?: string;
  revisionCpuLimit?: string;
  revisionMemoryLimit?: string;
  revisionEphemeralStorageLimit?: string;
}

/** Parses config-defaults with Knative's defaults and checks. */
export function parseDefaultsConfig(cm: ConfigMap | undefined): DefaultsConfig {
  const d = dataOf(cm);
  const links = (d['enable-service-links'] ?? 'false').toLowerCase();
  const c: DefaultsConfig = {
    revisionTimeoutSeconds: asInt(d, 'revision-timeout-seconds', 300),
    maxRevisionTimeoutSeconds: asInt(d, 'max-revision-timeout-seconds', 600),
    revisionResponseStartTimeoutSeconds: asInt(d, 'revision-response-start-timeout-seconds', 300),
    revisionIdleTimeoutSeconds: asInt(d, 'revision-idle-timeout-seconds', 0),
    containerNameTemplate: d['container-name-template'] || 'user-container',
    initContainerNameTemplate: d['init-container-name-template'] || 'init-container',
    containerConcurrency: asInt(d, 'container-concurrency', 0),
    containerConcurrencyMaxLimit: asInt(d, 'container-concurrency-max-limit', 1000),
    allowContainerConcurrencyZero: asBool(d, 'allow-container-concurrency-zero', true),
    enableServiceLinks: links === 'default' ? undefined : asBool({ v: links }, 'v', false),
  };
  const quantities = {
    revisionCpuRequest: 'revision-cpu-request',
    revisionMemoryRequest: 'revision-memory-request',
    revisionEphemeralStorageRequest: 'revision-ephemeral-storage-request',
    revisionCpuLimit: 'revision-cpu-limit',
    revisionMemoryLimit: 'revision-memory-limit',
    revisionEphemeralStorageLimit: 'revision-ephemeral-storage-limit',
  } as const;
  for (const [field, key] of Object.entries(quantities)) {
    if (d[key]) c[field as keyof typeof quantities] = d[key];
  }
  if (c.revisionTimeoutSeconds > c.maxRevisionTimeoutSeconds) {
    throw new ConfigError(
      `revision-timeout-seconds (${c.revisionTimeoutSeconds}) cannot be greater than max-revision-timeout-seconds (${c.maxRevisionTimeoutSeconds})`,
    );
  }
  if (c.containerConcurrencyMaxLimit < 1) {
    throw new ConfigError(
      `container-concurrency-max-limit ${c.containerConcurrencyMaxLimit} should be at least 1`,
    );
  }
  if (c.containerConcurrency < 0 || c.containerConcurrency > c.containerConcurrencyMaxLimit) {
    throw new ConfigError(
      `expected 0 <= ${c.containerConcurrency} <= ${c.containerConcurrencyMaxLimit}: container-concurrency`,
    );
  }
  if (c.revisionResponseStartTimeoutSeconds < 0) {
    throw new ConfigError(
      `revision-response-start-timeout-seconds (${c.revisionResponseStartTimeoutSeconds}) cannot be negative`,
    );
  }
  if (c.revisionIdleTimeoutSeconds < 0) {
    throw new ConfigError(
      `revision-idle-timeout-seconds (${c.revisionIdleTimeoutSeconds}) cannot be negative`,
    );
  }
  return c;
}
