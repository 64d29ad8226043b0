/**
 * Column sets of list commands, as data (kn `pkg/commands/<noun>/human_readable_flags.go`).
 * Other nouns add their column sets here.
 */
import type { Service } from '../apis/types.js';
import { conditionsCell, humanAge, readyCell, reasonCell } from './cells.js';
import type { Column } from './table.js';

/** `knlite service list`: NAME URL LATEST AGE CONDITIONS READY REASON. */
export function serviceColumns(now: Date = new Date()): Column<Service>[] {
  return [
    { header: 'NAME', value: (s) => s.metadata.name ?? '' },
    { header: 'URL', value: (s) => s.status?.url ?? '' },
    { header: 'LATEST', value: (s) => s.status?.latestReadyRevisionName ?? '' },
    { header: 'AGE', value: (s) => humanAge(s.metadata.creationTimestamp, now) },
    { header: 'CONDITIONS', value: (s) => conditionsCell(s.status) },
    { header: 'READY', value: (s) => readyCell(s.status) },
    { header: 'REASON', value: (s) => reasonCell(s.status) },
  ];
}
