/**
 * Go `time.Duration` parsing and formatting, so ConfigMaps, annotations and error messages read
 * exactly as Knative's (`60s`, `1h0m0s`, `1.5s`). Durations are carried as milliseconds.
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration string ("300ms", "1h30m", "-1.5s", "0") into milliseconds; undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += parseFloat(m[1]) * UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Formats milliseconds like Go's Duration.String(): "0s", "500ms", "6s", "1m0s", "1h0m0s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let v = Math.abs(ms);
  if (v < 1000) {
    if (v >= 1) return `${sign}${trim(v)}ms`;
    if (v >= 1e-3) return `${sign}${trim(v * 1000)}µs`;
    return `${sign}${trim(v * 1e6)}ns`;
  }
  const h = Math.floor(v / 3_600_000);
  v -= h * 3_600_000;
  const m = Math.floor(v / 60_000);
  v -= m * 60_000;
  let out = sign;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${trim(v / 1000)}s`;
}

/** Drops floating-point noise (0.30000000000000004 → 0.3) the way Go's exact integer maths never has. */
function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
