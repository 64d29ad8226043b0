import { Flags } from '@oclif/core';
import { KnCommand } from '../lib/cli/base.js';
import { usageError } from '../lib/client/errors.js';
import { formatVersionInfo, makeVersionInfo, type VersionInfo } from '../lib/cli/version-info.js';

export type { VersionInfo } from '../lib/cli/version-info.js';

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
    const info = makeVersionInfo(this.config.root, this.config.version);
    if (flags.server) info.ServerAPIs = await (await this.client()).servingVersions();
    if (flags.output === 'json') this.line(JSON.stringify(info, null, 2));
    else if (flags.output === 'yaml') this.write((await import('js-yaml')).default.dump(info));
    else this.write(formatVersionInfo(info));
    return info;
  }
}
