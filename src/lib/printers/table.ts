/**
 * Tables as data (kn `human_readable_flags.go`): a list command declares its columns as
 * `{ header, value }` and one generic renderer draws them in kn's borderless,
 * left-aligned tabwriter style (3 spaces between columns, columns at least 6 wide). A NAMESPACE
 * column is prepended only for -A lists. Trailing spaces are trimmed from every line.
 */
import type { KubeObject } from '../apis/types.js';

/** One table column: its upper-case header and how to compute a cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

/** Rendering options shared by list commands. */
export interface TableOptions {
  /** Add the NAMESPACE column (only with -A). */
  allNamespaces?: boolean;
  /** Omit the header row (--no-headers). */
  noHeaders?: boolean;
}

const PADDING = 3;
const MIN_WIDTH = 6;

/** The NAMESPACE column kn prepends for -A lists. */
export function namespaceColumn<T extends KubeObject>(): Column<T> {
  return { header: 'NAMESPACE', value: (o) => o.metadata.namespace ?? '' };
}

/** Renders rows (objects, or any records) as kn renders tables; returns the text with a trailing newline (or '' for no rows and no header). */
export function renderTable<T>(rows: T[], columns: Column<T>[], opts: TableOptions = {}): string {
  // -A lists are lists of objects: they have a namespace.
  const cols = opts.allNamespaces ? [namespaceColumn() as unknown as Column<T>, ...columns] : columns;
  const body = rows.map((r) => cols.map((c) => c.value(r)));
  const all = opts.noHeaders ? body : [cols.map((c) => c.header), ...body];
  if (all.length === 0) return '';
  // Each column is as wide as its widest cell plus the padding, and never narrower than kn's minimum.
  const widths = cols.map((_, i) => Math.max(MIN_WIDTH, ...all.map((row) => visibleWidth(row[i]) + PADDING)));
  // Borderless and never wrapped, so a cell is its text padded to the column width. (cli-table3
  // drew this before; its span layout is quadratic in the rows and took ~55% of `service list`'s
  // CPU at 1,000 services.)
  let out = '';
  for (const row of all) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += row[i] + ' '.repeat(widths[i] - visibleWidth(row[i]));
    out += `${line.trimEnd()}\n`;
  }
  return out;
}

// Width as a terminal shows it: ANSI escapes take no room.
function visibleWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
