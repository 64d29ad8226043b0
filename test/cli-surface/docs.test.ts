/**
 * Locks the CLI's public surface: docs/commands.md and command-snapshot.json are
 * regenerated in memory from the command classes in src/ and must equal the committed files, and
 * every command must carry a summary, a description and at least one example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  renderCommandsMarkdown,
  renderSurfaceSnapshot,
  toCommandModel,
  type CommandModel,
  type RawCommand,
} from '../../src/lib/cli/command-docs.js';
import { ROOT, loadAllCommands } from '../support/cli.js';

const REGENERATE = 'the CLI surface changed: run `npm run build && npm run docs` and commit the result';

async function models(): Promise<CommandModel[]> {
  const seen = new Set<string>();
  const out: CommandModel[] = [];
  for (const { id, cls } of (await loadAllCommands()).values()) {
    if (seen.has(id)) continue; // aliases map to the same class
    seen.add(id);
    const c = cls as unknown as RawCommand;
    if (c.hidden) continue;
    out.push(
      toCommandModel(id, {
        summary: c.summary,
        description: c.description,
        aliases: c.aliases,
        examples: c.examples,
        args: c.args,
        flags: c.flags,
        baseFlags: c.baseFlags,
        strict: c.strict,
        enableJsonFlag: c.enableJsonFlag,
      }),
    );
  }
  return out;
}

describe('CLI surface', () => {
  it('docs/commands.md matches the commands', async () => {
    const committed = readFileSync(join(ROOT, 'docs/commands.md'), 'utf8');
    expect(renderCommandsMarkdown(await models()), REGENERATE).toBe(committed);
  });

  it('command-snapshot.json matches the commands, aliases and flags', async () => {
    const committed = readFileSync(join(ROOT, 'test/cli-surface/command-snapshot.json'), 'utf8');
    // Compared parsed: the committed file is prettier-formatted JSON.
    expect(JSON.parse(renderSurfaceSnapshot(await models())), REGENERATE).toEqual(JSON.parse(committed));
  });

  it('every command has a summary, a description and an example', async () => {
    const missing = (await models()).flatMap((c) => [
      ...(c.summary ? [] : [`${c.id}: summary`]),
      ...(c.description ? [] : [`${c.id}: description`]),
      ...(c.examples.length ? [] : [`${c.id}: examples`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('keeps kn aliases: domain map, ls, and plural nouns', async () => {
    const byId = new Map((await models()).map((c) => [c.id, c]));
    expect(byId.get('domain:create')?.aliases).toContain('domain:map');
    for (const id of ['revision:list', 'route:list', 'domain:list']) {
      expect(byId.get(id)?.aliases).toContain(id.replace(':list', ':ls'));
    }
    expect(byId.get('revision:list')?.flags.find((f) => f.name === 'service')?.char).toBe('s');
  });

  it('shows the shape of map-style flags in --help, as kn does (NAME=VALUE, KEY=VALUE)', async () => {
    const create = (await models()).find((c) => c.id === 'service:create')!;
    const shape = (name: string) => create.flags.find((f) => f.name === name)?.helpValue;
    expect(shape('env')).toBe('NAME=VALUE');
    for (const name of ['label', 'label-service', 'label-revision', 'annotation', 'annotation-service'])
      expect(shape(name), name).toBe('KEY=VALUE');
    expect(shape('request')).toBe('RESOURCE=QUANTITY');
  });
});
