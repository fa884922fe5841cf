// `eci-admission certs` and `register`: the webhook's TLS material and its registration.
import { join } from 'node:path';
import { readWebhookConfigurations, webhookConfigurationsFile } from '../cluster/webhook-configurations.js';
import { servingCertificateDays, webhookService } from '../facts.js';
import { CertDirError, certFileNames, readIfExists } from '../tls/cert-dir.js';
import { issueCertificates } from '../tls/issue.js';
import { caBundleOf } from '../tls/secret.js';
import { requiredCluster } from './cluster.js';
import { parseFlags, printUsage, UsageError } from './usage.js';

export async function runCerts(args: string[]): Promise<number> {
  const { values } = parseFlags('certs', {
    args,
    strict: true,
    options: {
      out: { type: 'string', default: 'certs' },
      service: { type: 'string', default: webhookService.name },
      namespace: { type: 'string', default: webhookService.namespace },
      days: { type: 'string', default: String(servingCertificateDays) },
      secret: { type: 'boolean', default: false },
      'ca-bundle': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0, 'certs');
  const days = daysOf(values.days);
  const written = await issueCertificates({
    out: values.out,
    service: values.service,
    namespace: values.namespace,
    days,
    // The name the Deployment in deploy/ mounts.
    ...(values.secret ? { secret: `${values.service}-tls` } : {}),
    caBundle: values['ca-bundle'],
    now: new Date(),
  });
  process.stdout.write(written.map((path) => `wrote ${path}\n`).join(''));
  return 0;
}

function daysOf(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days: not a whole number of days: ${value}`);
  if (days > servingCertificateDays) {
    const why = "the longest Apple's platforms accept for a TLS server certificate";
    throw new UsageError(`--days: ${days} is more than ${servingCertificateDays}, ${why}`);
  }
  return days;
}

export async function runRegister(args: string[]): Promise<number> {
  const { values } = parseFlags('register', {
    args,
    strict: true,
    options: {
      'cert-dir': { type: 'string', default: 'certs' },
      configurations: { type: 'string', default: webhookConfigurationsFile },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0, 'register');
  const caPath = join(values['cert-dir'], certFileNames.ca);
  const ca = await readIfExists(caPath);
  if (ca === undefined) throw new CertDirError(`${caPath} does not exist: run 'eci-admission certs' first`);
  const configurations = readWebhookConfigurations(values.configurations);
  const cluster = await requiredCluster('register');
  const { registerWebhooks } = await import('../cluster/register.js');
  const done = await registerWebhooks(cluster, caBundleOf(ca), configurations);
  process.stdout.write(done.map((r) => `${r.kind} ${r.name}: ${r.action}\n`).join(''));
  return 0;
}
