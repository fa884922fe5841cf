#!/usr/bin/env node
// The `eci-admission` command. Parses flags, calls the library, maps failures to exit codes:
// 0 success, 1 a denial (check), 2 bad usage or bad input. What needs @kubernetes/client-node
// or the server is imported when a command needs it: client-node alone costs most of a second
// at start, which `certs`, `--help` and a mistyped flag should not pay.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readWebhookConfigurations, webhookConfigurationsFile, WebhookConfigurationsError } from './cluster/webhook-configurations.js';
import { clusterModes } from './policy/context.js';
import { routingFlavours } from './policy/routing.js';
import { ProfileError } from './profile/profile.js';
import { CertDirError, certFileNames, readIfExists } from './tls/cert-dir.js';
import { issueCertificates } from './tls/issue.js';
import { caBundleOf } from './tls/secret.js';

const usage = `Usage: eci-admission <command> [flags]

Commands:
  serve   run the admission webhook over TLS
          --port 8443  --host 0.0.0.0  --cert-dir certs  --profile FILE
          --cluster-mode ${clusterModes.join('|')} (default serverless)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)
          --register  keep the webhook configurations' caBundle equal to ca.crt
          Without --profile, a cluster found through the service account or
          KUBECONFIG is watched for kube-system/eci-profile and namespace labels.
  certs   issue a CA and a serving certificate for the webhook's Service
          --out certs  --service eci-admission  --namespace eci-admission  --days 825
          --secret     also write secret.yaml, the kubernetes.io/tls Secret <service>-tls
          --ca-bundle  also write ca-bundle.txt, the caBundle of the webhooks
          Files that exist are never overwritten.
  register  create the webhook configurations, or set their caBundle to
          ca.crt, in the cluster found through KUBECONFIG or the service account
          --cert-dir certs  --configurations ${webhookConfigurationsFile}

Run 'eci-admission <command> --help' for details.`;

class UsageError extends Error {}

async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string', default: '8443' },
      host: { type: 'string', default: '0.0.0.0' },
      'cert-dir': { type: 'string', default: 'certs' },
      profile: { type: 'string' },
      'cluster-mode': { type: 'string', default: 'serverless' },
      routing: { type: 'string', default: 'ack-virtual-node' },
      register: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0);
  // Flags are checked before the server and client-node are loaded: a typo answers at once.
  const options = {
    port: portOf(values.port),
    host: values.host,
    certDir: values['cert-dir'],
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    clusterMode: oneOf('--cluster-mode', values['cluster-mode'], clusterModes),
    routing: oneOf('--routing', values.routing, routingFlavours),
    ...(values.profile === undefined ? await optionalCluster() : {}),
    ...(values.register ? { registration: { cluster: await requiredCluster('--register'), configurations: readWebhookConfigurations() } } : {}),
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  };
  const { serve } = await import('./server/serve.js');
  const running = await serve(options);
  running.app.log.info(`eci-admission listening on ${running.url}`);
  const stop = (signal: string) => {
    running.app.log.info(`${signal}: closing`);
    void running.app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {});
}

async function runCerts(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      out: { type: 'string', default: 'certs' },
      service: { type: 'string', default: 'eci-admission' },
      namespace: { type: 'string', default: 'eci-admission' },
      days: { type: 'string', default: '825' },
      secret: { type: 'boolean', default: false },
      'ca-bundle': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0);
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days: not a whole number of days: ${values.days}`);
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

async function runRegister(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'cert-dir': { type: 'string', default: 'certs' },
      configurations: { type: 'string', default: webhookConfigurationsFile },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0);
  const caPath = join(values['cert-dir'], certFileNames.ca);
  const ca = await readIfExists(caPath);
  if (ca === undefined) throw new CertDirError(`${caPath} does not exist: run 'eci-admission certs' first`);
  const configurations = readWebhookConfigurations(values.configurations);
  const cluster = await requiredCluster('register');
  const { registerWebhooks } = await import('./cluster/register.js');
  try {
    const done = await registerWebhooks(cluster, caBundleOf(ca), configurations);
    process.stdout.write(done.map((r) => `${r.kind} ${r.name}: ${r.action}\n`).join(''));
    return 0;
  } catch (error) {
    // The cluster refused (RBAC, validation) or could not be reached: not a usage mistake.
    process.stderr.write(`eci-admission register: ${(error as Error).message}\n`);
    return 1;
  }
}

function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: ${value}`);
  return port;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: ${value} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

async function optionalCluster() {
  const { findKubeConfig } = await import('./cluster/kubeconfig.js');
  const cluster = findKubeConfig();
  return cluster ? { cluster } : {};
}

async function requiredCluster(what: string) {
  const { cluster } = await optionalCluster();
  if (!cluster) throw new UsageError(`${what} needs a cluster: set KUBECONFIG, or run in a pod with a service account`);
  return cluster;
}

function printUsage(code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${usage}\n`);
  return code;
}

const commands: Readonly<Record<string, (args: string[]) => Promise<number>>> = {
  serve: runServe,
  certs: runCerts,
  register: runRegister,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') return printUsage(0);
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(name === undefined ? '' : `eci-admission: unknown command ${name}\n`);
    return printUsage(2);
  }
  try {
    return await command(args);
  } catch (error) {
    if (!isUserError(error)) throw error;
    process.stderr.write(`eci-admission ${name}: ${(error as Error).message}\n`);
    return 2;
  }
}

/** Mistakes in flags or input: said in one line with exit 2, not as a stack trace. */
function isUserError(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof ProfileError || error instanceof CertDirError) return true;
  if (error instanceof WebhookConfigurationsError) return true;
  // parseArgs reports unknown or malformed flags with these codes.
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('ERR_PARSE_ARGS_');
}

process.exitCode = await main(process.argv.slice(2));
