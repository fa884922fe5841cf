import type { V1Service } from '@kubernetes/client-node';
import type { ObjectRule } from '../rule.js';

export const sessionAffinity: ObjectRule = {
  id: 'session-affinity',
  summary: 'Services with `sessionAffinity: ClientIP`',
  target: 'object',
  kinds: ['Service'],
  message: 'sessionAffinity ClientIP is not supported for pods on ECI',
  workaround: 'set affinity at the load balancer or the Ingress (a cookie) instead',
  check: (service) =>
    (service as V1Service).spec?.sessionAffinity === 'ClientIP' ? [{ path: 'spec.sessionAffinity' }] : [],
};
