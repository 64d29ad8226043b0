/**
 * The local cluster's ingress CA: created by the first `knlite cluster start`, kept in the data
 * directory (`pki/ingress-ca.crt`, `pki/ingress-ca.key`, mode 0600), and used by the reconciler to
 * issue the Certificates of Routes when config-network `external-domain-tls` is Enabled. Trust
 * `ingress-ca.crt` (e.g. `curl --cacert`) to reach https Route URLs without warnings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificateAuthority, type CertificateAuthority } from '../controller/certificate/issuer.js';
import { ensurePrivateDir, writePrivateFile } from './paths.js';

/** The CA and the path of its certificate file. */
export interface LocalCa extends CertificateAuthority {
  certFile: string;
}

/** Loads the ingress CA from `dataDir`, creating it on first use. */
export function ensureIngressCa(dataDir: string): LocalCa {
  const dir = join(dataDir, 'pki');
  const certFile = join(dir, 'ingress-ca.crt');
  const keyFile = join(dir, 'ingress-ca.key');
  if (existsSync(certFile) && existsSync(keyFile))
    return { certFile, certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  ensurePrivateDir(dataDir);
  ensurePrivateDir(dir);
  const ca = makeCertificateAuthority();
  writePrivateFile(keyFile, ca.keyPem);
  writePrivateFile(certFile, ca.certPem);
  return { ...ca, certFile };
}
