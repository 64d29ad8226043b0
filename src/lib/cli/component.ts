/**
 * Running a cluster component from the CLI (`knlite reconciler run`, `knlite gateway run`): connect
 * with kubectl's rules (--kubeconfig, $KUBECONFIG, ~/.kube/config, then the pod's service
 * account), start it, announce it, and stop it on SIGINT/SIGTERM. Failures are one sentence.
 */
import { defaultIdentity } from '../kube/leader.js';
import { RestClient } from '../kube/rest.js';

/** A started component: what to print once it runs, and how to stop it. */
export interface RunningComponent {
  banner: string;
  stop(): Promise<void>;
}

/** Connects, starts `start`, then waits for a signal and stops it; `fail` reports a failure. */
export async function runComponent(
  flags: { kubeconfig?: string; context?: string; identity?: string },
  io: { log(line: string): void; fail(message: string): never },
  start: (rest: RestClient, identity: string) => Promise<RunningComponent>,
  stoppedLine: string,
): Promise<void> {
  let rest: RestClient;
  try {
    rest = await RestClient.connect({
      kubeconfig: flags.kubeconfig,
      context: flags.context,
      inCluster: true,
    });
  } catch (err) {
    io.fail((err as Error).message);
  }
  let running: RunningComponent;
  try {
    running = await start(rest, flags.identity ?? defaultIdentity());
  } catch (err) {
    rest.close();
    io.fail((err as Error).message);
  }
  io.log(running.banner);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await running.stop();
  rest.close();
  io.log(stoppedLine);
}
