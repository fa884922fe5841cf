import { containersOf, listOf } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const hostPort: PodRule = {
  id: 'host-port',
  summary: '`containers[].ports[].hostPort`',
  target: 'pod',
  message: 'hostPort is not supported on ECI: there is no node port to bind',
  workaround: 'remove it and expose the port with a Service of type LoadBalancer or an Ingress',
  check: (pod) =>
    containersOf(pod).flatMap(({ container, path, name }) =>
      listOf(container?.ports).flatMap((port, index) =>
        port?.hostPort ? [{ path: `${path}.ports[${index}].hostPort`, subject: name }] : [],
      ),
    ),
};
