// The --cert-dir contract: ca.crt, tls.crt and tls.key (the layout of a kubernetes.io/tls
// Secret). Files that exist are used and never overwritten; an empty directory gets a fresh set.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultServingNames, generateCertificates } from './certificates.js';

export const certFileNames = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

export interface ServingCertificate {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  /** True when this call created the files. */
  readonly generated: boolean;
}

export class CertDirError extends Error {
  override name = 'CertDirError';
}

const servingDays = 825;

export async function ensureCertDir(dir: string, now: Date): Promise<ServingCertificate> {
  const absolute = resolve(dir);
  const [ca, cert, key] = await Promise.all(
    [certFileNames.ca, certFileNames.cert, certFileNames.key].map((name) => readIfExists(join(absolute, name))),
  );
  if (cert !== undefined && key !== undefined) return { dir: absolute, cert, key, generated: false };
  const present = Object.values(certFileNames).filter((_, index) => [ca, cert, key][index] !== undefined);
  if (present.length > 0) {
    throw new CertDirError(
      `${absolute} holds ${present.join(', ')} but not both tls.crt and tls.key; ` +
        'refusing to overwrite: add the missing files or empty the directory to generate a new set',
    );
  }
  return { dir: absolute, ...(await writeNewSet(absolute, now)), generated: true };
}

async function writeNewSet(dir: string, now: Date): Promise<{ cert: string; key: string }> {
  const set = generateCertificates({ ...defaultServingNames, days: servingDays, now });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // `wx` fails rather than overwrite a file another process wrote meanwhile.
  await writeFile(join(dir, certFileNames.key), set.key, { flag: 'wx', mode: 0o600 });
  await writeFile(join(dir, certFileNames.cert), set.cert, { flag: 'wx', mode: 0o644 });
  await writeFile(join(dir, certFileNames.ca), set.caCert, { flag: 'wx', mode: 0o644 });
  return { cert: set.cert, key: set.key };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CertDirError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
