// How long a serving certificate has left. The caller reads the clock.
import { X509Certificate } from 'node:crypto';
import { dayMs } from '../facts.js';
import { counted } from '../plural.js';

/** Kubernetes rotates nothing by itself: a month leaves time to run `certs` and roll the Secret. */
const expiryWarningDays = 30;

/** A warning when the certificate expires within expiryWarningDays of now; undefined otherwise. */
export function expiryWarning(certPem: string, now: Date): string | undefined {
  const validTo = new Date(new X509Certificate(certPem).validTo);
  const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / dayMs);
  if (daysLeft >= expiryWarningDays) return undefined;
  return daysLeft < 0
    ? `the serving certificate expired on ${validTo.toISOString()}`
    : `the serving certificate expires in ${counted(daysLeft, 'day')} (${validTo.toISOString()}); ` +
        'issue a new one and update the Secret';
}
