/**
 * Configuration reconciler (pkg/reconciler/configuration): stamps one Revision per generation and
 * tracks latestCreated/latestReady. A failing new Revision leaves latestReady on the last good
 * one, so Routes keep serving it.
 */
import { getCondition, isReady, READY } from '../../apis/conditions.js';
import { Labels } from '../../apis/keys.js';
import {
  configurationConditionSet,
  initializeConfigurationConditions,
  markLatestCreatedFailed,
  markRevisionCreationFailed,
  setLatestCreatedRevisionName,
  setLatestReadyRevisionName,
} from '../../apis/lifecycle/configuration.js';
import type { Configuration, Revision } from '../../apis/types.js';
import { Index, type ReconcilerDeps } from '../context.js';
import { defaultRevisionSpec } from '../defaults.js';
import type { KindReconciler } from '../framework/driver.js';
import { Kinds } from '../../kube/kinds.js';
import { ApiError, isAlreadyExists } from '../../kube/errors.js';
import { markNewObservedGeneration } from '../status.js';
import { checkNameAvailability } from './byo-name.js';
import { makeRevision } from './resources/revision.js';

const generationOf = (rev: Revision): number =>
  Number(rev.metadata.labels?.[Labels.configurationGeneration] ?? 0);

/** Builds the Configuration reconciler. */
export function configurationReconciler(deps: ReconcilerDeps): KindReconciler<Configuration> {
  const { listers, client, recorder } = deps;
  const now = () => deps.now();
  const ownRevisions = (config: Configuration) =>
    listers.revisions.byIndex(Index.byConfiguration, `${config.metadata.namespace}/${config.metadata.name}`);

  /** The Revision stamped for the current generation: by BYO name, else by labels (never by generated name). */
  function latestCreatedRevision(config: Configuration): Revision | ApiError | undefined {
    const availability = checkNameAvailability(config, listers.revisions);
    if (availability.state === 'taken')
      return new ApiError(409, { reason: 'AlreadyExists', message: availability.message });
    if (availability.state === 'ours') return availability.revision;
    if (availability.state === 'notFound') return undefined;
    const gen = String(config.metadata.generation ?? 0);
    return ownRevisions(config).find((r) => r.metadata.labels?.[Labels.configurationGeneration] === gen);
  }

  /** Revisions from the latest ready one's generation up to now, newest first (BYO template name first). */
  function sortedCandidates(config: Configuration, lcr: Revision): Revision[] {
    let revs = ownRevisions(config);
    const lrr = config.status?.latestReadyRevisionName;
    const lrrRev = lrr ? listers.revisions.get(config.metadata.namespace, lrr) : undefined;
    if (lrrRev) {
      const start = generationOf(lrrRev);
      const end = config.metadata.generation ?? 0;
      revs = revs.filter(
        (r) => (generationOf(r) >= start && generationOf(r) <= end) || r.metadata.name === lcr.metadata.name,
      );
    }
    const byo = config.spec.template?.metadata?.name;
    return revs.sort((a, b) => {
      if (byo && a.metadata.name === byo) return -1;
      if (byo && b.metadata.name === byo) return 1;
      return generationOf(b) - generationOf(a);
    });
  }

  function findAndSetLatestReadyRevision(config: Configuration, lcr: Revision): void {
    for (const rev of sortedCandidates(config, lcr)) {
      if (!isReady(rev)) continue;
      const old = config.status!.latestReadyRevisionName;
      setLatestReadyRevisionName(config.status!, rev.metadata.name!, now);
      if (old !== rev.metadata.name) {
        recorder.event(
          config,
          'Normal',
          'LatestReadyUpdate',
          `LatestReadyRevisionName updated to "${rev.metadata.name}"`,
        );
      }
      return;
    }
  }

  return {
    kind: Kinds.configuration,
    setDefaults: (config) => defaultRevisionSpec(config.spec.template?.spec),
    initializeStatus: (config) => {
      initializeConfigurationConditions(config.status!, now);
      markNewObservedGeneration(configurationConditionSet, config, now);
    },
    async reconcileKind(config) {
      let lcr = latestCreatedRevision(config);
      if (lcr instanceof ApiError) {
        // The BYO name belongs to another Configuration or another generation of this one.
        markRevisionCreationFailed(config.status!, lcr.message, now);
        return;
      }
      if (!lcr) {
        try {
          lcr = await client.create(Kinds.revision, makeRevision(config, deps.now()));
          recorder.event(config, 'Normal', 'Created', `Created Revision "${lcr.metadata.name}"`);
        } catch (err) {
          // A racing create (stale cache): retry; the next pass finds it by label or name.
          if (isAlreadyExists(err)) throw err;
          recorder.event(
            config,
            'Warning',
            'CreationFailed',
            `Failed to create Revision: ${(err as Error).message}`,
          );
          markRevisionCreationFailed(config.status!, (err as Error).message, now);
          throw new Error(`failed to create Revision: ${(err as Error).message}`);
        }
      }

      const revName = lcr.metadata.name!;
      setLatestCreatedRevisionName(config.status!, revName, now);

      const rc = getCondition(lcr.status, READY);
      if (rc?.status === 'True') {
        if (!config.status!.latestReadyRevisionName)
          recorder.event(config, 'Normal', 'ConfigurationReady', 'Configuration becomes ready');
      } else if (rc?.status === 'False') {
        const before = structuredClone(getCondition(config.status, READY));
        markLatestCreatedFailed(config.status!, revName, rc.message ?? '', now);
        const after = getCondition(config.status, READY);
        if (
          before?.status !== after?.status ||
          before?.reason !== after?.reason ||
          before?.message !== after?.message
        ) {
          if (revName === config.status!.latestReadyRevisionName) {
            recorder.event(
              config,
              'Warning',
              'LatestReadyFailed',
              `Latest ready revision "${revName}" has failed`,
            );
          } else {
            recorder.event(
              config,
              'Warning',
              'LatestCreatedFailed',
              `Latest created revision "${revName}" has failed`,
            );
          }
        }
      }
      findAndSetLatestReadyRevision(config, lcr);
    },
  };
}
