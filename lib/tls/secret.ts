// What a cluster needs from a certificate set: the kubernetes.io/tls Secret the Deployment mounts
// at --cert-dir, and the caBundle the webhook configurations carry.
import { projectName } from '../facts.js';
import { stringify } from 'yaml';
import type { CertificateSet } from './certificates.js';
import { certFileNames } from './cert-dir.js';

/** The API server trusts the webhook through clientConfig.caBundle: base64 of the CA's PEM. */
export function caBundleOf(caCert: string): string {
  return Buffer.from(caCert, 'utf8').toString('base64');
}

/** The Secret's keys are the --cert-dir file names, so mounting it is the whole contract. */
export function tlsSecretManifest(set: CertificateSet, name: string, namespace: string): string {
  const encode = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': projectName } },
    type: 'kubernetes.io/tls',
    data: {
      [certFileNames.ca]: encode(set.caCert),
      [certFileNames.cert]: encode(set.cert),
      [certFileNames.key]: encode(set.key),
    },
  });
}
