// What /mutate does to a new pod: the eci-profile selector effects ("ECI Effect") and the
// virtual-node routing ("ECI Scheduler"), on a copy. The patch is the diff, made by the caller.
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import type { ProfileSelector } from '../profile/profile.js';
import type { Labels, PolicyContext } from './context.js';
import type { SeveredFinding } from './rule.js';
import { eciLabelRoute, virtualNodeRouting, type LabelRoute } from './routing.js';

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
  const pod = structuredClone(original);
  const metadata = (pod.metadata ??= {});
  const namespaceLabels = namespace === undefined ? undefined : context.namespaceLabels.get(namespace);
  const route = eciLabelRoute(metadata.labels, namespaceLabels);
  // A pod matched by a constrained selector goes to ECI (the "ECI Scheduler"), and is then an ECI
  // pod for the unconstrained selectors too.
  const routedBySelector = matchingSelectors(metadata.labels, namespaceLabels, context, false).length > 0;
  const onEci = context.clusterMode === 'serverless' || route !== undefined || routedBySelector;
  const selectors = onEci ? matchingSelectors(metadata.labels, namespaceLabels, context, true) : [];
  // First writer wins: the pod's own keys, then selectors in array order.
  for (const selector of selectors) {
    if (Object.keys(selector.annotations).length > 0) metadata.annotations = { ...selector.annotations, ...metadata.annotations };
    if (Object.keys(selector.labels).length > 0) metadata.labels = { ...selector.labels, ...metadata.labels };
  }
  const routed = route !== undefined || (context.clusterMode === 'hybrid' && routedBySelector);
  const warnings = route?.legacy ? [legacyLabelWarning(route)] : [];
  return { pod: routed ? routeToVirtualNode(pod, context, warnings) : pod, warnings };
}

function routeToVirtualNode(pod: V1Pod, context: PolicyContext, warnings: SeveredFinding[]): V1Pod {
  const { nodeSelector, toleration } = virtualNodeRouting[context.routing];
  const spec = (pod.spec ??= { containers: [] });
  const selector = (spec.nodeSelector ??= {});
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (!(key in selector)) selector[key] = value;
    else if (selector[key] !== value) warnings.push(conflictWarning(key, selector[key]!, value));
  }
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  if (!tolerations.some((existing) => tolerates(existing, toleration))) spec.tolerations = [...tolerations, toleration];
  return pod;
}

/** Kubernetes' own rule: an empty key with Exists tolerates every taint; an empty effect every effect. */
function tolerates(existing: V1Toleration, wanted: V1Toleration): boolean {
  if (existing?.effect && existing.effect !== wanted.effect) return false;
  if (existing?.operator === 'Exists') return !existing.key || existing.key === wanted.key;
  return existing?.key === wanted.key && (existing.value ?? '') === wanted.value;
}

function legacyLabelWarning(route: LabelRoute): SeveredFinding {
  return {
    rule: 'eci-routing',
    path: 'metadata.labels',
    message: `the ${route.label} is a legacy way to send pods to ECI`,
    workaround: 'label the pod or namespace alibabacloud.com/eci: "true" instead',
    severity: 'warn',
  };
}

function conflictWarning(key: string, theirs: string, ours: string): SeveredFinding {
  return {
    rule: 'eci-routing',
    path: `spec.nodeSelector["${key}"]`,
    message: `is ${JSON.stringify(theirs)}, so the pod may not reach a virtual node (${key}=${ours})`,
    workaround: `remove it or set it to ${JSON.stringify(ours)}`,
    severity: 'warn',
  };
}
