/**
 * KnCommand: the base class of every knlite command.
 *
 * How to add a command (read docs/conventions.md first — kn's grammar is the contract):
 *   1. Create `src/commands/<noun>/<verb>.ts` exporting `default class NounVerb extends KnCommand`
 *      with static `summary`, `description`, `examples`, `args`, `flags` (built from the shared
 *      builders in ./flags.ts: `{ ...namespaceFlags(), ...outputFlags({ list: true }) }`) and, for
 *      kn's aliases, `static aliases = ['nouns:verb']` (list also `noun:ls`).
 *   2. `run()` is thin: `const { args, flags } = await this.parse(NounVerb)`, then one call into
 *      src/lib (`(await this.client()).listRevisions(...)`, or an action in ./actions), then a printer
 *      from src/lib/printers (`printList`, `printObject`, a describe writer). Return the typed data.
 *   3. User mistakes: `this.fail('one clear sentence', { exitCode: ExitCode.usage })` or throw a
 *      KnError from src/lib; API failures arrive already translated by ServingClient/toKnError.
 *      Never print stack traces, never `process.exit`.
 *   4. Positional args: identifiers only; give them a `description` like 'the service name' — a
 *      missing arg is reported as "'knlite service describe' requires the service name given as
 *      single argument" (exit 2).
 *   5. `npm run build` regenerates oclif.manifest.json; add e2e cases in test/cli/.
 */
import { Command, Errors, type Interfaces } from '@oclif/core';
import { Chalk, type ChalkInstance } from 'chalk';
import { ExitCode, KnError, toKnError, usageError, type KnErrorName } from '../client/errors.js';
import type { ServingClient } from '../client/serving-client.js';
import type { ServiceStore } from '../client/service-store.js';
import { colorFlags, kubeconfigFlags } from './flags.js';
import { makeProgress } from './progress.js';
import type { ActionIO, DryRun, WaitSettings } from './actions.js';
import { parseOutputFlag } from '../printers/output.js';

/** Flags every command accepts (kubeconfig selection, colour). */
const BASE_FLAGS = { ...kubeconfigFlags(), ...colorFlags() };

interface GlobalFlagValues {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  'no-color'?: boolean;
}

/**
 * Base class: shared flags, lazy client, kn-style errors and exit codes, colour handling. A command
 * that does not talk to a cluster through `client()` sets its own `baseFlags` (the cluster commands
 * none, the components `kubeconfigFlags()` with their fallback).
 */
export abstract class KnCommand extends Command {
  static override baseFlags: Interfaces.FlagInput = BASE_FLAGS;

  private parsedGlobals: GlobalFlagValues = {};
  private servingClient?: Promise<ServingClient>;

  /** Parses argv and remembers the global flags for `client()` and colour handling. */
  protected override async parse<
    F extends Interfaces.OutputFlags<any>,
    B extends Interfaces.OutputFlags<any>,
    A extends Interfaces.OutputArgs<any>,
  >(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    // kn's boolean-pair rules are checked before oclif sees `--wait=false` (which it would misreport).
    checkBooleanPairs(argv, (options?.flags ?? {}) as Record<string, { type?: string; allowNo?: boolean }>);
    const out = await super.parse<F, B, A>(options, argv);
    this.parsedGlobals = out.flags as GlobalFlagValues;
    return out;
  }

  /** The command as users type it, e.g. `knlite service create`. */
  protected get commandLabel(): string {
    return [this.config.bin, ...(this.id ?? '').split(':')].filter(Boolean).join(' ');
  }

  /** The ServingClient for --kubeconfig/--context/-n, created on first use. */
  protected client(): Promise<ServingClient> {
    this.servingClient ??= (async () => {
      const { ServingClient } = await import('../client/serving-client.js');
      const g = this.parsedGlobals;
      return ServingClient.connect({ kubeconfig: g.kubeconfig, context: g.context, namespace: g.namespace });
    })();
    return this.servingClient;
  }

  /** Where services live: the --target files (offline mode) or the cluster. */
  protected async serviceStore(flags: { target?: string }): Promise<ServiceStore<ServingClient>> {
    if (flags.target) {
      const { OfflineServiceStore } = await import('../client/offline.js');
      return new OfflineServiceStore(flags.target, this.parsedGlobals.namespace || 'default');
    }
    return this.client();
  }

  /** Whether stdout is a terminal (progress lines update in place, colours allowed). */
  protected get isTty(): boolean {
    return process.stdout.isTTY === true;
  }

  /** Whether colour is on: a TTY, no NO_COLOR, no --no-color. */
  protected get colorEnabled(): boolean {
    return this.isTty && !process.env.NO_COLOR && !this.parsedGlobals['no-color'];
  }

  /** chalk with the level decided by `colorEnabled` (level 0 writes no escape codes). */
  protected get color(): ChalkInstance {
    return new Chalk({ level: this.colorEnabled ? 1 : 0 });
  }

  /** Writes text to stdout as is (callers add newlines). */
  protected write(text: string): void {
    process.stdout.write(text);
  }

  /** Writes one line to stdout. */
  protected line(text = ''): void {
    process.stdout.write(`${text}\n`);
  }

  /** Output channel for src/lib actions: plain lines, and wait progress that is live on a TTY. */
  protected io(): ActionIO {
    return {
      line: (text = '') => this.line(text),
      progress: (what) =>
        makeProgress({ tty: this.isTty, what, write: (s) => this.write(s), dim: (s) => this.color.dim(s) }),
    };
  }

  /** Wait settings from waitFlags() values. */
  protected waitSettings(flags: {
    wait?: boolean;
    'wait-timeout'?: number;
    'wait-window'?: number;
  }): WaitSettings {
    return {
      wait: flags.wait ?? true,
      timeoutSeconds: flags['wait-timeout'] ?? 600,
      windowSeconds: flags['wait-window'] ?? 2,
    };
  }

  /** The --dry-run settings from dryRunFlags() values; undefined without --dry-run. */
  protected dryRun(flags: { 'dry-run'?: boolean; output?: string }): DryRun | undefined {
    if (!flags['dry-run']) return undefined;
    return { output: parseOutputFlag(flags.output) };
  }

  /** Terminal width for describe output (no trimming when not a TTY). */
  protected get terminalWidth(): number | undefined {
    return this.isTty ? process.stdout.columns : undefined;
  }

  /** Ends the command with a user-facing error; never returns. */
  protected fail(message: string, opts: { exitCode?: number; name?: KnErrorName } = {}): never {
    throw new KnError(message, {
      exitCode: opts.exitCode ?? ExitCode.failure,
      name: opts.name ?? (opts.exitCode === ExitCode.usage ? 'UsageError' : 'InvalidValue'),
    });
  }

  /** Prints `Error: <sentence>` (plus a usage hint for usage errors) on stderr and exits with the error's code. */
  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<never> {
    if (err instanceof Errors.ExitError) throw err;
    const kn = this.toUserError(err);
    let text = `Error: ${kn.message}\n`;
    if (kn.exitCode === ExitCode.usage) text += `Run '${this.commandLabel} --help' for usage.\n`;
    if (process.env.KNLITE_DEBUG && !(err instanceof KnError)) text += `${err.stack}\n`;
    process.stderr.write(text);
    this.exit(kn.exitCode);
  }

  /** Closes the client's connections. */
  protected override async finally(err: Error | undefined): Promise<unknown> {
    if (this.servingClient) {
      try {
        (await this.servingClient).close();
      } catch {
        // connect() failed; the error was reported by catch()
      }
    }
    return super.finally(err);
  }

  // oclif parse errors → kn-like usage errors (exit 2); everything else → toKnError.
  private toUserError(err: Error & { oclif?: { exit?: number }; parse?: unknown }): KnError {
    if (err instanceof KnError) return err;
    const where = `'${this.commandLabel}'`;
    const anyErr = err as unknown as {
      flags?: string[];
      args?: { name: string; description?: string }[];
      constructor: { name: string };
    };
    switch (anyErr.constructor.name) {
      case 'NonExistentFlagsError':
        return usageError(`unknown flag: ${(anyErr.flags ?? []).join(', ')} for ${where}`);
      case 'RequiredArgsError': {
        const missing = anyErr.args?.[0];
        return usageError(
          `${where} requires ${missing?.description ?? missing?.name ?? 'an argument'} given as single argument`,
        );
      }
      case 'UnexpectedArgsError':
        return usageError(
          `unexpected argument(s) ${(anyErr.args ?? []).map((a) => `'${String(a)}'`).join(', ')} for ${where}`,
        );
    }
    if (err.parse !== undefined || (err instanceof Errors.CLIError && err.oclif?.exit === 2)) {
      // oclif's own pointer to --help is replaced by the usage line catch() adds.
      const first = err.message
        .trim()
        .replace(/\s*See more help with --help$/, '')
        .replace(/^Error: /, '')
        .replace(/\s*\n\s*/g, ': ');
      return usageError(`${first.charAt(0).toLowerCase()}${first.slice(1)} for ${where}`);
    }
    return toKnError(err);
  }
}

/** kn's boolean pairs: both --foo and --no-foo, or --foo=false, are usage errors with kn's messages. */
export function checkBooleanPairs(
  argv: string[],
  flags: Record<string, { type?: string; allowNo?: boolean }>,
): void {
  for (const a of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    const def = m ? flags[m[1]] : undefined;
    if (m && def?.type === 'boolean') {
      throw usageError(
        def.allowNo && /^(false|0|no)$/i.test(m[2])
          ? `use --no-${m[1]} instead of providing "${m[2]}" to --${m[1]}`
          : `--${m[1]} does not take a value (got "${m[2]}")`,
      );
    }
  }
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  for (const [name, def] of Object.entries(flags)) {
    if (def.type === 'boolean' && def.allowNo && given.has(name) && given.has(`no-${name}`)) {
      throw usageError(`only one of --no-${name} and --${name} may be specified`);
    }
  }
}
