/**
 * The CLI's autostart path (no kubeconfig → start the local daemon) loads only the daemon's life
 * cycle, never the server stack: the API server, reconciler, data plane and runtime (and their
 * SQLite, PKI and metrics libraries) load in the daemon process alone.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module `entry` reaches through static and dynamic imports: source files and packages. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'([^']+)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(resolve(root, entry));
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() };
}

describe('autostart import graph', () => {
  it('stays out of the server stack', () => {
    const { files, packages } = importGraph('src/lib/local/autostart.ts');
    expect(files).toContain('src/lib/local/daemon.ts');
    expect(
      files.filter((f) => /src\/lib\/(apiserver|controller|dataplane|runtime|webhook)\//.test(f)),
    ).toEqual([]);
    expect(files).not.toContain('src/lib/local/stack.ts');
    expect(packages.filter((p) => ['better-sqlite3', 'node-forge', 'prom-client'].includes(p))).toEqual([]);
  });

  it('the daemon entry point does load it', () => {
    const { files, packages } = importGraph('src/lib/local/daemon-main.ts');
    expect(files).toContain('src/lib/local/stack.ts');
    expect(files).toContain('src/lib/apiserver/server.ts');
    expect(packages).toContain('better-sqlite3');
  });
});
