/**
 * oclif `command_not_found` hook: `knlite servce list` → one line on stderr naming the closest
 * command ("did you mean"), exit code 2. Registered in package.json under
 * `oclif.hooks.command_not_found` (./dist/lib/cli/not-found.js).
 */
import type { Hook } from '@oclif/core';

/** Levenshtein distance (small strings: command ids). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The known command (or alias) closest to `id`, if it is close enough to be a plausible typo. */
export function suggestCommand(id: string, known: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const k of known) {
    // Compare the typed words with the same number of words of each candidate.
    const words = id.split(':').length;
    const candidate = k.split(':').slice(0, words).join(':');
    const d = editDistance(id, candidate);
    if (!best || d < best.d) best = { id: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(id.length / 3)) ? best.id : undefined;
}

/** The one-line message for an unknown command. */
export function notFoundMessage(bin: string, id: string, known: readonly string[]): string {
  const typed = id.split(':').join(' ');
  const suggestion = suggestCommand(id, known);
  return (
    `Error: unknown command '${typed}' for '${bin}'` +
    (suggestion ? `; did you mean '${bin} ${suggestion.split(':').join(' ')}'?` : '') +
    ` Run '${bin} --help' for usage.`
  );
}

const hook: Hook<'command_not_found'> = async function (opts) {
  const known = [
    ...opts.config.commandIDs,
    ...opts.config.commands.flatMap((c) => c.aliases ?? []),
    ...opts.config.topics.map((t) => t.name),
  ];
  process.stderr.write(`${notFoundMessage(opts.config.bin, opts.id, known)}\n`);
  this.exit(2);
};

export default hook;
