import { describe, expect, it } from 'vitest';
import { parseFeaturesConfig } from '../../src/lib/apis/config/features.js';
import { setServiceDefaults } from '../../src/lib/apis/defaults.js';
import type { Service } from '../../src/lib/apis/types.js';
import { validateService } from '../../src/lib/apis/validation.js';
import { service } from './fixtures.js';

const P = 'spec.template.spec';

/** Validates a defaulted Service whose template spec is `spec`, with config-features `features`. */
function check(spec: Record<string, unknown>, features: Record<string, string> = {}): string | undefined {
  const svc: Service = service('s');
  svc.spec.template.spec = { ...svc.spec.template.spec, ...spec } as never;
  setServiceDefaults(svc);
  const ctx = { features: parseFeaturesConfig({ data: features } as never) };
  return validateService(svc, undefined, ctx)?.message;
}

const image = 'ghcr.io/knative/helloworld-go:latest';

describe('PodSpec details (Knative k8s_validation.go) and what the local cluster refuses', () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string][] = [
    [
      'runAsUser out of bounds',
      { containers: [{ image, securityContext: { runAsUser: -10 } }] },
      {},
      `expected 0 <= -10 <= 2147483647: ${P}.containers[0].securityContext.runAsUser`,
    ],
    [
      'runAsGroup out of bounds',
      { containers: [{ image, securityContext: { runAsGroup: 2147483648 } }] },
      {},
      `expected 0 <= 2147483648 <= 2147483647: ${P}.containers[0].securityContext.runAsGroup`,
    ],
    [
      'privileged: true and seLinuxOptions',
      { containers: [{ image, securityContext: { privileged: true, seLinuxOptions: {} } }] },
      {},
      `must not set the field(s): ${P}.containers[0].securityContext.privileged, ${P}.containers[0].securityContext.seLinuxOptions`,
    ],
    [
      'capabilities.add without the flag',
      { containers: [{ image, securityContext: { capabilities: { add: ['NET_ADMIN'] } } }] },
      {},
      `must not set the field(s): ${P}.containers[0].securityContext.capabilities.add`,
    ],
    [
      'capabilities.add with the flag: a process has none to give',
      { containers: [{ image, securityContext: { capabilities: { add: ['NET_ADMIN'] } } }] },
      { 'kubernetes.containerspec-addcapabilities': 'enabled' },
      `capabilities cannot be added: the local cluster runs each container as a process of the user running it, which has none to give: ${P}.containers[0].securityContext.capabilities.add`,
    ],
    [
      'a Localhost seccomp profile',
      {
        containers: [
          { image, securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x' } } },
        ],
      },
      {},
      `seccomp profile type Localhost cannot be honoured: the local cluster runs each container as a process of the user running it: ${P}.containers[0].securityContext.seccompProfile.type`,
    ],
    [
      'pod fsGroup (feature on)',
      { securityContext: { fsGroup: 2000 } },
      { 'kubernetes.podspec-securitycontext': 'enabled' },
      `fsGroup cannot be honoured: the local cluster runs each container as a process of the user running it, with one group: ${P}.securityContext.fsGroup`,
    ],
    [
      'init container probes',
      { initContainers: [{ image, readinessProbe: { tcpSocket: {} } }] },
      { 'kubernetes.podspec-init-containers': 'enabled' },
      `field not allowed in an init container: ${P}.initContainers[0].readinessProbe`,
    ],
    [
      'init container with a name taken by a container',
      { containers: [{ image, name: 'app' }], initContainers: [{ image, name: 'app' }] },
      { 'kubernetes.podspec-init-containers': 'enabled' },
      `duplicate container name "app": ${P}.initContainers[0].name`,
    ],
    [
      'projected source with two kinds',
      {
        containers: [{ image, volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }],
        volumes: [
          { name: 'v', projected: { sources: [{ configMap: { name: 'a' }, secret: { name: 'b' } }] } },
        ],
      },
      {},
      `expected exactly one, got both: ${P}.volumes[0].projected[0].configMap, ${P}.volumes[0].projected[0].secret`,
    ],
    [
      'downwardAPI item without a path',
      {
        containers: [{ image, volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }],
        volumes: [
          {
            name: 'v',
            projected: {
              sources: [{ downwardAPI: { items: [{ fieldRef: { fieldPath: 'metadata.name' } }] } }],
            },
          },
        ],
      },
      {},
      `missing field(s): ${P}.volumes[0].projected[0].downwardAPI.items[0].path`,
    ],
    [
      'emptyDir medium',
      {
        containers: [{ image, volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
        volumes: [{ name: 'v', emptyDir: { medium: 'HugePages' } }],
      },
      {},
      `invalid value: HugePages: ${P}.volumes[0].emptyDir.medium`,
    ],
    [
      'mountPropagation without the flag',
      {
        containers: [
          { image, volumeMounts: [{ name: 'v', mountPath: '/v', mountPropagation: 'HostToContainer' }] },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
      {},
      `must not set the field(s): ${P}.containers[0].volumeMounts[0].mountPropagation`,
    ],
  ];
  it.each(cases)('%s', (_name, spec, features, message) => {
    expect(check(spec, features)).toContain(message);
  });

  it('accepts the secure defaults a Knative install with secure-pod-defaults writes', () => {
    expect(
      check({
        containers: [
          {
            image,
            securityContext: {
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
              readOnlyRootFilesystem: true,
              runAsUser: 1000,
              privileged: false,
            },
          },
        ],
      }),
    ).toBeUndefined();
  });
});

describe('persistentVolumeClaim volumes behind Knative feature flags (k8s_validation_test.go cases)', () => {
  const pvc = (volumeReadOnly: boolean, mountReadOnly: boolean) => ({
    containers: [{ image, volumeMounts: [{ name: 'foo', mountPath: '/data', readOnly: mountReadOnly }] }],
    volumes: [{ name: 'foo', persistentVolumeClaim: { claimName: 'myclaim', readOnly: volumeReadOnly } }],
  });
  const CLAIM = { 'kubernetes.podspec-persistent-volume-claim': 'enabled' };
  const WRITE = { ...CLAIM, 'kubernetes.podspec-persistent-volume-write': 'enabled' };
  const NOT_READ_ONLY =
    'Persistent volume write support is disabled, but found persistent volume claim myclaim that is not read-only';
  const cases: [string, Record<string, unknown>, Record<string, string>, string | undefined][] = [
    [
      'claims disabled (the default)',
      pvc(true, true),
      {},
      'Persistent volume claim support is disabled, but found persistent volume claim myclaim',
    ],
    ['PVC not read-only, mount read-only, write disabled', pvc(false, true), CLAIM, NOT_READ_ONLY],
    ['PVC not read-only, mount not read-only, write disabled', pvc(false, false), CLAIM, NOT_READ_ONLY],
    [
      'PVC read-only, mount not read-only',
      pvc(true, false),
      CLAIM,
      `volume is readOnly but volume mount is not: ${P}.containers[0].volumeMounts[0].readOnly`,
    ],
    ['PVC read-only, write disabled', pvc(true, true), CLAIM, undefined],
    ['PVC not read-only, write enabled, mount read-only', pvc(false, true), WRITE, undefined],
    ['PVC not read-only, write enabled', pvc(false, false), WRITE, undefined],
  ];
  it.each(cases)('%s', (_name, spec, features, message) => {
    const got = check(spec, features);
    if (message === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(message);
  });
});
