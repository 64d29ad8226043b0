import { Flags } from '@oclif/core';
import { KnCommand } from '../lib/cli/base.js';
import { SERVING_V1 } from '../lib/apis/keys.js';
import { usageError } from '../lib/client/errors.js';

/** What `knlite version` reports (keys as kn's `version -o json`). */
export interface VersionInfo {
  Version: string;
  BuildDate: string;
  Node: string;
  SupportedAPIs: string[];
  ServerAPIs?: string[];
}

/** `knlite version`: client version and supported Serving API; the network only with --server. */
export default class Version extends KnCommand {
  static override summary = 'Show the version of knlite.';
  static override description =
    'Prints the knlite version, its build date, the Node.js version and the Knative Serving API it speaks. With --server it also asks the cluster which serving.knative.dev versions it serves.';
  static override examples = [
    '<%= config.bin %> version',
    '<%= config.bin %> version -o json',
    '<%= config.bin %> version --server',
  ];
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Output format: json or yaml.', helpValue: 'FORMAT' }),
    server: Flags.boolean({ summary: 'Also query the cluster for the Serving API versions it serves.' }),
  };

  async run(): Promise<VersionInfo> {
    const { flags } = await this.parse(Version);
    if (flags.output && flags.output !== 'json' && flags.output !== 'yaml') {
      throw usageError("invalid value for output flag, choose one among 'json' or 'yaml'");
    }
    const info: VersionInfo = {
      Version: this.config.version,
      BuildDate: await buildDate(this.config.root),
      Node: process.version,
      SupportedAPIs: [SERVING_V1, 'serving.knative.dev/v1beta1 (DomainMapping)'],
    };
    if (flags.server) info.ServerAPIs = await (await this.client()).servingVersions();
    if (flags.output === 'json') this.line(JSON.stringify(info, null, 2));
    else if (flags.output === 'yaml') this.write((await import('js-yaml')).default.dump(info));
    else {
      this.line(`Version:      ${info.Version}`);
      this.line(`Build Date:   ${info.BuildDate}`);
      this.line(`Node:         ${info.Node}`);
      this.line('Supported APIs:');
      this.line('* Serving');
      for (const api of info.SupportedAPIs) this.line(`  - ${api}`);
      if (info.ServerAPIs) {
        this.line('Server APIs:');
        for (const api of info.ServerAPIs) this.line(`  - ${api}`);
        if (info.ServerAPIs.length === 0) this.line('  (none: Knative Serving is not installed)');
      }
    }
    return info;
  }
}

// The build date is the modification time of the oclif manifest written by `npm run build`
// (falls back to this file's package.json in development).
async function buildDate(root: string): Promise<string> {
  const { statSync } = await import('node:fs');
  const { join } = await import('node:path');
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
