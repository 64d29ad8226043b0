/**
 * The subset of Go's text/template that Knative's `domain-template` and `tag-template` use:
 * `{{.Name}}`, `{{.Namespace}}`, `{{.Domain}}`, `{{.Tag}}`, `{{.Annotations.key}}`,
 * `{{.Labels.key}}`, `{{index .Annotations "key"}}`, `{{index .Labels "key"}}`, with `{{-`/`-}}`
 * whitespace trimming. Anything else is rejected with a TemplateError.
 */

/** Values available to a template (Knative's DomainTemplateValues / TagTemplateValues). */
export interface TemplateValues {
  Name?: string;
  Namespace?: string;
  Domain?: string;
  Tag?: string;
  Annotations?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** A template that uses syntax outside the supported subset, or refers to an unknown field. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Piece = { text: string } | { expr: string };

/** Parses a template once; throws TemplateError on unsupported syntax. */
export function parseTemplate(template: string): (values: TemplateValues) => string {
  const pieces: Piece[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      pieces.push({ text: rest });
      break;
    }
    let text = rest.slice(0, open);
    let inner = rest.slice(open + 2);
    const close = inner.indexOf('}}');
    if (close < 0) throw new TemplateError(`template: unclosed action in ${JSON.stringify(template)}`);
    let expr = inner.slice(0, close);
    inner = inner.slice(close + 2);
    // "{{- " trims whitespace before the action, " -}}" after it.
    if (/^-\s/.test(expr)) {
      text = text.replace(/\s+$/, '');
      expr = expr.slice(1);
    }
    if (/\s-$/.test(expr)) {
      inner = inner.replace(/^\s+/, '');
      expr = expr.slice(0, -1);
    }
    if (text) pieces.push({ text });
    const trimmed = expr.trim();
    compileExpr(trimmed, template); // validate eagerly
    pieces.push({ expr: trimmed });
    rest = inner;
  }
  return (values) => pieces.map((p) => ('text' in p ? p.text : evalExpr(p.expr, values))).join('');
}

/** Renders a template against values (parse + execute). */
export function renderTemplate(template: string, values: TemplateValues): string {
  return parseTemplate(template)(values);
}

const SCALAR_FIELDS = new Set(['Name', 'Namespace', 'Domain', 'Tag']);
const MAP_FIELDS = new Set(['Annotations', 'Labels']);

function compileExpr(expr: string, template: string): void {
  if (/^\.[A-Za-z]+$/.test(expr)) {
    const field = expr.slice(1);
    if (SCALAR_FIELDS.has(field) || MAP_FIELDS.has(field)) return;
    throw new TemplateError(`template: can't evaluate field ${field} in ${JSON.stringify(template)}`);
  }
  if (/^\.(Annotations|Labels)\.[A-Za-z_][A-Za-z0-9_]*$/.test(expr)) return;
  if (/^index\s+\.(Annotations|Labels)\s+"[^"]*"$/.test(expr)) return;
  throw new TemplateError(`template: unsupported action {{${expr}}} in ${JSON.stringify(template)}`);
}

function evalExpr(expr: string, values: TemplateValues): string {
  const idx = /^index\s+\.(Annotations|Labels)\s+"([^"]*)"$/.exec(expr);
  // `index` on a missing key yields the zero value ("").
  if (idx) return values[idx[1] as 'Annotations' | 'Labels']?.[idx[2]] ?? '';
  const dotted = /^\.(Annotations|Labels)\.(.+)$/.exec(expr);
  // A missing map key via field syntax prints "<no value>", as Go's default missingkey option does.
  if (dotted) return values[dotted[1] as 'Annotations' | 'Labels']?.[dotted[2]] ?? '<no value>';
  const field = expr.slice(1) as keyof TemplateValues;
  const v = values[field];
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${v[k]}`)
    .join(' ')}]`;
}
