// What an ECI instance is sized and billed as, from a pod: the one answer the instance-limits rule,
// the billed-spec warning and `explain` share. Sources:
// - "Sum of limits" when a container sets both (requests are then ignored), the requests
//   otherwise, and k8s.aliyun.com/eci-use-specs over both: ECI, "Specify the number of vCPUs and
//   memory size to create a pod", https://www.alibabacloud.com/help/zh/doc-detail/165051.htm
//   ("当Limit与Request不一致时,系统将基于Limit进行资源规格申请": when they differ, the limit).
//   A limit is never below its request (the API server refuses that), so the limit, else the
//   request, is the larger of the two.
// - eci-use-specs: "Up to 5 specs ... ECI attempts each specification in priority order (first to
//   last)": https://www.alibabacloud.com/help/en/ack/serverless-kubernetes/user-guide/create-an-eci-pod
// - Containers with the environment variable __ECI_RESOURCE_IGNORE__=TRUE are left out of the
//   adjustment:
//   https://www.alibabacloud.com/help/en/eci/user-guide/ignore-specific-containers-during-resource-adjustment
// - How init containers count is not documented: they are counted as Kubernetes counts them (the
//   largest alone, native sidecars with the containers), the larger answer of the two readings.
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { listOf, recordOrEmpty, type PodTemplate } from '../workload/pod-template.js';
import { quantityValue } from '../workload/quantity.js';
import { defaultSpec, everyRegionSpecs, roundUp, someRegionsSpecs, type Spec } from './specs.js';

const gibibyte = 2 ** 30;

export const useSpecsAnnotation = 'k8s.aliyun.com/eci-use-specs';
const spotStrategyAnnotation = 'k8s.aliyun.com/eci-spot-strategy';
const resourceIgnoreEnv = { name: '__ECI_RESOURCE_IGNORE__', value: 'TRUE' } as const;

/** What a container sizes its instance by: its limit, else its request (0 when neither). */
function containerSize(container: V1Container | undefined, resource: 'cpu' | 'memory'): number {
  const { requests, limits } = container?.resources ?? {};
  return Math.max(quantityValue(requests?.[resource]) ?? 0, quantityValue(limits?.[resource]) ?? 0);
}

function ignoredInAdjustment(container: V1Container | undefined): boolean {
  return listOf<V1EnvVar>(container?.env).some(
    (env) => env?.name === resourceIgnoreEnv.name && env.value === resourceIgnoreEnv.value,
  );
}

/**
 * The vCPU and GiB the containers ask for together: every container and native sidecar, or the
 * largest init container, which runs alone before them. `forBilling` leaves out the containers
 * marked __ECI_RESOURCE_IGNORE__, as ECI's adjustment does.
 */
export function instanceResources(pod: PodTemplate, forBilling = false): Spec {
  const counted = (list: readonly (V1Container | undefined)[]) =>
    forBilling ? list.filter((container) => !ignoredInAdjustment(container)) : list;
  const inits = counted(listOf<V1Container>(pod.spec.initContainers));
  const running = [
    ...counted(listOf<V1Container>(pod.spec.containers)),
    ...inits.filter((init) => init?.restartPolicy === 'Always'),
  ];
  const total = (resource: 'cpu' | 'memory') =>
    Math.max(
      running.reduce((sum, container) => sum + containerSize(container, resource), 0),
      ...inits.map((init) => containerSize(init, resource)),
    );
  return { vcpu: total('cpu'), memoryGiB: total('memory') / gibibyte };
}

/** Where the figures the instance is created from come from. */
type SpecSource = 'containers' | 'eci-use-specs' | 'default';

export interface BilledSpec {
  readonly source: SpecSource;
  /** What was asked for: the containers' sum, the first eci-use-specs entry, or ECI's default. */
  readonly asked: Spec;
  /** The spec it is created and billed as where only the specs of every region are offered (and for spot). */
  readonly everyRegion: Spec | undefined;
  /** The same in the regions offering more specs, when it is not a spot instance. */
  readonly someRegions: Spec | undefined;
}

/**
 * The spec the pod is billed as; undefined when it cannot be known from the pod (an ECS instance
 * type named in eci-use-specs).
 */
export function billedSpecOf(pod: PodTemplate): BilledSpec | undefined {
  const annotations = recordOrEmpty(pod.metadata.annotations);
  const asked = askedSpec(annotations[useSpecsAnnotation], pod);
  if (!asked) return undefined;
  const spot = String(annotations[spotStrategyAnnotation] ?? '').startsWith('Spot');
  const everyRegion = roundUp(asked.spec, everyRegionSpecs);
  return {
    source: asked.source,
    asked: asked.spec,
    everyRegion,
    someRegions: spot ? everyRegion : roundUp(asked.spec, someRegionsSpecs),
  };
}

function askedSpec(useSpecs: unknown, pod: PodTemplate): { source: SpecSource; spec: Spec } | undefined {
  if (typeof useSpecs === 'string' && useSpecs.trim() !== '') {
    const spec = vcpuMemorySpec(useSpecs.split(',')[0]!.trim());
    return spec && { source: 'eci-use-specs', spec };
  }
  const resources = instanceResources(pod, true);
  if (resources.vcpu === 0 && resources.memoryGiB === 0) return { source: 'default', spec: defaultSpec };
  return { source: 'containers', spec: resources };
}

/** `2-4Gi` or `0.5-1Gi` (vCPU-memory); undefined for an ECS instance type or anything else. */
function vcpuMemorySpec(entry: string): Spec | undefined {
  const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)Gi$/.exec(entry);
  return match ? { vcpu: Number(match[1]), memoryGiB: Number(match[2]) } : undefined;
}

/** `8 vCPU, 14 GiB` (`90 MiB` when not a quarter of a GiB): how every message writes a spec. */
export function formatSpec(spec: Spec): string {
  const memory = Number.isInteger(spec.memoryGiB * 4)
    ? `${round(spec.memoryGiB)} GiB`
    : `${round(spec.memoryGiB * 1024)} MiB`;
  return `${round(spec.vcpu)} vCPU, ${memory}`;
}

const round = (value: number) => String(Math.round(value * 1000) / 1000);

export const sameSpec = (a: Spec | undefined, b: Spec | undefined): boolean =>
  a?.vcpu === b?.vcpu && a?.memoryGiB === b?.memoryGiB;
