// Which objects end up on ECI (ECI.md sections 1 and 4). In a serverless cluster all of them; in
// a hybrid one only those a label, a nodeSelector or a nodeName sends to a virtual node.
import type { KindKey } from '../workload/kinds.js';
import type { PodTemplate } from '../workload/pod-template.js';
import type { Labels, PolicyContext } from './context.js';

type LabelPair = readonly [key: string, value: string];

const eciNamespaceLabels: readonly LabelPair[] = [
  ['alibabacloud.com/eci', 'true'],
  ['eci', 'true'],
  ['virtual-node-affinity-injection', 'enabled'],
];
const eciPodLabels: readonly LabelPair[] = [
  ['alibabacloud.com/eci', 'true'],
  ['eci', 'true'],
  ['alibabacloud.com/acs', 'true'],
];
/** ack-virtual-node's node label, and the self-managed ECI VNode's. */
const virtualNodeSelectors: readonly LabelPair[] = [
  ['type', 'virtual-kubelet'],
  ['k8s.aliyun.com/vnode', 'true'],
];
const virtualNodeNamePrefix = 'virtual-kubelet-';

/** Kinds that decide what overflows to ECI: they matter wherever they are, so always checked. */
const eciSchedulingKinds: ReadonlySet<KindKey> = new Set(['scheduling.alibabacloud.com/ResourcePolicy']);

export function isEciBound(
  kind: KindKey,
  pod: PodTemplate | undefined,
  namespace: string | undefined,
  context: PolicyContext,
): boolean {
  if (context.clusterMode === 'serverless' || eciSchedulingKinds.has(kind)) return true;
  if (namespace !== undefined && hasAny(context.namespaceLabels.get(namespace), eciNamespaceLabels)) {
    return true;
  }
  if (pod === undefined) return false;
  return (
    hasAny(pod.metadata.labels, eciPodLabels) ||
    hasAny(pod.spec.nodeSelector, virtualNodeSelectors) ||
    String(pod.spec.nodeName ?? '').startsWith(virtualNodeNamePrefix)
  );
}

function hasAny(labels: Labels | undefined, pairs: readonly LabelPair[]): boolean {
  return pairs.some(([key, value]) => labels?.[key] === value);
}
