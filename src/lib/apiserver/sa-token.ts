/**
 * Service-account tokens, as kube-apiserver issues and checks them: RS256 JWTs signed with a key
 * pair generated at first start and kept in the data directory (`sa.key`, mode 0600, like
 * `--service-account-key-file`). The claims are kube's bound-token claims (iss, sub
 * `system:serviceaccount:<ns>:<name>`, aud, exp, iat, nbf, jti and `kubernetes.io` with the
 * namespace, the service account and the bound pod or secret). Verification checks the signature,
 * the time window and the audience; whether the service account and bound object still exist is
 * the caller's check (auth.ts), because only it can read the store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from './tls.js';

/** kube-apiserver's `--service-account-issuer` default on kubeadm/kind clusters, also its API audience. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The object a token is bound to (TokenRequest spec.boundObjectRef). */
export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

/** What a token says about its holder. */
export interface TokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  bound?: BoundObject;
  audiences: string[];
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The username a service account authenticates as. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Issues and verifies service-account tokens with the data directory's signing key. */
export class TokenSigner {
  private readonly key: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private readonly kid: string;

  constructor(
    dataDir: string,
    readonly issuer = DEFAULT_ISSUER,
    /** The audiences this server accepts (`--api-audiences`; default: the issuer). */
    readonly audiences: string[] = [issuer],
    /** Seconds since the epoch (tests inject a clock). */
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    const file = path.join(dataDir, 'sa.key');
    let pem = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (!pem.includes('PRIVATE KEY')) {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      writePrivateFile(file, pem);
    }
    this.key = crypto.createPrivateKey(pem);
    this.publicKey = crypto.createPublicKey(this.key);
    // kube's key id: the base64url SHA-256 of the DER public key.
    this.kid = b64url(
      crypto
        .createHash('sha256')
        .update(this.publicKey.export({ type: 'spki', format: 'der' }))
        .digest(),
    );
  }

  /** Signs a token with these claims. */
  issue(c: TokenClaims): string {
    const k8s: Record<string, unknown> = {
      namespace: c.namespace,
      serviceaccount: { name: c.serviceAccount.name, uid: c.serviceAccount.uid },
    };
    if (c.bound) k8s[c.bound.kind.toLowerCase()] = { name: c.bound.name, uid: c.bound.uid };
    const payload = {
      aud: c.audiences,
      exp: c.expiresAt,
      iat: c.issuedAt,
      iss: this.issuer,
      jti: crypto.randomUUID(),
      'kubernetes.io': k8s,
      nbf: c.issuedAt,
      sub: serviceAccountUsername(c.namespace, c.serviceAccount.name),
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(payload));
    const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), this.key);
    return `${head}.${body}.${b64url(sig)}`;
  }

  /**
   * The claims of a token this server issued that is valid now and meant for one of its
   * audiences; undefined for anything else (another signer, expired, another audience, malformed).
   */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
      if (head.alg !== 'RS256') return undefined;
      const ok = crypto.verify(
        'sha256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        this.publicKey,
        Buffer.from(parts[2], 'base64url'),
      );
      if (!ok) return undefined;
      const p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {
        aud?: string[] | string;
        exp?: number;
        iat?: number;
        nbf?: number;
        iss?: string;
        sub?: string;
        'kubernetes.io'?: {
          namespace?: string;
          serviceaccount?: { name?: string; uid?: string };
          pod?: { name?: string; uid?: string };
          secret?: { name?: string; uid?: string };
        };
      };
      const now = this.now();
      if (p.iss !== this.issuer || typeof p.exp !== 'number' || p.exp <= now) return undefined;
      // kube's validator allows a minute of clock skew on nbf.
      if (typeof p.nbf === 'number' && p.nbf > now + 60) return undefined;
      const aud = Array.isArray(p.aud) ? p.aud : p.aud ? [p.aud] : [];
      if (!aud.some((a) => this.audiences.includes(a))) return undefined;
      const k = p['kubernetes.io'];
      const sa = k?.serviceaccount;
      if (!k?.namespace || !sa?.name || !sa.uid) return undefined;
      if (p.sub !== serviceAccountUsername(k.namespace, sa.name)) return undefined;
      const claims: TokenClaims = {
        namespace: k.namespace,
        serviceAccount: { name: sa.name, uid: sa.uid },
        audiences: aud,
        issuedAt: p.iat ?? 0,
        expiresAt: p.exp,
      };
      const bound = k.pod
        ? { kind: 'Pod' as const, ...k.pod }
        : k.secret
          ? { kind: 'Secret' as const, ...k.secret }
          : undefined;
      if (bound) {
        if (!bound.name || !bound.uid) return undefined;
        claims.bound = { kind: bound.kind, name: bound.name, uid: bound.uid };
      }
      return claims;
    } catch {
      return undefined;
    }
  }
}
