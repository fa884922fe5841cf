// Follows --cert-dir for a new tls.crt/tls.key. A mounted Secret is updated in place by the
// kubelet: it writes a new timestamped folder and swaps the `..data` symlink, so the directory,
// not the files, is what to watch. Events come in bursts (and a non-atomic copy passes through
// states where the key does not match the certificate), so they are debounced and the pair is
// validated before anyone sees it.
import { createSecureContext } from 'node:tls';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { certFileNames, readIfExists } from './cert-dir.js';

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

export interface CertWatch {
  close(): void;
}

/** Quiet time after the last event before the files are read: a kubelet swap takes milliseconds. */
const defaultDebounceMs = 250;

export function watchKeyPair(dir: string, current: KeyPair, events: ReloadEvents, debounceMs = defaultDebounceMs): CertWatch {
  let timer: NodeJS.Timeout | undefined;
  let last = current;
  let closed = false;
  const check = async () => {
    const [cert, key, ca] = await Promise.all([certFileNames.cert, certFileNames.key, certFileNames.ca].map((name) => readIfExists(join(dir, name))));
    if (closed || (cert === last.cert && key === last.key && ca === last.ca)) return;
    const problem = cert === undefined || key === undefined ? 'tls.crt or tls.key is missing' : invalidPair(cert, key);
    if (problem !== undefined) return events.rejected(problem);
    last = { cert: cert!, key: key!, ...(ca === undefined ? {} : { ca }) };
    events.changed(last);
  };
  const watcher: FSWatcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check().catch((error: Error) => events.rejected(error.message)), debounceMs);
  });
  // The directory going away must not take the server down: it keeps the pair it has.
  watcher.on('error', (error) => events.rejected(`cannot watch ${dir}: ${error.message}`));
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
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
