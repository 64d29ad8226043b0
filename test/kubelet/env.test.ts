import { describe, expect, it } from 'vitest';
import { buildEnv, EnvConfigError, type EnvSources } from '../../src/lib/kubelet/env.js';

const sources: EnvSources = {
  configMap: async (ns, name) =>
    ns === 'default' && name === 'cfg' ? { GREETING: 'hi', COLOR: 'blue' } : undefined,
  secret: async (ns, name) => (ns === 'default' && name === 'sec' ? { PASSWORD: 's3cret' } : undefined),
};
const pod = { name: 'hello-abc-xyz12', namespace: 'default', podIP: '127.0.0.1', labels: { app: 'hello' } };

describe('buildEnv', () => {
  it('layers HOME, envFrom, env (with references and valueFrom), PORT and HOST; inherits only PATH', async () => {
    const env = await buildEnv(
      {
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CM_' }, { secretRef: { name: 'sec' } }],
        env: [
          { name: 'TARGET', value: 'knlite' },
          { name: 'MSG', value: '$(TARGET) says $(GREETING_MISSING) $$(TARGET)' },
          { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'GREETING' } } },
          { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'sec', key: 'PASSWORD' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'PORT', value: '8080' },
          { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
        ],
      },
      pod,
      43210,
      sources,
      {
        home: '/data/homes/default/hello-abc-xyz12',
        pathPrepend: ['/app/node_modules/.bin'],
        daemonEnv: {
          PATH: '/usr/bin',
          HOME: '/home/u',
          KUBECONFIG: '/secret/kubeconfig',
          KNLITE_HOME: '/home/u/.knlite',
          AWS_SECRET: 'x',
        },
      },
    );
    expect(env).toEqual({
      PATH: '/app/node_modules/.bin:/usr/bin',
      HOME: '/data/homes/default/hello-abc-xyz12',
      CM_GREETING: 'hi',
      CM_COLOR: 'blue',
      PASSWORD: 's3cret',
      TARGET: 'knlite',
      MSG: 'knlite says $(GREETING_MISSING) $(TARGET)',
      FROM_CM: 'hi',
      FROM_SECRET: 's3cret',
      POD: 'hello-abc-xyz12',
      NS: 'default',
      IP: '127.0.0.1',
      APP: 'hello',
      PORT: '43210',
      HOST: '127.0.0.1',
    });
  });

  it('lets the pod override HOME but never PORT or HOST', async () => {
    const env = await buildEnv(
      {
        env: [
          { name: 'HOME', value: '/srv' },
          { name: 'HOST', value: '0.0.0.0' },
        ],
      },
      pod,
      1234,
      sources,
      { home: '/data/homes/default/p', daemonEnv: { HOME: '/home/u' } },
    );
    expect(env).toEqual({ HOME: '/srv', PORT: '1234', HOST: '127.0.0.1' });
  });

  it('fails like the kubelet when a required ConfigMap key or Secret is missing', async () => {
    await expect(
      buildEnv(
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'NOPE' } } }] },
        pod,
        1,
        sources,
      ),
    ).rejects.toThrow(new EnvConfigError("couldn't find key NOPE in ConfigMap default/cfg"));
    await expect(buildEnv({ envFrom: [{ secretRef: { name: 'gone' } }] }, pod, 1, sources)).rejects.toThrow(
      'secret "gone" not found',
    );
  });
});
