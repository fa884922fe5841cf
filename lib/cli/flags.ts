// Flag values turned into typed options, shared by the commands; mistakes throw UsageError (or
// SettingsError for the settings the --config file can also hold).
import type { CheckOptions } from '../check/command.js';
import { loadConfig, type LoadedConfig } from '../config/config-file.js';
import { settingFlags, settingsOf, type Settings, type SettingValues } from '../config/settings.js';
import { UsageError } from './usage.js';

export function portOf(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: ${value}`);
  return port;
}

const durationUnits: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `0s`, `30s`, `10m`, `1h` in milliseconds: Go's units as a Kubernetes user types them, whole numbers only. */
export function durationMsOf(text: string): number | undefined {
  const match = /^(0|[1-9]\d{0,5})(s|m|h)$/.exec(text);
  return match ? Number(match[1]) * durationUnits[match[2]!]! : undefined;
}

// The settings' flags have no parseArgs defaults: a flag not given leaves the file's key (or the
// default) in place, and only parseArgs can tell "not given" from "given the default".

/** Where the context comes from: serve, check and explain. */
export const contextFlags = {
  config: { type: 'string' },
  'cluster-mode': { type: 'string' },
  routing: { type: 'string' },
} as const;

/** How findings become verdicts: serve and check. */
export const verdictFlags = {
  mode: { type: 'string' },
  'exempt-namespace': { type: 'string', multiple: true },
  'allow-opt-out': { type: 'boolean' },
  'disable-rule': { type: 'string', multiple: true },
  'warn-rule': { type: 'string', multiple: true },
} as const;

/** Who may bypass the webhook: serve only, the CLI has no requester. */
export const requesterFlags = {
  'exempt-user': { type: 'string', multiple: true },
  'exempt-group': { type: 'string', multiple: true },
  'exempt-service-account': { type: 'string', multiple: true },
} as const;

type SettingFlagValues = Partial<Record<(typeof settingFlags)[keyof typeof settingFlags], string | boolean | string[]>>;

/**
 * The command's settings: the flags given over the --config file's keys, or the flags alone. The
 * flags are checked first, so a typo answers before any file is read.
 */
export async function commandSettings(
  values: SettingFlagValues & { config?: string },
): Promise<{ settings: Settings; config?: LoadedConfig }> {
  const flags = flagSettings(values);
  const settings = settingsOf(flags);
  if (values.config === undefined) return { settings };
  const config = await loadConfig(values.config, flags);
  return { settings: config.settings, config };
}

/** The flags given, by their keys in the file. */
function flagSettings(values: SettingFlagValues): SettingValues {
  return Object.fromEntries(
    Object.entries(settingFlags).flatMap(([key, flag]) => (values[flag] === undefined ? [] : [[key, values[flag]]])),
  );
}

/** Flags shared by check and explain. */
export const manifestFlags = {
  filename: { type: 'string', short: 'f', multiple: true },
  kustomize: { type: 'string', short: 'k' },
  namespace: { type: 'string', short: 'n' },
  profile: { type: 'string' },
  ...contextFlags,
  'namespace-labels': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

interface ManifestValues {
  kustomize?: string;
  namespace?: string;
  profile?: string;
  'namespace-labels'?: string[];
}

/** What parseArgs returns with `tokens: true`: the arguments in the order given. */
type ArgumentTokens = ReadonlyArray<{ readonly kind: string; readonly name?: string; readonly value?: string }>;

export function checkOptions(values: ManifestValues, tokens: ArgumentTokens, settings: Settings): CheckOptions {
  return {
    input: inputOf(values.kustomize, tokens),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    clusterMode: settings.clusterMode,
    routing: settings.routing,
    namespaceLabels: new Map((values['namespace-labels'] ?? []).map(namespaceLabelsOf)),
  };
}

/**
 * The paths in the order given, with -f or as arguments (`check FILE` is what people type first):
 * parseArgs keeps each kind apart, its tokens keep the order. Or one kustomization, which kubectl
 * does not mix with files either.
 */
function inputOf(kustomization: string | undefined, tokens: ArgumentTokens): CheckOptions['input'] {
  const isPath = (token: ArgumentTokens[number]) => token.kind === 'positional' || token.name === 'filename';
  const files = tokens.flatMap((token) => (isPath(token) && token.value !== undefined ? [token.value] : []));
  if (kustomization !== undefined) {
    if (files.length > 0)
      throw new UsageError('-k takes the place of PATHs and -f, as in kubectl: give one or the other');
    return { kustomization };
  }
  if (files.length === 0) {
    throw new UsageError('a PATH is required (a file, a folder, or - for stdin), as an argument or with -f; or -k DIR');
  }
  return { files };
}

/** `shop=team=web,tier=front` -> ['shop', {team: 'web', tier: 'front'}]. */
function namespaceLabelsOf(flag: string): [string, Record<string, string>] {
  const [namespace, ...rest] = flag.split('=');
  const pairs = rest
    .join('=')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('='));
  if (!namespace || pairs.length === 0 || pairs.some((pair) => pair.length !== 2 || !pair[0])) {
    throw new UsageError(`--namespace-labels: expected NAMESPACE=KEY=VALUE[,KEY=VALUE], got ${flag}`);
  }
  return [namespace, Object.fromEntries(pairs)];
}
