// The labels that send pods to ECI and how a pod is sent to a virtual node, as data (ACK virtual
// nodes: https://www.alibabacloud.com/help/en/eci/user-guide/schedule-pods-to-virtual-kubelet and
// https://www.alibabacloud.com/help/en/document_detail/2369750.html; ECI VNodes:
// https://www.alibabacloud.com/help/en/eci/user-guide/schedule-pods-to-a-vnode). placement.ts
// decides from them where a pod runs.
import type { V1Toleration } from '@kubernetes/client-node';
import type { RoutingFlavour } from '../facts.js';
import type { Labels } from '../violation.js';

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

/** The documented manual routing for each kind of virtual node (the pages above). */
export const virtualNodeRouting: Readonly<Record<RoutingFlavour, { nodeSelector: Labels; toleration: V1Toleration }>> =
  {
    'ack-virtual-node': {
      nodeSelector: { type: 'virtual-kubelet' },
      toleration: {
        key: 'virtual-kubelet.io/provider',
        operator: 'Equal',
        value: 'alibabacloud',
        effect: 'NoSchedule',
      },
    },
    'eci-vnode': {
      nodeSelector: { 'k8s.aliyun.com/vnode': 'true' },
      toleration: { key: 'k8s.aliyun.com/vnode', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
    },
  };

/** Virtual nodes' names start with this: a pod pinned to one by nodeName runs on ECI. */
export const virtualNodeNamePrefix = 'virtual-kubelet-';
