// What /mutate does to a new pod: the eci-profile selector effects ("ECI Effect") and the
// virtual-node routing ("ECI Scheduler"), on a copy. The patch is the diff, made by the caller.
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { ProfileSelector } from '../profile/profile.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import type { PolicyContext } from './context.js';
import type { Placement } from './placement.js';
import type { SeveredFinding } from './rule.js';
import { virtualNodeRouting, type LabelRoute } from './routing.js';

/** The id of the findings routing reports (legacy labels, conflicting nodeSelectors). */
export const routingRuleId = 'eci-routing';

export interface Mutation {
  readonly pod: V1Pod;
  readonly warnings: readonly SeveredFinding[];
}

/** Applies a placement decided by decide: the selectors' effects, then the virtual-node routing. */
export function mutatePod(original: V1Pod, placement: Placement, context: PolicyContext): Mutation {
  // A pod whose metadata or spec is not a map has nothing we could patch sanely: the validators
  // judge it as it is. The API server never sends one; a fuzzer or a broken client might.
  if (!isMapOrAbsent(original.metadata) || !isMapOrAbsent(original.spec)) return { pod: original, warnings: [] };
  const route = placement.labelRoute;
  const warnings = route?.legacy ? [legacyLabelWarning(route)] : [];
  // Copy on write: untouched parts stay the submitted objects, so the diff skips them at once.
  const effected = placement.selectors.length > 0 ? withSelectorEffects(original, placement.selectors) : original;
  return { pod: placement.routed ? routeToVirtualNode(effected, context, warnings) : effected, warnings };
}

function isMapOrAbsent(value: unknown): boolean {
  return value === undefined || value === recordOrEmpty(value);
}

/**
 * First writer wins: the pod's own keys, then selectors in array order. A pod that already carries
 * every effect (as the validating webhook receives it, mutated) is returned as it is.
 */
function withSelectorEffects(pod: V1Pod, selectors: readonly ProfileSelector[]): V1Pod {
  const { annotations, labels } = pod.metadata ?? {};
  const effected = {
    annotations: selectors.reduce((map, selector) => withDefaults(map, selector.annotations), annotations),
    labels: selectors.reduce((map, selector) => withDefaults(map, selector.labels), labels),
  };
  if (effected.annotations === annotations && effected.labels === labels) return pod;
  return { ...pod, metadata: { ...pod.metadata, ...(effected.annotations && { annotations: effected.annotations }), ...(effected.labels && { labels: effected.labels }) } };
}

/** The map with the keys it lacks added from `defaults`: the same map when it lacks none. */
function withDefaults(map: Record<string, string> | undefined, defaults: Record<string, string>): Record<string, string> | undefined {
  const missing = Object.keys(defaults).some((key) => map === undefined || !Object.hasOwn(map, key));
  return missing ? { ...defaults, ...map } : map;
}

function routeToVirtualNode(pod: V1Pod, context: PolicyContext, warnings: SeveredFinding[]): V1Pod {
  const { nodeSelector, toleration } = virtualNodeRouting[context.routing];
  const spec = pod.spec ?? { containers: [] };
  const existing = recordOrEmpty(spec.nodeSelector) as Record<string, string>;
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (Object.hasOwn(existing, key) && existing[key] !== value) warnings.push(conflictWarning(key, existing[key]!, value));
  }
  const selector = withDefaults(existing, nodeSelector)!;
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const tolerated = tolerations.some((present) => tolerates(present, toleration));
  if (selector === spec.nodeSelector && tolerated) return pod;
  return { ...pod, spec: { ...spec, nodeSelector: selector, ...(tolerated ? {} : { tolerations: [...tolerations, toleration] }) } };
}

/** Kubernetes' own rule: an empty key with Exists tolerates every taint; an empty effect every effect. */
function tolerates(existing: V1Toleration, wanted: V1Toleration): boolean {
  if (existing?.effect && existing.effect !== wanted.effect) return false;
  if (existing?.operator === 'Exists') return !existing.key || existing.key === wanted.key;
  return existing?.key === wanted.key && (existing.value ?? '') === wanted.value;
}

function legacyLabelWarning(route: LabelRoute): SeveredFinding {
  return {
    rule: routingRuleId,
    path: 'metadata.labels',
    message: `the ${route.label} is a legacy way to send pods to ECI`,
    workaround: 'label the pod or namespace alibabacloud.com/eci: "true" instead',
    severity: 'warn',
  };
}

function conflictWarning(key: string, theirs: string, ours: string): SeveredFinding {
  return {
    rule: routingRuleId,
    path: `spec.nodeSelector["${key}"]`,
    message: `is ${JSON.stringify(theirs)}, so the pod may not reach a virtual node (${key}=${ours})`,
    workaround: `remove it or set it to ${JSON.stringify(ours)}`,
    severity: 'warn',
  };
}
