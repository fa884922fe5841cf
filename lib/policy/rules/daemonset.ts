import type { ObjectRule } from '../rule.js';

export const daemonset: ObjectRule = {
  id: 'daemonset',
  summary: 'DaemonSet workloads',
  target: 'object',
  kinds: ['apps/DaemonSet'],
  message: 'DaemonSets are not supported on ECI: a virtual node has no per-node agents',
  workaround: 'run the agent as a sidecar container in each pod that needs it',
  check: () => [{ path: 'kind' }],
};
