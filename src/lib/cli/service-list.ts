/**
 * `knlite service list` as a table, with and without oclif (docs/adr/0007-cli-start-up.md).
 *
 * The command (src/commands/service/list.ts) prints through `printServiceList`. bin/run.js hands the
 * plain forms — the command or one of its aliases, with only -n/--namespace, -A/--all-namespaces,
 * --no-headers, --kubeconfig, --context and --no-color — to `runServiceListFast`, which connects, lists
 * and prints with the same code without loading oclif (about half of the command's run time went to
 * evaluating and configuring oclif). Anything else, and every failure before output is written (no
 * kubeconfig, so the local cluster has to be started; an API or kubeconfig error), answers `false`
 * and bin/run.js runs the command through oclif, which repeats the read and reports the error the
 * usual way. A list is a read, so repeating it changes nothing.
 */
import type { KubeList, Service } from '../apis/types.js';
import { RestClient } from '../kube/rest.js';
import { ServingClient } from '../client/serving-client.js';
import { serviceColumns } from '../printers/columns.js';
import type { OutputSpec } from '../printers/output.js';
import { printList } from '../printers/print.js';

/** The command ids `service list` answers to, as typed (the command's id and its aliases). */
export const SERVICE_LIST_IDS = [
  'service:list',
  'service:ls',
  'ksvc:list',
  'ksvc:ls',
  'services:list',
  'services:ls',
];

/** How the list is printed: -o, or the table (with NAMESPACE for -A). */
export function printServiceList(
  list: KubeList<Service>,
  output: OutputSpec | undefined,
  opts: { allNamespaces?: boolean; noHeaders?: boolean },
): Promise<string> {
  return printList(list, output, {
    columns: serviceColumns(),
    empty: 'No services found.',
    allNamespaces: opts.allNamespaces,
    noHeaders: opts.noHeaders,
  });
}

/** What the plain form of `service list` was asked for. */
export interface PlainServiceList {
  namespace?: string;
  allNamespaces: boolean;
  noHeaders: boolean;
  kubeconfig?: string;
  context?: string;
}

const VALUE_FLAGS: Record<string, 'namespace' | 'kubeconfig' | 'context'> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--kubeconfig': 'kubeconfig',
  '--context': 'context',
};
const BOOLEAN_FLAGS: Record<string, 'allNamespaces' | 'noHeaders' | 'noColor'> = {
  '-A': 'allNamespaces',
  '--all-namespaces': 'allNamespaces',
  '--no-headers': 'noHeaders',
  '--no-color': 'noColor',
};

/**
 * The plain form of `service list` in argv (the words after `knlite`), or undefined when argv is
 * anything else: another command, a name, -o, --target, a flag given twice, an empty or
 * dash-leading value, -A with -n (a usage error oclif reports), or any flag oclif would reject.
 */
export function parsePlainServiceList(argv: string[]): PlainServiceList | undefined {
  if (argv.length < 2 || !SERVICE_LIST_IDS.includes(`${argv[0]}:${argv[1]}`)) return undefined;
  const seen = new Set<string>();
  const out: PlainServiceList = { allNamespaces: false, noHeaders: false };
  for (let i = 2; i < argv.length; i++) {
    const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
    const flag = eq < 0 ? argv[i] : argv[i].slice(0, eq);
    const valueKey = VALUE_FLAGS[flag];
    const boolKey = BOOLEAN_FLAGS[flag];
    const key = valueKey ?? boolKey;
    if (!key || seen.has(key)) return undefined;
    seen.add(key);
    if (boolKey) {
      if (eq >= 0) return undefined;
      if (boolKey !== 'noColor') out[boolKey] = true;
      continue;
    }
    const value = eq < 0 ? argv[++i] : argv[i].slice(eq + 1);
    if (!value || value.startsWith('-')) return undefined;
    out[valueKey] = value;
  }
  if (out.allNamespaces && out.namespace !== undefined) return undefined;
  return out;
}

/** Thrown instead of starting the local cluster: that path belongs to the oclif command. */
class NoKubeconfig extends Error {}

/**
 * Runs the plain form of `service list` without oclif: true when the list was printed, false when
 * argv is not the plain form or anything failed before output (the caller then runs the command
 * through oclif).
 */
export async function runServiceListFast(argv: string[]): Promise<boolean> {
  const plain = parsePlainServiceList(argv);
  if (!plain) return false;
  let client: ServingClient | undefined;
  let text: string;
  try {
    const rest = await RestClient.connect({
      kubeconfig: plain.kubeconfig,
      context: plain.context,
      onMissing: () => Promise.reject(new NoKubeconfig()),
    });
    client = new ServingClient(rest, plain.namespace || rest.namespace);
    const list = await client.listServices({ allNamespaces: plain.allNamespaces });
    text = await printServiceList(list, undefined, plain);
  } catch {
    return false;
  } finally {
    client?.close();
  }
  // Nothing is left open (the client's sockets are destroyed): the process exits once this is written.
  process.stdout.write(text);
  return true;
}
