/**
 * The traffic wizard driven through its real prompts: keystrokes into an input stream, the screen
 * read from an output stream, against the in-process local cluster (API server, reconciler,
 * runtime running examples/autoscale, gateway with metrics).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { runTrafficWizard, type WizardOutcome } from '../../src/lib/rollout/wizard.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import {
  gatewayGet,
  hostOf,
  Keys,
  makeTwoRevisionService,
  startLoad,
  Terminal,
  trafficOf,
} from './fixtures.js';

let cluster: TestCluster;
let client: ServingClient;

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  client = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'default' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

/** Starts the wizard on a scripted terminal. */
function wizard(service: string): { term: Terminal; done: Promise<WizardOutcome> } {
  const term = new Terminal();
  const done = runTrafficWizard({
    client,
    namespace: 'default',
    service,
    input: term.input,
    output: term.output,
    sampleEveryMs: 500,
  });
  return { term, done };
}

const ACTION = 'What do you want to do?';

describe('traffic wizard', () => {
  it('shows the revisions and walks a canary to 100% with live figures, holding one step', async () => {
    const svc = await makeTwoRevisionService(client, 'canary');
    const load = startLoad(cluster.gatewayPort!, hostOf(svc.status?.url));
    const { term, done } = wizard('canary');
    try {
      await term.waitFor('NAME');
      expect(term.screen).toMatch(/NAME\s+TRAFFIC\s+TAGS\s+READY\s+AGE\s+IMAGE/);
      expect(term.screen).toMatch(/canary-00001\s+100%\s+True\s+\S+\s+file:\/\/\S+examples\/autoscale/);
      expect(term.screen).toMatch(/canary-00002\s+0%\s+True/);
      await term.answer(ACTION, Keys.enter);
      await term.answer('Which revision should receive the traffic?', Keys.enter);
      await term.answer('Steps', '50,100', Keys.enter);
      await term.answer('Observe each step for', '1s', Keys.enter);
      await term.answer('5xx error rate', Keys.enter);
      await term.answer('p99 latency', Keys.enter);
      await term.waitFor(
        'Equivalent command: knlite traffic rollout canary --to canary-00002 --steps 50,100 --interval 1s --max-error-rate 1%',
      );
      await term.answer('Start the rollout?', Keys.enter);
      await term.waitFor('step 1/2 applied: canary-00001 50%, canary-00002 50%');
      await term.waitFor('step 1/2: canary-00002 50% — ');
      await term.waitFor('REQ/S');
      // Hold: the same step is watched again, then the question comes back.
      await term.answer('Continue to step 2/2 (100%)', Keys.down, Keys.enter);
      await term.waitFor('step 1/2: canary-00002 50% — ');
      await term.answer('Continue to step 2/2 (100%)', Keys.enter);
      await term.waitFor('step 2/2: canary-00002 100% — ');
      await term.answer('Finish: keep this traffic', Keys.enter);
      const outcome = await done;
      expect(outcome).toMatchObject({ action: 'canary', status: 'completed' });
      expect(term.screen).toMatch(/\[[\d.]+s\/1s\] .*canary-00002 [\d.]+ req\/s/);
      expect(await trafficOf(client, 'canary')).toEqual([{ revisionName: 'canary-00002', percent: 100 }]);
    } finally {
      await load.stop();
    }
  }, 180_000);

  it('proposes a rollback when the candidate fails its error check, and rolls back', async () => {
    const svc = await makeTwoRevisionService(client, 'failing');
    // Every request answers 500, so the candidate's 5xx rate is far above 1%.
    const load = startLoad(cluster.gatewayPort!, hostOf(svc.status?.url), '/?status=500');
    const { term, done } = wizard('failing');
    try {
      await term.answer(ACTION, Keys.enter);
      await term.answer('Which revision should receive the traffic?', Keys.enter);
      await term.answer('Steps', '50,100', Keys.enter);
      await term.answer('Observe each step for', '1s', Keys.enter);
      await term.answer('5xx error rate', Keys.enter);
      await term.answer('p99 latency', Keys.enter);
      await term.answer('Start the rollout?', Keys.enter);
      await term.waitFor('The check failed: error rate');
      await term.waitFor('on failing-00002. Rolling back is recommended.');
      // The proposed answer (first, selected) is the rollback.
      await term.answer('Roll back?', Keys.enter);
      const outcome = await done;
      expect(outcome.status).toBe('rolled-back');
      expect(outcome.message).toMatch(
        /^Rolled back to the starting traffic: error rate [\d.]+% > 1% on failing-00002\.$/,
      );
      expect(await trafficOf(client, 'failing')).toEqual([{ revisionName: 'failing-00001', percent: 100 }]);
    } finally {
      await load.stop();
    }
  }, 180_000);

  it('re-asks percentages that do not sum to 100 and applies the corrected split', async () => {
    await makeTwoRevisionService(client, 'manual');
    const { term, done } = wizard('manual');
    await term.answer(ACTION, Keys.down, Keys.down, Keys.down, Keys.enter);
    await term.answer('Percent for manual-00002 (now 0%)', '30', Keys.enter);
    await term.answer('Percent for manual-00001 (now 100%)', '60', Keys.enter);
    await term.waitFor('percentages must sum to 100, this makes 90: enter 70');
    term.type(Keys.backspace, Keys.backspace, '70', Keys.enter);
    await term.waitFor(
      'Equivalent command: knlite traffic split manual --traffic manual-00002=30 --traffic manual-00001=70',
    );
    expect(term.screen).toMatch(/REVISION\s+BEFORE\s+AFTER/);
    expect(term.screen).toMatch(/manual-00002\s+0%\s+30%/);
    expect(term.screen).toMatch(/manual-00001\s+100%\s+70%/);
    await term.answer('Apply this change?', Keys.enter);
    const outcome = await done;
    expect(outcome).toMatchObject({ action: 'percentages', status: 'applied' });
    expect(await trafficOf(client, 'manual')).toEqual([
      { revisionName: 'manual-00001', percent: 70 },
      { revisionName: 'manual-00002', percent: 30 },
    ]);
  }, 180_000);

  it('blue/green: tags the candidate, shows its URL, then flips', async () => {
    await makeTwoRevisionService(client, 'bg');
    const { term, done } = wizard('bg');
    await term.answer(ACTION, Keys.down, Keys.down, Keys.enter);
    await term.answer('Which revision is the new (green) one?', Keys.enter);
    await term.answer('Tag for it', Keys.enter);
    await term.waitFor('Equivalent command: knlite traffic split bg --tag bg-00002=green');
    await term.answer("Tag bg-00002 as 'green'?", Keys.enter);
    await term.waitFor('Try it at http://');
    const url = /Try it at (\S+)/.exec(term.screen)![1]!;
    expect(new URL(url).hostname).toBe('green-bg.default.localhost');
    const tried = await gatewayGet(cluster.gatewayPort!, new URL(url).host);
    expect(tried.body).toContain('Revision: bg-00002');
    expect(await trafficOf(client, 'bg')).toEqual([
      { revisionName: 'bg-00001', percent: 100 },
      { tag: 'green', revisionName: 'bg-00002', percent: 0 },
    ]);
    await term.answer('Flip all traffic to bg-00002?', Keys.enter);
    await term.waitFor('Equivalent command: knlite traffic split bg --traffic green=100');
    const outcome = await done;
    expect(outcome).toMatchObject({ action: 'blue-green', status: 'applied' });
    expect(await trafficOf(client, 'bg')).toEqual([{ tag: 'green', revisionName: 'bg-00002', percent: 100 }]);
  }, 180_000);

  it('adds a tag (re-asking an invalid one) and removes it again', async () => {
    await makeTwoRevisionService(client, 'tags');
    const add = wizard('tags');
    await add.term.answer(ACTION, Keys.down, Keys.down, Keys.down, Keys.down, Keys.enter);
    await add.term.answer('Which revision should get a tag?', Keys.enter);
    await add.term.answer('Tag:', 'Bad_Tag', Keys.enter);
    await add.term.waitFor('tag "Bad_Tag" is not valid');
    add.term.type(...Array.from({ length: 7 }, () => Keys.backspace), 'v2', Keys.enter);
    await add.term.waitFor('Equivalent command: knlite traffic split tags --tag tags-00002=v2');
    await add.term.answer('Apply this change?', Keys.enter);
    expect(await add.done).toMatchObject({ action: 'add-tag', status: 'applied' });
    expect(await trafficOf(client, 'tags')).toEqual([
      { revisionName: 'tags-00001', percent: 100 },
      { tag: 'v2', revisionName: 'tags-00002', percent: 0 },
    ]);

    const remove = wizard('tags');
    await remove.term.waitFor(ACTION);
    expect(remove.term.screen).toMatch(/tags-00002\s+0%\s+v2\s+True/);
    remove.term.type(Keys.down, Keys.down, Keys.down, Keys.down, Keys.down, Keys.enter);
    await remove.term.answer('Which tag should be removed?', Keys.enter);
    await remove.term.waitFor('Equivalent command: knlite traffic split tags --untag v2');
    await remove.term.answer('Apply this change?', Keys.enter);
    expect(await remove.done).toMatchObject({ action: 'remove-tag', status: 'applied' });
    expect(await trafficOf(client, 'tags')).toEqual([{ revisionName: 'tags-00001', percent: 100 }]);
  }, 180_000);

  it('on Ctrl-C mid-rollout leaves the service at the last applied step and says so', async () => {
    await makeTwoRevisionService(client, 'interrupt');
    const { term, done } = wizard('interrupt');
    await term.answer(ACTION, Keys.enter);
    await term.answer('Which revision should receive the traffic?', Keys.enter);
    await term.answer('Steps', '25,100', Keys.enter);
    await term.answer('Observe each step for', '1s', Keys.enter);
    await term.answer('5xx error rate', Keys.enter);
    await term.answer('p99 latency', Keys.enter);
    await term.answer('Start the rollout?', Keys.enter);
    await term.answer('Continue to step 2/2 (100%)', Keys.ctrlC);
    const outcome = await done;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.message).toBe(
      "Interrupted: service 'interrupt' left at step 1/2: interrupt-00001 75%, interrupt-00002 25%.",
    );
    expect(term.screen).toContain(outcome.message);
    expect(await trafficOf(client, 'interrupt')).toEqual([
      { revisionName: 'interrupt-00001', percent: 75 },
      { revisionName: 'interrupt-00002', percent: 25 },
    ]);
  }, 180_000);

  it('on Ctrl-C while a step is being watched stops there too', async () => {
    await makeTwoRevisionService(client, 'sigint');
    const { term, done } = wizard('sigint');
    await term.answer(ACTION, Keys.enter);
    await term.answer('Which revision should receive the traffic?', Keys.enter);
    await term.answer('Steps', '10,100', Keys.enter);
    await term.answer('Observe each step for', '5m', Keys.enter);
    await term.answer('5xx error rate', Keys.enter);
    await term.answer('p99 latency', Keys.enter);
    await term.answer('Start the rollout?', Keys.enter);
    // No prompt is active while a step is watched: the terminal delivers Ctrl-C as SIGINT.
    await term.waitFor('step 1/2 applied: sigint-00001 90%, sigint-00002 10% — watching for 5m');
    process.emit('SIGINT');
    const outcome = await done;
    expect(outcome).toMatchObject({
      status: 'cancelled',
      message: "Interrupted: service 'sigint' left at step 1/2: sigint-00001 90%, sigint-00002 10%.",
    });
    expect(await trafficOf(client, 'sigint')).toEqual([
      { revisionName: 'sigint-00001', percent: 90 },
      { revisionName: 'sigint-00002', percent: 10 },
    ]);
  }, 180_000);

  it('rolls back to the previous revision', async () => {
    await makeTwoRevisionService(client, 'prev');
    await client.updateServiceWithRetry('prev', (svc) => {
      svc.spec.traffic = [{ revisionName: 'prev-00002', percent: 100 }];
    });
    const { term, done } = wizard('prev');
    await term.answer('(prev-00001)', Keys.up, Keys.up, Keys.enter);
    await term.waitFor('The previous ready revision is prev-00001.');
    await term.waitFor('Equivalent command: knlite traffic split prev --traffic prev-00001=100');
    await term.answer('Apply this change?', Keys.enter);
    expect(await done).toMatchObject({ action: 'previous', status: 'applied' });
    expect(await trafficOf(client, 'prev')).toEqual([{ revisionName: 'prev-00001', percent: 100 }]);
  }, 180_000);
});
