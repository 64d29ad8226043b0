/**
 * config-deployment: the keys knlite honours (pkg/deployment/config.go).
 */
import { formatGoDuration } from '../durations.js';
import type { ConfigMap } from '../types.js';
import { ConfigError, dataOf, asDuration } from './parse.js';

/** config-deployment, the keys knlite honours. */
export interface DeploymentConfig {
  progressDeadline: number;
  registriesSkippingTagResolving: string[];
  digestResolutionTimeout: number;
}

/** Parses config-deployment (progress-deadline 600s by default). */
export function parseDeploymentConfig(cm: ConfigMap | undefined): DeploymentConfig {
  const d = dataOf(cm);
  const c: DeploymentConfig = {
    progressDeadline: asDuration(d, 'progress-deadline', 600_000),
    registriesSkippingTagResolving: (
      d['registries-skipping-tag-resolving'] ?? 'kind.local,ko.local,dev.local'
    )
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    digestResolutionTimeout: asDuration(d, 'digest-resolution-timeout', 10_000),
  };
  if (c.progressDeadline <= 0) {
    throw new ConfigError(
      `progress-deadline cannot be a non-positive duration, was ${formatGoDuration(c.progressDeadline)}`,
    );
  }
  if (c.progressDeadline % 1000 !== 0) {
    throw new ConfigError(
      `progress-deadline must be at most second precision, was ${formatGoDuration(c.progressDeadline)}`,
    );
  }
  return c;
}
