/**
 * `as=Table` responses (meta.k8s.io/v1 Table), the server-side printing `kubectl get` relies on.
 * Custom resources get Name plus their CRD's additionalPrinterColumns (or Age when a CRD declares
 * none — exactly what the apiextensions-apiserver does, so `kubectl get ksvc` shows NAME URL
 * LATESTCREATED LATESTREADY READY REASON). Core kinds get the columns kube-apiserver prints for them.
 */
import type { KubeObject } from '../apis/types.js';
import { evalJsonPath, formatJsonPathValue } from '../jsonpath/jsonpath.js';
import type { PrinterColumn, ResourceType } from './types.js';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** meta.k8s.io/v1 TableRow. */
export interface TableRow {
  cells: unknown[];
  object?: Record<string, unknown>;
}

/** meta.k8s.io/v1 Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

/** Options for `toTable`. */
export interface TableOptions {
  /** `includeObject` query parameter: None, Metadata (default) or Object. */
  includeObject?: string;
  /** The list's resourceVersion. */
  listRv?: string;
  /** The list's continue token. */
  continue?: string;
  /** Clock for Age cells (tests pin it). */
  now?: Date;
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.';

/** Formats a duration like apimachinery's duration.HumanDuration (`45s`, `5m3s`, `3h10m`, `12d`). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000); // Go's int(d.Seconds()) truncates toward zero
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** The Age cell for a timestamp (`<unknown>` when absent, as kube-apiserver prints it). */
export function ageCell(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

function column(name: string, type = 'string', description = '', priority = 0, format = ''): TableColumn {
  return { name, type, format, description, priority };
}

const nameColumn = (): TableColumn => column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
const ageColumn = (): TableColumn => column('Age', 'date', AGE_DESCRIPTION);

/** A cell for a printer-column value, typed the way the apiextensions table convertor types it. */
function typedCell(col: PrinterColumn, value: unknown, now: Date): unknown {
  switch (col.type) {
    case 'string':
      return formatJsonPathValue(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? ageCell(value, now) : null;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : value;
  }
}

interface Printer {
  columns: TableColumn[];
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Columns from CRD additionalPrinterColumns (Age alone when there are none). */
function crdPrinter(printerColumns: PrinterColumn[]): Printer {
  const cols: PrinterColumn[] = printerColumns.length
    ? printerColumns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION }];
  return {
    columns: [
      nameColumn(),
      ...cols.map((c) => column(c.name, c.type, c.description ?? '', c.priority ?? 0, c.format ?? '')),
    ],
    cells: (obj, now) => [
      obj.metadata.name ?? '',
      ...cols.map((c) => {
        let results: unknown[];
        try {
          results = evalJsonPath(obj, c.jsonPath);
        } catch {
          return null; // a malformed column path prints as <none>, as kube-apiserver does
        }
        return results.length ? typedCell(c, results[0], now) : null;
      }),
    ],
  };
}

type Obj = Record<string, any>;

function get(obj: unknown, ...path: string[]): any {
  let v: any = obj;
  for (const p of path) v = v && typeof v === 'object' ? v[p] : undefined;
  return v;
}

function labelSelectorString(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

function podStatus(pod: Obj): string {
  let reason: string = get(pod, 'status', 'reason') || get(pod, 'status', 'phase') || 'Unknown';
  for (const cs of (get(pod, 'status', 'containerStatuses') ?? []) as Obj[]) {
    const waiting = get(cs, 'state', 'waiting', 'reason');
    const terminated = get(cs, 'state', 'terminated');
    if (waiting) reason = waiting;
    else if (terminated) {
      reason =
        terminated.reason ||
        (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`);
    }
  }
  if (get(pod, 'metadata', 'deletionTimestamp')) reason = 'Terminating';
  return reason;
}

function podRestarts(pod: Obj, now: Date): string {
  const statuses = (get(pod, 'status', 'containerStatuses') ?? []) as Obj[];
  const restarts = statuses.reduce((n, cs) => n + (Number(cs.restartCount) || 0), 0);
  const lastFinished = statuses
    .map((cs) => get(cs, 'lastState', 'terminated', 'finishedAt') as string | undefined)
    .filter((t): t is string => !!t)
    .sort()
    .pop();
  return restarts > 0 && lastFinished ? `${restarts} (${ageCell(lastFinished, now)} ago)` : String(restarts);
}

function servicePorts(svc: Obj): string {
  const ports = (get(svc, 'spec', 'ports') ?? []) as Obj[];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function externalIp(svc: Obj): string {
  const type = get(svc, 'spec', 'type') ?? 'ClusterIP';
  if (type === 'ExternalName') return get(svc, 'spec', 'externalName') ?? '<none>';
  const external = (get(svc, 'spec', 'externalIPs') ?? []) as string[];
  if (type === 'LoadBalancer') {
    const ingress = ((get(svc, 'status', 'loadBalancer', 'ingress') ?? []) as Obj[]).map(
      (i) => i.ip || i.hostname,
    );
    const all = [...ingress, ...external].filter(Boolean);
    return all.length ? all.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

function endpointsCell(ep: Obj): string {
  const list: string[] = [];
  for (const subset of (ep.subsets ?? []) as Obj[]) {
    for (const addr of (subset.addresses ?? []) as Obj[]) {
      const ports = (subset.ports ?? []) as Obj[];
      if (!ports.length) list.push(addr.ip);
      for (const p of ports) list.push(`${addr.ip}:${p.port}`);
    }
  }
  if (!list.length) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

interface Extra {
  col: TableColumn;
  cell: (o: Obj, now: Date) => unknown;
}

/**
 * A printer with Name first around kind-specific columns; Age goes after the first `ageAt` extra
 * columns (kubectl shows priority-1 "wide" columns after AGE), or nowhere when `ageAt` is null.
 */
function corePrinter(extra: Extra[], ageAt: number | null = extra.length): Printer {
  const age: Extra = { col: ageColumn(), cell: (o, now) => ageCell(o.metadata?.creationTimestamp, now) };
  const all = ageAt === null ? extra : [...extra.slice(0, ageAt), age, ...extra.slice(ageAt)];
  return {
    columns: [nameColumn(), ...all.map((e) => e.col)],
    cells: (obj, now) => [obj.metadata.name ?? '', ...all.map((e) => e.cell(obj, now))],
  };
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
function accessModes(modes: unknown): string {
  const list = Array.isArray(modes) ? (modes as string[]) : [];
  return (
    [
      ['ReadWriteOnce', 'RWO'],
      ['ReadOnlyMany', 'ROX'],
      ['ReadWriteMany', 'RWX'],
      ['ReadWriteOncePod', 'RWOP'],
    ] as const
  )
    .filter(([mode]) => list.includes(mode))
    .map(([, short]) => short)
    .join(',');
}

/** storageutil.IsDefaultAnnotation: the GA annotation, or the beta one. */
function isDefaultStorageClass(o: Obj): boolean {
  const a = (get(o, 'metadata', 'annotations') ?? {}) as Record<string, string>;
  return (
    a['storageclass.kubernetes.io/is-default-class'] === 'true' ||
    a['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
  );
}

/** A claim's or volume's class: the beta annotation first, as kubectl's helper reads it. */
function storageClass(o: Obj): string {
  return (
    get(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class') ??
    get(o, 'spec', 'storageClassName') ??
    ''
  );
}

const phaseOrTerminating = (o: Obj): string =>
  get(o, 'metadata', 'deletionTimestamp') ? 'Terminating' : (get(o, 'status', 'phase') ?? '');

const PVC_COLUMNS: Extra[] = [
  {
    col: column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    cell: phaseOrTerminating,
  },
  {
    col: column(
      'Volume',
      'string',
      'volumeName is the binding reference to the PersistentVolume backing this claim.',
    ),
    cell: (o) => get(o, 'spec', 'volumeName') ?? '',
  },
  {
    col: column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    cell: (o) => (get(o, 'spec', 'volumeName') ? (get(o, 'status', 'capacity', 'storage') ?? '') : ''),
  },
  {
    col: column(
      'Access Modes',
      'string',
      'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1',
    ),
    cell: (o) => (get(o, 'spec', 'volumeName') ? accessModes(get(o, 'status', 'accessModes')) : ''),
  },
  { col: column('StorageClass', 'string', 'StorageClass of the pvc'), cell: storageClass },
  {
    col: column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    cell: (o) => get(o, 'spec', 'volumeAttributesClassName') || '<unset>',
  },
  {
    col: column(
      'VolumeMode',
      'string',
      'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
      1,
    ),
    cell: (o) => get(o, 'spec', 'volumeMode') ?? '<unset>',
  },
];

const PV_COLUMNS: Extra[] = [
  {
    col: column(
      'Capacity',
      'string',
      "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
    ),
    cell: (o) => get(o, 'spec', 'capacity', 'storage') ?? '0',
  },
  {
    col: column(
      'Access Modes',
      'string',
      'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes',
    ),
    cell: (o) => accessModes(get(o, 'spec', 'accessModes')),
  },
  {
    col: column(
      'Reclaim Policy',
      'string',
      'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming',
    ),
    cell: (o) => get(o, 'spec', 'persistentVolumeReclaimPolicy') ?? '',
  },
  {
    col: column(
      'Status',
      'string',
      'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase',
    ),
    cell: phaseOrTerminating,
  },
  {
    col: column(
      'Claim',
      'string',
      'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding',
    ),
    cell: (o) => {
      const ref = get(o, 'spec', 'claimRef');
      return ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    },
  },
  { col: column('StorageClass', 'string', 'StorageClass of the pv'), cell: storageClass },
  {
    col: column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    cell: (o) => get(o, 'spec', 'volumeAttributesClassName') || '<unset>',
  },
  {
    col: column(
      'Reason',
      'string',
      'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
    ),
    cell: (o) => get(o, 'status', 'reason') ?? '',
  },
  {
    col: column(
      'VolumeMode',
      'string',
      'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.',
      1,
    ),
    cell: (o) => get(o, 'spec', 'volumeMode') ?? '<unset>',
  },
];

const CORE_PRINTERS: Record<string, () => Printer> = {
  '/persistentvolumeclaims': () => corePrinter(PVC_COLUMNS, 6),
  '/persistentvolumes': () => corePrinter(PV_COLUMNS, 8),
  '/namespaces': () =>
    corePrinter([
      {
        col: column('Status', 'string', 'The status of the namespace'),
        cell: (o) => get(o, 'status', 'phase') ?? '',
      },
    ]),
  '/configmaps': () =>
    corePrinter([
      {
        col: column('Data', 'string', 'Number of data in configmap'),
        cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
      },
    ]),
  '/secrets': () =>
    corePrinter([
      { col: column('Type', 'string', 'The type of the secret'), cell: (o) => o.type ?? 'Opaque' },
      {
        col: column('Data', 'string', 'Number of data in the secret'),
        cell: (o) => Object.keys(o.data ?? {}).length,
      },
    ]),
  '/serviceaccounts': () =>
    corePrinter([
      {
        col: column('Secrets', 'string', 'Secrets is the list of secrets'),
        cell: (o) => (o.secrets ?? []).length,
      },
    ]),
  '/pods': () =>
    corePrinter(
      [
        {
          col: column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
          cell: (o) => {
            const statuses = (get(o, 'status', 'containerStatuses') ?? []) as Obj[];
            const total = ((get(o, 'spec', 'containers') ?? []) as unknown[]).length;
            return `${statuses.filter((cs) => cs.ready).length}/${total}`;
          },
        },
        {
          col: column('Status', 'string', 'The aggregate status of the containers in this pod.'),
          cell: podStatus,
        },
        {
          col: column(
            'Restarts',
            'string',
            'The number of times the containers in this pod have been restarted.',
          ),
          cell: podRestarts,
        },
        {
          col: column('IP', 'string', 'IP address allocated to the pod.', 1),
          cell: (o) => get(o, 'status', 'podIP') ?? '<none>',
        },
        {
          col: column('Node', 'string', 'Name of the node the pod is assigned to.', 1),
          cell: (o) => get(o, 'spec', 'nodeName') ?? '<none>',
        },
      ],
      3,
    ),
  'apps/deployments': () =>
    corePrinter(
      [
        {
          col: column('Ready', 'string', 'Number of the pod with ready state'),
          cell: (o) => `${get(o, 'status', 'readyReplicas') ?? 0}/${get(o, 'spec', 'replicas') ?? 1}`,
        },
        {
          col: column(
            'Up-to-date',
            'integer',
            'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
          ),
          cell: (o) => get(o, 'status', 'updatedReplicas') ?? 0,
        },
        {
          col: column(
            'Available',
            'integer',
            'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
          ),
          cell: (o) => get(o, 'status', 'availableReplicas') ?? 0,
        },
        {
          col: column('Containers', 'string', 'Names of each container in the template.', 1),
          cell: (o) =>
            ((get(o, 'spec', 'template', 'spec', 'containers') ?? []) as Obj[]).map((c) => c.name).join(','),
        },
        {
          col: column('Images', 'string', 'Images referenced by each container in the template.', 1),
          cell: (o) =>
            ((get(o, 'spec', 'template', 'spec', 'containers') ?? []) as Obj[]).map((c) => c.image).join(','),
        },
        {
          col: column('Selector', 'string', 'Label selector for pods.', 1),
          cell: (o) => labelSelectorString(get(o, 'spec', 'selector', 'matchLabels')),
        },
      ],
      3,
    ),
  'apps/replicasets': () =>
    corePrinter(
      [
        {
          col: column('Desired', 'integer', 'Number of desired pods.'),
          cell: (o) => get(o, 'spec', 'replicas') ?? 1,
        },
        {
          col: column('Current', 'integer', 'Number of actual replicas.'),
          cell: (o) => get(o, 'status', 'replicas') ?? 0,
        },
        {
          col: column('Ready', 'integer', 'Number of ready replicas.'),
          cell: (o) => get(o, 'status', 'readyReplicas') ?? 0,
        },
        {
          col: column('Containers', 'string', 'Names of each container in the template.', 1),
          cell: (o) =>
            ((get(o, 'spec', 'template', 'spec', 'containers') ?? []) as Obj[]).map((c) => c.name).join(','),
        },
        {
          col: column('Images', 'string', 'Images referenced by each container in the template.', 1),
          cell: (o) =>
            ((get(o, 'spec', 'template', 'spec', 'containers') ?? []) as Obj[]).map((c) => c.image).join(','),
        },
        {
          col: column('Selector', 'string', 'Label selector for pods.', 1),
          cell: (o) => labelSelectorString(get(o, 'spec', 'selector', 'matchLabels')),
        },
      ],
      3,
    ),
  '/services': () =>
    corePrinter(
      [
        {
          col: column('Type', 'string', 'The type of the service.'),
          cell: (o) => get(o, 'spec', 'type') ?? 'ClusterIP',
        },
        {
          col: column('Cluster-IP', 'string', 'The cluster IP of the service.'),
          cell: (o) => get(o, 'spec', 'clusterIP') || '<none>',
        },
        { col: column('External-IP', 'string', 'The external IP of the service.'), cell: externalIp },
        { col: column('Port(s)', 'string', 'The ports of the service.'), cell: servicePorts },
        {
          col: column('Selector', 'string', 'The selector of the service.', 1),
          cell: (o) => labelSelectorString(get(o, 'spec', 'selector')),
        },
      ],
      4,
    ),
  '/endpoints': () =>
    corePrinter([{ col: column('Endpoints', 'string', 'Endpoints of the service.'), cell: endpointsCell }]),
  // printStorageClass: the default class's name carries " (default)".
  'storage.k8s.io/storageclasses': () => {
    const base = corePrinter([
      {
        col: column('Provisioner', 'string', 'Indicates the type of the provisioner.'),
        cell: (o) => get(o, 'provisioner') ?? '',
      },
      {
        col: column('ReclaimPolicy', 'string', 'Indicates the type of the reclaim policy.'),
        cell: (o) => get(o, 'reclaimPolicy') ?? 'Delete',
      },
      {
        col: column('VolumeBindingMode', 'string', 'Indicates the binding mode of the storage class.'),
        cell: (o) => get(o, 'volumeBindingMode') ?? 'Immediate',
      },
      {
        col: column('AllowVolumeExpansion', 'string', 'Indicates whether volume expansion is allowed.'),
        cell: (o) => get(o, 'allowVolumeExpansion') ?? false,
      },
    ]);
    return {
      columns: base.columns,
      cells: (obj, now) => {
        const [name, ...rest] = base.cells(obj, now);
        return [isDefaultStorageClass(obj) ? `${String(name)} (default)` : name, ...rest];
      },
    };
  },
  'coordination.k8s.io/leases': () =>
    corePrinter([
      {
        col: column('Holder', 'string', 'The holder of the lease.'),
        cell: (o) => get(o, 'spec', 'holderIdentity') ?? '',
      },
    ]),
  '/events': () => eventPrinter(),
  'rbac.authorization.k8s.io/roles': () => createdAtPrinter(),
  'rbac.authorization.k8s.io/clusterroles': () => createdAtPrinter(),
  'rbac.authorization.k8s.io/rolebindings': () => bindingPrinter(),
  'rbac.authorization.k8s.io/clusterrolebindings': () => bindingPrinter(),
  'apiextensions.k8s.io/customresourcedefinitions': () =>
    corePrinter(
      [
        {
          col: column('Created At', 'date', AGE_DESCRIPTION),
          cell: (o) =>
            o.metadata?.creationTimestamp
              ? new Date(o.metadata.creationTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z')
              : '<unknown>',
        },
      ],
      null,
    ),
};

// kubectl's Role/ClusterRole columns: Name, Created At.
function createdAtPrinter(): Printer {
  return corePrinter(
    [
      {
        col: column('Created At', 'date', 'Creation timestamp of the role'),
        cell: (o) =>
          o.metadata?.creationTimestamp
            ? new Date(o.metadata.creationTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z')
            : '<unknown>',
      },
    ],
    null,
  );
}

// kubectl's RoleBinding/ClusterRoleBinding columns: Name, Role, Age, and wide Users, Groups, ServiceAccounts.
function bindingPrinter(): Printer {
  const subjects = (o: Obj, kind: string): string =>
    ((o.subjects ?? []) as Obj[])
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name ?? ''}` : s.name))
      .join(', ');
  return corePrinter(
    [
      {
        col: column('Role', 'string', 'RoleRef to the role'),
        cell: (o) => `${get(o, 'roleRef', 'kind') ?? ''}/${get(o, 'roleRef', 'name') ?? ''}`,
      },
      { col: column('Users', 'string', 'Users in the roleBinding', 1), cell: (o) => subjects(o, 'User') },
      { col: column('Groups', 'string', 'Groups in the roleBinding', 1), cell: (o) => subjects(o, 'Group') },
      {
        col: column('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
        cell: (o) => subjects(o, 'ServiceAccount'),
      },
    ],
    1,
  );
}

function eventPrinter(): Printer {
  const lastSeen = (o: Obj, now: Date) =>
    ageCell(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now);
  const objectCell = (o: Obj) =>
    `${String(get(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${get(o, 'involvedObject', 'name') ?? ''}`;
  return {
    columns: [
      column('Last Seen', 'string', 'The last time the event was seen.'),
      column('Type', 'string', 'The type of the event.'),
      column('Reason', 'string', 'The reason of the event.'),
      column('Object', 'string', 'The object the event is about.'),
      column('Message', 'string', 'A human-readable description of the event.'),
      { ...nameColumn(), priority: 1 },
    ],
    cells: (o, now) => [
      lastSeen(o, now),
      o.type ?? '',
      o.reason ?? '',
      objectCell(o),
      o.message ?? '',
      o.metadata.name ?? '',
    ],
  };
}

/** Picks the printer for a resource type: CRD columns, a core kind's columns, or Name/Age. */
function printerFor(type: ResourceType): Printer {
  if (type.printerColumns?.length || type.crdName) return crdPrinter(type.printerColumns ?? []);
  const core = CORE_PRINTERS[`${type.group}/${type.resource}`];
  return core ? core() : corePrinter([]);
}

function partialObjectMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/**
 * Builds the meta.k8s.io/v1 Table for `objects` of `type`: columns (Name first), one row per object
 * with cells and, per `includeObject`, the PartialObjectMetadata (default), the full object, or nothing.
 */
export function toTable(type: ResourceType, objects: KubeObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(type);
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Table['metadata'] = {};
  if (opts.listRv !== undefined) metadata.resourceVersion = opts.listRv;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: printer.columns,
    rows: objects.map((obj) => {
      const row: TableRow = { cells: printer.cells(obj, now) };
      if (include === 'Object') row.object = obj as Record<string, unknown>;
      else if (include !== 'None') row.object = partialObjectMetadata(obj);
      return row;
    }),
  };
}
