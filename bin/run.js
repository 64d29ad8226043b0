#!/usr/bin/env -S node --
// Production entry point: compiled commands from dist/, located through oclif.manifest.json so
// only the command being run is imported. dist/lib/cli/entry.js is oclif's execute, bundled by
// `npm run build` (scripts/bundle-cli.js) with the commands so they share one copy of oclif.
//
// The `--` in the shebang ends Node's own options before this script: Node 20 otherwise scans the
// whole command line for `--env-file` (nodejs/node#54232) and would read, or fail on, the file of
// `knlite service create --env-file FILE` itself, before knlite gets to parse its flag.
const argv = process.argv.slice(2);

// `knlite version` (plain or -o json) is a pure function of the package: answer it without
// loading oclif, with the same code the command uses (docs/adr/0007-cli-start-up.md).
const json = argv.length === 3 && (argv[1] === '-o' || argv[1] === '--output') && argv[2] === 'json';
if (argv[0] === 'version' && (argv.length === 1 || json)) {
  const { makeVersionInfo, formatVersionInfo } = await import('../dist/lib/cli/version-info.js');
  const { fileURLToPath } = await import('node:url');
  const info = makeVersionInfo(fileURLToPath(new URL('..', import.meta.url)));
  process.stdout.write(json ? `${JSON.stringify(info, null, 2)}\n` : formatVersionInfo(info));
} else if (
  // The plain forms of `knlite service list` are answered without oclif too (same code as the
  // command); anything else, or any failure before output, runs the command through oclif.
  /^(service|services|ksvc)$/.test(argv[0] ?? '') &&
  /^(list|ls)$/.test(argv[1] ?? '') &&
  (await (await import('../dist/lib/cli/service-list.js')).runServiceListFast(argv))
) {
  // Printed; nothing is left open, so the process exits now.
} else {
  // The help and autocomplete plugins' commands import @oclif/core from node_modules: run those with
  // that copy, so a run never loads oclif twice.
  const plugin = argv[0] === 'help' || /^autocomplete(:|$)/.test(argv[0] ?? '');
  const { execute } = await (plugin ? import('@oclif/core') : import('../dist/lib/cli/entry.js'));
  await execute({ dir: import.meta.url });
}
