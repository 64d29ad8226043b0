#!/usr/bin/env -S node --
// Production entry point: compiled commands from dist/, located through oclif.manifest.json so
// only the command being run is imported.
//
// The `--` in the shebang ends Node's own options before this script: Node 20 otherwise scans the
// whole command line for `--env-file` (nodejs/node#54232) and would read, or fail on, the file of
// `knlite service create --env-file FILE` itself, before knlite gets to parse its flag.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
