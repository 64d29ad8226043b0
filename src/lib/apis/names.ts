/**
 * Kubernetes name validation with apimachinery's exact messages
 * (k8s.io/apimachinery/pkg/util/validation), and Knative's child/revision naming
 * (knative.dev/pkg/kmeta.ChildName, serving's resources/names).
 */
import { createHash } from 'node:crypto';

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

/** Maximum length of a DNS label. */
export const DNS_LABEL_MAX = 63;
/** Maximum length of a DNS subdomain. */
export const DNS_SUBDOMAIN_MAX = 253;

/** apimachinery's RegexError: "<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')". */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // apimachinery joins examples with ",  or " (two spaces) — kept verbatim.
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${fmt}')`;
}

/** apimachinery's MaxLenError. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

const full = (fmt: string) => new RegExp(`^${fmt}$`);

/** IsDNS1035Label: errors (empty when valid). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS_LABEL_MAX) errs.push(maxLenError(DNS_LABEL_MAX));
  if (!full(DNS1035_LABEL_FMT).test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

/** IsDNS1123Label: errors (empty when valid). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS_LABEL_MAX) errs.push(maxLenError(DNS_LABEL_MAX));
  if (!full(DNS1123_LABEL_FMT).test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errs;
}

/** IsDNS1123Subdomain: errors (empty when valid). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS_SUBDOMAIN_MAX) errs.push(maxLenError(DNS_SUBDOMAIN_MAX));
  if (!full(DNS1123_SUBDOMAIN_FMT).test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

/** IsQualifiedName (`[prefix/]name`, as used for label keys and traffic target names). */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${'must be non-empty'}`);
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a qualified name ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > DNS_LABEL_MAX) errs.push(`name part ${maxLenError(DNS_LABEL_MAX)}`);
  if (!full(QUALIFIED_NAME_FMT).test(name)) {
    errs.push(
      `name part ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )}`,
    );
  }
  return errs;
}

/** NameIsDNS1035Label: with `prefix`, a trailing '-' is allowed (generateName). */
export function nameIsDNS1035Label(name: string, prefix: boolean): string[] {
  return isDNS1035Label(prefix && name.endsWith('-') ? `${name}a` : name);
}

/**
 * IsFullyQualifiedDomainName as field.Error strings (`name: Invalid value: "x": ...`), used by
 * DomainMapping names.
 */
export function isFullyQualifiedDomainName(path: string, value: string): string[] {
  if (value.length === 0) return [`${path}: Required value`];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const sub = isDNS1123Subdomain(name);
  if (sub.length > 0) return [`${path}: Invalid value: ${JSON.stringify(name)}: ${sub.join(',')}`];
  const labels = name.split('.');
  if (labels.length < 2) {
    return [
      `${path}: Invalid value: ${JSON.stringify(name)}: should be a domain with at least two segments separated by dots`,
    ];
  }
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length > 0) return [`${path}: Invalid value: ${JSON.stringify(label)}: ${errs.join(',')}`];
  }
  return [];
}

/** Renders a Go `[]string` the way fmt prints it: "[a b]". */
export function goList(items: string[]): string {
  return `[${items.join(' ')}]`;
}

const MD5_LEN = 32;

/**
 * kmeta.ChildName: `parent + suffix`, or, when longer than 63, the parent's head plus its md5 so the
 * result stays ≤ 63 and unique.
 */
export function childName(parent: string, suffix: string): string {
  if (parent.length + suffix.length <= DNS_LABEL_MAX) return parent + suffix;
  const head = DNS_LABEL_MAX - suffix.length - MD5_LEN;
  if (head <= 0) {
    // 'x' prefix ensures the name starts with a letter.
    return `x${md5(parent + suffix)}`;
  }
  return `${parent.slice(0, head)}${md5(parent)}${suffix}`;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** The revision a Configuration stamps at `generation`: `<config>-00001` (hashed when too long). */
export function revisionNameFor(configName: string, generation: number): string {
  return childName(configName, `-${String(generation).padStart(5, '0')}`);
}

/** The Deployment of a revision: `<rev>-deployment`. */
export function deploymentName(revisionName: string): string {
  return childName(revisionName, '-deployment');
}

/**
 * The Configuration (and the Route) of a Service share its name.
 * @public
 */
export function configurationNameFor(serviceName: string): string {
  return serviceName;
}

/** The in-cluster address of a Route: `<route>.<ns>.svc.cluster.local`. */
export function routeServiceHost(route: string, namespace: string): string {
  return `${route}.${namespace}.svc.cluster.local`;
}
