// One pod is one ECI instance: more containers, volumes, vCPUs or memory than an instance can
// have (lib/eci/limits.ts) and the pod never starts.
import type { V1Container } from '@kubernetes/client-node';
import { instanceLimits } from '../../eci/limits.js';
import { listOf, type PodTemplate } from '../../workload/pod-template.js';
import { quantityValue } from '../../workload/quantity.js';
import type { PodRule, Violation } from '../rule.js';

const gibibyte = 2 ** 30;

/** What a container may use of a resource: the larger of its request and its limit. */
function size(container: V1Container | undefined, resource: 'cpu' | 'memory'): number {
  const { requests, limits } = container?.resources ?? {};
  return Math.max(quantityValue(requests?.[resource]) ?? 0, quantityValue(limits?.[resource]) ?? 0);
}

/**
 * What the instance is sized for: every container together (native sidecars, init containers
 * that keep running, included), or the largest init container, which runs alone before them.
 */
function instanceSize(pod: PodTemplate, resource: 'cpu' | 'memory'): number {
  const inits = listOf<V1Container>(pod.spec.initContainers);
  const running = [...listOf<V1Container>(pod.spec.containers), ...inits.filter((init) => init?.restartPolicy === 'Always')];
  const sum = running.reduce((total, container) => total + size(container, resource), 0);
  return Math.max(sum, ...inits.map((init) => size(init, resource)));
}

function over(path: string, what: string, workaround: string): Violation {
  return { path, message: what, workaround };
}

export const instanceLimitsRule: PodRule = {
  id: 'instance-limits',
  summary: `a pod larger than an ECI instance: more than ${instanceLimits.containers} containers or ${instanceLimits.volumes} volumes, more than ${instanceLimits.vcpus} vCPU or ${instanceLimits.memoryGiB} GiB for its containers together, each the larger of request and limit (\`lib/eci/limits.ts\`)`,
  target: 'pod',
  message: 'the pod is larger than an ECI instance can be',
  workaround: 'split it into several pods',
  check: (pod) => {
    const { containers, volumes, vcpus, memoryGiB } = instanceLimits;
    const found: Violation[] = [];
    const containerCount = listOf(pod.spec.containers).length;
    const volumeCount = listOf(pod.spec.volumes).length;
    const cpu = instanceSize(pod, 'cpu');
    const memory = instanceSize(pod, 'memory') / gibibyte;
    const resources = `${pod.specPath}.containers`;
    if (containerCount > containers) found.push(over(resources, `${containerCount} containers; an ECI instance holds at most ${containers}`, 'move some into another pod'));
    if (volumeCount > volumes) found.push(over(`${pod.specPath}.volumes`, `${volumeCount} volumes; an ECI instance mounts at most ${volumes}`, 'merge ConfigMaps and Secrets into projected volumes, or split the pod'));
    if (cpu > vcpus) found.push(over(resources, `the containers ask for ${cpu} vCPU together (the larger of request and limit each, as ECI sizes the instance); an ECI instance has at most ${vcpus}`, 'lower the requests and limits, or split the pod'));
    if (memory > memoryGiB) found.push(over(resources, `the containers ask for ${memory} GiB of memory together (the larger of request and limit each); the largest ECI instance has ${memoryGiB} GiB`, 'lower the requests and limits, or split the pod'));
    return found;
  },
};
