#!/usr/bin/env node
// The `eci-admission` command. Parses flags, calls the library, maps failures to exit codes:
// 0 success, 1 a denial (check), 2 bad usage or bad input.
import { parseArgs } from 'node:util';
import type { CheckOptions } from './check/command.js';
import { outputs } from './check/report/report.js';
import { clusterModes } from './policy/context.js';
import {
  defaultExemptNamespaces,
  modes,
  serviceAccountUser,
  type Enforcement,
  type RuleAction,
} from './policy/enforcement.js';
import { routingRuleId } from './policy/mutate.js';
import { routingFlavours } from './policy/routing.js';
import { rules } from './policy/rules/index.js';

const usage = `Usage: eci-admission <command> [flags]

Commands:
  check   judge manifests offline, as the webhook would (exit 0 admitted, 1 denied, 2 bad input)
          -f PATH (file, folder or - for stdin; repeatable)  --profile FILE
          --cluster-mode ${clusterModes.join('|')}  --routing ${routingFlavours.join('|')}
          --namespace-labels NS=KEY=VALUE[,KEY=VALUE] (repeatable)
          --output ${outputs.join('|')} (default text)  --strict (warnings fail too)
          --mode, --exempt-namespace, --allow-opt-out, --disable-rule, --warn-rule as for serve
  explain for each pod or pod template: selectors matched, what is injected, ECI routing,
          findings; same flags as check but --output and --strict
  serve   run the admission webhook over TLS
          --port 8443  --host 0.0.0.0  --cert-dir certs  --profile FILE
          --cluster-mode ${clusterModes.join('|')} (default serverless)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)
          --mode ${modes.join('|')} (default enforce; a namespace label eci-admission/mode overrides)
          --exempt-namespace NS, --exempt-user NAME, --exempt-group NAME,
          --exempt-service-account NS/NAME (repeatable; kube-system and eci-admission are exempt)
          --allow-opt-out (honour the object annotation eci-admission/exempt: "true")
          --disable-rule ID, --warn-rule ID (repeatable)
          Without --profile, a cluster found through the service account or
          KUBECONFIG is watched for kube-system/eci-profile and namespace labels.

Run 'eci-admission <command> --help' for details.`;

class UsageError extends Error {
  override name = 'UsageError';
}

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
      ...verdictFlags,
      ...requesterFlags,
    },
  });
  if (values.help) return printUsage(0);
  const enforcement = enforcementOf(values);
  const { serve } = await import('./server/serve.js');
  const running = await serve({
    port: portOf(values.port),
    host: values.host,
    certDir: values['cert-dir'],
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    clusterMode: oneOf('--cluster-mode', values['cluster-mode'], clusterModes),
    routing: oneOf('--routing', values.routing, routingFlavours),
    enforcement,
    ...(values.profile === undefined ? await optionalCluster() : {}),
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
  });
  running.app.log.info(`eci-admission listening on ${running.url}`);
  const stop = (signal: string) => {
    running.app.log.info(`${signal}: closing`);
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

async function optionalCluster() {
  const { findKubeConfig } = await import('./cluster/kubeconfig.js');
  const cluster = findKubeConfig();
  return cluster ? { cluster } : {};
}

function printUsage(code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${usage}\n`);
  return code;
}

/** How findings become verdicts: serve and check. */
const verdictFlags = {
  mode: { type: 'string', default: 'enforce' },
  'exempt-namespace': { type: 'string', multiple: true },
  'allow-opt-out': { type: 'boolean', default: false },
  'disable-rule': { type: 'string', multiple: true },
  'warn-rule': { type: 'string', multiple: true },
} as const;

/** Who may bypass the webhook: serve only, the CLI has no requester. */
const requesterFlags = {
  'exempt-user': { type: 'string', multiple: true },
  'exempt-group': { type: 'string', multiple: true },
  'exempt-service-account': { type: 'string', multiple: true },
} as const;

interface VerdictValues {
  mode: string;
  'exempt-namespace'?: string[];
  'allow-opt-out': boolean;
  'disable-rule'?: string[];
  'warn-rule'?: string[];
  'exempt-user'?: string[];
  'exempt-group'?: string[];
  'exempt-service-account'?: string[];
}

function enforcementOf(values: VerdictValues): Enforcement {
  const known = new Set([...rules.map((rule) => rule.id), routingRuleId]);
  const ruleIds = (flag: string, ids: string[] = []) =>
    ids.map((id) => {
      if (!known.has(id)) throw new UsageError(`${flag}: unknown rule ${id} (rules: ${[...known].join(', ')})`);
      return id;
    });
  const serviceAccounts = (values['exempt-service-account'] ?? []).map((account) => {
    const [namespace, name, ...rest] = account.split('/');
    if (!namespace || !name || rest.length > 0) throw new UsageError(`--exempt-service-account: expected NAMESPACE/NAME, got ${account}`);
    return serviceAccountUser(namespace, name);
  });
  return {
    mode: oneOf('--mode', values.mode, modes),
    exemptNamespaces: new Set([...defaultExemptNamespaces, ...(values['exempt-namespace'] ?? [])]),
    exemptUsers: new Set([...(values['exempt-user'] ?? []), ...serviceAccounts]),
    exemptGroups: new Set(values['exempt-group'] ?? []),
    allowOptOut: values['allow-opt-out'],
    rules: new Map<string, RuleAction>([
      ...ruleIds('--warn-rule', values['warn-rule']).map((id) => [id, 'warn'] as const),
      ...ruleIds('--disable-rule', values['disable-rule']).map((id) => [id, 'off'] as const),
    ]),
  };
}

/** Flags shared by check and explain. */
const manifestFlags = {
  filename: { type: 'string', short: 'f', multiple: true },
  profile: { type: 'string' },
  'cluster-mode': { type: 'string', default: 'serverless' },
  routing: { type: 'string', default: 'ack-virtual-node' },
  'namespace-labels': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function checkOptions(values: { filename?: string[]; profile?: string; 'cluster-mode': string; routing: string; 'namespace-labels'?: string[] }): CheckOptions {
  if (!values.filename?.length) throw new UsageError('-f PATH is required (a file, a folder, or - for stdin)');
  return {
    files: values.filename,
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    clusterMode: oneOf('--cluster-mode', values['cluster-mode'], clusterModes),
    routing: oneOf('--routing', values.routing, routingFlavours),
    namespaceLabels: new Map((values['namespace-labels'] ?? []).map(namespaceLabelsOf)),
  };
}

/** `shop=team=web,tier=front` -> ['shop', {team: 'web', tier: 'front'}]. */
function namespaceLabelsOf(flag: string): [string, Record<string, string>] {
  const [namespace, ...rest] = flag.split('=');
  const pairs = rest.join('=').split(',').filter(Boolean).map((pair) => pair.split('='));
  if (!namespace || pairs.length === 0 || pairs.some((pair) => pair.length !== 2 || !pair[0])) {
    throw new UsageError(`--namespace-labels: expected NAMESPACE=KEY=VALUE[,KEY=VALUE], got ${flag}`);
  }
  return [namespace, Object.fromEntries(pairs)];
}

async function runCheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...manifestFlags, ...verdictFlags, output: { type: 'string', short: 'o', default: 'text' }, strict: { type: 'boolean', default: false } },
  });
  if (values.help) return printUsage(0);
  const { runCheck } = await import('./check/command.js');
  const options = { ...checkOptions(values), enforcement: enforcementOf(values), output: oneOf('--output', values.output, outputs), strict: values.strict };
  return runCheck(options, process);
}

async function runExplainCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: manifestFlags });
  if (values.help) return printUsage(0);
  const { runExplain } = await import('./check/command.js');
  return runExplain(checkOptions(values), process);
}

const commands: Readonly<Record<string, (args: string[]) => Promise<number>>> = {
  check: runCheckCommand,
  explain: runExplainCommand,
  serve: runServe,
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
/** By name: the modules that define these errors load only with their command. */
const userErrors = new Set(['UsageError', 'ProfileError', 'CertDirError']);

function isUserError(error: unknown): boolean {
  if (userErrors.has((error as Error).name)) return true;
  // parseArgs reports unknown or malformed flags with these codes.
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('ERR_PARSE_ARGS_');
}

process.exitCode = await main(process.argv.slice(2));
