/**
 * `knlite revision list` columns (kn `pkg/commands/revision/human_readable_flags.go`):
 * NAME SERVICE TRAFFIC TAGS GENERATION AGE CONDITIONS READY REASON, every cell cut to 50 chars.
 */
import type { Revision } from '../apis/types.js';
import { Labels } from '../apis/keys.js';
import { trafficKey, type TrafficIndex } from '../apis/traffic-index.js';
import { conditionsCell, humanAge, readyCell, reasonCell, truncateCell } from './cells.js';
import type { Column } from './table.js';

/** The revision list columns; TRAFFIC and TAGS come from `traffic` (the services' route status). */
export function revisionColumns(traffic: TrafficIndex, now: Date = new Date()): Column<Revision>[] {
  const of = (r: Revision) => traffic.get(trafficKey(r.metadata.namespace, r.metadata.name ?? ''));
  const cols: Column<Revision>[] = [
    { header: 'NAME', value: (r) => r.metadata.name ?? '' },
    { header: 'SERVICE', value: (r) => r.metadata.labels?.[Labels.service] ?? '' },
    // Blank rather than 0% for revisions without traffic, as kn prints it.
    { header: 'TRAFFIC', value: (r) => ((of(r)?.percent ?? 0) > 0 ? `${of(r)!.percent}%` : '') },
    { header: 'TAGS', value: (r) => (of(r)?.tags ?? []).join(',') },
    { header: 'GENERATION', value: (r) => r.metadata.labels?.[Labels.configurationGeneration] ?? '' },
    { header: 'AGE', value: (r) => humanAge(r.metadata.creationTimestamp, now) },
    { header: 'CONDITIONS', value: (r) => conditionsCell(r.status) },
    { header: 'READY', value: (r) => readyCell(r.status) },
    { header: 'REASON', value: (r) => reasonCell(r.status) },
  ];
  return cols.map((c) => ({ header: c.header, value: (r: Revision) => truncateCell(c.value(r)) }));
}
