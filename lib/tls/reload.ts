// Follows --cert-dir for a new tls.crt/tls.key, as lib/files/mounted-files.ts follows a mounted
// Secret. A non-atomic copy passes through states where the key does not match the certificate,
// so the pair is validated before anyone sees it.
import { createSecureContext } from 'node:tls';
import { followFiles, type Following } from '../files/mounted-files.js';
import { certFileNames } from './cert-dir.js';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  /** ca.crt when the directory has one: what registration publishes as the caBundle. */
  readonly ca?: string;
}

export interface ReloadEvents {
  /** A new, valid pair: swap it in. */
  changed(pair: KeyPair): void;
  /** The files changed but do not form a usable pair (yet): the current one stays. */
  rejected(reason: string): void;
}

export function watchKeyPair(dir: string, current: KeyPair, events: ReloadEvents, debounceMs?: number): Following {
  const names = [certFileNames.cert, certFileNames.key, certFileNames.ca];
  return followFiles(
    dir,
    names,
    [current.cert, current.key, current.ca],
    {
      changed([cert, key, ca]) {
        const problem =
          cert === undefined || key === undefined ? 'tls.crt or tls.key is missing' : invalidPair(cert, key);
        if (problem !== undefined) return events.rejected(problem);
        events.changed({ cert: cert!, key: key!, ...(ca === undefined ? {} : { ca }) });
      },
      failed: events.rejected,
    },
    debounceMs,
  );
}

/** OpenSSL's own check: a certificate that does not parse, or a key that is not its key. */
function invalidPair(cert: string, key: string): string | undefined {
  try {
    createSecureContext({ cert, key });
    return undefined;
  } catch (error) {
    return `tls.crt and tls.key do not form a usable pair: ${(error as Error).message}`;
  }
}
