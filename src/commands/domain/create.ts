import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { domainRefFlags, dryRunFlags, namespaceFlags } from '../../lib/cli/flags.js';
import { createDomainMapping } from '../../lib/cli/domain-edit.js';
import type { DomainMapping } from '../../lib/apis/types.js';

/** `knlite domain create|map DOMAIN --ref SERVICE [--tls SECRET]`. */
export default class DomainCreate extends KnCommand {
  static override summary = 'Map a custom domain to a service (alias: domain map).';
  static override description =
    'Creates a DomainMapping (serving.knative.dev/v1beta1) named DOMAIN that sends requests for that host to the referenced service or route. --ref (required) takes ksvc:NAME, ksvc:NAME:NAMESPACE, kroute:NAME or a bare service NAME; the referenced object must exist. --tls names a Secret holding the certificate.';
  static override aliases = ['domain:map', 'domains:create', 'domains:map'];
  static override examples = [
    '<%= config.bin %> domain map hello.example.com --ref hello',
    '<%= config.bin %> domain create hello.example.com --ref ksvc:hello:default --tls hello-cert',
    '<%= config.bin %> domain create api.example.com --ref kroute:api -n dev',
  ];
  static override args = { name: Args.string({ description: 'the domain name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...domainRefFlags(),
    ...dryRunFlags(),
  };

  async run(): Promise<DomainMapping> {
    const { args, flags } = await this.parse(DomainCreate);
    return createDomainMapping(() => this.client(), this.io(), {
      name: args.name,
      ref: flags.ref,
      tls: flags.tls,
      dryRun: this.dryRun(flags),
    });
  }
}
