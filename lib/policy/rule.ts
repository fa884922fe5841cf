// The contract of a rule, after Pod Security Admission's checks: a small pure function of the
// object returning the offending fields; the registry turns them into findings.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KindKey } from '../workload/kinds.js';
import type { PodTemplate } from '../workload/pod-template.js';
import type { Severity, Violation } from '../schema/types.js';
import type { PolicyContext } from './context.js';
import type { SeveredFinding } from './findings.js';

export type { SeveredFinding, Severity, Violation };

interface RuleInfo {
  readonly id: string;
  readonly message: string;
  readonly workaround: string;
}

/** Runs on every pod and every pod template. */
export interface PodRule extends RuleInfo {
  readonly target: 'pod';
  check(pod: PodTemplate, context: PolicyContext): readonly Violation[];
}

/** Runs on whole objects of the listed kinds. */
export interface ObjectRule extends RuleInfo {
  readonly target: 'object';
  readonly kinds: readonly KindKey[];
  check(object: KubernetesObject, context: PolicyContext): readonly Violation[];
}

export type Rule = PodRule | ObjectRule;

export function findingsOf(rule: Rule, violations: readonly Violation[]): SeveredFinding[] {
  return violations.map((violation) => ({
    rule: rule.id,
    path: violation.path,
    ...(violation.subject ? { subject: violation.subject } : {}),
    message: violation.message ?? rule.message,
    workaround: violation.workaround ?? rule.workaround,
    severity: violation.severity ?? 'deny',
  }));
}
