import { objectFieldRule } from '../field-rule.js';

export const sessionAffinity = objectFieldRule({
  id: 'session-affinity',
  summary: 'Services with `sessionAffinity: ClientIP`',
  kinds: ['Service'],
  message: 'sessionAffinity ClientIP is not supported for pods on ECI',
  workaround: 'set affinity at the load balancer or the Ingress (a cookie) instead',
  fields: [{ scope: 'object', field: ['spec', 'sessionAffinity'], forbidden: { equals: 'ClientIP' } }],
});
