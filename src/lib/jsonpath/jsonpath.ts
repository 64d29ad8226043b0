/**
 * Kubernetes JSONPath (k8s.io/client-go/util/jsonpath), as used by CRD printer columns and
 * `kubectl -o jsonpath=`: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `..name`, `[0,2]`,
 * filters `[?(@.type=='Ready')]` (==, !=, <, <=, >, >= and existence), and templates with
 * `{range .items[*]}...{end}` and string literals `{"\n"}`. Missing keys yield no result rather than
 * an error (kubectl's default, allowMissingKeys).
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'keys'; names: string[] }
  | { kind: 'filter'; left: Operand; op?: string; right?: Operand };

type Operand = { kind: 'path'; steps: Step[]; root: boolean } | { kind: 'literal'; value: unknown };

/** Thrown for malformed JSONPath expressions or templates. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

// Characters that end an unquoted field name (a backslash escapes any of them, e.g. `serving\.knative\.dev`).
const FIELD_END = new Set([
  '.',
  '[',
  ']',
  '{',
  '}',
  ',',
  '(',
  ')',
  '=',
  '!',
  '<',
  '>',
  ' ',
  '\t',
  '\n',
  "'",
  '"',
  '&',
  '|',
]);

class PathParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** Parses a whole path; `$`/`@` prefixes are accepted. */
  parse(): { steps: Step[]; root: boolean } {
    const result = this.parsePath();
    this.skipSpace();
    if (this.pos < this.src.length)
      throw new JsonPathError(
        `unexpected ${JSON.stringify(this.src.slice(this.pos))} in ${JSON.stringify(this.src)}`,
      );
    return result;
  }

  parsePath(): { steps: Step[]; root: boolean } {
    this.skipSpace();
    let root = false;
    if (this.src[this.pos] === '$') {
      root = true;
      this.pos++;
    } else if (this.src[this.pos] === '@') this.pos++;
    const steps: Step[] = [];
    for (;;) {
      const c = this.src[this.pos];
      if (c === '.') {
        if (this.src[this.pos + 1] === '.') {
          this.pos += 2;
          steps.push({ kind: 'recursive', name: this.fieldName() });
        } else {
          this.pos++;
          if (this.src[this.pos] === '*') {
            this.pos++;
            steps.push({ kind: 'wildcard' });
          } else {
            const name = this.fieldName();
            if (name) steps.push({ kind: 'field', name }); // a lone "." means the current object
          }
        }
      } else if (c === '[') {
        steps.push(this.bracket());
      } else return { steps, root };
    }
  }

  private fieldName(): string {
    let name = '';
    while (this.pos < this.src.length && !FIELD_END.has(this.src[this.pos])) {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      name += this.src[this.pos++];
    }
    return name;
  }

  private skipSpace(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++;
  }

  private quoted(): string {
    const quote = this.src[this.pos++];
    let value = '';
    while (this.pos < this.src.length && this.src[this.pos] !== quote) {
      // `\.` inside quotes (as Knative's printer columns write it) stands for a plain dot.
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      value += this.src[this.pos++];
    }
    if (this.src[this.pos] !== quote)
      throw new JsonPathError(`unterminated string in ${JSON.stringify(this.src)}`);
    this.pos++;
    return value;
  }

  private bracket(): Step {
    this.pos++; // [
    this.skipSpace();
    let step: Step;
    if (this.src.startsWith('?(', this.pos)) {
      this.pos += 2;
      step = this.filter();
    } else if (this.src[this.pos] === "'" || this.src[this.pos] === '"') {
      const names = [this.quoted()];
      this.skipSpace();
      while (this.src[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
        names.push(this.quoted());
        this.skipSpace();
      }
      step = { kind: 'keys', names };
    } else if (this.src[this.pos] === '*') {
      this.pos++;
      step = { kind: 'wildcard' };
    } else {
      const end = this.src.indexOf(']', this.pos);
      if (end < 0) throw new JsonPathError(`unterminated [ in ${JSON.stringify(this.src)}`);
      const body = this.src.slice(this.pos, end).replace(/\s/g, '');
      this.pos = end;
      step = parseIndex(body, this.src);
    }
    this.skipSpace();
    if (this.src[this.pos] !== ']') throw new JsonPathError(`expected ] in ${JSON.stringify(this.src)}`);
    this.pos++;
    return step;
  }

  private filter(): Step {
    const left = this.operand();
    this.skipSpace();
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos))?.[1];
    let right: Operand | undefined;
    if (op) {
      this.pos += op.length;
      right = this.operand();
      this.skipSpace();
    }
    if (this.src[this.pos] !== ')')
      throw new JsonPathError(`expected ) in filter of ${JSON.stringify(this.src)}`);
    this.pos++;
    return { kind: 'filter', left, op, right };
  }

  private operand(): Operand {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === '@' || c === '$') return { kind: 'path', ...this.parsePath() };
    if (c === "'" || c === '"') return { kind: 'literal', value: this.quoted() };
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(this.src.slice(this.pos));
    if (!m) throw new JsonPathError(`unrecognized filter operand in ${JSON.stringify(this.src)}`);
    this.pos += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }
}

function parseIndex(body: string, src: string): Step {
  const int = (s: string): number | undefined => {
    if (s === '') return undefined;
    if (!/^-?\d+$/.test(s))
      throw new JsonPathError(`invalid array index ${JSON.stringify(s)} in ${JSON.stringify(src)}`);
    return Number(s);
  };
  if (body.includes(':')) {
    const [start, end, step] = body.split(':');
    return { kind: 'slice', start: int(start), end: int(end ?? ''), step: int(step ?? '') };
  }
  const indexes = body.split(',').map((s) => int(s));
  if (indexes.some((i) => i === undefined))
    throw new JsonPathError(`invalid array index in ${JSON.stringify(src)}`);
  return { kind: 'index', indexes: indexes as number[] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v))
    return Object.keys(v)
      .sort()
      .map((k) => v[k]);
  return [];
}

function collectRecursive(v: unknown, name: string, out: unknown[]): void {
  if (isObject(v) && name in v) out.push(v[name]);
  if (isObject(v) && name === '') out.push(v);
  for (const c of children(v)) collectRecursive(c, name, out);
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return !compare(a, '==', b);
  const x = typeof a === 'number' ? a : Number(a);
  const y = typeof b === 'number' ? b : Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function evalOperand(o: Operand, current: unknown, root: unknown): unknown[] {
  if (o.kind === 'literal') return [o.value];
  return evalSteps(o.steps, [o.root ? root : current], root);
}

function applyStep(step: Step, v: unknown, root: unknown, out: unknown[]): void {
  switch (step.kind) {
    case 'field':
      if (isObject(v) && v[step.name] !== undefined) out.push(v[step.name]);
      return;
    case 'keys':
      for (const name of step.names) if (isObject(v) && v[name] !== undefined) out.push(v[name]);
      return;
    case 'recursive':
      collectRecursive(v, step.name, out);
      return;
    case 'wildcard':
      out.push(...children(v));
      return;
    case 'index':
      if (!Array.isArray(v)) return;
      for (const i of step.indexes) {
        const at = i < 0 ? v.length + i : i;
        if (at >= 0 && at < v.length) out.push(v[at]);
      }
      return;
    case 'slice': {
      if (!Array.isArray(v)) return;
      const norm = (i: number | undefined, dflt: number) =>
        i === undefined ? dflt : Math.min(Math.max(i < 0 ? v.length + i : i, 0), v.length);
      const start = norm(step.start, 0);
      const end = norm(step.end, v.length);
      const by = step.step && step.step > 0 ? step.step : 1;
      for (let i = start; i < end; i += by) out.push(v[i]);
      return;
    }
    case 'filter': {
      for (const item of children(v)) {
        const left = evalOperand(step.left, item, root);
        if (!step.op || !step.right) {
          if (left.length > 0) out.push(item);
          continue;
        }
        const right = evalOperand(step.right, item, root);
        if (left.length > 0 && right.length > 0 && compare(left[0], step.op, right[0])) out.push(item);
      }
      return;
    }
  }
}

function evalSteps(steps: Step[], inputs: unknown[], root: unknown): unknown[] {
  let current = inputs;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) applyStep(step, v, root, next);
    current = next;
  }
  return current;
}

/** Strips one pair of surrounding braces: `{.a.b}` → `.a.b`. */
function unbrace(path: string): string {
  const t = path.trim();
  return t.startsWith('{') && t.endsWith('}') ? t.slice(1, -1) : t;
}

/**
 * Evaluates one JSONPath expression (`.status.url`, `{.items[*].metadata.name}`) against `obj` and
 * returns every match (empty when nothing matches).
 */
export function evalJsonPath(obj: unknown, path: string): unknown[] {
  const { steps } = new PathParser(unbrace(path)).parse();
  return evalSteps(steps, [obj], obj);
}

/** Prints one JSONPath result the way kubectl does: strings raw, everything else as JSON. */
export function formatJsonPathValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'path'; path: string }
  | { kind: 'range'; path: string; body: TemplateNode[] };

function unescapeLiteral(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c as 'n'] ?? c);
}

/** Splits a template into text and `{...}` actions, nesting range/end blocks. */
function parseTemplate(template: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: { body: TemplateNode[] }[] = [{ body: root }];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack[stack.length - 1].body.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1].body.push({ kind: 'text', text: template.slice(i, open) });
    // Find the matching close brace, skipping quoted strings.
    let j = open + 1;
    let quote = '';
    for (; j < template.length; j++) {
      const c = template[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (j >= template.length)
      throw new JsonPathError(`unclosed action in template ${JSON.stringify(template)}`);
    const action = template.slice(open + 1, j).trim();
    i = j + 1;
    const body = stack[stack.length - 1].body;
    if (action.startsWith('range ') || action.startsWith('range\t')) {
      const node: TemplateNode = { kind: 'range', path: action.slice(6).trim(), body: [] };
      body.push(node);
      stack.push(node);
    } else if (action === 'end') {
      if (stack.length === 1)
        throw new JsonPathError(`{end} without {range} in template ${JSON.stringify(template)}`);
      stack.pop();
    } else if (/^"(?:[^"\\]|\\.)*"$/.test(action)) {
      body.push({ kind: 'text', text: unescapeLiteral(action.slice(1, -1)) });
    } else {
      body.push({ kind: 'path', path: action });
    }
  }
  if (stack.length > 1)
    throw new JsonPathError(`{range} without {end} in template ${JSON.stringify(template)}`);
  return root;
}

function render(nodes: TemplateNode[], current: unknown, root: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else {
      const { steps, root: fromRoot } = new PathParser(node.path).parse();
      const results = evalSteps(steps, [fromRoot ? root : current], root);
      if (node.kind === 'path') out += results.map(formatJsonPathValue).join(' ');
      else for (const item of results) out += render(node.body, item, root);
    }
  }
  return out;
}

/**
 * Renders a kubectl JSONPath template (`{.metadata.name}`, `{range .items[*]}{.metadata.name}{"\n"}{end}`)
 * against `obj`. Text outside braces is copied verbatim.
 */
export function renderJsonPathTemplate(template: string, obj: unknown): string {
  return render(parseTemplate(template), obj, obj);
}
