// The settings that decide verdicts, whether they come from flags or from the --config file: one
// table names each setting's key and flag, and one function turns either (or both, the flags
// over the file) into the parts of a policy context they set.
import { clusterModes, defaultExemptNamespaces, defaults, modes, routingFlavours } from '../facts.js';
import type { PolicyContext } from '../policy/context.js';
import { serviceAccountUser, type RuleAction } from '../policy/enforcement.js';
import { switchableIds } from '../policy/rules/index.js';

/** Each key of the file and the flag it stands for (a repeatable flag's key is plural). */
export const settingFlags = {
  clusterMode: 'cluster-mode',
  routing: 'routing',
  mode: 'mode',
  exemptNamespaces: 'exempt-namespace',
  exemptUsers: 'exempt-user',
  exemptGroups: 'exempt-group',
  exemptServiceAccounts: 'exempt-service-account',
  allowOptOut: 'allow-opt-out',
  disableRules: 'disable-rule',
  warnRules: 'warn-rule',
} as const;

export type SettingKey = keyof typeof settingFlags;

/** Settings as written, unchecked beyond their types; absent keys take the defaults. */
export interface SettingValues {
  readonly clusterMode?: string;
  readonly routing?: string;
  readonly mode?: string;
  readonly exemptNamespaces?: readonly string[];
  readonly exemptUsers?: readonly string[];
  readonly exemptGroups?: readonly string[];
  readonly exemptServiceAccounts?: readonly string[];
  readonly allowOptOut?: boolean;
  readonly disableRules?: readonly string[];
  readonly warnRules?: readonly string[];
}

/** What the settings decide in the context a decision reads. */
export type Settings = Pick<PolicyContext, 'clusterMode' | 'routing' | 'enforcement'>;

/** How a mistake names where the setting came from: `--mode` or `config.yaml: mode`. */
export type SettingLabel = (key: SettingKey) => string;

const flagLabel: SettingLabel = (key) => `--${settingFlags[key]}`;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function oneOf<T extends string>(label: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new SettingsError(`${label}: ${value} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** The defaults for what `values` leaves out; a mistake throws SettingsError, named by `label`. */
export function settingsOf(values: SettingValues, label: SettingLabel = flagLabel): Settings {
  const known = new Set(switchableIds);
  const ruleIds = (key: 'disableRules' | 'warnRules') =>
    (values[key] ?? []).map((id) => {
      if (!known.has(id))
        throw new SettingsError(`${label(key)}: unknown rule ${id} (rules: ${[...known].join(', ')})`);
      return id;
    });
  const serviceAccounts = (values.exemptServiceAccounts ?? []).map((account) => {
    const [namespace, name, ...rest] = account.split('/');
    if (!namespace || !name || rest.length > 0)
      throw new SettingsError(`${label('exemptServiceAccounts')}: expected NAMESPACE/NAME, got ${account}`);
    return serviceAccountUser(namespace, name);
  });
  return {
    clusterMode: oneOf(label('clusterMode'), values.clusterMode ?? defaults.clusterMode, clusterModes),
    routing: oneOf(label('routing'), values.routing ?? defaults.routing, routingFlavours),
    enforcement: {
      mode: oneOf(label('mode'), values.mode ?? defaults.mode, modes),
      exemptNamespaces: new Set([...defaultExemptNamespaces, ...(values.exemptNamespaces ?? [])]),
      exemptUsers: new Set([...(values.exemptUsers ?? []), ...serviceAccounts]),
      exemptGroups: new Set(values.exemptGroups ?? []),
      allowOptOut: values.allowOptOut ?? false,
      rules: new Map<string, RuleAction>([
        ...ruleIds('warnRules').map((id) => [id, 'warn'] as const),
        ...ruleIds('disableRules').map((id) => [id, 'off'] as const),
      ]),
    },
  };
}
