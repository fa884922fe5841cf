// `eci-admission certs`: a CA and a serving certificate for the webhook's Service, written as a
// --cert-dir, and on request the Secret manifest and the caBundle for the cluster.
import { resolve } from 'node:path';
import { generateCertificates, serviceDnsNames } from './certificates.js';
import { writeNewFiles, type NewFile } from '../files/new-files.js';
import { certificateFiles, privateDirMode } from './cert-dir.js';
import { caBundleOf, tlsSecretManifest } from './secret.js';

export interface IssueRequest {
  readonly out: string;
  readonly service: string;
  readonly namespace: string;
  readonly days: number;
  /** The name of the Secret manifest, when one is asked for. */
  readonly secret?: string;
  readonly caBundle: boolean;
  readonly now: Date;
}

const issuedFileNames = { secret: 'secret.yaml', caBundle: 'ca-bundle.txt' } as const;

/** Returns the paths written. Nothing that exists is overwritten. */
export async function issueCertificates(request: IssueRequest): Promise<string[]> {
  const dir = resolve(request.out);
  const set = generateCertificates({
    dnsNames: serviceDnsNames(request.service, request.namespace),
    ipAddresses: [],
    days: request.days,
    now: request.now,
  });
  const extras: NewFile[] = [];
  // The Secret holds the private key: as private as tls.key. The caBundle is public.
  if (request.secret !== undefined) {
    extras.push({
      name: issuedFileNames.secret,
      content: tlsSecretManifest(set, request.secret, request.namespace),
      mode: 0o600,
    });
  }
  if (request.caBundle)
    extras.push({ name: issuedFileNames.caBundle, content: `${caBundleOf(set.caCert)}\n`, mode: 0o644 });
  return writeNewFiles(dir, [...certificateFiles(set), ...extras], privateDirMode);
}
