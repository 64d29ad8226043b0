/**
 * Summarises a V8 `.cpuprofile` (from `run.ts --cpu-prof`): self time per function, self time per
 * source file, and inclusive time of knlite's own functions, so a bottleneck can be named with
 * figures.
 *
 * Usage: node --import tsx bench/control-plane/profile-summary.ts <file.cpuprofile> [top=25]
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg) || 25;
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample i lasted timeDeltas[i + 1] µs (V8's convention: the delta precedes the next sample).
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
});
const totalUs = profile.endTime - profile.startTime;
const idleIds = new Set(
  profile.nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id),
);
const busyUs = [...selfUs].filter(([id]) => !idleIds.has(id)).reduce((a, [, us]) => a + us, 0);

const short = (url: string) => url.replace(/^file:\/\/.*?\/(src|node_modules)\//, '$1/') || '(native)';
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}
const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusiveOwn = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  add(selfByFn, n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : label(n), us);
  add(selfByFile, short(n.callFrame.url), us);
  // Inclusive time for each distinct src/ frame on the stack (counted once per sample stack).
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!;
    if (!f.callFrame.url.includes('/src/lib/')) continue;
    const key = label(f);
    if (!seen.has(key)) add(inclusiveOwn, key, us);
    seen.add(key);
  }
}

const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1)}%`;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${(us / 1e6).toFixed(1).padStart(8)} s ${pct(us).padStart(6)}  ${k}`);
};
console.log(
  `profile ${(totalUs / 1e6).toFixed(1)} s wall, ${(busyUs / 1e6).toFixed(1)} s on CPU in JS/GC/native (idle and (program) excluded); % of on-CPU time`,
);
print('self time by function', selfByFn);
print('self time by file', selfByFile);
print('inclusive time, knlite functions (src/lib)', inclusiveOwn);
