/**
 * A local certificate authority for Knative `Certificate`s: a self-signed CA (kept by the local
 * cluster in its data directory) and leaf certificates for a Certificate's DNS names, made with
 * node-forge the way the embedded API server's TLS material is (RSA keys from Node's crypto).
 */
import crypto from 'node:crypto';
import forge from 'node-forge';

/** A CA's certificate and private key (PEM). */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

/** A leaf certificate (PEM) and when it expires. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** Leaf certificates live 90 days (like ACME's) and are renewed 30 days before they expire. */
export const LEAF_VALIDITY_DAYS = 90;
export const RENEW_BEFORE_DAYS = 30;

const DAY = 24 * 3600_000;

function keyPair(): forge.pki.rsa.KeyPair {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function serial(): string {
  // Positive 128-bit serial: a leading 0x01 byte keeps the DER integer positive.
  return '01' + crypto.randomBytes(15).toString('hex');
}

/** A new self-signed CA valid for ten years. */
export function makeCertificateAuthority(commonName = 'knlite local ingress CA'): CertificateAuthority {
  const now = new Date(Date.now() - 60_000);
  const keys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = keys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = now;
  ca.validity.notAfter = new Date(now.getTime() + 3650 * DAY);
  const name = [{ name: 'commonName', value: commonName }];
  ca.setSubject(name);
  ca.setIssuer(name);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(ca), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A server certificate for `dnsNames` (the first is the subject's common name) signed by `ca`. */
export function issueCertificate(
  ca: CertificateAuthority,
  dnsNames: string[],
  now: Date = new Date(),
): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY);
  // A common name is limited to 64 characters; the SANs are what clients check.
  cert.setSubject([{ name: 'commonName', value: (dnsNames[0] ?? 'knlite').slice(0, 64) }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    notAfter: cert.validity.notAfter,
  };
}

/**
 * Whether `certPem` was issued by `ca`, names exactly `dnsNames` and is not due for renewal;
 * returns its expiry when it is still good.
 */
export function stillValid(
  ca: CertificateAuthority,
  certPem: string,
  dnsNames: string[],
  now: Date = new Date(),
): Date | undefined {
  try {
    const x = new crypto.X509Certificate(certPem);
    if (!x.verify(new crypto.X509Certificate(ca.certPem).publicKey)) return undefined;
    const names = (x.subjectAltName ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4))
      .sort();
    if (names.join(',') !== [...dnsNames].sort().join(',')) return undefined;
    const notAfter = new Date(x.validTo);
    if (notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY) return undefined;
    return notAfter;
  } catch {
    return undefined;
  }
}
