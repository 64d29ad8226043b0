/**
 * What every use case in src/lib/cli shares with its command: how it reports (ActionIO), how it
 * connects (only once its input has been checked) and the --wait and --dry-run settings.
 */
import type { OutputSpec } from '../printers/output.js';
import type { Progress } from './progress.js';

/** How actions talk to the user. */
export interface ActionIO {
  line(text?: string): void;
  progress(what: string): Progress;
}

/**
 * How an action gets its store or client: called only once the input has been checked, so a usage
 * error never connects to a cluster (or starts the local one).
 */
export type Connect<T> = () => Promise<T>;

/** Wait settings from waitFlags. */
export interface WaitSettings {
  wait: boolean;
  timeoutSeconds: number;
  windowSeconds: number;
}

/** --dry-run and its -o: print the server's object in that format instead of the plan. */
export interface DryRun {
  output?: OutputSpec;
}
