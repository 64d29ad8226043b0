/**
 * TLS material for the embedded API server: a CA and a serving certificate (SANs 127.0.0.1, ::1,
 * localhost and the bind host) generated with node-forge at first start and kept in the data
 * directory with mode 0600, so kubeconfigs written earlier stay valid across restarts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/** PEM-encoded CA certificate plus the server's key pair. */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Writes a file readable only by its owner. */
export function writePrivateFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file; tighten it explicitly.
  fs.chmodSync(file, 0o600);
}

function keyPair(): forge.pki.rsa.KeyPair {
  // Node's native RSA generation is ~100x faster than forge's pure-JS one.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { privateKey: priv, publicKey: pub };
}

function serial(): string {
  // Positive 128-bit serial: a leading 0x01..0x7f byte keeps the DER integer positive.
  return '01' + crypto.randomBytes(15).toString('hex');
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function makeCert(hosts: string[]): TlsMaterial {
  const now = new Date(Date.now() - 60_000);
  const tenYears = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);

  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = now;
  ca.validity.notAfter = tenYears;
  const caName = [{ name: 'commonName', value: 'knlite-ca' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = tenYears;
  cert.setSubject([{ name: 'commonName', value: 'knlite-apiserver' }]);
  cert.setIssuer(caName);
  const altNames = [...new Set(hosts)].map((h) => (isIp(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

/** Loads the TLS material from `dataDir`, generating and persisting it (0600) on first use. */
export function ensureTls(dataDir: string, host = '127.0.0.1'): TlsMaterial {
  const dir = path.join(dataDir, 'pki');
  const files = {
    caPem: path.join(dir, 'ca.crt'),
    certPem: path.join(dir, 'apiserver.crt'),
    keyPem: path.join(dir, 'apiserver.key'),
  };
  if (Object.values(files).every((f) => fs.existsSync(f))) {
    return {
      caPem: fs.readFileSync(files.caPem, 'utf8'),
      certPem: fs.readFileSync(files.certPem, 'utf8'),
      keyPem: fs.readFileSync(files.keyPem, 'utf8'),
    };
  }
  const hosts = ['127.0.0.1', '::1', 'localhost'];
  if (host && host !== '0.0.0.0' && host !== '::') hosts.push(host);
  const m = makeCert(hosts);
  // The CA's private key is not kept: nothing else is ever signed with it.
  writePrivateFile(files.caPem, m.caPem);
  writePrivateFile(files.certPem, m.certPem);
  writePrivateFile(files.keyPem, m.keyPem);
  return m;
}
