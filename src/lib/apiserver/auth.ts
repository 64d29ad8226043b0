/**
 * Bearer-token authentication: one admin token generated at first start and kept in the data
 * directory (mode 0600). Requests without it get 401 Unauthorized as a metav1.Status; the health
 * and version endpoints stay public like kube-apiserver's system:public-info-viewer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { writePrivateFile } from './tls.js';
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

/** Returns the caller for a request carrying the admin token, undefined otherwise. */
export function authenticate(req: IncomingMessage, token: string): UserInfo | undefined {
  const h = req.headers.authorization;
  if (!h || !/^bearer /i.test(h)) return undefined;
  const given = Buffer.from(h.slice(7).trim());
  const want = Buffer.from(token);
  if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) return undefined;
  return { username: ADMIN_USER, groups: ['system:masters', 'system:authenticated'] };
}
