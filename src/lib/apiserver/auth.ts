/**
 * Bearer-token authentication: one admin token generated at first start and kept in the data
 * directory (mode 0600), and service-account tokens (sa-token.ts) while their service account and
 * bound object still exist with the uids the token names. Requests with neither get 401
 * Unauthorized as a metav1.Status; the health and version endpoints stay public like
 * kube-apiserver's system:public-info-viewer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { writePrivateFile } from './tls.js';
import type { KubeObject } from '../apis/types.js';
import { serviceAccountUsername, type TokenSigner } from './sa-token.js';
import type { UserInfo } from './types.js';

/** The username of the admin token (recorded as serving.knative.dev/creator). */
export const ADMIN_USER = 'knlite-admin';

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/livez', '/version']);

/** Loads the admin token from `dataDir`, generating it on first use. */
export function ensureToken(dataDir: string): string {
  const file = path.join(dataDir, 'token');
  if (fs.existsSync(file)) {
    const t = fs.readFileSync(file, 'utf8').trim();
    if (t) return t;
  }
  const token = crypto.randomBytes(32).toString('hex');
  writePrivateFile(file, token + '\n');
  return token;
}

/** Whether a path may be read without credentials. */
export function isPublicPath(pathname: string): boolean {
  return (
    PUBLIC_PATHS.has(pathname) ||
    pathname.startsWith('/healthz/') ||
    pathname.startsWith('/readyz/') ||
    pathname.startsWith('/livez/')
  );
}

/** What service-account tokens are checked against: the signer and the stored objects. */
export interface ServiceAccountAuth {
  signer: TokenSigner;
  get(
    resource: 'serviceaccounts' | 'pods' | 'secrets',
    namespace: string,
    name: string,
  ): KubeObject | undefined;
}

/**
 * Returns the caller for a request carrying the admin token or a valid service-account token,
 * undefined otherwise.
 */
export function authenticate(
  req: IncomingMessage,
  token: string,
  sa?: ServiceAccountAuth,
): UserInfo | undefined {
  const h = req.headers.authorization;
  if (!h || !/^bearer /i.test(h)) return undefined;
  const raw = h.slice(7).trim();
  const given = Buffer.from(raw);
  const want = Buffer.from(token);
  if (given.length === want.length && crypto.timingSafeEqual(given, want))
    return { username: ADMIN_USER, groups: ['system:masters', 'system:authenticated'] };
  return sa ? serviceAccountUser(raw, sa) : undefined;
}

function serviceAccountUser(raw: string, sa: ServiceAccountAuth): UserInfo | undefined {
  const c = sa.signer.verify(raw);
  if (!c) return undefined;
  // Bound tokens are valid only while what they name exists with the same uid (kube's validator).
  const account = sa.get('serviceaccounts', c.namespace, c.serviceAccount.name);
  if (!account || account.metadata.uid !== c.serviceAccount.uid || account.metadata.deletionTimestamp)
    return undefined;
  const extra: Record<string, string[]> = {};
  if (c.bound) {
    const obj = sa.get(c.bound.kind === 'Pod' ? 'pods' : 'secrets', c.namespace, c.bound.name);
    if (!obj || obj.metadata.uid !== c.bound.uid) return undefined;
    const gone = obj.metadata.deletionTimestamp;
    if (gone && Date.parse(gone) <= sa.signer.now() * 1000) return undefined;
    if (c.bound.kind === 'Pod') {
      extra['authentication.kubernetes.io/pod-name'] = [c.bound.name];
      extra['authentication.kubernetes.io/pod-uid'] = [c.bound.uid];
    }
  }
  return {
    username: serviceAccountUsername(c.namespace, c.serviceAccount.name),
    uid: c.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${c.namespace}`, 'system:authenticated'],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
