import { containersOf, listOf } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

/** Ports the ECI sandbox itself listens on (rpcbind and the kubelet API). */
const reservedPorts = new Set([111, 10250, 10255]);

export const reservedPort: PodRule = {
  id: 'reserved-port',
  summary: '`containerPort` 111, 10250 or 10255 (used by the ECI sandbox)',
  target: 'pod',
  message: 'ECI reserves container ports 111, 10250 and 10255',
  workaround: 'listen on another port',
  check: (pod) =>
    containersOf(pod).flatMap(({ container, path, name }) =>
      listOf(container?.ports).flatMap((port, index) =>
        reservedPorts.has(Number(port?.containerPort))
          ? [{ path: `${path}.ports[${index}].containerPort`, subject: name }]
          : [],
      ),
    ),
};
