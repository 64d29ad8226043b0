/**
 * The kubelet's service-account token manager: the tokens of projected `serviceAccountToken`
 * sources, requested through the pod's service account's `token` subresource (TokenRequest) bound
 * to the pod, cached per pod and source, and refreshed once 80% of their lifetime (or 24 hours)
 * has passed, as the kubelet's token manager does. A token is requested only for a pod the API
 * server knows (it has a uid): the token is bound to it and dies with it.
 */
import type { PodFacts } from './env.js';

/** A projected serviceAccountToken source. */
export interface TokenSource {
  audience?: string;
  expirationSeconds?: number;
}

/** Posts one TokenRequest for service account `name` and returns its status. */
export type TokenRequester = (
  namespace: string,
  name: string,
  body: Record<string, unknown>,
) => Promise<{ status?: { token?: string; expirationTimestamp?: string } }>;

/** The kubelet's default lifetime of a projected token (and the API server's minimum is 600 s). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_REFRESH_MS = 24 * 3600 * 1000;

interface Entry {
  podUid: string;
  token?: string;
  expiresMs: number;
  refreshMs: number;
  error?: string;
  inFlight?: Promise<void>;
  timer?: NodeJS.Timeout;
}

/** Why a token is not there (yet): the volume waits, as on the kubelet (FailedMount). */
export class TokenUnavailable extends Error {}

/** Tokens per pod and projected source. */
export class TokenManager {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly request: TokenRequester,
    /** Called when a pod's token changed or is due for refresh (the volume is rewritten). */
    private readonly changed: (podUid: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The current token for `pod` and `source`. Starts a request when there is none or it is due
   * for refresh (a due token that is still valid is returned meanwhile); throws TokenUnavailable
   * while no valid token exists.
   */
  token(pod: PodFacts, source: TokenSource): string {
    if (!pod.uid) throw new TokenUnavailable('waiting for the pod to be created');
    const sa = pod.serviceAccountName || 'default';
    const expirationSeconds = source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const key = JSON.stringify([pod.uid, sa, source.audience ?? '', expirationSeconds]);
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { podUid: pod.uid, expiresMs: 0, refreshMs: 0 }));
    const now = this.now();
    if (now >= e.refreshMs && !e.inFlight) {
      const entry = e;
      const body = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          ...(source.audience ? { audiences: [source.audience] } : {}),
          expirationSeconds,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.name, uid: pod.uid },
        },
      };
      entry.inFlight = this.request(pod.namespace, sa, body)
        .then((tr) => {
          const token = tr.status?.token;
          const expires = Date.parse(tr.status?.expirationTimestamp ?? '');
          if (!token || Number.isNaN(expires)) throw new Error('the API server answered without a token');
          const issued = this.now();
          entry.token = token;
          entry.expiresMs = expires;
          entry.refreshMs = issued + Math.min(0.8 * (expires - issued), MAX_REFRESH_MS);
          entry.error = undefined;
          this.schedule(key, entry);
        })
        .catch((err: unknown) => {
          entry.error = (err as Error)?.message ?? String(err);
        })
        .finally(() => {
          entry.inFlight = undefined;
          if (this.entries.get(key) === entry) this.changed(entry.podUid);
        });
    }
    if (e.token && now < e.expiresMs) return e.token;
    throw new TokenUnavailable(
      e.error ? `failed to fetch token: ${e.error}` : 'waiting for a service account token',
    );
  }

  /** Forgets a pod's tokens (the pod is gone). */
  forget(podUid: string): void {
    for (const [key, e] of this.entries)
      if (e.podUid === podUid) {
        clearTimeout(e.timer);
        this.entries.delete(key);
      }
  }

  /** Stops every refresh timer. */
  close(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }

  private schedule(key: string, e: Entry): void {
    clearTimeout(e.timer);
    const delay = Math.max(0, e.refreshMs - this.now());
    // Timers cap at ~24.8 days; the 24 h refresh ceiling keeps delays well below.
    e.timer = setTimeout(() => {
      if (this.entries.get(key) === e) this.changed(e.podUid);
    }, delay);
    e.timer.unref();
  }
}
