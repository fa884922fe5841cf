// Where a pod (or a workload's pods) runs, decided once per request: whether it goes to ECI, why,
// whether /mutate must route it to a virtual node, and which eci-profile selectors' effects it
// gets. decide computes it and hands the one answer to the mutation, the rules, explain and the
// metrics, so "is this pod on ECI?" has one answer everywhere. Sources: the labels and the manual
// routing, https://www.alibabacloud.com/help/en/eci/user-guide/schedule-pods-to-virtual-kubelet;
// eci-profile selectors, https://www.alibabacloud.com/help/doc-detail/363068.htm.
import type { ProfileSelector } from '../profile/profile.js';
import type { PodTemplate } from '../workload/pod-template.js';
import type { Labels, PolicyContext } from './context.js';
import { eciLabelRoute, virtualNodeNamePrefix, virtualNodeRouting, type LabelRoute } from './routing.js';

/** What sends it to ECI, a bounded set (a metrics label). */
const placementCauses = ['serverless', 'label', 'node-selector', 'node-name', 'profile-selector', 'none'] as const;
type PlacementCause = (typeof placementCauses)[number];

export interface Placement {
  readonly onEci: boolean;
  readonly cause: PlacementCause;
  /** Why, as a clause: `the pod label alibabacloud.com/eci=true sends it there`; undefined when not on ECI. */
  readonly reason: string | undefined;
  /** The ECI label that sends it there, when one does (a legacy one earns a warning). */
  readonly labelRoute: LabelRoute | undefined;
  /** /mutate adds the virtual node's nodeSelector and toleration. */
  readonly routed: boolean;
  /** The selectors whose effects its pods get, in profile order (none when not on ECI). */
  readonly selectors: readonly ProfileSelector[];
}

/** `pod` is undefined for objects without one (a Service): only the namespace can send it. */
export function placementOf(
  pod: PodTemplate | undefined,
  namespace: string | undefined,
  context: PolicyContext,
): Placement {
  const namespaceLabels = namespace === undefined ? undefined : context.namespaceLabels.get(namespace);
  const podLabels = pod?.metadata.labels;
  const labelRoute = eciLabelRoute(podLabels, namespaceLabels);
  // One pass over the candidates: the unconstrained matches count only if the pod is on ECI.
  const matched = pod ? matchingSelectors(podLabels, namespaceLabels, context, true) : [];
  const routing = routingSelector(matched);
  const [cause, reason] = causeOf(pod, labelRoute, routing, context);
  const onEci = cause !== 'none';
  return {
    onEci,
    cause,
    reason,
    labelRoute,
    // A label routes in any cluster; elsewhere only a hybrid cluster has real nodes to avoid.
    routed:
      labelRoute !== undefined ||
      (context.clusterMode === 'hybrid' && (cause === 'profile-selector' || cause === 'node-selector')),
    selectors: onEci ? matched : [],
  };
}

function causeOf(
  pod: PodTemplate | undefined,
  route: LabelRoute | undefined,
  routing: ProfileSelector | undefined,
  context: PolicyContext,
): [PlacementCause, string | undefined] {
  if (context.clusterMode === 'serverless') return ['serverless', 'every pod of a serverless cluster runs on ECI'];
  if (route) return ['label', `the ${route.label} sends it there`];
  const nodeSelector = virtualNodeSelectorOf(pod);
  if (nodeSelector) return ['node-selector', `its nodeSelector ${nodeSelector} picks a virtual node`];
  const nodeName = String(pod?.spec.nodeName ?? '');
  if (nodeName.startsWith(virtualNodeNamePrefix)) return ['node-name', `its nodeName ${nodeName} is a virtual node`];
  if (routing) return ['profile-selector', `the eci-profile selector ${routing.name} sends it there`];
  return ['none', undefined];
}

/** The first selector that sends pods to ECI by itself: one with a namespace or object selector. */
function routingSelector(matched: readonly ProfileSelector[]): ProfileSelector | undefined {
  return matched.find((selector) => selector.constrained);
}

/** `type=virtual-kubelet` when the pod's nodeSelector targets a virtual node of any flavour. */
function virtualNodeSelectorOf(pod: PodTemplate | undefined): string | undefined {
  const nodeSelector = pod?.spec.nodeSelector;
  const flavour = Object.values(virtualNodeRouting).find(({ nodeSelector: wanted }) =>
    Object.entries(wanted).every(([key, value]) => nodeSelector?.[key] === value),
  );
  return (
    flavour &&
    Object.entries(flavour.nodeSelector)
      .map(([key, value]) => `${key}=${value}`)
      .join(',')
  );
}

/** The selectors whose effect a pod gets: each one matching, in the profile's order (lib/profile/profile.ts). */
export function matchingSelectors(
  podLabels: Labels | undefined,
  namespaceLabels: Labels | undefined,
  context: PolicyContext,
  onEci: boolean,
): ProfileSelector[] {
  const { selectors, index } = context.profile;
  const matching: ProfileSelector[] = [];
  for (const position of index.candidates(podLabels, namespaceLabels)) {
    const selector = selectors[position]!;
    // An unconstrained selector applies to every ECI pod, and sends none there by itself.
    if (
      (selector.constrained || onEci) &&
      selector.matchesNamespace(namespaceLabels) &&
      selector.matchesObject(podLabels)
    )
      matching.push(selector);
  }
  return matching;
}
