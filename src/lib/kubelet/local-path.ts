/**
 * The local cluster's storage: a local-path provisioner and PV binder, as kind and k3s ship
 * rancher's local-path-provisioner. A Pending PersistentVolumeClaim of the `local-path` class (the
 * default class: claims that name none get it) gets a PersistentVolume `pvc-<claim uid>` whose
 * hostPath is a private directory (0700) `<dataDir>/volumes/<pv>`, with its claimRef, reclaim
 * policy Delete, the claim's capacity and access modes; the PV goes Bound, the claim gets
 * `spec.volumeName` and goes Bound. When the claim goes, a Delete volume is deleted with its
 * directory (a Retain one goes Released and keeps it). Level-based: every run recomputes from the
 * informers' caches, so a restart converges (a directory with no PV left is removed at start).
 *
 * Pods read the result through `claimVolume` (the directory a volume binds, or kube-scheduler's
 * reason the pod cannot be scheduled yet) and hear of changes through `onClaimChanged`.
 */
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  claimUnschedulable,
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_STORAGE_CLASS,
  type PersistentVolume,
  type PersistentVolumeClaim,
} from '../apis/storage.js';
import { isAlreadyExists, isNotFound } from '../kube/errors.js';
import { Informer } from '../kube/informer.js';
import { Kinds } from '../kube/kinds.js';
import { WorkQueue } from '../kube/queue.js';
import type { RestClient } from '../kube/rest.js';
import { keyOf, splitKey } from '../kube/store.js';
import { ensurePrivateDir } from '../local/paths.js';

const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

/** Where the provisioner keeps volumes: `<dataDir>/volumes`. */
export function localVolumesPath(dataDir: string): string {
  return join(dataDir, 'volumes');
}

/** The provisioner; `start()` connects it. */
export class LocalPathProvisioner {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly queue: WorkQueue;
  private readonly root: string;

  constructor(
    private readonly rest: RestClient,
    private readonly opts: {
      dataDir: string;
      log: (message: string) => void;
      /** A claim changed (bound, created, deleted): pods waiting on it may go on. */
      onClaimChanged?: (namespace: string, name: string) => void;
    },
  ) {
    this.root = localVolumesPath(opts.dataDir);
    const informer = <T extends PersistentVolumeClaim | PersistentVolume>(
      kind: typeof Kinds.persistentVolumeClaim | typeof Kinds.persistentVolume,
    ) =>
      new Informer<T>(rest, kind, {
        backoff: { baseMs: 250, maxMs: 30_000 },
        log: (msg) => opts.log(`watching ${kind.plural}: ${msg}`),
      });
    this.claims = informer<PersistentVolumeClaim>(Kinds.persistentVolumeClaim);
    this.volumes = informer<PersistentVolume>(Kinds.persistentVolume);
    this.queue = new WorkQueue({
      name: 'local-path',
      handler: (key) =>
        key.startsWith('pv:') ? this.syncVolume(key.slice(3)) : this.syncClaim(key.slice(4)),
      workers: 2,
      backoff: { baseMs: 100, maxMs: 30_000 },
      started: true,
      onError: (key, err) =>
        opts.log(`provisioning ${key}: ${(err as Error)?.message ?? String(err)} (will retry)`),
    });
  }

  /** Watches claims and volumes; resolves once both caches are filled. */
  async start(): Promise<void> {
    ensurePrivateDir(this.root);
    await this.ensureStorageClass();
    const claimChanged = (claim: PersistentVolumeClaim) => {
      this.queue.add(`pvc:${keyOf(claim)}`);
      if (claim.spec?.volumeName) this.queue.add(`pv:${claim.spec.volumeName}`);
      this.opts.onClaimChanged?.(claim.metadata.namespace ?? '', claim.metadata.name!);
    };
    this.claims.on({ add: claimChanged, update: (_o, c) => claimChanged(c), delete: claimChanged });
    const volumeChanged = (pv: PersistentVolume) => {
      this.queue.add(`pv:${pv.metadata.name}`);
      const ref = pv.spec?.claimRef;
      if (ref?.name) this.queue.add(`pvc:${ref.namespace}/${ref.name}`);
    };
    this.volumes.on({ add: volumeChanged, update: (_o, pv) => volumeChanged(pv), delete: volumeChanged });
    this.claims.start();
    this.volumes.start();
    await Promise.all([this.claims.synced, this.volumes.synced]);
    this.sweep();
  }

  async stop(): Promise<void> {
    await Promise.all([this.claims.stop(), this.volumes.stop()]);
    await this.queue.shutdown();
  }

  /**
   * The host directory a pod's `persistentVolumeClaim` volume binds, or kube-scheduler's reason
   * the pod cannot be scheduled while the claim is missing or unbound.
   */
  claimVolume(namespace: string, claimName: string): { path: string } | { unschedulable: string } {
    const claim = this.claims.store.get(namespace, claimName);
    const why = claimUnschedulable(claim, claimName);
    if (why) return { unschedulable: why };
    const pv = this.volumes.store.get(undefined, claim!.spec.volumeName!);
    const path = pv && volumePath(pv);
    if (!pv || !path || pv.spec.claimRef?.uid !== claim!.metadata.uid)
      return {
        unschedulable: `0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`,
      };
    return { path };
  }

  // The class it serves, marked default, as k3s ships it (a user's edits to it are kept).
  private async ensureStorageClass(): Promise<void> {
    try {
      await this.rest.create(Kinds.storageClass, {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: {
          name: LOCAL_PATH_STORAGE_CLASS,
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: LOCAL_PATH_PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  // A claim: bind it to its volume, provisioning one for the local-path class.
  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.claims.store.get(namespace, name);
    if (!claim || claim.metadata.deletionTimestamp) return;
    const volumeName = claim.spec.volumeName;
    if (volumeName) {
      const pv = this.volumes.store.get(undefined, volumeName);
      if (!pv) return; // a volume that is not there (yet): the claim stays as it is
      if (pv.spec.claimRef && pv.spec.claimRef.uid && pv.spec.claimRef.uid !== claim.metadata.uid) return;
      if (isOurs(pv)) ensureVolumeDir(volumePath(pv)!);
      await this.bindVolume(pv, claim);
      await this.markBound(claim, pv);
      return;
    }
    if ((claim.spec.storageClassName ?? '') !== LOCAL_PATH_STORAGE_CLASS) return; // another provisioner's
    const pv = await this.provision(claim);
    await this.bindVolume(pv, claim);
    await this.markBound(claim, pv);
  }

  private async provision(claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const name = `pvc-${claim.metadata.uid}`;
    const path = join(this.root, name);
    ensureVolumeDir(path);
    const existing = this.volumes.store.get(undefined, name);
    if (existing) return existing;
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '0' },
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: claimRef(claim),
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: LOCAL_PATH_STORAGE_CLASS,
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
      },
    };
    try {
      const created = await this.rest.create(Kinds.persistentVolume, pv);
      this.opts.log(`provisioned ${name} at ${path} for claim ${keyOf(claim)}`);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return this.rest.get<PersistentVolume>(Kinds.persistentVolume, undefined, name);
    }
  }

  // The volume's side of the binding: claimRef and phase Bound.
  private async bindVolume(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    let current = pv;
    if (current.spec.claimRef?.uid !== claim.metadata.uid) {
      current = await this.rest.replace(Kinds.persistentVolume, {
        ...structuredClone(current),
        spec: { ...current.spec, claimRef: claimRef(claim) },
      });
    }
    if (current.status?.phase !== 'Bound')
      await this.rest.replaceStatus(Kinds.persistentVolume, {
        ...structuredClone(current),
        status: { phase: 'Bound' },
      });
  }

  // The claim's side: volumeName and the bind annotations, then phase Bound with the volume's facts.
  private async markBound(claim: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    let current = claim;
    const annotations = {
      ...(claim.metadata.annotations ?? {}),
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      ...(isOurs(pv) ? { 'volume.kubernetes.io/storage-provisioner': LOCAL_PATH_PROVISIONER } : {}),
    };
    if (
      claim.spec.volumeName !== pv.metadata.name ||
      claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'] !== 'yes'
    ) {
      current = await this.rest.replace(Kinds.persistentVolumeClaim, {
        ...structuredClone(claim),
        metadata: { ...claim.metadata, annotations },
        spec: { ...claim.spec, volumeName: pv.metadata.name },
      });
    }
    const status = {
      phase: 'Bound' as const,
      accessModes: pv.spec.accessModes ?? [],
      capacity: { ...(pv.spec.capacity ?? {}) },
    };
    if (JSON.stringify(current.status ?? {}) !== JSON.stringify(status))
      await this.rest.replaceStatus(Kinds.persistentVolumeClaim, { ...structuredClone(current), status });
  }

  // A volume whose claim is gone: Delete removes it and its directory, Retain keeps it Released.
  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumes.store.get(undefined, name);
    if (!pv) {
      // Deleted (by us or by hand): a directory we provisioned goes with it.
      rmSync(join(this.root, name), { recursive: true, force: true });
      return;
    }
    const ref = pv.spec.claimRef;
    if (!ref?.name) return;
    const claim = this.claims.store.get(ref.namespace, ref.name);
    if (claim && (!ref.uid || claim.metadata.uid === ref.uid)) return; // still bound
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete' && isOurs(pv)) {
      try {
        await this.rest.delete(Kinds.persistentVolume, undefined, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      rmSync(join(this.root, name), { recursive: true, force: true });
      this.opts.log(`deleted ${name} (its claim ${ref.namespace}/${ref.name} is gone)`);
      return;
    }
    if (pv.status?.phase !== 'Released')
      await this.rest.replaceStatus(Kinds.persistentVolume, {
        ...structuredClone(pv),
        status: { phase: 'Released' },
      });
  }

  // At start: directories of volumes that were deleted while the runtime was down.
  private sweep(): void {
    const claimed = new Set(this.claims.store.list().map((c) => `pvc-${c.metadata.uid}`));
    for (const entry of readdirSync(this.root)) {
      if (entry.startsWith('pvc-') && !claimed.has(entry) && !this.volumes.store.get(undefined, entry))
        rmSync(join(this.root, entry), { recursive: true, force: true });
    }
  }
}

function claimRef(claim: PersistentVolumeClaim): NonNullable<PersistentVolume['spec']['claimRef']> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    resourceVersion: claim.metadata.resourceVersion,
  };
}

function isOurs(pv: PersistentVolume): boolean {
  return pv.metadata.annotations?.[PROVISIONED_BY] === LOCAL_PATH_PROVISIONER;
}

/** The directory a PV is on this node: its hostPath or local path. */
function volumePath(pv: PersistentVolume): string | undefined {
  return pv.spec.hostPath?.path ?? pv.spec.local?.path;
}

function ensureVolumeDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}
