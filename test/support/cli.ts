/**
 * Runs knlite commands for the tests, two ways: in-process through oclif (`Config.load` +
 * `config.runCommand`, with every command class taken from src/commands so tests see the current
 * code without a build: `runInProcess`, `knlite`) and as a child process through the built
 * `bin/run.js` (`runBin`). Both capture stdout, stderr and the exit code.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, type Command } from '@oclif/core';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What a CLI run produced. */
export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The value `run()` returned (in-process only). */
  result?: unknown;
}

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

function capture(): { restore(): void; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += chunk.toString()),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += chunk.toString()),
    true
  )) as typeof process.stderr.write;
  return {
    restore() {
      process.stdout.write = out;
      process.stderr.write = err;
    },
    out: () => stdout,
    err: () => stderr,
  };
}

/** Runs `knlite <argv>` in-process; `env` entries are set for the duration of the run. */
export async function runInProcess(
  argv: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; tty?: boolean } = {},
): Promise<CliResult> {
  config ??= await Config.load({ root: ROOT });
  const map = await loadAllCommands();
  let n = argv.length;
  while (n > 0 && !map.has(argv.slice(0, n).join(':'))) n--;
  const found = map.get(argv.slice(0, n).join(':'));
  const id = found?.id ?? argv[0] ?? '';
  const rest = found ? argv.slice(n) : argv.slice(1);
  const savedEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const cwd = process.cwd();
  if (opts.cwd) process.chdir(opts.cwd);
  // Pretend stdout is a terminal (live progress, colours) when asked.
  const ttyBefore = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  if (opts.tty) Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
  const io = capture();
  let exitCode = 0;
  let result: unknown;
  try {
    // oclif's plugin loader stamps the id on the class it loads; do the same for the src class.
    if (found) Object.assign(found.cls, { id });
    const loadable = found
      ? ({
          ...(config.findCommand(id) ?? {}),
          id,
          aliases: found.cls.aliases ?? [],
          flags: {},
          args: {},
          load: async () => found.cls,
        } as never)
      : undefined;
    result = await config.runCommand(id, rest, loadable);
  } catch (e) {
    const code = (e as { oclif?: { exit?: number } }).oclif?.exit;
    if (code === undefined) {
      io.restore();
      throw e;
    }
    exitCode = code;
    // oclif's own errors (e.g. unknown command) are thrown, not printed, when run in-process.
    if ((e as { code?: string }).code !== 'EEXIT') process.stderr.write(`${(e as Error).message}\n`);
  } finally {
    io.restore();
    if (opts.tty) {
      if (ttyBefore) Object.defineProperty(process.stdout, 'isTTY', ttyBefore);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    if (opts.cwd) process.chdir(cwd);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { stdout: io.out(), stderr: io.err(), exitCode, result };
}

/**
 * Runs `knlite <argv>` in-process with `env` set for the duration; never throws for exit codes, and
 * throws when no command matches (a typo in a test, not a CLI behaviour).
 */
export async function knlite(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const map = await loadAllCommands();
  let n = argv.length;
  while (n > 0 && !map.has(argv.slice(0, n).join(':'))) n--;
  if (!map.has(argv.slice(0, n).join(':'))) throw new Error(`no command for ${argv.join(' ')}`);
  return runInProcess(argv, { env });
}

/** Fails with a clear message when the build output the child-process tests need is missing. */
export function requireBuild(): void {
  if (
    !existsSync(join(ROOT, 'dist/commands/service/list.js')) ||
    !existsSync(join(ROOT, 'oclif.manifest.json'))
  ) {
    throw new Error(
      'dist/ or oclif.manifest.json is missing: run `npm run build` (CI does it through `npm ci`) before the CLI tests',
    );
  }
}

/**
 * Runs `node -- bin/run.js <argv>` as a child process (the `--` is what the script's shebang passes
 * too); with `shebang: true` the script itself is executed, exactly as an installed `knlite` is.
 */
export function runBin(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; shebang?: boolean } = {},
): Promise<CliResult> {
  const script = join(ROOT, 'bin/run.js');
  const [file, args] = opts.shebang ? [script, argv] : [process.execPath, ['--', script, ...argv]];
  // The shebang finds `node` on PATH: make it the node running the tests.
  const path = `${dirname(process.execPath)}${delimiter}${opts.env?.PATH ?? process.env.PATH ?? ''}`;
  return new Promise((resolvePromise) => {
    execFile(
      file,
      args,
      {
        env: { ...process.env, NO_COLOR: undefined, ...opts.env, PATH: path },
        cwd: opts.cwd ?? ROOT,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolvePromise({ stdout, stderr, exitCode: typeof code === 'number' ? code : 1 });
      },
    );
  });
}

/**
 * Runs `node -- bin/run.js <argv>` on a pseudo-terminal (util-linux `script`; `-e` passes the exit
 * code through). The command is `exec`ed so that no shell sits between the terminal and knlite: a
 * shell that does not exec its last command (dash) would itself die of the terminal's Ctrl-C and
 * report 130 whatever knlite did. Colour is on, as on a user's terminal, unless `overrides` set
 * NO_COLOR.
 */
export function spawnInTerminal(
  argv: string[],
  env: NodeJS.ProcessEnv,
  overrides: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams {
  const words = [process.execPath, '--', join(ROOT, 'bin/run.js'), ...argv];
  const cmd = `exec ${words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ')}`;
  return spawn('script', ['-qfec', cmd, '/dev/null'], {
    env: { ...process.env, ...env, NO_COLOR: undefined, TERM: 'xterm', ...overrides },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
