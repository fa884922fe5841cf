// Rules that forbid values of one field, written as data. The description is the one source of
// both the rule's TypeScript check (here) and its CEL form (lib/native-policies/cel.ts), so the webhook
// and the ValidatingAdmissionPolicies cannot drift apart.
import { capabilityName } from '../eci/capabilities.js';
import { memo } from '../memo.js';
import type { KindKey } from '../workload/kinds.js';
import { containersOf, listOf, recordOrEmpty, type PodTemplate } from '../workload/pod-template.js';
import type { ObjectRule, PodRule, Severity, Violation } from './rule.js';

/**
 * Where the field is: in the pod spec, in each volume, each container (init and ephemeral too),
 * each port of each container; or in the whole object (`object`, for object rules).
 */
type Scope = 'spec' | 'volumes' | 'containers' | 'ports' | 'object';

/** What makes a value forbidden. */
export type Forbidden =
  /** Exactly this value (`hostNetwork: true`, `type: NodePort`). */
  | { readonly equals: string | boolean }
  /** Set to anything but null, 0, false or "" (a `hostPath` volume source, a `hostPort`). */
  | { readonly set: true }
  /** One of these numbers (reserved ports). */
  | { readonly oneOf: readonly number[] }
  /** Capability names (compared as the runtime does: any case, CAP_ optional) in this list... */
  | { readonly capabilityIn: readonly string[] }
  /** ...or not in it. */
  | { readonly capabilityNotIn: readonly string[] };

export interface FieldCheck {
  readonly scope: Scope;
  /** Field names below the scope's item, e.g. `securityContext.privileged`. */
  readonly field: readonly string[];
  /** The field holds a list whose entries are judged one by one (`capabilities.add`). */
  readonly each?: boolean;
  readonly forbidden: Forbidden;
  readonly severity?: Severity;
  /** Replaces the rule's message; `{value}` stands for the offending value as normalised. */
  readonly message?: string;
  readonly workaround?: string;
}

/** The rule's checks; the first is the rule's own finding, the others refine it. */
export interface FieldRuleInfo {
  readonly id: string;
  /** What it refuses, for the rule table of docs/reference.md. */
  readonly summary: string;
  readonly message: string;
  readonly workaround: string;
  readonly fields: readonly FieldCheck[];
}

export interface PodFieldRule extends PodRule, FieldRuleInfo {}
export interface ObjectFieldRule extends ObjectRule, FieldRuleInfo {}
export type FieldRule = PodFieldRule | ObjectFieldRule;

export function podFieldRule(info: FieldRuleInfo): PodFieldRule {
  return {
    ...info,
    target: 'pod',
    check: ({ pod }) => collect(info.fields, (field, found) => podViolations(field, pod, found)),
  };
}

export function objectFieldRule(info: FieldRuleInfo & { readonly kinds: readonly KindKey[] }): ObjectFieldRule {
  return {
    ...info,
    target: 'object',
    check: ({ object }) => collect(info.fields, (field, found) => violationsAt(field, object, '', undefined, found)),
  };
}

export function isFieldRule(rule: PodRule | ObjectRule): rule is FieldRule {
  return Array.isArray((rule as Partial<FieldRuleInfo>).fields);
}

function isForbidden(forbidden: Forbidden, value: unknown): boolean {
  if ('equals' in forbidden) return value === forbidden.equals;
  if ('set' in forbidden)
    return value !== undefined && value !== null && value !== 0 && value !== false && value !== '';
  if ('oneOf' in forbidden) return forbidden.oneOf.includes(Number(value));
  if ('capabilityIn' in forbidden) return value !== undefined && forbidden.capabilityIn.includes(capabilityName(value));
  return value !== undefined && !forbidden.capabilityNotIn.includes(capabilityName(value));
}

/** The value as a message shows it: capabilities as the runtime reads them. */
function shown(forbidden: Forbidden, value: unknown): string {
  return 'capabilityIn' in forbidden || 'capabilityNotIn' in forbidden ? capabilityName(value) : String(value);
}

interface Item {
  readonly item: unknown;
  readonly path: string;
  readonly name?: string;
}

/** The items of the pod a scope names, with the path and name of each; listed once per pod. */
function itemsOf(scope: Scope, pod: PodTemplate): readonly Item[] {
  return memo(
    memo(listed, pod, () => new Map()),
    scope,
    () => list(scope, pod),
  );
}

const listed = new WeakMap<PodTemplate, Map<Scope, readonly Item[]>>();

function list(scope: Scope, pod: PodTemplate): readonly Item[] {
  switch (scope) {
    case 'spec':
    case 'object':
      return [{ item: pod.spec, path: pod.specPath }];
    case 'volumes':
      return listOf(pod.spec.volumes).map((volume, index) => ({
        item: volume,
        path: `${pod.specPath}.volumes[${index}]`,
        name: volume?.name,
      }));
    case 'containers':
      return containersOf(pod).map(({ container, path, name }) => ({ item: container, path, name }));
    case 'ports':
      return containersOf(pod).flatMap(({ container, path, name }) =>
        listOf(container?.ports).map((port, index) => ({ item: port, path: `${path}.ports[${index}]`, name })),
      );
  }
}

/**
 * The violations of every check, gathered into one list made only when there is one: rules run on
 * every review, and nearly every field of nearly every pod is clean, so the clean path allocates
 * nothing (no per-item arrays for the collector to sweep).
 */
function collect(
  fields: readonly FieldCheck[],
  visit: (field: FieldCheck, found: Found) => void,
): readonly Violation[] {
  const found: Found = { violations: undefined };
  for (const field of fields) visit(field, found);
  return found.violations ?? none;
}

interface Found {
  violations: Violation[] | undefined;
}

const none: readonly Violation[] = Object.freeze([]);

function podViolations(check: FieldCheck, pod: PodTemplate, found: Found): void {
  for (const { item, path, name } of itemsOf(check.scope, pod)) violationsAt(check, item, path, name, found);
}

/**
 * The violations of one item (a container, a volume, the object): its field, or each entry of it.
 * Paths are built only for what is forbidden: nearly every item of nearly every pod is clean.
 */
function violationsAt(check: FieldCheck, item: unknown, at: string, name: string | undefined, found: Found): void {
  const value = check.field.reduce<unknown>((node, field) => recordOrEmpty(node)[field], item);
  if (!check.each) {
    if (isForbidden(check.forbidden, value)) add(found, violation(check, pathOf(check, at), name, value));
    return;
  }
  listOf(value as unknown[]).forEach((entry, index) => {
    if (isForbidden(check.forbidden, entry))
      add(found, violation(check, `${pathOf(check, at)}[${index}]`, name, entry));
  });
}

function add(found: Found, violation: Violation): void {
  found.violations ??= [];
  found.violations.push(violation);
}

function pathOf(check: FieldCheck, at: string): string {
  return [at, check.field.join('.')].filter(Boolean).join('.');
}

function violation(check: FieldCheck, path: string, name: string | undefined, entry: unknown): Violation {
  return {
    path,
    ...(name ? { subject: name } : {}),
    ...(check.message ? { message: check.message.replace('{value}', shown(check.forbidden, entry)) } : {}),
    ...(check.workaround ? { workaround: check.workaround } : {}),
    ...(check.severity ? { severity: check.severity } : {}),
  };
}
