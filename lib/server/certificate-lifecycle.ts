// The serving certificate over the server's life: swapped in when the files change (new
// connections get it, open ones finish on the old), warned about before it expires, and, with
// registration on, its CA published to the webhook configurations whenever it changes.
import type { Registration } from '../cluster/register.js';
import { dayMs } from '../facts.js';
import { caBundleOf } from '../tls/secret.js';
import { expiryWarning } from '../tls/expiry.js';
import { watchKeyPair, type KeyPair } from '../tls/reload.js';
import type { ContextLog } from './context-source.js';

export interface LifecycleOptions {
  readonly dir: string;
  readonly initial: KeyPair;
  /** Serves a new pair: new handshakes get it. */
  readonly use: (pair: KeyPair) => void;
  readonly log: ContextLog;
  /** The clock, read here at the edge. */
  readonly now: () => Date;
  /** Publishes a caBundle; absent when registration is off. */
  readonly register?: (caBundle: string) => Promise<readonly Registration[]>;
  readonly retryMs?: number;
}

export function manageCertificate(options: LifecycleOptions): { close(): void } {
  const { log } = options;
  let current = options.initial;
  let retry: NodeJS.Timeout | undefined;

  const checkExpiry = () => {
    const warning = expiryWarning(current.cert, options.now());
    if (warning !== undefined) log.warn({ certDir: options.dir }, warning);
  };

  const { register } = options;
  const publish = async (ca: string): Promise<void> => {
    if (register === undefined) return;
    clearTimeout(retry);
    try {
      const done = await register(caBundleOf(ca));
      log.info({ registrations: done }, 'webhook configurations carry the current CA');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'registering the webhook configurations failed; retrying');
      // Unless a newer CA has arrived meanwhile, try the same one again later.
      retry = setTimeout(() => void (current.ca === ca && publish(ca)), options.retryMs ?? 30_000);
      retry.unref();
    }
  };

  checkExpiry();
  // Long-running servers cross the 30-day line while up: look again daily.
  const daily = setInterval(checkExpiry, dayMs).unref();
  if (current.ca !== undefined) void publish(current.ca);

  const watch = watchKeyPair(options.dir, current, {
    changed(pair) {
      const caChanged = pair.ca !== current.ca;
      options.use(pair);
      current = pair;
      log.info({ certDir: options.dir }, 'serving a new certificate from the certificate directory');
      checkExpiry();
      if (caChanged && pair.ca !== undefined) void publish(pair.ca);
    },
    rejected(reason) {
      log.warn(
        { certDir: options.dir, reason },
        'certificate files changed but cannot be used; keeping the current certificate',
      );
    },
  });

  return {
    close() {
      watch.close();
      clearInterval(daily);
      clearTimeout(retry);
    },
  };
}
