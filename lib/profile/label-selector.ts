// Kubernetes LabelSelector semantics, compiled once per profile into a predicate.
import type { V1LabelSelector, V1LabelSelectorRequirement } from '@kubernetes/client-node';
import type { Labels } from '../violation.js';
import { recordOrEmpty } from '../workload/pod-template.js';

export type LabelMatcher = (labels: Labels | undefined) => boolean;

/** Absent or empty: no constraint. matchLabels and every expression must all hold. */
export function compileLabelSelector(selector: V1LabelSelector | undefined): LabelMatcher {
  const requirements = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => requirement(key, 'In', [value])),
    ...(selector?.matchExpressions ?? []).map((e) => requirement(e.key, e.operator, e.values ?? [])),
  ];
  // Labels that are not a map (a fuzzer's, a broken object's) have no labels; only own keys count,
  // or a label key such as `constructor` would be found on every object's prototype.
  return (labels) => {
    const own = recordOrEmpty(labels) as Labels;
    return requirements.every((holds) => holds(own));
  };
}

function requirement(key: string, operator: V1LabelSelectorRequirement['operator'], values: readonly string[]) {
  const allowed = new Set(values);
  switch (operator) {
    case 'In':
      return (labels: Labels) => Object.hasOwn(labels, key) && allowed.has(labels[key]!);
    case 'NotIn':
      return (labels: Labels) => !Object.hasOwn(labels, key) || !allowed.has(labels[key]!);
    case 'Exists':
      return (labels: Labels) => Object.hasOwn(labels, key);
    case 'DoesNotExist':
      return (labels: Labels) => !Object.hasOwn(labels, key);
    default:
      // The profile schema admits only the four operators; an unknown one never matches.
      return () => false;
  }
}
