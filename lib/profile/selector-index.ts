// The profile's selectors indexed by one equality requirement each (a matchLabels entry or an
// `In` expression), so matching a pod reads the index under its own labels instead of trying every
// selector: the cost follows the labels a pod has, not the size of the profile.
import type { V1LabelSelector } from '@kubernetes/client-node';
import { memo } from '../memo.js';
import type { Labels } from '../violation.js';
import { recordOrEmpty } from '../workload/pod-template.js';

/** Selector positions by label key, then by value. */
type Postings = Map<string, Map<string, number[]>>;

export interface SelectorIndex {
  /**
   * Positions (ascending) of the selectors that may match: a superset of those that do. The caller
   * still applies the full matchers; the index only rules out selectors that cannot match.
   */
  candidates(objectLabels: Labels | undefined, namespaceLabels: Labels | undefined): readonly number[];
}

export interface IndexableSelector {
  readonly objectSelector?: V1LabelSelector | undefined;
  readonly namespaceSelector?: V1LabelSelector | undefined;
}

export function indexSelectors(selectors: readonly IndexableSelector[]): SelectorIndex {
  const byObject: Postings = new Map();
  const byNamespace: Postings = new Map();
  const always: number[] = [];
  selectors.forEach((selector, position) => {
    // One requirement is enough: every requirement of a selector must hold for it to match.
    const objectKey = equalityRequirement(selector.objectSelector);
    const namespaceKey = objectKey ? undefined : equalityRequirement(selector.namespaceSelector);
    if (objectKey) post(byObject, objectKey, position);
    else if (namespaceKey) post(byNamespace, namespaceKey, position);
    else always.push(position);
  });
  if (byObject.size === 0 && byNamespace.size === 0) return { candidates: () => always };
  return {
    candidates(objectLabels, namespaceLabels) {
      const found = [...always];
      collect(byObject, objectLabels, found);
      collect(byNamespace, namespaceLabels, found);
      // Selector effects apply in profile order: the first writer wins.
      return found.length > 1 ? found.sort((a, b) => a - b) : found;
    },
  };
}

interface Requirement {
  readonly key: string;
  readonly values: readonly string[];
}

function equalityRequirement(selector: V1LabelSelector | undefined): Requirement | undefined {
  const [first] = Object.entries(selector?.matchLabels ?? {});
  if (first) return { key: first[0], values: [first[1]] };
  const expression = (selector?.matchExpressions ?? []).find((e) => e.operator === 'In');
  return expression && { key: expression.key, values: expression.values ?? [] };
}

function post(postings: Postings, { key, values }: Requirement, position: number): void {
  const byValue = memo(postings, key, () => new Map());
  // A label has one value, so a selector listed under several values of one key is found once.
  for (const value of new Set(values)) {
    memo(byValue, value, (): number[] => []).push(position);
  }
}

function collect(postings: Postings, labels: Labels | undefined, into: number[]): void {
  if (postings.size === 0) return;
  for (const [key, value] of Object.entries(recordOrEmpty(labels))) {
    if (typeof value !== 'string') continue;
    const positions = postings.get(key)?.get(value);
    if (positions) into.push(...positions);
  }
}
