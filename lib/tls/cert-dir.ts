// The --cert-dir contract: ca.crt, tls.crt and tls.key (the layout of a kubernetes.io/tls
// Secret). Files that exist are used and never overwritten; an empty directory gets a fresh set.
import { join, resolve } from 'node:path';
import { servingCertificateDays } from '../facts.js';
import { readOptional } from '../files/mounted-files.js';
import { writeNewFiles, type NewFile } from '../files/new-files.js';
import { defaultServingNames, generateCertificates, type CertificateSet } from './certificates.js';

export const certFileNames = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

/** A folder that holds a private key is its owner's alone. */
export const privateDirMode = 0o700;

export interface ServingCertificate {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  /** The CA that signed cert, when the directory has one. */
  readonly ca?: string;
  /** True when this call created the files. */
  readonly generated: boolean;
}

export class CertDirError extends Error {
  override name = 'CertDirError';
}

export async function ensureCertDir(dir: string, now: Date): Promise<ServingCertificate> {
  const absolute = resolve(dir);
  const [ca, cert, key] = await Promise.all(
    [certFileNames.ca, certFileNames.cert, certFileNames.key].map((name) => readIfExists(join(absolute, name))),
  );
  if (cert !== undefined && key !== undefined)
    return { dir: absolute, cert, key, ...(ca === undefined ? {} : { ca }), generated: false };
  const present = Object.values(certFileNames).filter((_, index) => [ca, cert, key][index] !== undefined);
  if (present.length > 0) {
    throw new CertDirError(
      `${absolute} holds ${present.join(', ')} but not both tls.crt and tls.key; ` +
        'refusing to overwrite: add the missing files or empty the directory to generate a new set',
    );
  }
  const set = generateCertificates({ ...defaultServingNames, days: servingCertificateDays, now });
  await writeNewFiles(absolute, certificateFiles(set), privateDirMode);
  return { dir: absolute, cert: set.cert, key: set.key, ca: set.caCert, generated: true };
}

/** A set as the three --cert-dir files; only the key is private. */
export function certificateFiles(set: CertificateSet): NewFile[] {
  return [
    { name: certFileNames.key, content: set.key, mode: 0o600 },
    { name: certFileNames.cert, content: set.cert, mode: 0o644 },
    { name: certFileNames.ca, content: set.caCert, mode: 0o644 },
  ];
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readOptional(path);
  } catch (error) {
    throw new CertDirError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
