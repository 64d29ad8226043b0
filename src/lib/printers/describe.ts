/**
 * The describe writer (kn `pkg/printers/prefixwriter.go`, `pkg/commands/describe.go`): nested
 * `Label:  value` attributes, consecutive ones aligned to the longest label plus two spaces (as kn's
 * tabwriter does), shared `writeMetadata` and `writeConditions` blocks, lines trimmed to the
 * terminal width.
 */
import type { Condition, KubeObject, KnStatus } from '../apis/types.js';
import { READY } from '../apis/conditions.js';
import { shortAge } from './cells.js';
import { formatRootCause, type RootCause } from '../client/root-cause.js';

type Line = { indent: number; label?: string; value: string } | { indent: number; raw: string };

/** Collects describe output; `toString()` aligns attribute blocks and trims to `width`. */
export class DescribeWriter {
  private readonly lines: Line[] = [];

  constructor(private readonly indent = 0) {}

  /** `Label:  value` at this writer's level. */
  attr(label: string, value: string | number | undefined): this {
    this.lines.push({ indent: this.indent, label, value: value === undefined ? '' : String(value) });
    return this;
  }

  /** A section header such as `Revisions:` (an attribute with an empty value). */
  section(label: string): this {
    return this.attr(label, '');
  }

  /** A line of free text at this level. */
  text(value: string): this {
    this.lines.push({ indent: this.indent, raw: value });
    return this;
  }

  /** A blank line (ends the current alignment block). */
  blank(): this {
    this.lines.push({ indent: 0, raw: '' });
    return this;
  }

  /** A writer one level deeper (2 spaces, or `by` spaces) sharing this writer's lines. */
  nested(by = 2): DescribeWriter {
    const child = new DescribeWriter(this.indent + by);
    // Share the line buffer: nested writers append to the same output.
    (child as unknown as { lines: Line[] }).lines = this.lines;
    return child;
  }

  /** Renders the lines, aligning each run of consecutive attributes, each line cut to `width`. */
  toString(width = Infinity): string {
    const out: string[] = [];
    let i = 0;
    while (i < this.lines.length) {
      const line = this.lines[i];
      if (!('label' in line) || line.label === undefined) {
        out.push(' '.repeat(line.indent) + (line as { raw: string }).raw);
        i++;
        continue;
      }
      let j = i;
      while (j < this.lines.length && 'label' in this.lines[j]) j++;
      const block = this.lines.slice(i, j) as { indent: number; label: string; value: string }[];
      const col = Math.max(...block.map((l) => l.indent + l.label.length + 1)) + 2;
      for (const l of block) {
        const head = ' '.repeat(l.indent) + `${l.label}:`;
        out.push(head + ' '.repeat(col - head.length) + l.value);
      }
      i = j;
    }
    return out.map((l) => truncate(l, width)).join('\n') + '\n';
  }
}

function truncate(line: string, width: number): string {
  if (line.length <= width || width < 10) return line;
  return `${line.slice(0, width - 4)} ...`;
}

// Labels and annotations in these domains are bookkeeping, shown only with -v (kn isBoring).
const BORING_PREFIXES = ['serving.knative.dev/', 'client.knative.dev/', 'kubectl.kubernetes.io/'];

/** Name, Namespace, Labels, Annotations, Age (kn WriteMetadata). */
export function writeMetadata(
  w: DescribeWriter,
  obj: KubeObject,
  opts: { verbose?: boolean; now?: Date } = {},
): void {
  w.attr('Name', obj.metadata.name);
  w.attr('Namespace', obj.metadata.namespace);
  writeMap(w, 'Labels', obj.metadata.labels, opts.verbose);
  writeMap(w, 'Annotations', obj.metadata.annotations, opts.verbose);
  w.attr('Age', shortAge(obj.metadata.creationTimestamp, opts.now));
}

function writeMap(
  w: DescribeWriter,
  label: string,
  map: Record<string, string> | undefined,
  verbose?: boolean,
): void {
  const entries = Object.entries(map ?? {})
    .filter(([k]) => verbose || !BORING_PREFIXES.some((p) => k.startsWith(p)))
    .sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return;
  if (verbose) {
    w.attr(label, `${entries[0][0]}=${entries[0][1]}`);
    for (const [k, v] of entries.slice(1)) w.text(' '.repeat(label.length + 3) + `${k}=${v}`);
    return;
  }
  let joined = entries.map(([k, v]) => `${k}=${v}`).join(', ');
  if (joined.length > 100) joined = `${joined.slice(0, 96)} ...`;
  w.attr(label, joined);
}

const SEVERITY_RANK: Record<string, number> = { '': 0, Error: 0, Warning: 1, Info: 2 };

/** The OK column symbol of a condition: `++` True, `!!` False/Error, ` W`, ` I`, `??` Unknown. */
export function conditionSymbol(c: Condition): string {
  if (c.status === 'True') return '++';
  if (c.status === 'Unknown') return '??';
  switch (c.severity ?? '') {
    case '':
      return '!!';
    case 'Warning':
      return ' W';
    case 'Info':
      return ' I';
    default:
      return ' !';
  }
}

/** The `Conditions:` table: Ready first, then by severity and type (kn WriteConditions). */
export function writeConditions(
  w: DescribeWriter,
  status: KnStatus | undefined,
  opts: { verbose?: boolean; now?: Date } = {},
): void {
  w.section('Conditions');
  const conds = [...(status?.conditions ?? [])].sort(
    (a, b) =>
      Number(b.type === READY) - Number(a.type === READY) ||
      (SEVERITY_RANK[a.severity ?? ''] ?? 3) - (SEVERITY_RANK[b.severity ?? ''] ?? 3) ||
      a.type.localeCompare(b.type),
  );
  const typeWidth = Math.max(4, ...conds.map((c) => c.type.length));
  const row = (ok: string, type: string, age: string, reason: string): string =>
    `${ok.padEnd(2)} ${type.padEnd(typeWidth)} ${age.padStart(6)} ${reason}`;
  const inner = w.nested();
  inner.text(row('OK', 'TYPE', 'AGE', 'REASON'));
  for (const c of conds) {
    const reason = opts.verbose && c.message ? `${c.reason ?? ''} (${c.message})` : (c.reason ?? '');
    inner.text(row(conditionSymbol(c), c.type, shortAge(c.lastTransitionTime, opts.now), reason));
  }
}

/** The root cause block (after the conditions) of an object that is not Ready. */
export function writeRootCause(w: DescribeWriter, cause: RootCause | undefined): void {
  if (!cause) return;
  w.blank();
  for (const line of formatRootCause(cause)) w.text(line);
}
