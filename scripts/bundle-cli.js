#!/usr/bin/env node
// Bundles the CLI for start-up speed (part of `npm run build`, after tsc and before `oclif manifest`):
// dist/lib/cli/entry.js (oclif's execute) and every dist/commands/**.js are rewritten as ESM bundles
// sharing chunks in dist/chunks/, so @oclif/core, our code and the small dependencies are loaded from a
// few files. The paths oclif knows (package.json oclif.commands, the manifest's relativePath) do not
// change. Dependencies that are native, large or used only off the hot path stay in node_modules.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

const commands = walk(join(root, 'src/commands'));
rmSync(join(root, 'dist/chunks'), { recursive: true, force: true });
// Native, large or off-the-hot-path dependencies stay in node_modules.
const external = [
  'better-sqlite3', // native
  'typescript', // oclif reads tsconfig with it in development only
  'tsx',
  'ts-node',
  '@kubernetes/client-node', // only for exec/auth-provider kubeconfig users
  'node-forge', // certificates, only when a cluster starts
  'prom-client',
  'ws',
  '@inquirer/prompts',
  '@oclif/plugin-help',
  '@oclif/plugin-autocomplete',
];
const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  external,
  // The CommonJS dependencies (oclif) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __knliteCreateRequire } from 'node:module'; const require = __knliteCreateRequire(import.meta.url);",
  },
};
const result = await build({
  ...common,
  entryPoints: [join(root, 'src/lib/cli/entry.ts'), ...commands].map((f) => relative(root, f)),
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});
// bin/run.js's oclif-free `service list` (docs/adr/0007-cli-start-up.md) is one file of its own:
// no chunks to resolve and load one by one (about 5 ms of a ~100 ms run).
const fast = await build({
  ...common,
  entryPoints: ['src/lib/cli/service-list.ts'],
  outfile: 'dist/lib/cli/service-list.js',
});
const outputs = [...Object.entries(result.metafile.outputs), ...Object.entries(fast.metafile.outputs)].filter(
  ([f]) => f.endsWith('.js'),
);
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
console.log(`bundled the CLI: ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
if (process.env.KNLITE_BUNDLE_REPORT) {
  for (const [file, o] of outputs) {
    const top = Object.entries(o.inputs)
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
      .slice(0, 8);
    if (o.bytes > 50_000)
      console.log(file, o.bytes, top.map(([f, i]) => `${f} ${i.bytesInOutput}`).join('\n  '));
  }
}
