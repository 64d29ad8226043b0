/**
 * Wait progress output. Non-TTY: kn's plain lines, `%7.3fs <message>` with `...` for a repeated
 * message. TTY: one line updated in place naming what is awaited, the elapsed time and the latest
 * message, then the same kn line once the state changes.
 */

/** Receives progress from a wait. */
export interface Progress {
  update(message: string, elapsedMs: number): void;
  /** Ends the live line (TTY) so normal output can follow. */
  done(): void;
}

/** kn's progress line format. */
export function progressLine(message: string, elapsedMs: number, previous?: string): string {
  return `${(elapsedMs / 1000).toFixed(3).padStart(7)}s ${message === previous ? '...' : message}`;
}

/** Creates a progress printer for `write` (stdout); `what` names the awaited thing for the TTY line. */
export function makeProgress(opts: {
  tty: boolean;
  what: string;
  write: (s: string) => void;
  dim?: (s: string) => string;
}): Progress {
  let last: string | undefined;
  if (!opts.tty) {
    return {
      update(message, elapsedMs) {
        opts.write(`${progressLine(message, elapsedMs, last)}\n`);
        last = message;
      },
      done() {},
    };
  }
  const start = Date.now();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const dim = opts.dim ?? ((s: string) => s);
  const draw = (): void => {
    const elapsed = ((Date.now() - start) / 1000).toFixed(1);
    const cols = process.stdout.columns ?? 100;
    const text = `${frames[frame++ % frames.length]} ${opts.what} ${dim(`(${elapsed}s)`)}${last ? ` ${last}` : ''}`;
    opts.write(`\r\u001b[2K${text.slice(0, cols + 20)}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(message, elapsedMs) {
      if (message !== last) opts.write(`\r\u001b[2K${progressLine(message, elapsedMs)}\n`);
      last = message;
      draw();
    },
    done() {
      clearInterval(timer);
      opts.write('\r\u001b[2K');
    },
  };
}
