// CEL written from the rules' descriptions: the field rules of lib/policy/field-rule.ts, where
// each kind keeps its pod template (lib/workload/kinds.ts), and what sends a pod to ECI
// (lib/policy/routing.ts). Every expression reads `object` as the API server stores it after
// its own validation, so required fields are there; optional ones are guarded with has().
import type { FieldCheck, FieldRule, Forbidden } from '../policy/field-rule.js';
import {
  namespaceLabels,
  podLabels,
  virtualNodeNamePrefix,
  virtualNodeRouting,
  type RoutingLabel,
} from '../policy/routing.js';
import { podTemplateKinds, type KindKey } from '../workload/kinds.js';

/** A CEL string literal (CEL accepts JSON's escapes). */
export const literal = (value: string | number | boolean): string => JSON.stringify(value);

export const listLiteral = (values: readonly (string | number)[]): string => `[${values.map(literal).join(', ')}]`;

/** `Deployment` of `apps/Deployment`: `object.kind` carries no group. */
export const kindName = (kind: KindKey): string => kind.slice(kind.indexOf('/') + 1);

export interface Variable {
  readonly name: string;
  readonly expression: string;
}

/** `a.b.c` of a root and field names. */
const fieldOf = (root: string, fields: readonly string[]): string => [root, ...fields].join('.');

/** `has(a.b) && has(a.b.c)`: true when every field below the root is set. */
export function hasAll(root: string, fields: readonly string[]): string {
  return fields.map((_, index) => `has(${fieldOf(root, fields.slice(0, index + 1))})`).join(' && ') || 'true';
}

/**
 * A chain of `object.kind in [...] ? <at location> : ...` over the kinds with a pod template,
 * ending in `otherwise`: one case per location, as podTemplateOf finds it.
 */
function byLocation(at: (location: readonly string[]) => string, otherwise: string): string {
  const groups = new Map<string, { location: readonly string[]; kinds: string[] }>();
  for (const [kind, location] of podTemplateKinds()) {
    const group = groups.get(location.join('.')) ?? { location, kinds: [] };
    group.kinds.push(kindName(kind));
    groups.set(location.join('.'), group);
  }
  return [...groups.values()].reduceRight(
    (rest, { location, kinds }) => `object.kind in ${listLiteral(kinds)} ? ${at(location)} : ${rest}`,
    otherwise,
  );
}

/** The pod template (the object holding metadata and spec; a Pod itself), its path, its parts. */
export const templateVariables: readonly Variable[] = [
  { name: 'template', expression: byLocation((location) => fieldOf('object', location), 'null') },
  {
    name: 'templatePath',
    expression: byLocation((location) => literal(location.map((field) => `${field}.`).join('')), "''"),
  },
  { name: 'spec', expression: 'variables.template == null ? null : variables.template.spec' },
  { name: 'specPath', expression: "variables.templatePath + 'spec'" },
  { name: 'metadataPath', expression: "variables.templatePath + 'metadata'" },
  { name: 'labels', expression: mapOf('labels') },
  { name: 'annotations', expression: mapOf('annotations') },
];

/** The template's labels or annotations, or an empty map. */
function mapOf(field: string): string {
  const at = ['metadata', field];
  return (
    `variables.template != null && ${hasAll('variables.template', at)}` + ` ? ${fieldOf('variables.template', at)} : {}`
  );
}

/**
 * An UPDATE that leaves what the rules read as it was passes, as in decide: a Pod's or a
 * Service's spec, a workload's pod template.
 */
export const unchangedVariable: Variable = {
  name: 'unchanged',
  expression:
    "request.operation == 'UPDATE' && oldObject != null && " +
    `(${byLocation(unchangedAt, 'object.spec == oldObject.spec')})`,
};

/** The pod template at `location` (the spec, for a kind whose template is the object) is as it was. */
function unchangedAt(location: readonly string[]): string {
  const at = location.length ? location : ['spec'];
  return `${fieldOf('object', at)} == ${fieldOf('oldObject', at)}`;
}

/**
 * Hybrid clusters: the part of the placement decision (lib/policy/placement.ts) that CEL sees (no
 * eci-profile selectors).
 */
export const eciBoundVariable: Variable = {
  name: 'eciBound',
  expression: [
    `(namespaceObject != null && ${hasAll('namespaceObject', ['metadata', 'labels'])}` +
      ` && (${labelTests('namespaceObject.metadata.labels', namespaceLabels)}))`,
    `(${labelTests('variables.labels', podLabels)})`,
    ...Object.values(virtualNodeRouting).map(
      ({ nodeSelector }) =>
        `(variables.spec != null && has(variables.spec.nodeSelector) && ${labelTests(
          'variables.spec.nodeSelector',
          Object.entries(nodeSelector).map(([key, value]) => ({ key, value })),
          ' && ',
        )})`,
    ),
    `(variables.spec != null && has(variables.spec.nodeName)` +
      ` && variables.spec.nodeName.startsWith(${literal(virtualNodeNamePrefix)}))`,
  ].join(' || '),
};

export function labelTests(
  map: string,
  labels: ReadonlyArray<Pick<RoutingLabel, 'key' | 'value'>>,
  join = ' || ',
): string {
  return labels
    .map(({ key, value }) => `(${literal(key)} in ${map} && ${map}[${literal(key)}] == ${literal(value)})`)
    .join(join);
}

/** A list of the pod spec as a CEL expression (empty when absent), and the path of its items. */
export interface SpecList {
  readonly list: string;
  readonly path: string;
  /** A field unique among the items (a name): an item's index is found by it, not by comparing whole items. */
  readonly key?: string;
}

/** `item.a.b` if set, else an empty list. */
export function listAt(item: string, fields: readonly string[]): string {
  return `(${hasAll(item, fields)} ? ${fieldOf(item, fields)} : [])`;
}

/** The API server refuses two containers (of any list) or two volumes of one name. */
function specList(field: string): SpecList {
  return { list: listAt('variables.spec', [field]), path: `variables.specPath + '.${field}'`, key: 'name' };
}

/** Containers, init and ephemeral containers, in spec order, as containersOf walks them. */
export const containerLists: readonly SpecList[] = ['containers', 'initContainers', 'ephemeralContainers'].map(
  specList,
);

export const volumeList: SpecList = specList('volumes');

/** The path of `item`, an item of `list`, as `<path>[<index>]`. */
export function itemPath({ list, path, key }: SpecList, item: string): string {
  const index = key === undefined ? `${list}.indexOf(${item})` : `${list}.map(by, by.${key}).indexOf(${item}.${key})`;
  return `${path} + '[' + string(${index}) + ']'`;
}

function scopeLists(check: FieldCheck): readonly SpecList[] {
  switch (check.scope) {
    case 'volumes':
      return [volumeList];
    case 'containers':
    case 'ports':
      return containerLists;
    default:
      return [];
  }
}

/** The most strings sortedCel orders; a list with more keeps the order CEL gives it. */
const sortedAtMost = 32;

/**
 * The distinct strings of `list` in ascending order, without `sort()` (Kubernetes 1.34 and newer
 * only): the n-th is the one with n smaller. Positions come from a literal, never from `list`
 * itself: a list made from a map has no order, and each mention of it may be made anew. For the
 * few keys of one map: its cost grows with their number cubed.
 */
export function sortedCel(list: string): string {
  const positions = listLiteral(Array.from({ length: sortedAtMost }, (_, index) => index));
  const nth = `${list}.filter(sortKey, size(${list}.filter(sortOther, sortOther < sortKey)) == sortAt)[0]`;
  const sorted = `${positions}.filter(sortAt, sortAt < size(${list})).map(sortAt, ${nth})`;
  return `(size(${list}) > ${sortedAtMost} ? ${list} : ${sorted})`;
}

/** A message `text` builds around one value, with the CEL string expression `value` in its place. */
export function interpolated(text: (value: string) => string, value: string): string {
  const slot = '\u0000';
  const parts = text(slot)
    .split(slot)
    .flatMap((piece, index) => [...(index > 0 ? [value] : []), ...(piece ? [literal(piece)] : [])]);
  return parts.join(' + ') || "''";
}

/** A finding as formatFinding writes it, `<rule>: <path> (<name>): <message>; <workaround>`, from CEL strings. */
export function findingCel(rule: string, path: string, message: string, workaround: string, name?: string): string {
  const where = name === undefined ? path : `${path} + ' (' + ${name} + ')'`;
  return `${literal(`${rule}: `)} + ${where} + ': ' + ${message} + ${literal(`; ${workaround}`)}`;
}

/** Whether the value at `value` is forbidden. */
function forbiddenTest(forbidden: Forbidden, value: string): string {
  if ('equals' in forbidden) return `${value} == ${literal(forbidden.equals)}`;
  if ('set' in forbidden) return `${value} != null && ${value} != 0 && ${value} != false && ${value} != ''`;
  if ('oneOf' in forbidden) return `${value} in ${listLiteral(forbidden.oneOf)}`;
  const named =
    `${shownValue(forbidden, value)}` +
    ` in ${listLiteral('capabilityIn' in forbidden ? forbidden.capabilityIn : forbidden.capabilityNotIn)}`;
  return 'capabilityIn' in forbidden ? named : `!(${named})`;
}

/** The value as the message shows it, as field-rule.ts's `shown`. */
function shownValue(forbidden: Forbidden, value: string): string {
  if ('capabilityIn' in forbidden || 'capabilityNotIn' in forbidden) {
    return `(${value}.upperAscii().startsWith('CAP_') ? ${value}.upperAscii().substring(4) : ${value}.upperAscii())`;
  }
  return `string(${value})`;
}

/** The finding of a field rule's check, as a CEL string expression. */
function findingText(
  rule: FieldRule,
  check: FieldCheck,
  path: string,
  name: string | undefined,
  value: string,
): string {
  const text = (slot: string) => (check.message ?? rule.message).split('{value}').join(slot);
  const message = interpolated(text, shownValue(check.forbidden, value));
  return findingCel(rule.id, path, message, check.workaround ?? rule.workaround, name);
}

/** The findings of one item (`item` at `path`) as a list of strings: its field, or each entry. */
function itemFindings(
  rule: FieldRule,
  check: FieldCheck,
  item: string,
  path: string,
  name: string | undefined,
): string {
  const value = fieldOf(item, check.field);
  const fieldPath = check.field.length
    ? `${path} + ${literal(`${path === "''" ? '' : '.'}${check.field.join('.')}`)}`
    : path;
  const present = hasAll(item, check.field);
  if (!check.each)
    return (
      `(${present} && ${forbiddenTest(check.forbidden, value)}` +
      ` ? [${findingText(rule, check, fieldPath, name, value)}] : [])`
    );
  const entryPath = `${fieldPath} + '[' + string(${value}.indexOf(x)) + ']'`;
  return (
    `(${present} ? ${value}.filter(x, ${forbiddenTest(check.forbidden, 'x')})` +
    `.map(x, ${findingText(rule, check, entryPath, name, 'x')}) : [])`
  );
}

/** Every finding of one check, as a CEL list of strings. */
export function checkFindings(rule: FieldRule, check: FieldCheck): string {
  if (check.scope === 'object') return itemFindings(rule, check, 'object', "''", undefined);
  if (check.scope === 'spec') return itemFindings(rule, check, 'variables.spec', 'variables.specPath', undefined);
  const joined = (items: string) => `${items}.filter(s, s != '')`;
  return scopeLists(check)
    .map((specList) => {
      const { list } = specList;
      const at = itemPath(specList, 'i');
      if (check.scope !== 'ports')
        return joined(`${list}.map(i, ${itemFindings(rule, check, 'i', at, 'i.name')}.join('; '))`);
      const ports = `(has(i.ports) ? i.ports : [])`;
      const portAt = `${at} + '.ports[' + string(${ports}.indexOf(p)) + ']'`;
      return joined(
        `${list}.map(i, ${ports}.map(p, ${itemFindings(rule, check, 'p', portAt, 'i.name')}.join('; '))` +
          `.filter(s, s != '').join('; '))`,
      );
    })
    .join(' + ');
}
