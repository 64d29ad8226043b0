/**
 * The gateway and a frozen instance (ADR 0009): a revision at zero whose Endpoints still list a
 * frozen pod gets its next bodyless request sent to that pod at once. The pod's process is really
 * stopped (SIGSTOP) here: the connection waits in its listening socket's backlog and the answer
 * comes when the process is continued, without the gateway state ever listing the instance ready.
 * When the thaw does not come within `thawWaitMs`, the request is taken back and follows the cold
 * path (buffered until a ready instance appears); a request with a body never goes to a frozen
 * instance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { revisionKey } from '../../src/lib/dataplane/state.js';
import { waitUntil } from '../support/wait.js';
import { makeRevision, send, spawnInstance, startInstance, startTestGateway } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY = revisionKey('default', 'sleepy-00001');
const HOST = 'sleepy.default.localhost';

/** A gateway routing HOST to a revision whose only instance is a stopped process answering "frozen". */
async function setup(limits = {}) {
  const gw = await startTestGateway(limits);
  cleanups.push(() => gw.close());
  const app = await spawnInstance(
    "const s=require('http').createServer((q,r)=>r.end('frozen'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
  );
  cleanups.push(() => app.kill());
  const instance = { ...app.instance, pod: 'sleepy-00001-deployment-abc' };
  gw.state.setRevision(makeRevision('default', 'sleepy-00001'));
  gw.state.setHost(HOST, {
    namespace: 'default',
    route: 'sleepy',
    splits: [{ revision: 'sleepy-00001', percent: 100 }],
  });
  process.kill(app.child.pid!, 'SIGSTOP');
  gw.state.setInstances(KEY, [], [instance]);
  return { gw, app: { ...app, instance } };
}

describe('frozen instances', () => {
  it('forwards at once to the frozen instance, which answers when its process continues', async () => {
    const { gw, app } = await setup();
    let answered = false;
    const answer = send(gw.port, HOST).finally(() => (answered = true));
    // The autoscaler is poked (its /scale write is what makes the runtime thaw the pod).
    await waitUntil('the autoscaler poked', () => gw.pokes.includes(KEY));
    const leased = () => gw.deps.throttlers.get(KEY).inflight().get(app.instance.id);
    await waitUntil('the request sent to the frozen instance', () => leased() === 1);
    expect(answered).toBe(false);
    expect(gw.deps.buffered.get(KEY)).toBeUndefined();
    process.kill(app.child.pid!, 'SIGCONT');
    expect(await answer).toMatchObject({ status: 200, body: 'frozen' });
    expect(gw.state.readyInstances(KEY)).toEqual([]);
  });

  it('takes the request back when no thaw comes in time and serves it on the cold path', async () => {
    const { gw } = await setup({ thawWaitMs: 100 });
    const fresh = await startInstance((_req, res) => res.end('started'), 'sleepy-00001-deployment-new');
    cleanups.push(() => fresh.close());
    const answer = send(gw.port, HOST);
    // Past the deadline the request waits in the activator like any request for a revision at zero.
    await waitUntil('the request buffered for a cold start', () => gw.deps.buffered.get(KEY) === 1);
    gw.state.setInstances(KEY, [fresh.instance], gw.state.frozenInstances(KEY));
    expect(await answer).toMatchObject({ status: 200, body: 'started' });
  });

  it('never sends a request with a body to a frozen instance', async () => {
    const { gw } = await setup();
    const fresh = await startInstance((req, res) => req.pipe(res), 'sleepy-00001-deployment-new');
    cleanups.push(() => fresh.close());
    const answer = send(gw.port, HOST, { method: 'POST', body: 'payload' });
    await waitUntil('the POST buffered', () => gw.deps.buffered.get(KEY) === 1);
    expect(gw.pokes).toContain(KEY);
    gw.state.setInstances(KEY, [fresh.instance], gw.state.frozenInstances(KEY));
    expect(await answer).toMatchObject({ status: 200, body: 'payload' });
  });
});
