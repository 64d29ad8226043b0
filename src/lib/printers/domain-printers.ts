/**
 * `knlite domain list|describe` output (kn `pkg/commands/domain/{human_readable_flags,describe}.go`):
 * NAME URL READY KSVC columns and the describe layout (metadata, URL, Reference, conditions).
 */
import type { DomainMapping } from '../apis/types.js';
import { readyCell } from './cells.js';
import { DescribeWriter, writeConditions, writeMetadata } from './describe.js';
import type { Column } from './table.js';

/** `knlite domain list`: NAME URL READY KSVC. */
export function domainColumns(): Column<DomainMapping>[] {
  return [
    { header: 'NAME', value: (d) => d.metadata.name ?? '' },
    { header: 'URL', value: (d) => d.status?.url ?? '' },
    { header: 'READY', value: (d) => readyCell(d.status) },
    { header: 'KSVC', value: (d) => d.spec.ref?.name ?? '' },
  ];
}

/** Renders a domain mapping the way `kn domain describe` does. */
export function describeDomainMapping(
  dm: DomainMapping,
  opts: { verbose?: boolean; now?: Date; width?: number } = {},
): string {
  const w = new DescribeWriter();
  writeMetadata(w, dm, opts);
  w.blank();
  w.attr('URL', dm.status?.url ?? '');
  if (dm.spec.tls?.secretName) w.attr('TLS Secret', dm.spec.tls.secretName);
  w.blank();
  w.section('Reference');
  const ref = w.nested();
  ref.attr('APIVersion', dm.spec.ref.apiVersion ?? '');
  ref.attr('Kind', dm.spec.ref.kind ?? '');
  ref.attr('Name', dm.spec.ref.name);
  if (dm.spec.ref.namespace && dm.spec.ref.namespace !== dm.metadata.namespace) {
    ref.attr('Namespace', dm.spec.ref.namespace);
  }
  w.blank();
  writeConditions(w, dm.status, opts);
  return w.toString(opts.width);
}
