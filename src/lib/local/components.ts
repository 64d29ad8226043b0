/**
 * The parts of the local cluster a daemon can run in-process (`knlite cluster start --components`).
 * The daemon always hosts the API server; the others can run there or as their own processes
 * against its kubeconfig (`knlite reconciler run`, `knlite gateway run`) — the same code either way.
 */

/** Every component, in start order. */
export const COMPONENTS = ['api', 'reconciler', 'runtime', 'gateway'] as const;

/** One component of the local cluster. */
export type Component = (typeof COMPONENTS)[number];

/** How to run a component outside the daemon. */
export const RUN_ELSEWHERE: Record<Component, string> = {
  api: 'the daemon itself',
  reconciler: 'knlite reconciler run',
  runtime: 'a kubelet (the local runtime runs only in the daemon)',
  gateway: 'knlite gateway run',
};

/** Parses `api,reconciler,...`; throws with a message naming the bad entry. */
export function parseComponents(text: string): Component[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.find((n) => !(COMPONENTS as readonly string[]).includes(n));
  if (bad !== undefined)
    throw new Error(
      `invalid component "${bad}" in --components: expected a list of ${COMPONENTS.join(', ')}`,
    );
  if (!names.includes('api'))
    throw new Error('--components must include api: the daemon always hosts the API server');
  return COMPONENTS.filter((c) => names.includes(c));
}
