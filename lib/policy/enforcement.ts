// How findings become a verdict, after Pod Security Admission's modes: a cluster default and a
// per-namespace label; exemptions for namespaces, users, groups and (when allowed) objects; and
// per-rule switches. Mutation never depends on any of it.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AdmissionRequest } from '../admission/review.js';
import { defaultExemptNamespaces, defaults, modes, type Mode } from '../facts.js';
import { isRoutedKind, type KindKey } from '../workload/kinds.js';
import { listOf } from '../workload/pod-template.js';
import type { Labels } from '../violation.js';
import type { SeveredFinding } from './findings.js';

/** The namespace label that overrides the cluster's mode. */
const modeLabel = 'eci-admission/mode';
/** The object annotation that exempts it, honoured only when the cluster admin allows it. */
const optOutAnnotation = 'eci-admission/exempt';

export type RuleAction = 'off' | 'warn';

export interface Enforcement {
  readonly mode: Mode;
  readonly exemptNamespaces: ReadonlySet<string>;
  /** Usernames; a service account is `system:serviceaccount:<namespace>:<name>`. */
  readonly exemptUsers: ReadonlySet<string>;
  readonly exemptGroups: ReadonlySet<string>;
  readonly allowOptOut: boolean;
  readonly rules: ReadonlyMap<string, RuleAction>;
}

export const defaultEnforcement: Enforcement = {
  mode: defaults.mode,
  exemptNamespaces: new Set(defaultExemptNamespaces),
  exemptUsers: new Set(),
  exemptGroups: new Set(),
  allowOptOut: false,
  rules: new Map(),
};

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Why the request is exempt, or undefined. Namespace exemptions cover what runs (pods,
 * workloads, Services), not ECI's own configuration: the eci-profile lives in kube-system.
 */
export function exemptionOf(
  request: AdmissionRequest,
  kind: KindKey,
  object: KubernetesObject,
  rules: Enforcement,
): string | undefined {
  const user = request.userInfo?.username;
  if (user !== undefined && rules.exemptUsers.has(user)) return `user ${user}`;
  const group = listOf(request.userInfo?.groups).find((g) => rules.exemptGroups.has(g));
  if (group !== undefined) return `group ${group}`;
  if (!isRoutedKind(kind)) return undefined;
  if (request.namespace !== undefined && rules.exemptNamespaces.has(request.namespace))
    return `namespace ${request.namespace}`;
  if (rules.allowOptOut && object.metadata?.annotations?.[optOutAnnotation] === 'true')
    return `annotation ${optOutAnnotation}`;
  return undefined;
}

export function modeOf(namespaceLabels: Labels | undefined, enforcement: Enforcement): Mode {
  const label = namespaceLabels?.[modeLabel];
  return (modes as readonly string[]).includes(label ?? '') ? (label as Mode) : enforcement.mode;
}

/** The cluster's per-rule switches: a rule turned off says nothing, a rule turned to warn only warns. */
export function switched(found: readonly SeveredFinding[], rules: ReadonlyMap<string, RuleAction>): SeveredFinding[] {
  if (rules.size === 0) return [...found];
  return found.flatMap((finding) => {
    const action = rules.get(finding.rule);
    if (action === 'off') return [];
    return action === 'warn' ? [{ ...finding, severity: 'warn' as const }] : [finding];
  });
}
