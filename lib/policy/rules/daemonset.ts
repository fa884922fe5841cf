import { objectFieldRule } from '../field-rule.js';

export const daemonset = objectFieldRule({
  id: 'daemonset',
  summary: 'DaemonSet workloads',
  kinds: ['apps/DaemonSet'],
  message: 'DaemonSets are not supported on ECI: a virtual node has no per-node agents',
  workaround: 'run the agent as a sidecar container in each pod that needs it',
  fields: [{ scope: 'object', field: ['kind'], forbidden: { equals: 'DaemonSet' } }],
});
