/**
 * Offline mode (`--target`, kn `pkg/serving/v1/gitops.go`): services live in files instead of a
 * cluster. A target ending in .yaml/.yml/.json is a single file holding one Service in that format;
 * anything else is a directory (which must exist) holding `<namespace>/ksvc/<name>.yaml`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import type { ConfigMap, KubeList, Service } from '../apis/types.js';
import { SERVING_V1 } from '../apis/keys.js';
import { KnError } from './errors.js';
import type { ListOptions, Mutator, ServiceStore, UpdateResult } from './service-store.js';

/** A ServiceStore over local files. */
export class OfflineServiceStore implements ServiceStore<never> {
  /** Files have no cluster: nothing reconciles them, so nothing is waited for. */
  readonly cluster = undefined;
  private readonly target: string;
  private readonly singleFile: boolean;

  constructor(
    target: string,
    readonly namespace: string,
  ) {
    this.target = resolve(target);
    this.singleFile = ['.yaml', '.yml', '.json'].includes(extname(this.target).toLowerCase());
    if (!this.singleFile && !existsSync(this.target)) {
      throw new KnError(`directory '${target}' not present, please create the directory and try again`, {
        name: 'FileError',
      });
    }
  }

  /** The file a service is stored in. */
  pathOf(name: string, namespace = this.namespace): string {
    return this.singleFile ? this.target : join(this.target, namespace, 'ksvc', `${name}.yaml`);
  }

  async getService(name: string, namespace = this.namespace): Promise<Service> {
    const svc = this.read(this.pathOf(name, namespace));
    if (!svc || svc.metadata.name !== name)
      throw new KnError(
        `service '${name}' not found in namespace '${namespace}' (offline target ${this.target})`,
        { name: 'NotFound' },
      );
    return svc;
  }

  async listServices(opts: ListOptions = {}): Promise<KubeList<Service>> {
    const items: Service[] = [];
    if (this.singleFile) {
      const svc = this.read(this.target);
      if (svc && (opts.allNamespaces || (svc.metadata.namespace ?? this.namespace) === this.namespace))
        items.push(svc);
    } else {
      const namespaces = opts.allNamespaces
        ? readdirSync(this.target).filter((d) => statSync(join(this.target, d)).isDirectory())
        : [this.namespace];
      for (const ns of namespaces) {
        const dir = join(this.target, ns, 'ksvc');
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir).sort()) {
          if (!f.endsWith('.yaml')) continue;
          const svc = this.read(join(dir, f));
          if (svc) items.push(svc);
        }
      }
    }
    return { apiVersion: SERVING_V1, kind: 'ServiceList', metadata: {}, items };
  }

  async createService(svc: Service): Promise<Service> {
    const ns = svc.metadata.namespace ?? this.namespace;
    const out: Service = {
      apiVersion: SERVING_V1,
      kind: 'Service',
      ...svc,
      metadata: { ...svc.metadata, namespace: ns },
    };
    this.write(this.pathOf(svc.metadata.name!, ns), out);
    return out;
  }

  replaceService(svc: Service): Promise<Service> {
    return this.createService(svc);
  }

  async updateServiceWithRetry(
    name: string,
    mutate: Mutator<Service>,
    namespace = this.namespace,
  ): Promise<UpdateResult<Service>> {
    const before = await this.getService(name, namespace);
    const draft = structuredClone(before);
    const after = (await mutate(draft)) ?? draft;
    this.write(this.pathOf(name, namespace), after);
    return { before, after };
  }

  async deleteService(name: string, namespace = this.namespace): Promise<void> {
    await this.getService(name, namespace);
    rmSync(this.pathOf(name, namespace));
  }

  /** Files are validated under Knative's defaults: there is no cluster configuration to read. */
  async findConfigMap(_namespace: string, _name: string): Promise<ConfigMap | undefined> {
    return undefined;
  }

  private read(path: string): Service | undefined {
    if (!existsSync(path)) return undefined;
    try {
      const doc = yaml.load(readFileSync(path, 'utf8')) as Service | undefined;
      return doc && typeof doc === 'object' && doc.metadata ? doc : undefined;
    } catch (err) {
      throw new KnError(`cannot parse ${path}: ${(err as Error).message.split('\n')[0]}`, {
        name: 'FileError',
      });
    }
  }

  private write(path: string, svc: Service): void {
    mkdirSync(dirname(path), { recursive: true });
    const text =
      extname(path).toLowerCase() === '.json'
        ? `${JSON.stringify(svc, null, 2)}\n`
        : yaml.dump(svc, { noRefs: true, lineWidth: -1 });
    writeFileSync(path, text);
  }
}
