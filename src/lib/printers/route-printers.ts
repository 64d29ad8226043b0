/**
 * `knlite route list|describe` output (kn `pkg/commands/route/{human_readable_flags,describe}.go`):
 * the NAME URL READY columns and the describe layout with traffic targets, their tags and tag URLs.
 */
import type { Route } from '../apis/types.js';
import { Labels } from '../apis/keys.js';
import { readyCell } from './cells.js';
import { DescribeWriter, writeConditions, writeMetadata } from './describe.js';
import type { Column } from './table.js';

/** `knlite route list`: NAME URL READY. */
export function routeColumns(): Column<Route>[] {
  return [
    { header: 'NAME', value: (r) => r.metadata.name ?? '' },
    { header: 'URL', value: (r) => r.status?.url ?? '' },
    { header: 'READY', value: (r) => readyCell(r.status) },
  ];
}

/** Renders a route the way `kn route describe` does. */
export function describeRoute(
  route: Route,
  opts: { verbose?: boolean; now?: Date; width?: number } = {},
): string {
  const w = new DescribeWriter();
  writeMetadata(w, route, opts);
  w.attr('URL', route.status?.url ?? '');
  const owner =
    route.metadata.ownerReferences?.find((o) => o.kind === 'Service')?.name ??
    route.metadata.labels?.[Labels.service];
  if (owner) {
    const apiVersion = route.metadata.ownerReferences?.find((o) => o.kind === 'Service')?.apiVersion;
    w.attr('Service', opts.verbose && apiVersion ? `${owner} (${apiVersion})` : owner);
  }
  w.blank();
  w.section('Traffic Targets');
  const targets = w.nested();
  for (const t of route.status?.traffic ?? []) {
    const rev = t.revisionName ?? '';
    let name = t.latestRevision ? `@latest (${rev})` : rev;
    if (t.tag) name += ` #${t.tag}`;
    targets.text(`${String(t.percent ?? 0).padStart(3)}%  ${name}`);
    // Attributes of a target line up under its name (2 + 4 + 2 = 8).
    if (t.tag && t.url) w.nested(8).attr('URL', t.url);
  }
  w.blank();
  writeConditions(w, route.status, opts);
  return w.toString(opts.width);
}
