import { describe, expect, it } from 'vitest';
import { getCondition } from '../../src/lib/apis/conditions.js';
import * as configuration from '../../src/lib/apis/lifecycle/configuration.js';
import * as domainmapping from '../../src/lib/apis/lifecycle/domainmapping.js';
import * as revision from '../../src/lib/apis/lifecycle/revision.js';
import * as route from '../../src/lib/apis/lifecycle/route.js';
import * as service from '../../src/lib/apis/lifecycle/service.js';
import type { Condition, Deployment, KnStatus } from '../../src/lib/apis/types.js';

/** Every kind's lifecycle helpers, as one namespace for the tables below. */
const lc = { ...service, ...configuration, ...revision, ...route, ...domainmapping };

const pick = (s: KnStatus, type: string) => {
  const c = getCondition(s, type);
  return c && { status: c.status, reason: c.reason, message: c.message };
};

describe('Service lifecycle', () => {
  const cases: [string, (s: KnStatus) => void, string, Partial<Condition>][] = [
    [
      'configuration not owned',
      (s) => lc.markConfigurationNotOwned(s, 'foo'),
      'ConfigurationsReady',
      {
        status: 'False',
        reason: 'NotOwned',
        message: 'There is an existing Configuration "foo" that we do not own.',
      },
    ],
    [
      'route not owned',
      (s) => lc.markRouteNotOwned(s, 'foo'),
      'RoutesReady',
      {
        status: 'False',
        reason: 'NotOwned',
        message: 'There is an existing Route "foo" that we do not own.',
      },
    ],
    [
      'configuration out of date',
      (s) => lc.markConfigurationNotReconciled(s),
      'ConfigurationsReady',
      {
        status: 'Unknown',
        reason: 'OutOfDate',
        message: 'The Configuration is still working to reflect the latest desired specification.',
      },
    ],
    [
      'route out of date',
      (s) => lc.markRouteNotReconciled(s),
      'RoutesReady',
      {
        status: 'Unknown',
        reason: 'OutOfDate',
        message: 'The Route is still working to reflect the latest desired specification.',
      },
    ],
    [
      'traffic not migrated',
      (s) => lc.markRouteNotYetReady(s),
      'RoutesReady',
      {
        status: 'Unknown',
        reason: 'TrafficNotMigrated',
        message: 'Traffic is not yet migrated to the latest revision.',
      },
    ],
    [
      'revision name taken',
      (s) => lc.markRevisionNameTaken(s, 'foo-v1'),
      'RoutesReady',
      {
        status: 'False',
        reason: 'RevisionNameTaken',
        message:
          'The revision name "foo-v1" is taken by a conflicting Revision, so traffic will not be migrated',
      },
    ],
  ];
  it.each(cases)('%s', (_name, mark, type, want) => {
    const s: KnStatus = {};
    lc.initializeServiceConditions(s);
    mark(s);
    expect(pick(s, type)).toEqual({ reason: undefined, message: undefined, ...want });
    // Ready mirrors the dependent that just transitioned.
    expect(pick(s, 'Ready')).toEqual({ reason: undefined, message: undefined, ...want });
  });

  it('propagates configuration and route status', () => {
    const s: KnStatus & Record<string, unknown> = {};
    lc.initializeServiceConditions(s);
    lc.propagateConfigurationStatus(s, {
      latestCreatedRevisionName: 'foo-00002',
      latestReadyRevisionName: 'foo-00001',
      conditions: [{ type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'boom' }],
    });
    expect(s.latestCreatedRevisionName).toBe('foo-00002');
    expect(s.latestReadyRevisionName).toBe('foo-00001');
    expect(pick(s, 'ConfigurationsReady')).toEqual({
      status: 'False',
      reason: 'RevisionFailed',
      message: 'boom',
    });
    lc.propagateConfigurationStatus(s, {
      latestCreatedRevisionName: 'foo-00002',
      latestReadyRevisionName: 'foo-00002',
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    lc.propagateRouteStatus(s, {
      url: 'http://foo.default.example.com',
      address: { url: 'http://foo.default.svc.cluster.local' },
      traffic: [{ revisionName: 'foo-00002', latestRevision: true, percent: 100 }],
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    expect(s.url).toBe('http://foo.default.example.com');
    expect(s.traffic).toEqual([{ revisionName: 'foo-00002', latestRevision: true, percent: 100 }]);
    expect(pick(s, 'Ready')?.status).toBe('True');
  });

  it('does not touch conditions when the child has no Ready', () => {
    const s: KnStatus = {};
    lc.propagateRouteStatus(s, { url: 'http://x' });
    expect(s.conditions).toBeUndefined();
  });
});

describe('Configuration lifecycle', () => {
  it('latest created ≠ latest ready → Ready Unknown with no reason; equal → True', () => {
    const s: KnStatus & Record<string, unknown> = {};
    lc.initializeConfigurationConditions(s);
    lc.setLatestCreatedRevisionName(s, 'foo-00001');
    expect(pick(s, 'Ready')).toEqual({ status: 'Unknown', reason: undefined, message: undefined });
    lc.setLatestReadyRevisionName(s, 'foo-00001');
    expect(pick(s, 'Ready')?.status).toBe('True');
    lc.setLatestCreatedRevisionName(s, 'foo-00002');
    expect(pick(s, 'Ready')?.status).toBe('Unknown');
  });
  it.each([
    [
      (s: KnStatus) => lc.markLatestCreatedFailed(s, 'foo-00002', 'Container failed with: boom'),
      'RevisionFailed',
      'Revision "foo-00002" failed with message: Container failed with: boom.',
    ],
    [
      (s: KnStatus) => lc.markRevisionCreationFailed(s, 'nope'),
      'RevisionFailed',
      'Revision creation failed with message: nope.',
    ],
    [
      (s: KnStatus) => lc.markLatestReadyDeleted(Object.assign(s, { latestReadyRevisionName: 'foo-00001' })),
      'RevisionDeleted',
      'Revision "foo-00001" was deleted.',
    ],
  ])('failure %#', (mark, reason, message) => {
    const s: KnStatus = {};
    mark(s);
    expect(pick(s, 'Ready')).toEqual({ status: 'False', reason, message });
  });
});

describe('Revision lifecycle', () => {
  const dep = (conditions: Condition[], replicas = 1, readyReplicas = 0): Deployment => ({
    metadata: { name: 'foo-00001-deployment' },
    spec: { replicas, selector: {}, template: { spec: { containers: [] } } },
    status: { conditions, readyReplicas },
  });

  it('markDeploying sets both dependents Unknown Deploying', () => {
    const s: KnStatus = {};
    lc.initializeRevisionConditions(s);
    lc.markDeploying(s);
    expect(pick(s, 'ResourcesAvailable')).toEqual({
      status: 'Unknown',
      reason: 'Deploying',
      message: undefined,
    });
    expect(pick(s, 'ContainerHealthy')).toEqual({
      status: 'Unknown',
      reason: 'Deploying',
      message: undefined,
    });
    expect(pick(s, 'Ready')?.reason).toBe('Deploying');
  });

  it.each([
    ['no conditions', [], { status: 'Unknown', reason: 'Deploying', message: undefined }],
    [
      'progressing',
      [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
      { status: 'True', reason: undefined, message: undefined },
    ],
    [
      'deadline exceeded',
      [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "x" has timed out progressing.',
        },
      ],
      {
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "x" has timed out progressing.',
      },
    ],
    [
      'replica failure',
      [
        { type: 'Progressing', status: 'True' },
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'ImageNotRunnable',
          message: 'the local cluster runs processes',
        },
      ],
      { status: 'False', reason: 'ImageNotRunnable', message: 'the local cluster runs processes' },
    ],
    [
      'replica failure cleared',
      [
        { type: 'Progressing', status: 'True' },
        { type: 'ReplicaFailure', status: 'False' },
      ],
      { status: 'True', reason: undefined, message: undefined },
    ],
  ] as [string, Condition[], object][])('propagateDeploymentStatus: %s', (_n, conds, want) => {
    const s: KnStatus = {};
    lc.initializeRevisionConditions(s);
    lc.propagateDeploymentStatus(s, dep(conds));
    expect(pick(s, 'ResourcesAvailable')).toEqual(want);
  });

  it('container exiting → ContainerHealthy False ExitCode<N> and Ready False', () => {
    const s: KnStatus = {};
    lc.initializeRevisionConditions(s);
    lc.markContainerExiting(s, 1, 'boom');
    const want = { status: 'False', reason: 'ExitCode1', message: 'Container failed with: boom' };
    expect(pick(s, 'ContainerHealthy')).toEqual(want);
    expect(pick(s, 'Ready')).toEqual(want);
    lc.markContainerExiting(s, 0, '');
    expect(pick(s, 'ContainerHealthy')?.message).toBe(
      'Container failed with: container exited with no error',
    );
  });

  it('not owned', () => {
    const s: KnStatus = {};
    lc.markResourceNotOwned(s, 'Deployment', 'foo-00001-deployment');
    expect(pick(s, 'ResourcesAvailable')).toEqual({
      status: 'False',
      reason: 'NotOwned',
      message: 'There is an existing Deployment "foo-00001-deployment" that we do not own.',
    });
  });

  it('scaled to zero stays Ready with Active False NoTraffic', () => {
    const s: KnStatus & Record<string, unknown> = {};
    lc.initializeRevisionConditions(s);
    lc.markResourcesAvailableTrue(s);
    lc.markContainerHealthyTrue(s);
    lc.propagateReplicaStatus(s, dep([], 0, 0));
    expect(pick(s, 'Active')).toEqual({
      status: 'False',
      reason: 'NoTraffic',
      message: 'The target is not receiving traffic.',
    });
    expect(getCondition(s, 'Active')?.severity).toBe('Info');
    expect(pick(s, 'Ready')?.status).toBe('True');
    expect(s.actualReplicas).toBe(0);
    lc.propagateReplicaStatus(s, dep([], 1, 0));
    expect(pick(s, 'Active')).toEqual({
      status: 'Unknown',
      reason: 'Queued',
      message: 'Requests to the target are being buffered as resources are provisioned.',
    });
    lc.propagateReplicaStatus(s, dep([], 2, 1));
    expect(pick(s, 'Active')?.status).toBe('True');
    expect([s.actualReplicas, s.desiredReplicas]).toEqual([1, 2]);
  });
});

describe('Route lifecycle', () => {
  const cases: [string, (s: KnStatus) => void, string, Partial<Condition>][] = [
    [
      'missing revision',
      (s) => lc.markMissingTrafficTarget(s, 'Revision', 'foo-00009'),
      'AllTrafficAssigned',
      {
        status: 'False',
        reason: 'RevisionMissing',
        message: 'Revision "foo-00009" referenced in traffic not found.',
      },
    ],
    [
      'missing configuration',
      (s) => lc.markMissingTrafficTarget(s, 'Configuration', 'bar'),
      'AllTrafficAssigned',
      {
        status: 'False',
        reason: 'ConfigurationMissing',
        message: 'Configuration "bar" referenced in traffic not found.',
      },
    ],
    [
      'config not ready',
      (s) => lc.markConfigurationNotReady(s, 'foo'),
      'AllTrafficAssigned',
      {
        status: 'Unknown',
        reason: 'RevisionMissing',
        message: 'Configuration "foo" is waiting for a Revision to become ready.',
      },
    ],
    [
      'config failed',
      (s) => lc.markConfigurationFailed(s, 'foo'),
      'AllTrafficAssigned',
      {
        status: 'False',
        reason: 'RevisionMissing',
        message: 'Configuration "foo" does not have any ready Revision.',
      },
    ],
    [
      'revision not ready',
      (s) => lc.markRevisionNotReady(s, 'foo-00001'),
      'AllTrafficAssigned',
      { status: 'Unknown', reason: 'RevisionMissing', message: 'Revision "foo-00001" is not yet ready.' },
    ],
    [
      'revision failed',
      (s) => lc.markRevisionFailed(s, 'foo-00001'),
      'AllTrafficAssigned',
      { status: 'False', reason: 'RevisionMissing', message: 'Revision "foo-00001" failed to become ready.' },
    ],
    [
      'revision of other service',
      (s) => lc.markRevisionNotOwned(s, 'r', 'b', 'a'),
      'AllTrafficAssigned',
      {
        status: 'False',
        reason: 'RevisionNotOwned',
        message: 'Revision "r" belongs to Service "a", not Service "b".',
      },
    ],
    [
      'revision of no service',
      (s) => lc.markRevisionNotOwned(s, 'r', 'b', undefined),
      'AllTrafficAssigned',
      {
        status: 'False',
        reason: 'RevisionNotOwned',
        message: 'Revision "r" does not belong to Service "b".',
      },
    ],
    [
      'unknown error',
      (s) => lc.markUnknownTrafficError(s, 'oops'),
      'AllTrafficAssigned',
      { status: 'Unknown', reason: 'Unknown', message: 'oops' },
    ],
    [
      'ingress not configured',
      (s) => lc.markIngressNotConfigured(s),
      'IngressReady',
      { status: 'Unknown', reason: 'IngressNotConfigured', message: 'Ingress has not yet been reconciled.' },
    ],
    [
      'rollout',
      (s) => lc.markIngressRolloutInProgress(s),
      'IngressReady',
      {
        status: 'Unknown',
        reason: 'RolloutInProgress',
        message: 'A gradual rollout of the latest revision(s) is in progress.',
      },
    ],
    [
      'placeholder not owned',
      (s) => lc.markServiceNotOwned(s, 'foo'),
      'IngressReady',
      {
        status: 'False',
        reason: 'NotOwned',
        message: 'There is an existing placeholder Service "foo" that we do not own.',
      },
    ],
  ];
  it.each(cases)('%s', (_n, mark, type, want) => {
    const s: KnStatus = {};
    lc.initializeRouteConditions(s);
    mark(s);
    expect(pick(s, type)).toEqual(want);
    expect(pick(s, 'Ready')).toEqual(want);
  });

  it('becomes Ready with traffic assigned, ingress ready and TLS not enabled', () => {
    const s: KnStatus = {};
    lc.initializeRouteConditions(s);
    lc.markTrafficAssigned(s);
    lc.markIngressReady(s);
    lc.markTLSNotEnabled(s);
    expect(pick(s, 'CertificateProvisioned')).toEqual({
      status: 'True',
      reason: 'TLSNotEnabled',
      message: 'external-domain-tls is not enabled',
    });
    expect(pick(s, 'Ready')).toEqual({ status: 'True', reason: undefined, message: undefined });
  });
});

describe('DomainMapping lifecycle', () => {
  it('claim conflict and recovery', () => {
    const s: KnStatus = {};
    lc.initializeDomainMappingConditions(s);
    lc.markDomainClaimNotOwned(s);
    expect(pick(s, 'Ready')).toEqual({
      status: 'False',
      reason: 'DomainAlreadyClaimed',
      message: 'The domain name is already in use by another DomainMapping',
    });
    lc.markDomainClaimed(s);
    lc.markReferenceResolved(s);
    lc.markDomainMappingTLSNotEnabled(s);
    expect(pick(s, 'Ready')?.status).toBe('Unknown');
    lc.propagateDomainMappingIngressStatus(s, { type: 'Ready', status: 'True' });
    expect(pick(s, 'Ready')?.status).toBe('True');
  });
  it('reference not resolved', () => {
    const s: KnStatus = {};
    lc.markReferenceNotResolved(s, 'resolved URI "http://x/y" contains a path');
    expect(pick(s, 'ReferenceResolved')).toEqual({
      status: 'False',
      reason: 'ResolveFailed',
      message: 'resolved URI "http://x/y" contains a path',
    });
  });
});

describe('DomainMapping and certificate helpers (table)', () => {
  const cases: [string, (s: KnStatus) => void, string, Partial<Condition>][] = [
    [
      'claim failed',
      (s) => lc.markDomainClaimFailed(s, 'boom'),
      'DomainClaimed',
      { status: 'False', reason: 'DomainClaimFailed', message: 'boom' },
    ],
    [
      'dm ingress not configured',
      (s) => lc.markDomainMappingIngressNotConfigured(s),
      'IngressReady',
      { status: 'Unknown', reason: 'IngressNotConfigured', message: 'Ingress has not yet been reconciled.' },
    ],
    [
      'dm ingress failed',
      (s) =>
        lc.propagateDomainMappingIngressStatus(s, {
          type: 'Ready',
          status: 'False',
          reason: 'Bad',
          message: 'no',
        }),
      'IngressReady',
      { status: 'False', reason: 'Bad', message: 'no' },
    ],
    [
      'dm cert not ready',
      (s) => lc.markDomainMappingCertificateNotReady(s, 'c'),
      'CertificateProvisioned',
      { status: 'Unknown', reason: 'CertificateNotReady', message: 'Certificate c is not ready.' },
    ],
    [
      'dm cert failed',
      (s) => lc.markDomainMappingCertificateProvisionFailed(s, 'c'),
      'CertificateProvisioned',
      {
        status: 'False',
        reason: 'CertificateProvisionFailed',
        message: 'Certificate c failed to be provisioned.',
      },
    ],
    [
      'dm cert not owned',
      (s) => lc.markDomainMappingCertificateNotOwned(s, 'c'),
      'CertificateProvisioned',
      {
        status: 'False',
        reason: 'CertificateNotOwned',
        message: "There is an existing certificate c that we don't own.",
      },
    ],
    [
      'route cert failed',
      (s) => lc.markCertificateProvisionFailed(s, 'c', 'Expired'),
      'CertificateProvisioned',
      {
        status: 'False',
        reason: 'CertificateProvisionFailed',
        message: 'Certificate c fails to be provisioned: Expired',
      },
    ],
    [
      'route endpoint not owned',
      (s) => lc.markEndpointNotOwned(s, 'r'),
      'IngressReady',
      {
        status: 'False',
        reason: 'NotOwned',
        message: 'There is an existing placeholder Endpoint "r" that we do not own.',
      },
    ],
    [
      'route domain error',
      (s) => lc.markDomainConfigError(s, 'domain name error: bad'),
      'AllTrafficAssigned',
      { status: 'False', reason: 'ErrorConfig', message: 'domain name error: bad' },
    ],
  ];
  it.each(cases)('%s', (_n, mark, type, want) => {
    const s: KnStatus = {};
    mark(s);
    expect(pick(s, type)).toEqual({ reason: undefined, message: undefined, ...want });
  });

  it('true-with-reason helpers keep Ready computable', () => {
    const s: KnStatus = {};
    lc.initializeDomainMappingConditions(s);
    lc.markDomainClaimed(s);
    lc.markReferenceResolved(s);
    lc.markDomainMappingIngressReady(s);
    lc.markCertificateExternallyProvided(s);
    expect(pick(s, 'CertificateProvisioned')).toEqual({
      status: 'True',
      reason: 'CertificateExternallyProvided',
      message: 'TLS certificate was provided externally',
    });
    expect(pick(s, 'Ready')?.status).toBe('True');
  });
});
