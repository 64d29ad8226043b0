/**
 * Flag → container/pod-spec edits for `service create|update|apply` (kn `pkg/flags/podspec.go`,
 * `podspec_helper.go`): env (and its ConfigMap/Secret forms), ports, command/args, resources,
 * probes, volumes and mounts, pull policy. Each function validates its input and throws a KnError
 * naming the flag before anything is written.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Container, EnvFromSource, EnvVar, Probe, RevisionSpec, Volume } from '../apis/types.js';
import { invalidValue, KnError } from '../client/errors.js';
import { parseKeyValues } from './kv.js';

// Kubernetes env var names: C identifiers plus '-' and '.' (IsEnvVarName).
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// resource.Quantity's textual form.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

/** Parses an env file: one NAME=value per line; blank lines and # comments are skipped. */
export function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KnError(
      `cannot read --env-file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      {
        name: 'FileError',
      },
    );
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Applies `--env` (and the env file's lines) to a container: set in place, append new, NAME- removes. */
export function editEnv(c: Container, values: readonly string[], flag = 'env'): void {
  const edits = parseKeyValues(values, flag, { keyName: 'NAME' });
  for (const [name] of edits.set) checkEnvName(name, flag);
  let env = (c.env ?? []).filter((e) => !edits.remove.includes(e.name));
  for (const [name, value] of edits.set) env = upsertEnv(env, { name, value });
  c.env = env.length ? env : undefined;
}

function checkEnvName(name: string, flag: string): void {
  if (!ENV_NAME.test(name)) {
    throw invalidValue(
      `invalid --${flag} name '${name}': must start with a letter, '_', '-' or '.' and contain only letters, digits, '_', '-' and '.'`,
    );
  }
}

function upsertEnv(env: EnvVar[], v: EnvVar): EnvVar[] {
  const i = env.findIndex((e) => e.name === v.name);
  if (i < 0) return [...env, v];
  const out = [...env];
  out[i] = v;
  return out;
}

type SourceKind = 'configMap' | 'secret';

function sourceKind(prefix: string): SourceKind | undefined {
  if (prefix === 'cm' || prefix === 'config-map' || prefix === 'configmap') return 'configMap';
  if (prefix === 'secret' || prefix === 'sc') return 'secret';
  return undefined;
}

/** Applies `--env-value-from NAME=cm:CM:KEY` / `NAME=secret:S:KEY` (NAME- removes). */
export function editEnvValueFrom(c: Container, values: readonly string[]): void {
  const edits = parseKeyValues(values, 'env-value-from', { keyName: 'NAME' });
  let env = (c.env ?? []).filter((e) => !edits.remove.includes(e.name));
  for (const [name, ref] of edits.set) {
    checkEnvName(name, 'env-value-from');
    const parts = ref.split(':');
    const kind = sourceKind(parts[0]);
    if (!kind || parts.length !== 3 || !parts[1] || !parts[2]) {
      throw invalidValue(
        `invalid --env-value-from '${name}=${ref}': expected NAME=config-map:NAME:KEY or NAME=secret:NAME:KEY (short forms cm: and sc:)`,
      );
    }
    const valueFrom: EnvVar['valueFrom'] =
      kind === 'configMap'
        ? { configMapKeyRef: { name: parts[1], key: parts[2] } }
        : { secretKeyRef: { name: parts[1], key: parts[2] } };
    env = upsertEnv(env, { name, valueFrom });
  }
  c.env = env.length ? env : undefined;
}

/** Applies `--env-from cm:NAME` / `secret:NAME` (a trailing `-` removes). */
export function editEnvFrom(c: Container, values: readonly string[]): void {
  let from: EnvFromSource[] = [...(c.envFrom ?? [])];
  for (const raw of values) {
    const remove = raw.endsWith('-');
    const v = remove ? raw.slice(0, -1) : raw;
    const colon = v.indexOf(':');
    const kind = colon > 0 ? sourceKind(v.slice(0, colon)) : undefined;
    const name = v.slice(colon + 1);
    if (!kind || !name)
      throw invalidValue(
        `invalid --env-from '${raw}': expected config-map:NAME or secret:NAME (short forms cm: and sc:)`,
      );
    const same = (e: EnvFromSource): boolean =>
      kind === 'configMap' ? e.configMapRef?.name === name : e.secretRef?.name === name;
    from = from.filter((e) => !same(e));
    if (!remove) from.push(kind === 'configMap' ? { configMapRef: { name } } : { secretRef: { name } });
  }
  c.envFrom = from.length ? from : undefined;
}

/** Parses `-p/--port [NAME:]PORT` into a container port (kn's message on a bad value). */
export function parsePort(value: string): { name?: string; containerPort: number } {
  const m = /^(?:([a-z0-9-]+):)?(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw invalidValue(
      `the port specification '${value}' is not valid. Please provide in the format 'NAME:PORT', where 'NAME' is optional. Examples: '--port h2c:8080' , '--port 8080'.`,
    );
  }
  return m[1] ? { name: m[1], containerPort: port } : { containerPort: port };
}

/** Applies `--request`/`--limit` (`cpu=100m`, `memory-`) to container resources. */
export function editResources(c: Container, which: 'requests' | 'limits', values: readonly string[]): void {
  const flag = which === 'requests' ? 'request' : 'limit';
  const edits = parseKeyValues(values, flag, { keyName: 'RESOURCE' });
  for (const [k, q] of edits.set) {
    if (!QUANTITY.test(q))
      throw invalidValue(
        `invalid --${flag} '${k}=${q}': '${q}' is not a quantity (examples: 100m, 0.5, 256Mi, 1Gi)`,
      );
  }
  const current = { ...(c.resources?.[which] ?? {}) };
  for (const k of edits.remove) delete current[k];
  for (const [k, q] of edits.set) current[k] = q;
  const resources = { ...(c.resources ?? {}) };
  if (Object.keys(current).length) resources[which] = current;
  else delete resources[which];
  c.resources = Object.keys(resources).length ? resources : undefined;
}

const PROBE_OPTS: Record<string, keyof Probe> = {
  initialdelayseconds: 'initialDelaySeconds',
  timeoutseconds: 'timeoutSeconds',
  periodseconds: 'periodSeconds',
  successthreshold: 'successThreshold',
  failurethreshold: 'failureThreshold',
};

/** Parses `--probe-readiness`/`--probe-liveness`: `http[s]:host:port:path`, `tcp:host:port`, `exec:cmd[,arg...]`. */
export function parseProbe(value: string, flag: string): Probe {
  const colon = value.indexOf(':');
  const type = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  const portOf = (p: string): number | string | undefined =>
    p === '' ? undefined : /^\d+$/.test(p) ? Number(p) : p;
  if (type === 'http' || type === 'https') {
    const parts = rest.split(':');
    if (parts.length < 3)
      throw invalidValue(
        `invalid --${flag} '${value}': expected ${type}:host:port:path (host and port may be empty, e.g. ${type}::8080:/healthz)`,
      );
    const [host, port, ...path] = parts;
    return {
      httpGet: {
        ...(host ? { host } : {}),
        ...(portOf(port) !== undefined ? { port: portOf(port) } : {}),
        path: path.join(':') || '/',
        ...(type === 'https' ? { scheme: 'HTTPS' } : {}),
      },
    };
  }
  if (type === 'tcp') {
    const [host, port] = rest.split(':');
    if (rest.split(':').length !== 2 || !port)
      throw invalidValue(
        `invalid --${flag} '${value}': expected tcp:host:port (host may be empty, e.g. tcp::8080)`,
      );
    return { tcpSocket: { ...(host ? { host } : {}), port: portOf(port) } };
  }
  if (type === 'exec') {
    const command = rest.split(',').filter((s) => s !== '');
    if (command.length === 0)
      throw invalidValue(`invalid --${flag} '${value}': expected exec:command[,arg,...]`);
    return { exec: { command } };
  }
  throw invalidValue(`invalid --${flag} '${value}': the probe type must be http, https, tcp or exec`);
}

/** Applies `--probe-*-opts InitialDelaySeconds=5,FailureThreshold=3,...` to a probe. */
export function applyProbeOptions(probe: Probe, value: string, flag: string): Probe {
  const out = { ...probe };
  for (const kv of value.split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    const field = PROBE_OPTS[(k ?? '').toLowerCase()];
    if (!field || v === undefined || !/^\d+$/.test(v)) {
      throw invalidValue(
        `invalid --${flag} '${kv}': expected KEY=N with KEY one of InitialDelaySeconds, TimeoutSeconds, PeriodSeconds, SuccessThreshold, FailureThreshold`,
      );
    }
    (out as Record<string, unknown>)[field] = Number(v);
  }
  return out;
}

/**
 * Applies `--volume NAME=cm:CM | secret:S | ed[:type=Memory,size=1Gi] | pvc:CLAIM` (NAME- removes) to
 * the pod spec.
 */
export function editVolumes(spec: RevisionSpec, values: readonly string[]): void {
  let volumes: Volume[] = [...(spec.volumes ?? [])];
  for (const raw of values) {
    if (raw.endsWith('-') && !raw.includes('=')) {
      volumes = volumes.filter((v) => v.name !== raw.slice(0, -1));
      continue;
    }
    const eq = raw.indexOf('=');
    const name = eq > 0 ? raw.slice(0, eq) : '';
    const source = eq > 0 ? parseVolumeSource(raw.slice(eq + 1), name) : undefined;
    if (!source || !name) {
      throw invalidValue(
        `invalid --volume '${raw}': expected NAME=cm:CONFIGMAP, NAME=secret:SECRET, NAME=ed[:type=Memory,size=1Gi] or NAME=pvc:CLAIM; NAME- removes`,
      );
    }
    volumes = [...volumes.filter((v) => v.name !== name), { name, ...source }];
  }
  spec.volumes = volumes.length ? volumes : undefined;
}

function parseVolumeSource(src: string, name: string): Omit<Volume, 'name'> | undefined {
  const colon = src.indexOf(':');
  const prefix = colon < 0 ? src : src.slice(0, colon);
  const arg = colon < 0 ? '' : src.slice(colon + 1);
  switch (prefix) {
    case 'cm':
    case 'config-map':
      return arg ? { configMap: { name: arg } } : undefined;
    case 'secret':
    case 'sc':
      return arg ? { secret: { secretName: arg } } : undefined;
    case 'pvc':
    case 'persistentVolumeClaim':
      return arg ? { persistentVolumeClaim: { claimName: arg } } : undefined;
    case 'ed':
    case 'emptyDir': {
      // Accept `ed`, `ed:NAME`, `ed:NAME:type=Memory,size=1Gi` and `ed:type=Memory,size=1Gi`.
      const opts = arg.split(':').find((p) => p.includes('=')) ?? '';
      const emptyDir: { medium?: string; sizeLimit?: string } = {};
      for (const kv of opts.split(',').filter(Boolean)) {
        const [k, v] = kv.split('=');
        if (k.toLowerCase() === 'type' && (v === 'Memory' || v === 'Disk'))
          emptyDir.medium = v === 'Memory' ? 'Memory' : '';
        else if (k.toLowerCase() === 'size' && v && QUANTITY.test(v)) emptyDir.sizeLimit = v;
        else return undefined;
      }
      void name;
      return { emptyDir };
    }
    default:
      return undefined;
  }
}

/** Volume name generated for a `--mount` of a ConfigMap/Secret/PVC: the path as a DNS-1123 label plus a short hash. */
export function generateVolumeName(path: string): string {
  let base = '';
  for (const [i, ch] of [...path].entries()) {
    if (/[a-z0-9-]/.test(ch)) base += ch;
    else if (/[A-Z]/.test(ch)) base += ch.toLowerCase();
    // Volume names are DNS-1123 labels: no dots, so path separators become '-'.
    else if (ch === '/') base += i === 0 ? '' : '-';
    else base += '-';
  }
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 6);
  return `${base.slice(0, 56).replace(/^-+|-+$/g, '') || 'vol'}-${hash}`;
}

/**
 * Applies `--mount /path=cm:NAME | secret:NAME | ed:NAME | pvc:NAME | VOLUME[/subpath]` to the
 * container and pod spec (creating the volume for the cm/secret/ed/pvc forms); `/path-` unmounts and
 * drops a volume that was generated for it.
 */
export function editMounts(
  spec: RevisionSpec,
  c: Container,
  values: readonly string[],
  opts: { volumesUnknown?: boolean } = {},
): void {
  let mounts = [...(c.volumeMounts ?? [])];
  let volumes = [...(spec.volumes ?? [])];
  for (const raw of values) {
    if (!raw.includes('=') && raw.endsWith('-')) {
      const path = raw.slice(0, -1);
      const gone = mounts.filter((m) => m.mountPath === path);
      mounts = mounts.filter((m) => m.mountPath !== path);
      const generated = generateVolumeName(path);
      for (const m of gone)
        if (m.name === generated || !mounts.some((o) => o.name === m.name))
          volumes = volumes.filter((v) => v.name !== generated);
      continue;
    }
    const eq = raw.indexOf('=');
    const path = eq > 0 ? raw.slice(0, eq) : '';
    const target = eq > 0 ? raw.slice(eq + 1) : '';
    const bad = (why: string): never => {
      throw invalidValue(`invalid --mount '${raw}': ${why}`);
    };
    if (!path || !target)
      bad(
        'expected /path=cm:CONFIGMAP, /path=secret:SECRET, /path=ed:NAME, /path=pvc:CLAIM or /path=VOLUME; /path- unmounts',
      );
    if (!path.startsWith('/')) bad(`the mount path '${path}' must be absolute`);
    const colon = target.indexOf(':');
    const prefix = colon < 0 ? '' : target.slice(0, colon);
    const [ref, ...sub] = (colon < 0 ? target : target.slice(colon + 1)).split('/');
    const subPath = sub.join('/') || undefined;
    if (!ref) bad('the name after the prefix is empty');
    let volumeName = ref;
    if (colon >= 0) {
      let source: Omit<Volume, 'name'>;
      switch (prefix) {
        case 'cm':
        case 'config-map':
          source = { configMap: { name: ref } };
          volumeName = generateVolumeName(path);
          break;
        case 'secret':
        case 'sc':
          source = { secret: { secretName: ref } };
          volumeName = generateVolumeName(path);
          break;
        case 'pvc':
        case 'persistentVolumeClaim':
          source = { persistentVolumeClaim: { claimName: ref } };
          volumeName = generateVolumeName(path);
          break;
        case 'ed':
        case 'emptyDir':
          source = { emptyDir: {} };
          break;
        default:
          return bad(
            `unknown volume type '${prefix}:' (use cm:, config-map:, secret:, sc:, ed:, emptyDir: or pvc:)`,
          );
      }
      if (!volumes.some((v) => v.name === volumeName) || prefix !== 'ed')
        volumes = [...volumes.filter((v) => v.name !== volumeName), { name: volumeName, ...source }];
    } else if (!opts.volumesUnknown && !volumes.some((v) => v.name === ref)) {
      bad(
        `there is no volume named '${ref}': define it with --volume ${ref}=cm:NAME (or secret:, ed:) or mount with a prefix, e.g. /path=cm:${ref}`,
      );
    }
    const readOnly =
      colon >= 0 && (prefix === 'cm' || prefix === 'config-map' || prefix === 'secret' || prefix === 'sc')
        ? true
        : undefined;
    mounts = [
      ...mounts.filter((m) => m.mountPath !== path),
      {
        name: volumeName,
        mountPath: path,
        ...(readOnly ? { readOnly } : {}),
        ...(subPath ? { subPath } : {}),
      },
    ];
  }
  c.volumeMounts = mounts.length ? mounts : undefined;
  spec.volumes = volumes.length ? volumes : undefined;
}

const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'];

/** Normalises `--pull-policy` case-insensitively (kn's error otherwise). */
export function parsePullPolicy(value: string): string {
  const match = PULL_POLICIES.find((p) => p.toLowerCase() === value.toLowerCase());
  if (!match)
    throw invalidValue(
      `invalid --pull-policy ${value}. Valid arguments (case insensitive): Always | Never | IfNotPresent`,
    );
  return match;
}
