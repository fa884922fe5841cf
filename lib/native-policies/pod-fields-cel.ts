// The security-context and downward-api rules as CEL: their facts are the lists of
// lib/eci/pod-fields.ts and their messages the rules' own, so the warnings policy writes the
// webhook's findings, in its order. Each rule is one CEL list of finding strings.
import { V1PodSecurityContext } from '@kubernetes/client-node/dist/gen/models/V1PodSecurityContext.js';
import { V1SecurityContext } from '@kubernetes/client-node/dist/gen/models/V1SecurityContext.js';
import { downwardApiFields, podSysctls, securityContextFields } from '../eci/pod-fields.js';
import { downwardApi, unfilledMessage } from '../policy/rules/downward-api.js';
import type { Severity } from '../policy/rule.js';
import {
  ignoredMessage,
  securityContext,
  sysctlMessage,
  sysctlWorkaround,
  type Level,
} from '../policy/rules/security-context.js';
import {
  containerLists,
  findingCel,
  hasAll,
  interpolated,
  itemPath,
  listAt,
  listLiteral,
  literal,
  sortedCel,
  volumeList,
  type SpecList,
} from './cel.js';

/** A rule written as CEL: the CEL list of its findings, each as formatFinding writes it. */
export interface FindingsCel {
  readonly findings: string;
  readonly severity: Severity;
}

/** Each item's findings (a CEL list of strings) joined into one string, the empty ones left out. */
function perItem(list: string, item: string, findings: string): string {
  return `${list}.map(${item}, ${findings}.join('; ')).filter(s, s != '')`;
}

/**
 * The fields of each securityContext in the Kubernetes API, in order, as client-node's models list
 * them (model files import nothing: the package's index, slow to load, stays unloaded).
 */
const kubernetesFields: Readonly<Record<Level, readonly string[]>> = {
  pod: V1PodSecurityContext.getAttributeTypeMap()
    .map(({ baseName }) => baseName)
    .sort(),
  container: V1SecurityContext.getAttributeTypeMap()
    .map(({ baseName }) => baseName)
    .sort(),
};

const applied = (level: Level): readonly string[] => securityContextFields[level];

/**
 * The names of the fields set in the securityContext `context` that ECI does not apply at
 * `level`, in order, as a CEL list (stored objects hold no nulls: a key is a field set). The
 * API's fields are tried in their order, cheap for every container; only a field newer than
 * client-node's models sends the keys through sortedCel.
 */
function ignoredNames(context: string, level: Level): string {
  const known = kubernetesFields[level];
  const ignoredKnown = listLiteral(known.filter((field) => !applied(level).includes(field)));
  const ignoredKeys = `${context}.filter(key, !(key in ${listLiteral(applied(level))}))`;
  const unknown = `${context}.exists(key, !(key in ${listLiteral(known)}))`;
  return `(${unknown} ? ${sortedCel(ignoredKeys)} : ${ignoredKnown}.filter(key, key in ${context}))`;
}

/** The finding about `context` at `path` when it has fields ECI ignores, as a CEL list of at most one. */
function ignoredFinding(context: string, path: string, level: Level): string {
  const message = interpolated((names) => ignoredMessage(names, level), `${ignoredNames(context, level)}.join(', ')`);
  const ignores = `${context}.exists(key, !(key in ${listLiteral(applied(level))}))`;
  return `(${ignores} ? [${findingCel(securityContext.id, path, message, securityContext.workaround)}] : [])`;
}

/** isPodSysctl: a name of the allowed patterns (a trailing `*` a prefix) that is not excepted. */
function podSysctlTest(name: string): string {
  const allowed = podSysctls.allowed.map((pattern) =>
    pattern.endsWith('*') ? `${name}.startsWith(${literal(pattern.slice(0, -1))})` : `${name} == ${literal(pattern)}`,
  );
  return `(!(${name} in ${listLiteral(podSysctls.except)}) && (${allowed.join(' || ')}))`;
}

function securityContextFindings(): string {
  const pod = 'variables.spec.securityContext';
  const podPath = "variables.specPath + '.securityContext'";
  const containers = containerLists.map((list) => {
    const finding = ignoredFinding('i.securityContext', `${itemPath(list, 'i')} + '.securityContext'`, 'container');
    return perItem(`${list.list}.filter(i, has(i.securityContext))`, 'i', finding);
  });
  const sysctlList = listAt('variables.spec', ['securityContext', 'sysctls']);
  const sysctls: SpecList = { list: sysctlList, path: `${podPath} + '.sysctls'` };
  const sysctlPath = `${itemPath(sysctls, 'x')} + '.name'`;
  const sysctlMessageCel = interpolated(sysctlMessage, 'x.name');
  const sysctlFinding = findingCel(securityContext.id, sysctlPath, sysctlMessageCel, sysctlWorkaround);
  return [
    `(has(${pod}) ? ${ignoredFinding(pod, podPath, 'pod')} : [])`,
    ...containers,
    `${sysctls.list}.filter(x, has(x.name) && !${podSysctlTest('x.name')}).map(x, ${sysctlFinding})`,
  ].join(' + ');
}

/** isDownwardApiField: the path without its trailing subscript (`metadata.labels['app']`) is listed. */
function filledTest(fieldPath: string): string {
  const subscripted = `${fieldPath}.endsWith(']') && ${fieldPath}.contains('[')`;
  const base = `(${subscripted} ? ${fieldPath}.substring(0, ${fieldPath}.indexOf('[')) : ${fieldPath})`;
  return `${base} in ${listLiteral([...downwardApiFields])}`;
}

/** The findings of the items of `items` whose `<fieldRef>.fieldPath` ECI does not fill in. */
function unfilledFindings(items: SpecList, fieldRef: readonly string[]): string {
  const fields = [...fieldRef, 'fieldPath'];
  const fieldPath = ['x', ...fields].join('.');
  const path = `${itemPath(items, 'x')} + ${literal(`.${fields.join('.')}`)}`;
  const finding = findingCel(downwardApi.id, path, interpolated(unfilledMessage, fieldPath), downwardApi.workaround);
  return `${items.list}.filter(x, ${hasAll('x', fields)} && !(${filledTest(fieldPath)})).map(x, ${finding})`;
}

/** Every container's env, then each volume's downwardAPI items and its projected sources', as the rule reads them. */
function downwardApiFindings(): string {
  const env = containerLists.map((list) => {
    const envList: SpecList = { list: listAt('i', ['env']), path: `${itemPath(list, 'i')} + '.env'` };
    return perItem(list.list, 'i', unfilledFindings(envList, ['valueFrom', 'fieldRef']));
  });
  const items = (source: string, path: string) => {
    const list: SpecList = { list: listAt(source, ['downwardAPI', 'items']), path: `${path} + '.downwardAPI.items'` };
    return unfilledFindings(list, ['fieldRef']);
  };
  const volume = itemPath(volumeList, 'v');
  const sources: SpecList = { list: listAt('v', ['projected', 'sources']), path: `${volume} + '.projected.sources'` };
  const projected = perItem(sources.list, 'p', items('p', itemPath(sources, 'p')));
  return [...env, perItem(volumeList.list, 'v', `(${items('v', volume)} + ${projected})`)].join(' + ');
}

/** The rules written here, by id: both only warn. */
export const podFieldsCel: Readonly<Record<string, FindingsCel>> = {
  [securityContext.id]: { findings: securityContextFindings(), severity: 'warn' },
  [downwardApi.id]: { findings: downwardApiFindings(), severity: 'warn' },
};
