/**
 * What `knlite version` prints, as pure functions of the package root, so bin/run.js can answer a
 * plain `knlite version` without loading oclif (see docs/adr/0007-cli-start-up.md) and the command
 * prints exactly the same thing.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SERVING_V1 } from '../apis/keys.js';

/** What `knlite version` reports (keys as kn's `version -o json`). */
export interface VersionInfo {
  Version: string;
  BuildDate: string;
  Node: string;
  SupportedAPIs: string[];
  ServerAPIs?: string[];
}

/** The client's version information; `version` defaults to the root package.json's. */
export function makeVersionInfo(root: string, version?: string): VersionInfo {
  return {
    Version:
      version ??
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    BuildDate: buildDate(root),
    Node: process.version,
    SupportedAPIs: [SERVING_V1, 'serving.knative.dev/v1beta1 (DomainMapping)'],
  };
}

/** The human-readable form (kn's layout), one string ending in a newline. */
export function formatVersionInfo(info: VersionInfo): string {
  const lines = [
    `Version:      ${info.Version}`,
    `Build Date:   ${info.BuildDate}`,
    `Node:         ${info.Node}`,
    'Supported APIs:',
    '* Serving',
    ...info.SupportedAPIs.map((api) => `  - ${api}`),
  ];
  if (info.ServerAPIs) {
    lines.push('Server APIs:', ...info.ServerAPIs.map((api) => `  - ${api}`));
    if (info.ServerAPIs.length === 0) lines.push('  (none: Knative Serving is not installed)');
  }
  return `${lines.join('\n')}\n`;
}

// The build date is the modification time of the oclif manifest written by `npm run build`
// (falls back to package.json in development).
function buildDate(root: string): string {
  for (const f of ['oclif.manifest.json', 'package.json']) {
    try {
      return statSync(join(root, f))
        .mtime.toISOString()
        .replace(/\.\d+Z$/, 'Z');
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}
