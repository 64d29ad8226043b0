/**
 * The one entry point list commands use to print: machine output for -o, "No <things> found." for
 * an empty human list, else the table.
 */
import type { KubeList, KubeObject } from '../apis/types.js';
import { formatList, type OutputSpec } from './output.js';
import { renderTable, type Column } from './table.js';

/** How a list is printed in human form. */
export interface ListPrintOptions<T> {
  columns: Column<T>[];
  /** Message for an empty list, e.g. 'No services found.'. */
  empty: string;
  allNamespaces?: boolean;
  noHeaders?: boolean;
}

/** Renders a list for stdout according to -o (or as a table). */
export async function printList<T extends KubeObject>(
  list: KubeList<T>,
  output: OutputSpec | undefined,
  opts: ListPrintOptions<T>,
): Promise<string> {
  if (output) return formatList(list, output);
  if (list.items.length === 0) return `${opts.empty}\n`;
  return renderTable(list.items, opts.columns, {
    allNamespaces: opts.allNamespaces,
    noHeaders: opts.noHeaders,
  });
}
