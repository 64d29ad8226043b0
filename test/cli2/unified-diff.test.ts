/** The unified diff printed by --dry-run: hunks, context and line numbers as `diff -u` gives them. */
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/lib/printers/unified-diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  it('prints one hunk with three lines of context and diff -u line numbers', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8'].join('\n');
    expect(unifiedDiff(before, after, 'a', 'b')).toBe(
      ['--- a', '+++ b', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'),
    );
  });

  it('splits changes far apart into separate hunks', () => {
    const lines = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const changed = lines.map((l) => (l === '2' || l === '18' ? `${l}x` : l));
    const diff = unifiedDiff(lines.join('\n'), changed.join('\n'), 'a', 'b');
    expect(diff.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
  });

  it('treats a missing side as /dev/null-style additions or removals', () => {
    expect(unifiedDiff('', 'a\nb\n', '/dev/null', 'new')).toBe(
      '--- /dev/null\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    );
    expect(unifiedDiff('a\n', '', 'old', '/dev/null')).toBe('--- old\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n');
  });
});
