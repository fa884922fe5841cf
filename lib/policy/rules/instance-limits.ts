// One pod is one ECI instance: more containers, volumes, vCPUs or memory than an instance can
// have (lib/eci/limits.ts) and the pod never starts.
import { instanceResources } from '../../eci/billed-spec.js';
import type { V1Volume } from '@kubernetes/client-node';
import { cloudDisk, instanceLimits } from '../../eci/limits.js';
import { listOf, type PodTemplate } from '../../workload/pod-template.js';
import type { PodRule, Violation } from '../rule.js';

function isCloudDisk(volume: V1Volume | undefined): boolean {
  const storageClass = volume?.ephemeral?.volumeClaimTemplate?.spec?.storageClassName ?? '';
  return (
    volume?.csi?.driver === cloudDisk.csiDriver ||
    volume?.flexVolume?.driver === cloudDisk.flexVolumeDriver ||
    storageClass.startsWith(cloudDisk.storageClassPrefix)
  );
}

function diskCount(pod: PodTemplate): number {
  return listOf<V1Volume>(pod.spec.volumes).filter(isCloudDisk).length;
}

function over(path: string, what: string, workaround: string): Violation {
  return { path, message: what, workaround };
}

export const instanceLimitsRule: PodRule = {
  id: 'instance-limits',
  summary:
    `a pod larger than an ECI instance: more than ${instanceLimits.containers} containers` +
    `, ${instanceLimits.volumes} volumes` +
    ` or ${instanceLimits.diskVolumes} cloud disks, ` +
    `more than ${instanceLimits.vcpus} vCPU or ${instanceLimits.memoryGiB} GiB for its containers together,` +
    ' each its limit, else its request',
  target: 'pod',
  message: 'the pod is larger than an ECI instance can be',
  workaround: 'split it into several pods',
  check: ({ pod }) => {
    const { containers, volumes, vcpus, memoryGiB, diskVolumes } = instanceLimits;
    const found: Violation[] = [];
    const containerCount = listOf(pod.spec.containers).length;
    const volumeCount = listOf(pod.spec.volumes).length;
    const { vcpu: cpu, memoryGiB: memory } = instanceResources(pod);
    const resources = `${pod.specPath}.containers`;
    if (containerCount > containers)
      found.push(
        over(
          resources,
          `${containerCount} containers; an ECI instance holds at most ${containers}`,
          'move some into another pod',
        ),
      );
    if (volumeCount > volumes)
      found.push(
        over(
          `${pod.specPath}.volumes`,
          `${volumeCount} volumes; an ECI instance mounts at most ${volumes}`,
          'merge ConfigMaps and Secrets into projected volumes, or split the pod',
        ),
      );
    const disks = diskCount(pod);
    if (disks > diskVolumes)
      found.push(
        over(
          `${pod.specPath}.volumes`,
          `${disks} cloud disk volumes; an ECI instance mounts at most ${diskVolumes}`,
          'use fewer, larger disks, NAS for shared data, or split the pod',
        ),
      );
    if (cpu > vcpus)
      found.push(
        over(
          resources,
          `the containers ask for ${cpu} vCPU` +
            ` together (each its limit, else its request, as ECI sizes the instance)` +
            `; an ECI instance has at most ${vcpus}`,
          'lower the requests and limits, or split the pod',
        ),
      );
    if (memory > memoryGiB)
      found.push(
        over(
          resources,
          `the containers ask for ${memory} GiB` +
            ` of memory together (each its limit, else its request); the largest ECI instance has ${memoryGiB} GiB`,
          'lower the requests and limits, or split the pod',
        ),
      );
    return found;
  },
};
