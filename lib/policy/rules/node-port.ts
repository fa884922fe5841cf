import type { V1Service } from '@kubernetes/client-node';
import type { ObjectRule } from '../rule.js';

export const nodePort: ObjectRule = {
  id: 'node-port',
  summary: 'Services of type NodePort',
  target: 'object',
  kinds: ['Service'],
  message: 'Services of type NodePort are not supported on ECI: virtual nodes have no node ports',
  workaround: 'use type LoadBalancer, or ClusterIP behind an Ingress',
  check: (service) => ((service as V1Service).spec?.type === 'NodePort' ? [{ path: 'spec.type' }] : []),
};
