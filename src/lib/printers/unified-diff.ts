/**
 * A line diff in unified format (`diff -u`): the longest common subsequence of the two texts' lines,
 * then hunks with `context` unchanged lines around each change. Objects are small (a Service's YAML
 * is a few dozen lines), so the O(n·m) table is cheap and keeps the code obvious.
 */

/** One line of the edit script. */
type Edit = { op: ' ' | '-' | '+'; line: string };

function editScript(a: string[], b: string[]): Edit[] {
  // lcs[i][j] = length of the LCS of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', line: a[i++] });
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', line: a[i++] });
    else out.push({ op: '+', line: b[j++] });
  }
  while (i < a.length) out.push({ op: '-', line: a[i++] });
  while (j < b.length) out.push({ op: '+', line: b[j++] });
  return out;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/**
 * The unified diff of `before` → `after` with `---`/`+++` headers named `from`/`to`; '' when the
 * texts are equal.
 */
export function unifiedDiff(before: string, after: string, from: string, to: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = editScript(a, b);
  if (edits.every((e) => e.op === ' ')) return '';
  const lines = [`--- ${from}`, `+++ ${to}`];
  // Old/new line number (1-based) before each edit.
  const at: { a: number; b: number }[] = [];
  let na = 1;
  let nb = 1;
  for (const e of edits) {
    at.push({ a: na, b: nb });
    if (e.op !== '+') na++;
    if (e.op !== '-') nb++;
  }
  let k = 0;
  while (k < edits.length) {
    if (edits[k].op === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2·context unchanged lines away.
    const start = Math.max(0, k - context);
    let end = k;
    let quiet = 0;
    for (let m = k; m < edits.length; m++) {
      if (edits[m].op === ' ') {
        quiet++;
        if (quiet > 2 * context) break;
      } else {
        quiet = 0;
        end = m;
      }
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    const oldStart = oldCount === 0 ? at[start].a - 1 : at[start].a;
    const newStart = newCount === 0 ? at[start].b - 1 : at[start].b;
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const e of hunk) lines.push(`${e.op}${e.line}`);
    k = stop;
  }
  return `${lines.join('\n')}\n`;
}
