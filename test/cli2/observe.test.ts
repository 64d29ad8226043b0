/**
 * The pure parts of `service logs` and `service top`: ordering by the server's timestamps (kube's
 * RFC 3339 nano form drops trailing zeros, so text order is not time order), splitting them off,
 * the flag checks, and sparklines.
 */
import { describe, expect, it } from 'vitest';
import {
  parseLogFlags,
  sortLines,
  sourceLabel,
  splitTimestamp,
  type LogSource,
} from '../../src/lib/cli/logs.js';
import { sparkline } from '../../src/lib/printers/top.js';

const src = (pod: string, index: number): LogSource => ({
  revision: 'hello-00001',
  pod,
  container: 'user-container',
  showContainer: false,
  index,
});

describe('log lines', () => {
  it('sort by time, not by text; lines of the same instant keep their order', () => {
    const a = src('a', 0);
    const b = src('b', 1);
    const lines = [
      { source: a, time: '2026-01-01T00:00:00.1Z', text: 'a1' },
      { source: a, time: '2026-01-01T00:00:00.1Z', text: 'a2' },
      { source: b, time: '2026-01-01T00:00:00.12Z', text: 'b1' },
      { source: b, time: '2026-01-01T00:00:00.05Z', text: 'b0' },
      { source: a, time: '2026-01-01T01:00:00+01:00', text: 'same instant as midnight UTC' },
      { source: b, text: 'no time: last' },
    ];
    expect(sortLines(lines).map((l) => l.text)).toEqual([
      'same instant as midnight UTC',
      'b0',
      'a1',
      'a2',
      'b1',
      'no time: last',
    ]);
  });

  it('split the timestamp off a line, and leave lines without one alone', () => {
    expect(splitTimestamp('2026-01-01T00:00:00.123456789Z hello world')).toEqual({
      time: '2026-01-01T00:00:00.123456789Z',
      text: 'hello world',
    });
    expect(splitTimestamp('2026-01-01T00:00:00Z')).toEqual({ time: '2026-01-01T00:00:00Z', text: '' });
    expect(splitTimestamp('hello 2026-01-01T00:00:00Z')).toEqual({ text: 'hello 2026-01-01T00:00:00Z' });
  });

  it('label with the revision and pod, and the container when the pod has several', () => {
    expect(sourceLabel(src('hello-00001-deployment-abc12', 0))).toBe(
      '[hello-00001 hello-00001-deployment-abc12]',
    );
    expect(sourceLabel({ ...src('p', 0), showContainer: true, container: 'sidecar' })).toBe(
      '[hello-00001 p sidecar]',
    );
  });

  it('flags: --since in whole seconds, bad values and --previous with -f are usage errors', () => {
    expect(parseLogFlags({ since: '1500ms', tail: 5 })).toMatchObject({ sinceSeconds: 2, tailLines: 5 });
    expect(parseLogFlags({ since: '2m' }).sinceSeconds).toBe(120);
    for (const bad of [{ since: '' }, { since: '10' }, { tail: -1 }, { follow: true, previous: true }])
      expect(() => parseLogFlags(bad)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('sparkline', () => {
  it('scales to the maximum and leaves gaps for intervals without data', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([null, 3, null, 3])).toBe(' █ █');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });
});
