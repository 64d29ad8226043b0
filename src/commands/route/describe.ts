import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { formatObject, parseOutputFlag } from '../../lib/printers/output.js';
import { describeRoute } from '../../lib/printers/route-printers.js';
import type { Route } from '../../lib/apis/types.js';

/** `knlite route describe NAME`: URL, traffic targets with percent, tags and tag URLs, conditions. */
export default class RouteDescribe extends KnCommand {
  static override summary = 'Show details of a route.';
  static override description =
    'Prints the route metadata, URL, owning service, every traffic target with its percent, revision, tag and tag URL, and the conditions (++ ok, !! failed, ?? unknown).';
  static override aliases = ['routes:describe'];
  static override examples = [
    '<%= config.bin %> route describe hello',
    '<%= config.bin %> route describe hello -o json',
  ];
  static override args = { name: Args.string({ description: 'the name of the route', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...outputFlags(),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'More output: owner API version, bookkeeping labels, condition messages.',
    }),
  };

  async run(): Promise<Route> {
    const { args, flags } = await this.parse(RouteDescribe);
    const output = parseOutputFlag(flags.output);
    const route = await (await this.client()).getRoute(args.name);
    this.write(
      output
        ? await formatObject(route, output)
        : describeRoute(route, { verbose: flags.verbose, width: this.terminalWidth }),
    );
    return route;
  }
}
