#!/usr/bin/env node
// Production entry point: compiled commands from dist/, located through oclif.manifest.json so
// only the command being run is imported.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
