import { listOf } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const hostPath: PodRule = {
  id: 'host-path',
  summary: '`hostPath` volumes',
  target: 'pod',
  message: 'hostPath volumes are not supported on ECI',
  workaround: 'use an emptyDir, a PVC (cloud disk or NAS), a ConfigMap or a Secret instead',
  check: (pod) =>
    listOf(pod.spec.volumes).flatMap((volume, index) =>
      volume?.hostPath ? [{ path: `${pod.specPath}.volumes[${index}].hostPath`, subject: volume.name }] : [],
    ),
};
