/**
 * Unused files, exports and dependencies (`npm run lint`). An export only its own file uses is
 * not reported; an export only tests use counts as used (the tests drive the pure functions).
 */
export default {
  entry: [
    'src/commands/**/*.ts',
    'src/lib/cli/not-found.ts',
    // The bundle's entry (scripts/bundle-cli.js builds dist/lib/cli/entry.js from it).
    'src/lib/cli/entry.ts',
    'src/lib/local/daemon-main.ts',
    // Started as a worker thread by component-thread.ts.
    'src/lib/local/component-worker.ts',
    'bin/*.js',
    'scripts/*.js',
    'bench/**/*.{ts,js}',
    'examples/**/*.js',
    'test/**/fixtures/**/*.{ts,js,mjs}',
  ],
  project: ['src/**/*.ts', 'test/**/*.{ts,js,mjs}', 'bench/**/*.{ts,js}', 'scripts/*.js', 'bin/*.js'],
  ignoreExportsUsedInFile: true,
  // System tools the tests and benchmarks drive.
  ignoreBinaries: ['kubectl', 'script', 'wrk'],
};
