import { objectFieldRule } from '../field-rule.js';

export const nodePort = objectFieldRule({
  id: 'node-port',
  summary: 'Services of type NodePort',
  kinds: ['Service'],
  message: 'Services of type NodePort are not supported on ECI: virtual nodes have no node ports',
  workaround: 'use type LoadBalancer, or ClusterIP behind an Ingress',
  fields: [{ scope: 'object', field: ['spec', 'type'], forbidden: { equals: 'NodePort' } }],
});
