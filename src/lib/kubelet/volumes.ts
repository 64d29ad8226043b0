/**
 * A pod's volumes, materialised the way the kubelet does it: one directory per volume under the
 * pod's own directory (private to the user), bound into the sandbox at each mount path.
 *
 * - `configMap`, `secret` and `projected` (configMap, secret, downwardAPI sources) are written
 *   like the kubelet's atomic writer: the files live in a timestamped `..<time>` directory, `..data`
 *   links to it and each top-level entry links through `..data`. An update writes a new directory
 *   and swaps `..data` in one rename, so a reader never sees half of it — and, because the mount is
 *   of the volume directory, the app sees the new files (a `subPath` mount is pinned to the file it
 *   resolved to when the container started, as on Kubernetes). `items` pick keys and paths,
 *   `defaultMode` and per-item `mode` set the file modes (default 0644), `optional` makes a missing
 *   source an empty volume, a missing non-optional source keeps the pod ContainerCreating.
 * - `emptyDir` is a directory that lives as long as the pod (`medium: Memory` included: it is on
 *   disk, private to the user; `sizeLimit` is not enforced — documented in the README).
 * - `persistentVolumeClaim` binds the directory of the claim's PersistentVolume (local-path.ts),
 *   which outlives the pod; read-only when the volume or the mount says so. A claim that is
 *   missing or not Bound keeps the pod unschedulable (VolumeError reason `Unschedulable`).
 *
 * - a projected `serviceAccountToken` is the pod's bound token from `sources.serviceAccountToken`
 *   (tokens.ts: requested for the pod's service account, refreshed at 80% of its lifetime, the
 *   volume rewritten then); the pod waits ContainerCreating until the first token is there.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { Container, KeyToPath, Volume, VolumeMount } from '../apis/types.js';
import { ensurePrivateDir } from '../local/paths.js';
import { fieldValue, resourceValue, type PodFacts } from './env.js';
import type { SandboxMount } from './sandbox.js';

/** Reads ConfigMap and Secret contents as bytes per key; undefined when the object is absent. */
export interface VolumeSources {
  configMap(namespace: string, name: string): Record<string, Buffer> | undefined;
  secret(namespace: string, name: string): Record<string, Buffer> | undefined;
  /** The directory of a bound claim's volume, or why a pod using the claim cannot be scheduled. */
  claim?(namespace: string, name: string): { path: string } | { unschedulable: string };
  /** The pod's current token for a projected serviceAccountToken source (throws while there is none). */
  serviceAccountToken?(pod: PodFacts, source: { audience?: string; expirationSeconds?: number }): string;
}

/** Why a volume cannot be set up: the kubelet's FailedMount, shown as the containers' waiting message. */
export class VolumeError extends Error {
  constructor(
    message: string,
    readonly reason = 'ContainerCreating',
  ) {
    super(message);
  }
}

const DEFAULT_MODE = 0o644;
/** The reason of a VolumeError that keeps the pod from being scheduled (PodScheduled False). */
export const UNSCHEDULABLE = 'Unschedulable';
const DATA_DIR = '..data';

/** One file of a volume's payload. */
interface PayloadFile {
  content: Buffer;
  mode: number;
}

/** The volumes of one pod. */
export class PodVolumes {
  /** Volume name → directory on the host. */
  private readonly dirs = new Map<string, string>();

  constructor(
    private readonly opts: {
      /** The pod's directory for volumes (see podVolumesPath), created 0700. */
      dir: string;
      /** The pod's downward API facts, read when files are written. */
      pod: () => PodFacts;
      volumes: Volume[];
      /** All containers of the pod, for downward API resource fields. */
      containers: Container[];
      sources: VolumeSources;
    },
  ) {}

  /** Whether the pod has volumes at all. */
  get any(): boolean {
    return this.opts.volumes.length > 0;
  }

  /** Creates every volume (throws VolumeError for a missing source); safe to call again. */
  setUp(): void {
    ensurePrivateDir(this.opts.dir);
    for (const volume of this.opts.volumes) {
      const dir = join(this.opts.dir, volume.name);
      if (volume.emptyDir) {
        mkdirSync(dir, { recursive: true, mode: 0o755 });
      } else if (volume.persistentVolumeClaim) {
        this.dirs.set(volume.name, this.claimDir(volume.persistentVolumeClaim.claimName));
        continue;
      } else {
        writeAtomically(dir, this.payload(volume));
      }
      this.dirs.set(volume.name, dir);
    }
  }

  /** Rewrites the ConfigMap/Secret/projected volumes whose sources changed (errors keep the old files). */
  refresh(): void {
    for (const volume of this.opts.volumes) {
      if (volume.emptyDir || volume.persistentVolumeClaim || !this.dirs.has(volume.name)) continue;
      try {
        writeAtomically(this.dirs.get(volume.name)!, this.payload(volume));
      } catch {
        // Like the kubelet: a source that went away leaves the files as they were.
      }
    }
  }

  /** Whether a volume of this pod reads ConfigMap/Secret `name`, or mounts claim `name`. */
  uses(kind: 'configMap' | 'secret' | 'persistentVolumeClaim', name: string): boolean {
    return this.opts.volumes.some((v) => {
      if (kind === 'persistentVolumeClaim') return v.persistentVolumeClaim?.claimName === name;
      if (kind === 'configMap' && v.configMap?.name === name) return true;
      if (kind === 'secret' && v.secret?.secretName === name) return true;
      return (v.projected?.sources ?? []).some((s) => s[kind]?.name === name);
    });
  }

  /**
   * The sandbox mounts of `container` (after setUp): the volume directory, or for a `subPath` the
   * entry it resolves to now. ConfigMap, Secret and projected volumes are always read-only.
   */
  mountsFor(container: Container): SandboxMount[] {
    return (container.volumeMounts ?? []).map((m) => this.mount(m, container));
  }

  /** Removes every volume's files. */
  remove(): void {
    rmSync(this.opts.dir, { recursive: true, force: true });
  }

  private mount(m: VolumeMount, container: Container): SandboxMount {
    const volume = this.opts.volumes.find((v) => v.name === m.name);
    const dir = this.dirs.get(m.name);
    if (!volume || !dir)
      throw new VolumeError(`volume "${m.name}" is not defined`, 'CreateContainerConfigError');
    const writable =
      (!!volume.emptyDir || (!!volume.persistentVolumeClaim && !volume.persistentVolumeClaim.readOnly)) &&
      !m.readOnly;
    if (!m.subPath) return { source: dir, target: m.mountPath, readOnly: !writable };
    const sub = safeRelative(m.subPath);
    if (sub === undefined) {
      throw new VolumeError(
        `failed to prepare subPath for volumeMount "${m.name}" of container "${container.name ?? ''}": subPath ${JSON.stringify(m.subPath)} must be a relative path without '..'`,
        'CreateContainerConfigError',
      );
    }
    const path = join(dir, sub);
    if (volume.emptyDir || volume.persistentVolumeClaim) mkdirSync(path, { recursive: true, mode: 0o755 });
    if (!existsSync(path)) {
      throw new VolumeError(
        `failed to prepare subPath for volumeMount "${m.name}" of container "${container.name ?? ''}": ${JSON.stringify(m.subPath)} does not exist in the volume`,
        'CreateContainerConfigError',
      );
    }
    return { source: realpathSync(path), target: m.mountPath, readOnly: !writable };
  }

  // The directory of a claim's volume; a claim that cannot be used keeps the pod unscheduled.
  private claimDir(claimName: string): string {
    const found = this.opts.sources.claim?.(this.opts.pod().namespace, claimName) ?? {
      unschedulable: `persistentvolumeclaim ${JSON.stringify(claimName)} cannot be mounted here`,
    };
    if ('unschedulable' in found) throw new VolumeError(found.unschedulable, UNSCHEDULABLE);
    return found.path;
  }

  // The files of a ConfigMap, Secret or projected volume.
  private payload(volume: Volume): Map<string, PayloadFile> {
    const pod = this.opts.pod();
    const { namespace } = pod;
    const files = new Map<string, PayloadFile>();
    const failed = (what: string) =>
      new VolumeError(`MountVolume.SetUp failed for volume "${volume.name}" : ${what}`);
    if (volume.configMap) {
      const { name, items, optional, defaultMode } = volume.configMap;
      const data = this.opts.sources.configMap(namespace, name);
      if (!data && !optional) throw failed(`configmap "${name}" not found`);
      addKeys(files, data ?? {}, items, defaultMode ?? DEFAULT_MODE, !!optional || !data, (key) =>
        failed(`configmap references non-existent config key: ${key}`),
      );
    } else if (volume.secret) {
      const { secretName, items, optional, defaultMode } = volume.secret;
      const data = this.opts.sources.secret(namespace, secretName);
      if (!data && !optional) throw failed(`secret "${secretName}" not found`);
      addKeys(files, data ?? {}, items, defaultMode ?? DEFAULT_MODE, !!optional || !data, (key) =>
        failed(`references non-existent secret key: ${key}`),
      );
    } else if (volume.projected) {
      const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
      for (const source of volume.projected.sources ?? []) {
        if (source.configMap) {
          const { name, items, optional } = source.configMap;
          const data = this.opts.sources.configMap(namespace, name);
          if (!data && !optional) throw failed(`configmap "${name}" not found`);
          addKeys(files, data ?? {}, items, mode, !!optional || !data, (key) =>
            failed(`configmap references non-existent config key: ${key}`),
          );
        } else if (source.secret) {
          const { name, items, optional } = source.secret;
          const data = this.opts.sources.secret(namespace, name);
          if (!data && !optional) throw failed(`secret "${name}" not found`);
          addKeys(files, data ?? {}, items, mode, !!optional || !data, (key) =>
            failed(`references non-existent secret key: ${key}`),
          );
        } else if (source.downwardAPI) {
          for (const item of source.downwardAPI.items ?? []) {
            const path = safeRelative(item.path);
            if (path === undefined) throw failed(`invalid path ${JSON.stringify(item.path)}`);
            let value = '';
            if (item.fieldRef) value = fieldValue(item.fieldRef.fieldPath, pod);
            else if (item.resourceFieldRef) {
              const container =
                this.opts.containers.find((c) => c.name === item.resourceFieldRef!.containerName) ??
                this.opts.containers[0] ??
                {};
              value = resourceValue(item.resourceFieldRef, container);
            }
            files.set(path, { content: Buffer.from(value), mode: item.mode ?? mode });
          }
        } else if (source.serviceAccountToken) {
          const path = safeRelative(source.serviceAccountToken.path);
          if (path === undefined)
            throw failed(`invalid path ${JSON.stringify(source.serviceAccountToken.path)}`);
          const issue = this.opts.sources.serviceAccountToken;
          if (!issue) throw failed('no service account tokens are issued to this runtime');
          let token: string;
          try {
            token = issue(pod, source.serviceAccountToken);
          } catch (err) {
            throw failed((err as Error).message);
          }
          files.set(path, { content: Buffer.from(token), mode });
        }
      }
    }
    return files;
  }
}

/** The directory of a pod's volumes: `<dataDir>/pods/<namespace>/<pod>/volumes`. */
export function podVolumesPath(dataDir: string, namespace: string, pod: string): string {
  return join(dataDir, 'pods', namespace, pod, 'volumes');
}

/**
 * Turns a Secret's data (base64) or a ConfigMap's data and binaryData into bytes per key.
 */
export function decodeData(
  data: Record<string, string> | undefined,
  base64: Record<string, string> | undefined,
): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries(base64 ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function addKeys(
  files: Map<string, PayloadFile>,
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  missing: (key: string) => Error,
): void {
  if (!items || items.length === 0) {
    for (const [key, content] of Object.entries(data)) files.set(key, { content, mode });
    return;
  }
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) {
      if (optional) continue;
      throw missing(item.key);
    }
    const path = safeRelative(item.path);
    if (path === undefined) throw missing(item.key);
    files.set(path, { content, mode: item.mode ?? mode });
  }
}

// A relative path that stays inside its directory, normalised; undefined otherwise.
function safeRelative(path: string): string | undefined {
  if (!path || isAbsolute(path)) return undefined;
  const clean = normalize(path);
  if (clean === '..' || clean.startsWith(`..${sep}`) || clean.split(sep).includes('..')) return undefined;
  return clean.replace(/\/+$/, '');
}

// The kubelet's atomic writer: a fresh `..<time>` directory, `..data` swapped by rename, one
// symlink per top-level entry; nothing is rewritten when the payload did not change.
function writeAtomically(dir: string, files: Map<string, PayloadFile>): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, DATA_DIR);
  let current: string | undefined;
  try {
    current = readlinkSync(dataLink);
  } catch {}
  if (current && samePayload(join(dir, current), files)) return;

  const stamp = `..${new Date().toISOString().replace(/[-:]/g, '_').replace(/\..*$/, '')}.${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  const target = join(dir, stamp);
  mkdirSync(target, { mode: 0o755 });
  for (const [path, file] of files) {
    const full = join(target, path);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, file.content, { mode: file.mode });
    chmodSync(full, file.mode); // the umask must not narrow what defaultMode says
  }
  const tmpLink = join(dir, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(stamp, tmpLink);
  renameSync(tmpLink, dataLink);

  const top = new Set([...files.keys()].map((p) => p.split(sep)[0]!));
  for (const name of top) {
    const link = join(dir, name);
    if (!existsSync(link)) {
      rmSync(link, { force: true }); // a dangling link of an earlier payload
      symlinkSync(join(DATA_DIR, name), link);
    }
  }
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== DATA_DIR && entry !== stamp) rmSync(join(dir, entry), { recursive: true, force: true });
    } else if (!top.has(entry)) {
      rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
}

function samePayload(dir: string, files: Map<string, PayloadFile>): boolean {
  const listed = listFiles(dir);
  if (listed === undefined || listed.length !== files.size) return false;
  for (const [path, file] of files) {
    try {
      if (!readFileSync(join(dir, path)).equals(file.content)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function listFiles(dir: string, prefix = ''): string[] | undefined {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? join(prefix, e.name) : e.name;
    if (e.isDirectory()) out.push(...(listFiles(dir, rel) ?? []));
    else out.push(rel);
  }
  return out;
}
