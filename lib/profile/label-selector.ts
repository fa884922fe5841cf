// Kubernetes LabelSelector semantics, compiled once per profile into a predicate.
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import type { Labels } from '../policy/context.js';

export type LabelMatcher = (labels: Labels | undefined) => boolean;

/** Absent or empty: no constraint. matchLabels and every expression must all hold. */
export function compileLabelSelector(selector: V1LabelSelector | undefined): LabelMatcher {
  const requirements = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => requirement(key, 'In', [value])),
    ...(selector?.matchExpressions ?? []).map((e) => requirement(e.key, e.operator, e.values ?? [])),
  ];
  return (labels) => requirements.every((holds) => holds(labels ?? {}));
}

function requirement(key: string, operator: V1LabelSelectorRequirement['operator'], values: readonly string[]) {
  const allowed = new Set(values);
  switch (operator) {
    case 'In':
      return (labels: Labels) => key in labels && allowed.has(labels[key]!);
    case 'NotIn':
      return (labels: Labels) => !(key in labels) || !allowed.has(labels[key]!);
    case 'Exists':
      return (labels: Labels) => key in labels;
    case 'DoesNotExist':
      return (labels: Labels) => !(key in labels);
    default:
      // The profile schema admits only the four operators; an unknown one never matches.
      return () => false;
  }
}
