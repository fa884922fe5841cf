// Flag values turned into typed options, shared by the commands; mistakes throw UsageError.
import type { CheckOptions } from '../check/command.js';
import { clusterModes } from '../policy/context.js';
import {
  defaultExemptNamespaces,
  modes,
  serviceAccountUser,
  type Enforcement,
  type RuleAction,
} from '../policy/enforcement.js';
import { routingRuleId } from '../policy/mutate.js';
import { routingFlavours } from '../policy/routing.js';
import { rules } from '../policy/rules/index.js';
import { UsageError } from './usage.js';

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: ${value} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: ${value}`);
  return port;
}

/** How findings become verdicts: serve and check. */
export const verdictFlags = {
  mode: { type: 'string', default: 'enforce' },
  'exempt-namespace': { type: 'string', multiple: true },
  'allow-opt-out': { type: 'boolean', default: false },
  'disable-rule': { type: 'string', multiple: true },
  'warn-rule': { type: 'string', multiple: true },
} as const;

/** Who may bypass the webhook: serve only, the CLI has no requester. */
export const requesterFlags = {
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

export function enforcementOf(values: VerdictValues): Enforcement {
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
export const manifestFlags = {
  filename: { type: 'string', short: 'f', multiple: true },
  profile: { type: 'string' },
  'cluster-mode': { type: 'string', default: 'serverless' },
  routing: { type: 'string', default: 'ack-virtual-node' },
  'namespace-labels': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

interface ManifestValues {
  filename?: string[];
  profile?: string;
  'cluster-mode': string;
  routing: string;
  'namespace-labels'?: string[];
}

export function checkOptions(values: ManifestValues): CheckOptions {
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
