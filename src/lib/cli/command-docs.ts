/**
 * The CLI's public surface as data, and the two files that lock it (kn `docs/cmd`,
 * salesforcecli `command-snapshot.json`): docs/commands.md and test/cli-surface/command-snapshot.json.
 * Both are rendered from a `CommandModel` that can be built from an oclif manifest entry (what
 * scripts/gen-docs.js reads after `npm run build`) or from a command class (what the surface test
 * loads from src/), so the two agree exactly when the build is current.
 */

/** A flag as documented. */
export interface FlagModel {
  name: string;
  char?: string;
  /** 'option' takes a value; 'boolean' does not. */
  type: 'option' | 'boolean';
  summary: string;
  helpValue?: string;
  multiple?: boolean;
  /** Boolean with a --no- twin. */
  allowNo?: boolean;
  required?: boolean;
  default?: string;
  /** Global flags (kubeconfig, context, colour) are documented once. */
  global?: boolean;
}

/** A positional argument as documented. */
export interface ArgModel {
  name: string;
  description: string;
  required: boolean;
}

/** A command as documented. */
export interface CommandModel {
  id: string;
  summary: string;
  description: string;
  aliases: string[];
  examples: string[];
  args: ArgModel[];
  flags: FlagModel[];
  /** Accepts any number of positional arguments (NAME...). */
  variadic: boolean;
}

/** The loose shape shared by oclif manifest flags and class flag definitions. */
interface RawFlag {
  name?: string;
  char?: string;
  type?: string;
  summary?: string;
  description?: string;
  helpValue?: string;
  multiple?: boolean;
  allowNo?: boolean;
  required?: boolean;
  default?: unknown;
  helpGroup?: string;
  hidden?: boolean;
}

/** The loose shape shared by oclif manifest commands and command classes. */
export interface RawCommand {
  id?: string;
  summary?: string;
  description?: string;
  aliases?: string[];
  examples?: (string | { command: string; description?: string })[];
  args?: Record<string, { name?: string; description?: string; required?: boolean }>;
  flags?: Record<string, RawFlag>;
  baseFlags?: Record<string, RawFlag>;
  strict?: boolean;
  hidden?: boolean;
  enableJsonFlag?: boolean;
}

const BIN = 'knlite';

/** Normalises a manifest entry or a command class (`{ ...cls, id }`) into a CommandModel. */
export function toCommandModel(id: string, raw: RawCommand): CommandModel {
  // oclif adds --json to the manifest (not to the class) for commands with enableJsonFlag.
  const json: Record<string, RawFlag> = raw.enableJsonFlag
    ? { json: { type: 'boolean', summary: 'Format output as json.' } }
    : {};
  const flags = Object.entries({ ...(raw.baseFlags ?? {}), ...(raw.flags ?? {}), ...json })
    .filter(([, f]) => !f.hidden)
    .map(([name, f]): FlagModel => {
      const model: FlagModel = {
        name,
        type: f.type === 'boolean' ? 'boolean' : 'option',
        summary: (f.summary ?? f.description ?? '').trim(),
      };
      if (f.char) model.char = f.char;
      if (f.helpValue) model.helpValue = f.helpValue;
      if (f.multiple) model.multiple = true;
      if (f.allowNo) model.allowNo = true;
      if (f.required) model.required = true;
      // Only option defaults are documented (oclif's manifest drops boolean ones; summaries say them).
      if (f.type !== 'boolean' && f.default !== undefined && typeof f.default !== 'function') {
        model.default = String(f.default);
      }
      if (f.helpGroup === 'GLOBAL') model.global = true;
      return model;
    });
  return {
    id,
    summary: (raw.summary ?? '').trim(),
    description: (raw.description ?? '').trim(),
    aliases: [...(raw.aliases ?? [])],
    examples: (raw.examples ?? []).map((e) =>
      (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', BIN),
    ),
    args: Object.entries(raw.args ?? {}).map(([name, a]) => ({
      name,
      description: a.description ?? '',
      required: a.required === true,
    })),
    flags,
    variadic: raw.strict === false,
  };
}

/** Commands sorted by id (the order of both lock files). */
export function sortCommands(commands: CommandModel[]): CommandModel[] {
  return [...commands].sort((a, b) => a.id.localeCompare(b.id));
}

const spaced = (id: string): string => id.split(':').join(' ');

function flagUsage(f: FlagModel): string {
  const long = f.allowNo ? `--[no-]${f.name}` : `--${f.name}`;
  const names = f.char ? `-${f.char}, ${long}` : long;
  return f.type === 'option' ? `${names} ${f.helpValue ?? 'VALUE'}` : names;
}

function usageLine(c: CommandModel): string {
  const args = c.args
    .map((a) => {
      const n = a.name.toUpperCase() + (c.variadic ? '...' : '');
      return a.required ? n : `[${n}]`;
    })
    .join(' ');
  return [BIN, spaced(c.id), args, '[FLAGS]'].filter(Boolean).join(' ');
}

// Table cells must not break the Markdown table.
const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Renders docs/commands.md: global flags once, then every command with usage, flags, aliases, examples. */
export function renderCommandsMarkdown(commands: CommandModel[]): string {
  const sorted = sortCommands(commands);
  const out: string[] = [
    '# knlite command reference',
    '',
    '<!-- Generated by `npm run build && npm run docs` (scripts/gen-docs.js) from the command classes.',
    '     Do not edit by hand: test/cli-surface/docs.test.ts fails when this file is out of date. -->',
    '',
    'Exit codes: `0` success, `1` user error or failed readiness, `2` usage error (unknown flag,',
    'missing argument, bad flag combination). Errors are one sentence on stderr: `Error: ...`.',
    '',
    '## Global flags',
    '',
    'Every command accepts these, unless its section says otherwise:',
    '',
    '| Flag | Description |',
    '| --- | --- |',
  ];
  const globals = sharedGlobals(sorted);
  const isShared = (f: FlagModel) => globals.some((g) => g.name === f.name && g.summary === f.summary);
  for (const f of globals) out.push(`| \`${flagUsage(f)}\` | ${cell(f.summary)} |`);
  out.push('', '## Commands', '');
  for (const c of sorted) out.push(`- [\`${BIN} ${spaced(c.id)}\`](#${anchor(c.id)}) — ${c.summary}`);
  for (const c of sorted) {
    out.push('', `## ${BIN} ${spaced(c.id)}`, '', c.summary, '', '```', usageLine(c), '```', '');
    if (c.description) out.push(c.description, '');
    if (c.aliases.length)
      out.push(`Aliases: ${c.aliases.map((a) => `\`${BIN} ${spaced(a)}\``).join(', ')}`, '');
    if (c.args.length) {
      out.push('| Argument | Description |', '| --- | --- |');
      for (const a of c.args)
        out.push(
          `| \`${a.name.toUpperCase()}\` | ${cell(a.description)}${a.required ? '' : ' (optional)'} |`,
        );
      out.push('');
    }
    const notAccepted = globals.filter((g) => !c.flags.some((f) => f.global && f.name === g.name));
    if (notAccepted.length)
      out.push(`Global flags not accepted: ${notAccepted.map((g) => `\`--${g.name}\``).join(', ')}.`, '');
    const own = c.flags.filter((f) => !isShared(f));
    if (own.length) {
      out.push('| Flag | Description |', '| --- | --- |');
      for (const f of own) {
        const extra = [
          f.required ? 'required' : '',
          f.multiple ? 'repeatable' : '',
          f.default ? `default: ${f.default}` : '',
        ]
          .filter(Boolean)
          .join('; ');
        out.push(`| \`${flagUsage(f)}\` | ${cell(f.summary)}${extra ? ` (${extra})` : ''} |`);
      }
      out.push('');
    }
    if (c.examples.length) {
      out.push('Examples:', '', '```sh');
      for (const e of c.examples) out.push(e);
      out.push('```');
    }
  }
  return `${out.join('\n')}\n`;
}

/** The global flags most commands share (same name and summary), by name. */
function sharedGlobals(commands: CommandModel[]): FlagModel[] {
  const seen = new Map<string, { flag: FlagModel; count: number }>();
  for (const c of commands)
    for (const f of c.flags.filter((f) => f.global)) {
      const key = `${f.name}\n${f.summary}`;
      seen.set(key, { flag: f, count: (seen.get(key)?.count ?? 0) + 1 });
    }
  const byName = new Map<string, { flag: FlagModel; count: number }>();
  for (const entry of seen.values()) {
    const best = byName.get(entry.flag.name);
    if (!best || entry.count > best.count) byName.set(entry.flag.name, entry);
  }
  return [...byName.values()].map((e) => e.flag).sort((a, b) => a.name.localeCompare(b.name));
}

function anchor(id: string): string {
  return `${BIN}-${id.split(':').join('-')}`;
}

/** The committed surface snapshot: command ids, aliases, flag names and characters. */
export function renderSurfaceSnapshot(commands: CommandModel[]): string {
  const snapshot = sortCommands(commands).map((c) => ({
    command: c.id,
    aliases: [...c.aliases].sort(),
    flags: c.flags.map((f) => (f.char ? `${f.name} (-${f.char})` : f.name)).sort(),
  }));
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}
