#!/usr/bin/env node
// The `eci-admission` command. Parses flags, calls the library, maps failures to exit codes:
// 0 success, 1 a denial (check), 2 bad usage or bad input.
import { parseArgs } from 'node:util';
import { findKubeConfig } from './cluster/kubeconfig.js';
import { clusterModes } from './policy/context.js';
import { routingFlavours } from './policy/routing.js';
import { ProfileError } from './profile/profile.js';
import { serve } from './server/serve.js';
import { CertDirError } from './tls/cert-dir.js';

const usage = `Usage: eci-admission <command> [flags]

Commands:
  serve   run the admission webhook over TLS
          --port 8443  --host 0.0.0.0  --cert-dir certs  --profile FILE
          --cluster-mode ${clusterModes.join('|')} (default serverless)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)
          Without --profile, a cluster found through the service account or
          KUBECONFIG is watched for kube-system/eci-profile and namespace labels.

Run 'eci-admission <command> --help' for details.`;

class UsageError extends Error {}

/** Under the 30 s terminationGracePeriodSeconds a pod gets by default. */
const shutdownGraceMs = 25_000;

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return printUsage(0);
  const running = await serve({
    port: portOf(values.port),
    host: values.host,
    certDir: values['cert-dir'],
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    clusterMode: oneOf('--cluster-mode', values['cluster-mode'], clusterModes),
    routing: oneOf('--routing', values.routing, routingFlavours),
    ...(values.profile === undefined ? optionalCluster() : {}),
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });
  running.app.log.info(`eci-admission listening on ${running.url}`);
  const stop = (signal: string) => {
    running.app.log.info(`${signal}: closing`);
    // The listener closes at once; requests already read are answered, then the sockets close.
    // Past the grace period whatever is left is cut, before the kubelet's SIGKILL would.
    setTimeout(() => {
      running.app.log.warn(`still closing after ${shutdownGraceMs / 1000} s: exiting`);
      process.exit(1);
    }, shutdownGraceMs).unref();
    void running.app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {});
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

function optionalCluster() {
  const cluster = findKubeConfig();
  return cluster ? { cluster } : {};
}

function printUsage(code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${usage}\n`);
  return code;
}

const commands: Readonly<Record<string, (args: string[]) => Promise<number>>> = { serve: runServe };

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
  // parseArgs reports unknown or malformed flags with these codes.
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('ERR_PARSE_ARGS_');
}

process.exitCode = await main(process.argv.slice(2));
