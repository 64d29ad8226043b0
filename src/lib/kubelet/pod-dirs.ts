/**
 * The runtime's directories inside its data dir, all private to the user (0700): `logs/` (one
 * folder per namespace, one file per container), `homes/` (one HOME per running pod) and `pods/`
 * (each running pod's volumes).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../local/paths.js';

/**
 * Tightens the data dir and its `logs/` and `homes/` folders to 0700 (an older version made them
 * 0755) and removes the HOMEs a previous run left behind: none of their pods has a process any more.
 */
export function preparePodDirs(dataDir: string): void {
  for (const dir of [dataDir, join(dataDir, 'logs'), join(dataDir, 'homes'), join(dataDir, 'pods')])
    ensurePrivateDir(dir);
  for (const entry of readdirSync(join(dataDir, 'logs'))) ensurePrivateDir(join(dataDir, 'logs', entry));
  for (const area of ['homes', 'pods'])
    for (const entry of readdirSync(join(dataDir, area)))
      rmSync(join(dataDir, area, entry), { recursive: true, force: true });
}
