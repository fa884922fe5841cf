import { podFieldRule } from '../field-rule.js';

export const hostPort = podFieldRule({
  id: 'host-port',
  summary: '`containers[].ports[].hostPort`',
  message: 'hostPort is not supported on ECI: there is no node port to bind',
  workaround: 'remove it and expose the port with a Service of type LoadBalancer or an Ingress',
  fields: [{ scope: 'ports', field: ['hostPort'], forbidden: { set: true } }],
});
