// What /mutate does to a new pod: the eci-profile selector effects ("ECI Effect") and the
// virtual-node routing ("ECI Scheduler"), on a copy. The patch is the diff, made by the caller.
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { ProfileSelector } from '../profile/profile.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import type { Labels, PolicyContext } from './context.js';
import type { SeveredFinding } from './rule.js';
import { eciLabelRoute, virtualNodeRouting, type LabelRoute } from './routing.js';

/** The id of the findings routing reports (legacy labels, conflicting nodeSelectors). */
export const routingRuleId = 'eci-routing';

export interface Mutation {
  readonly pod: V1Pod;
  readonly warnings: readonly SeveredFinding[];
}

/** The selectors whose effect a pod gets: ECI.md section 2. */
export function matchingSelectors(podLabels: Labels | undefined, namespaceLabels: Labels | undefined, context: PolicyContext, onEci: boolean): ProfileSelector[] {
  const { selectors, index } = context.profile;
  const matching: ProfileSelector[] = [];
  for (const position of index.candidates(podLabels, namespaceLabels)) {
    const selector = selectors[position]!;
    // An unconstrained selector applies to every ECI pod, and sends none there by itself.
    if ((selector.constrained || onEci) && selector.matchesNamespace(namespaceLabels) && selector.matchesObject(podLabels)) matching.push(selector);
  }
  return matching;
}

export function mutatePod(original: V1Pod, namespace: string | undefined, context: PolicyContext): Mutation {
  // A pod whose metadata or spec is not a map has nothing we could patch sanely: the validators
  // judge it as it is. The API server never sends one; a fuzzer or a broken client might.
  if (!isMapOrAbsent(original.metadata) || !isMapOrAbsent(original.spec)) return { pod: original, warnings: [] };
  const labels = original.metadata?.labels;
  const namespaceLabels = namespace === undefined ? undefined : context.namespaceLabels.get(namespace);
  const route = eciLabelRoute(labels, namespaceLabels);
  // A pod matched by a constrained selector goes to ECI (the "ECI Scheduler"), and is then an ECI
  // pod for the unconstrained selectors too.
  // One pass over the candidates: the unconstrained matches apply only if the pod is on ECI.
  const matched = matchingSelectors(labels, namespaceLabels, context, true);
  const routedBySelector = matched.some((selector) => selector.constrained);
  const onEci = context.clusterMode === 'serverless' || route !== undefined || routedBySelector;
  const selectors = onEci ? matched : [];
  const routed = route !== undefined || (context.clusterMode === 'hybrid' && routedBySelector);
  const warnings = route?.legacy ? [legacyLabelWarning(route)] : [];
  // Copy on write: untouched parts stay the submitted objects, so the diff skips them at once.
  const effected = selectors.length > 0 ? withSelectorEffects(original, selectors) : original;
  return { pod: routed ? routeToVirtualNode(effected, context, warnings) : effected, warnings };
}

function isMapOrAbsent(value: unknown): boolean {
  return value === undefined || value === recordOrEmpty(value);
}

/** First writer wins: the pod's own keys, then selectors in array order. */
function withSelectorEffects(pod: V1Pod, selectors: readonly ProfileSelector[]): V1Pod {
  let { annotations, labels } = pod.metadata ?? {};
  for (const selector of selectors) {
    if (Object.keys(selector.annotations).length > 0) annotations = { ...selector.annotations, ...annotations };
    if (Object.keys(selector.labels).length > 0) labels = { ...selector.labels, ...labels };
  }
  return { ...pod, metadata: { ...pod.metadata, ...(annotations && { annotations }), ...(labels && { labels }) } };
}

function routeToVirtualNode(pod: V1Pod, context: PolicyContext, warnings: SeveredFinding[]): V1Pod {
  const { nodeSelector, toleration } = virtualNodeRouting[context.routing];
  const spec = pod.spec ?? { containers: [] };
  const selector = { ...recordOrEmpty(spec.nodeSelector) } as Record<string, string>;
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (!Object.hasOwn(selector, key)) selector[key] = value;
    else if (selector[key] !== value) warnings.push(conflictWarning(key, selector[key]!, value));
  }
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const tolerated = tolerations.some((existing) => tolerates(existing, toleration));
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
