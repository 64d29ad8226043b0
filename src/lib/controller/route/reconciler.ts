/**
 * Route reconciler (Knative's pkg/reconciler/route): resolves traffic all-or-nothing, publishes
 * url/address/traffic, writes the Route's KIngress and placeholder Services, and propagates
 * IngressReady from the KIngress's Ready — set by whichever ingress implementation serves the
 * Route's ingress class, never by this reconciler.
 */
import {
  initializeRouteConditions,
  markCertificateNotOwned,
  markCertificateNotReady,
  markCertificateProvisionFailed,
  markCertificateReady,
  markDomainConfigError,
  markHTTPDowngrade,
  markIngressNotConfigured,
  markIngressRolloutInProgress,
  markServiceNotOwned,
  markTLSNotEnabled,
  TLSMessages,
  markTrafficAssigned,
  markUnknownTrafficError,
  propagateIngressStatus,
  routeConditionSet,
  RouteConditions,
} from '../../apis/lifecycle/route.js';
import { getCondition, READY } from '../../apis/conditions.js';
import { isCertificateReady } from '../../apis/lifecycle/certificate.js';
import { formatUrl } from '../../apis/config/network.js';
import { Annotations } from '../../apis/keys.js';
import type { Certificate, Ingress, KubeObject, KubeService, Route } from '../../apis/types.js';
import { isControlledBy } from '../../apis/owner.js';
import { type ReconcilerDeps } from '../context.js';
import { ingressObserved, reconcileIngress } from '../ingress.js';
import { CertificateNotOwnedError, reconcileCertificate } from '../owned-certificate.js';
import { defaultTraffic } from '../defaults.js';
import type { KindReconciler } from '../framework/driver.js';
import { semanticEqual } from '../framework/equality.js';
import { isAlreadyExists } from '../../kube/errors.js';
import { Kinds, type Kind } from '../../kube/kinds.js';
import { markNewObservedGeneration } from '../status.js';
import {
  externalDomainTLSEnabled,
  externalHosts,
  makeCertificates,
  makeIngressTLS,
  type IngressTLS,
} from './resources/certificate.js';
import {
  routeAddress,
  routeHost,
  routeIsClusterLocal,
  routeUrl,
  tagUrl,
  validateHost,
} from './resources/domains.js';
import {
  groupHostname,
  ingressClassFor,
  ingressName,
  makeIngress,
  trafficGroups,
} from './resources/ingress.js';
import { parseRollout, rolloutDone, type Rollout } from '../../apis/rollout.js';
import {
  applyRollout,
  buildRollout,
  observeReady,
  rolloutDurationSeconds,
  stepRollout,
} from './resources/rollout.js';
import { makePlaceholderService } from './resources/service.js';
import { makeStatusTraffic, resolveTraffic, type RevisionTarget } from './resources/traffic.js';

/** Builds the Route reconciler. */
export function routeReconciler(deps: ReconcilerDeps): KindReconciler<Route> {
  const { listers, client, recorder } = deps;
  const now = () => deps.now();

  /** Creates a child of the route, recording Knative's Created / CreationFailed events. */
  async function createChild<T extends KubeObject>(
    route: Route,
    kind: Kind,
    label: string,
    want: T,
  ): Promise<T> {
    try {
      const created = await client.create(kind, want);
      recorder.event(route, 'Normal', 'Created', `Created ${label} "${want.metadata.name}"`);
      return created;
    } catch (err) {
      recorder.event(
        route,
        'Warning',
        'CreationFailed',
        `Failed to create ${label} "${want.metadata.name}": ${(err as Error).message}`,
      );
      throw new Error(`failed to create ${label}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** One placeholder Service per traffic group; false (and IngressReady NotOwned) when a name is taken. */
  async function reconcilePlaceholderServices(
    route: Route,
    targets: readonly RevisionTarget[],
    ingress: Ingress | undefined,
  ): Promise<boolean> {
    const cfg = deps.config();
    for (const group of trafficGroups(targets).keys()) {
      const hostname = groupHostname(route, cfg, group);
      const want = makePlaceholderService(route, hostname, routeHost(route, cfg, hostname), ingress);
      const have =
        listers.placeholderServices.get(route.metadata.namespace, hostname) ??
        listers.kubeServices.get(route.metadata.namespace, hostname);
      if (!have) {
        try {
          await createChild(route, Kinds.kubeService, 'placeholder service', want);
        } catch (err) {
          // A Service of that name that our caches do not show (it lacks the route label) is not ours.
          if (!isAlreadyExists((err as Error).cause)) throw err;
          markServiceNotOwned(route.status!, hostname, now);
          return false;
        }
        continue;
      }
      if (!isControlledBy(have, route)) {
        markServiceNotOwned(route.status!, hostname, now);
        return false;
      }
      if (
        semanticEqual(have.spec, { ...have.spec, ...want.spec }) &&
        semanticEqual(have.metadata.labels, want.metadata.labels) &&
        semanticEqual(have.metadata.annotations, want.metadata.annotations)
      )
        continue;
      const update: KubeService = structuredClone(have);
      update.spec = { ...have.spec, ...want.spec };
      update.metadata.labels = want.metadata.labels;
      update.metadata.annotations = want.metadata.annotations;
      await client.replace(Kinds.kubeService, update);
    }
    return true;
  }

  /** Creates or updates one desired Certificate; marks NotOwned / ProvisionFailed and throws on failure. */
  async function reconcileRouteCertificate(route: Route, want: Certificate): Promise<Certificate> {
    const name = want.metadata.name!;
    try {
      return await reconcileCertificate(client, recorder, listers.certificates, route, want);
    } catch (err) {
      if (err instanceof CertificateNotOwnedError) markCertificateNotOwned(route.status!, name, now);
      else markCertificateProvisionFailed(route.status!, name, (err as Error).message, now);
      throw err;
    }
  }

  /**
   * external-domain-tls (Knative's route.go externalDomainTLS): a Certificate per external host;
   * a ready one turns its hosts' URLs to https, one not ready yet downgrades them to http while
   * `http-protocol` is Enabled. Returns the KIngress TLS entries.
   */
  async function reconcileTLS(route: Route, tags: string[]): Promise<IngressTLS[]> {
    const cfg = deps.config();
    const status = route.status!;
    if (!externalDomainTLSEnabled(route, cfg)) {
      markTLSNotEnabled(status, undefined, now);
      return [];
    }
    const hosts = externalHosts(route, cfg, tags);
    if (hosts.size === 0 || routeIsClusterLocal(route, cfg)) {
      markTLSNotEnabled(status, TLSMessages.clusterLocal, now);
      return [];
    }
    const mainHost = routeHost(route, cfg, route.metadata.name!);
    const setScheme = (dnsNames: string[], scheme: string): void => {
      if (dnsNames.includes(mainHost)) status.url = formatUrl(mainHost, cfg.network, { scheme });
      for (const t of status.traffic ?? []) {
        if (!t.url) continue;
        const host = new URL(t.url).hostname;
        if (dnsNames.includes(host)) t.url = formatUrl(host, cfg.network, { scheme });
      }
    };
    const tls: IngressTLS[] = [];
    for (const want of makeCertificates(route, hosts, cfg)) {
      const cert = await reconcileRouteCertificate(route, want);
      const dnsNames = cert.spec.dnsNames ?? [];
      if (isCertificateReady(cert)) {
        markCertificateReady(status, now);
        setScheme(dnsNames, 'https');
      } else {
        markCertificateNotReady(
          status,
          cert.metadata.name!,
          getCondition(cert.status, READY)?.reason ?? '',
          now,
        );
        if (cfg.network.httpProtocol === 'enabled') {
          setScheme(dnsNames, 'http');
          markHTTPDowngrade(status, cert.metadata.name!, now);
        } else setScheme(dnsNames, 'https');
      }
      tls.push(makeIngressTLS(cert, dnsNames));
    }
    return tls;
  }

  /**
   * The rollout to program (Knative's reconcileRollout): the steady state of `targets` unless a
   * rollout duration is set and the KIngress exists; then the previous state from the KIngress's
   * annotation, timed once its first step is ready, stepped to now. `requeueAfter`: when the next
   * step is due.
   */
  function reconcileRollout(
    route: Route,
    targets: readonly RevisionTarget[],
  ): { rollout: Rollout; requeueAfter?: number } {
    const want = buildRollout(trafficGroups(targets));
    const have = listers.ingresses.get(route.metadata.namespace, ingressName(route));
    const durationSecs = rolloutDurationSeconds(route, deps.config());
    if (!have || durationSecs <= 0) return { rollout: want };
    const prev = parseRollout(have.metadata.annotations?.[Annotations.rollout]);
    const nowNs = now().getTime() * 1e6;
    const ingressReady = ingressObserved(have) && getCondition(have.status, READY)?.status === 'True';
    const routeView = getCondition(route.status, RouteConditions.ingressReady);
    if (prev && ingressReady && routeView?.status !== 'True') observeReady(prev, nowNs, durationSecs);
    const { rollout, nextStepTime } = stepRollout(want, prev, nowNs);
    if (nextStepTime <= 0) return { rollout };
    return { rollout, requeueAfter: Math.max(0, (nextStepTime - nowNs) / 1e6) };
  }

  return {
    kind: Kinds.route,
    setDefaults: (route) => defaultTraffic(route.spec.traffic),
    initializeStatus: (route) => {
      initializeRouteConditions(route.status!, now);
      // A new generation has not been programmed into the gateway yet.
      if ((route.status!.observedGeneration ?? 0) !== (route.metadata.generation ?? 0))
        markIngressNotConfigured(route.status!, now);
      markNewObservedGeneration(routeConditionSet, route, now);
    },
    async reconcileKind(route) {
      const cfg = deps.config();
      const status = route.status!;

      // Hosts first: a bad domain/tag template fails the route before any traffic moves.
      let hostError: string | undefined;
      try {
        const hosts = [
          routeHost(route, cfg, route.metadata.name!),
          ...(route.spec.traffic ?? [])
            .filter((t) => t.tag)
            .map((t) => new URL(tagUrl(route, cfg, t.tag!)).hostname),
        ];
        hostError = hosts.map(validateHost).find(Boolean);
      } catch (err) {
        hostError = `domain name error: ${(err as Error).message}`;
      }
      if (hostError) {
        markDomainConfigError(status, hostError, now);
        return;
      }

      const result = resolveTraffic(route, listers.configurations, listers.revisions);
      status.url = routeUrl(route, cfg);
      if (result.error) {
        // All or nothing: keep the previous status.traffic (and gateway programming).
        result.error.mark(status, now);
        return;
      }
      const { rollout, requeueAfter } = reconcileRollout(route, result.targets);
      const inProgress = !rolloutDone(rollout);
      try {
        // During a rollout, a latest-revision target shows each revision being rolled with its share.
        status.traffic = makeStatusTraffic(
          applyRollout(result.targets, rollout, (t) => t.tag ?? ''),
          (tag) => tagUrl(route, cfg, tag),
        );
      } catch (err) {
        markUnknownTrafficError(status, (err as Error).message, now);
        throw err;
      }
      markTrafficAssigned(status, now);
      status.address = { url: routeAddress(route) };
      const tags = [...new Set(result.targets.flatMap((t) => (t.tag ? [t.tag] : [])))];
      const tls = await reconcileTLS(route, tags);

      const ingress = await reconcileIngress(
        client,
        listers.ingresses,
        makeIngress(route, result.targets, cfg, ingressClassFor(route, cfg), tls, rollout),
        (want) => createChild(route, Kinds.ingress, 'Ingress', want),
      );
      if (!(await reconcilePlaceholderServices(route, result.targets, ingress))) return;
      // Ready only on the ingress implementation's word for this very generation of the KIngress.
      if (!ingressObserved(ingress)) markIngressNotConfigured(status, now);
      else if (!inProgress) propagateIngressStatus(status, getCondition(ingress.status, READY), now);
      if (inProgress) markIngressRolloutInProgress(status, now);
      return requeueAfter === undefined ? undefined : { requeueAfter };
    },
  };
}
