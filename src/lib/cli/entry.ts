/**
 * What bin/run.js starts: oclif's `execute`. scripts/bundle-cli.js bundles this file, @oclif/core
 * and every command into dist/ with shared chunks, so a run loads a handful of files instead of
 * ~190 modules, and the commands use the same copy of oclif as the entry.
 */
export { execute } from '@oclif/core';
