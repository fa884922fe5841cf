// Which objects end up on ECI (ECI.md sections 1 and 4), and how a pod is sent to a virtual node.
// In a serverless cluster every pod runs on ECI; in a hybrid one only those a label, a
// nodeSelector, a nodeName or an eci-profile selector sends to a virtual node.
import type { V1Toleration } from '@kubernetes/client-node';
import type { PodTemplate } from '../workload/pod-template.js';
import type { Labels, PolicyContext } from './context.js';
import { matchingSelectors } from './mutate.js';

export interface RoutingLabel {
  readonly key: string;
  readonly value: string;
  /** Honoured, but the recommended label is alibabacloud.com/eci=true. */
  readonly legacy: boolean;
}

export const podLabels: readonly RoutingLabel[] = [
  { key: 'alibabacloud.com/eci', value: 'true', legacy: false },
  { key: 'alibabacloud.com/acs', value: 'true', legacy: false },
  { key: 'eci', value: 'true', legacy: true },
];
export const namespaceLabels: readonly RoutingLabel[] = [
  { key: 'alibabacloud.com/eci', value: 'true', legacy: false },
  { key: 'eci', value: 'true', legacy: true },
  { key: 'virtual-node-affinity-injection', value: 'enabled', legacy: true },
];

export interface LabelRoute {
  /** e.g. `pod label eci=true`, for messages. */
  readonly label: string;
  readonly legacy: boolean;
}

/** The label that sends a pod to ECI, the pod's own before its namespace's. */
export function eciLabelRoute(pod: Labels | undefined, namespace: Labels | undefined): LabelRoute | undefined {
  const found = (labels: Labels | undefined, candidates: readonly RoutingLabel[]) =>
    candidates.find(({ key, value }) => labels?.[key] === value);
  const own = found(pod, podLabels);
  if (own) return { label: `pod label ${own.key}=${own.value}`, legacy: own.legacy };
  const inherited = found(namespace, namespaceLabels);
  return inherited && { label: `namespace label ${inherited.key}=${inherited.value}`, legacy: inherited.legacy };
}

export const routingFlavours = ['ack-virtual-node', 'eci-vnode'] as const;
export type RoutingFlavour = (typeof routingFlavours)[number];

/** The documented manual routing for each kind of virtual node (ECI.md section 4). */
export const virtualNodeRouting: Readonly<Record<RoutingFlavour, { nodeSelector: Labels; toleration: V1Toleration }>> = {
  'ack-virtual-node': {
    nodeSelector: { type: 'virtual-kubelet' },
    toleration: { key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'alibabacloud', effect: 'NoSchedule' },
  },
  'eci-vnode': {
    nodeSelector: { 'k8s.aliyun.com/vnode': 'true' },
    toleration: { key: 'k8s.aliyun.com/vnode', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
  },
};

export const virtualNodeNamePrefix = 'virtual-kubelet-';

export function isEciBound(pod: PodTemplate | undefined, namespace: string | undefined, context: PolicyContext): boolean {
  return eciBoundReason(pod, namespace, context) !== undefined;
}

/** Why a pod (template) runs on ECI, in words; undefined when it does not. */
export function eciBoundReason(pod: PodTemplate | undefined, namespace: string | undefined, context: PolicyContext): string | undefined {
  if (context.clusterMode === 'serverless') return 'every pod of a serverless cluster runs on ECI';
  const nsLabels = namespace === undefined ? undefined : context.namespaceLabels.get(namespace);
  const route = eciLabelRoute(pod?.metadata.labels, nsLabels);
  if (route) return `the ${route.label}`;
  if (pod === undefined) return undefined;
  const nodeSelector = pod.spec.nodeSelector;
  const flavour = Object.values(virtualNodeRouting).find(({ nodeSelector: wanted }) =>
    Object.entries(wanted).every(([key, value]) => nodeSelector?.[key] === value),
  );
  if (flavour) return `its nodeSelector ${Object.entries(flavour.nodeSelector).map(([k, v]) => `${k}=${v}`).join(',')}`;
  if (String(pod.spec.nodeName ?? '').startsWith(virtualNodeNamePrefix)) return `its nodeName ${pod.spec.nodeName}`;
  const [selector] = matchingSelectors(pod.metadata.labels, nsLabels, context, false);
  return selector && `the eci-profile selector ${selector.name}`;
}
