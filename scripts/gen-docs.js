#!/usr/bin/env node
// Generates the CLI's surface lock files from the built commands (run `npm run build` first):
//   docs/commands.md                          — the command reference (summary, usage, flags, aliases, examples)
//   test/cli-surface/command-snapshot.json    — command ids, aliases, flag names and characters
// Both come from oclif.manifest.json through dist/lib/cli/command-docs.js; test/cli-surface checks
// that they match the command classes in src/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = join(root, 'oclif.manifest.json');
const libPath = join(root, 'dist/lib/cli/command-docs.js');
if (!existsSync(manifestPath) || !existsSync(libPath)) {
  console.error('Error: oclif.manifest.json or dist/ is missing: run `npm run build` first.');
  process.exit(1);
}
const { renderCommandsMarkdown, renderSurfaceSnapshot, toCommandModel } = await import(
  pathToFileURL(libPath).href
);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const commands = Object.entries(manifest.commands)
  .filter(([, c]) => !c.hidden && c.pluginType === 'core')
  .map(([id, c]) => toCommandModel(id, c));

// The snapshot is JSON the repository's prettier checks; format it the same way (the test compares
// it parsed, so formatting never makes it fail).
const snapshotPath = join(root, 'test/cli-surface/command-snapshot.json');
const prettier = await import('prettier');
const snapshot = await prettier.format(renderSurfaceSnapshot(commands), {
  ...((await prettier.resolveConfig(snapshotPath)) ?? {}),
  filepath: snapshotPath,
});
const outputs = [
  [join(root, 'docs/commands.md'), renderCommandsMarkdown(commands)],
  [snapshotPath, snapshot],
];
for (const [path, text] of outputs) {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, text);
  console.log(
    `${before === text ? 'unchanged' : 'wrote'} ${path.slice(root.length + 1)} (${commands.length} commands)`,
  );
}
