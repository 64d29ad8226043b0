/**
 * Runs any knlite command in-process for the phase-2 CLI tests (revision, route, traffic split,
 * domain — and service commands for setting up stories). test/cli/harness.ts only loads the
 * service/version commands it owns, so this runner loads every command class from src/commands
 * (tests see the current code, no build needed) and runs it through oclif's `config.runCommand`,
 * capturing stdout, stderr and the exit code. The child-process runner (`runBin`) and `ROOT` are
 * reused from test/cli/harness.ts.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Config, type Command } from '@oclif/core';
import { ROOT, type CliResult } from '../cli/harness.js';

export { ROOT, runBin, requireBuild, type CliResult } from '../cli/harness.js';

type CommandClass = typeof Command & { aliases?: string[] };

let config: Config | undefined;
let commands: Map<string, { id: string; cls: CommandClass }> | undefined;

/** Every command class under src/commands by id and alias (e.g. `domain:map` → domain:create). */
export async function loadAllCommands(): Promise<Map<string, { id: string; cls: CommandClass }>> {
  if (commands) return commands;
  const map = new Map<string, { id: string; cls: CommandClass }>();
  const base = join(ROOT, 'src/commands');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(base)) {
    const id = relative(base, file).replace(/\.ts$/, '').split('/').join(':');
    const cls = (await import(file)).default as CommandClass;
    map.set(id, { id, cls });
    for (const alias of cls.aliases ?? []) map.set(alias, { id, cls });
  }
  commands = map;
  return map;
}

/** Runs `knlite <argv>` in-process with `env` set for the duration; never throws for exit codes. */
export async function knlite(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  config ??= await Config.load({ root: ROOT });
  const map = await loadAllCommands();
  let n = argv.length;
  while (n > 0 && !map.has(argv.slice(0, n).join(':'))) n--;
  const found = map.get(argv.slice(0, n).join(':'));
  if (!found) throw new Error(`no command for ${argv.join(' ')}`);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // oclif names a command by its static id (set when loaded from a plugin); messages use it.
  (found.cls as { id?: string }).id = found.id;
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += c.toString()), true)) as typeof out;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += c.toString()), true)) as typeof err;
  let exitCode = 0;
  let result: unknown;
  try {
    const loadable = {
      id: found.id,
      aliases: found.cls.aliases ?? [],
      flags: {},
      args: {},
      load: async () => found.cls,
    };
    result = await config.runCommand(found.id, argv.slice(n), loadable as never);
  } catch (e) {
    const code = (e as { oclif?: { exit?: number } }).oclif?.exit;
    if (code === undefined) {
      process.stdout.write = out;
      process.stderr.write = err;
      throw e;
    }
    exitCode = code;
    if ((e as { code?: string }).code !== 'EEXIT') stderr += `${(e as Error).message}\n`;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { stdout, stderr, exitCode, result };
}
