// ACS restricts Service fields beyond NodePort: "If you configure restricted fields through
// Kubernetes-native APIs, the Service may not function as expected", ACS "Usage restrictions",
// https://www.alibabacloud.com/help/en/cs/user-guide/containercompute-service-usage-restrictions
// (restricted: type NodePort, healthCheckNodePort, allocateLoadBalancerNodePorts true,
// ports[].nodePort, loadBalancerSourceRanges, externalTrafficPolicy or internalTrafficPolicy other
// than Cluster, externalIPs). Warnings: ACS only, and the Service is stored. Of these, the API
// server itself writes allocateLoadBalancerNodePorts (defaulted to true), nodePort and
// healthCheckNodePort (allocated) before a validating webhook sees the Service, so a user's value
// cannot be told from the API server's: those are left to node-port and externalTrafficPolicy.
import { objectFieldRule } from '../field-rule.js';

const mayNotWork = 'ACS does not support it on Services: the Service may not work as expected there';

export const acsService = objectFieldRule({
  id: 'acs-service',
  summary:
    'nothing: warns about Service fields ACS restricts (`externalIPs`' +
    ', `loadBalancerSourceRanges`, a traffic policy other than Cluster)',
  kinds: ['Service'],
  message: mayNotWork,
  workaround: "remove it; restrict sources with the load balancer's access control instead",
  fields: [
    {
      scope: 'object',
      field: ['spec', 'externalIPs'],
      each: true,
      forbidden: { set: true },
      severity: 'warn',
      message: `externalIPs: ${mayNotWork}`,
      workaround: 'use type LoadBalancer',
    },
    {
      scope: 'object',
      field: ['spec', 'loadBalancerSourceRanges'],
      each: true,
      forbidden: { set: true },
      severity: 'warn',
      message: `loadBalancerSourceRanges: ${mayNotWork}`,
    },
    {
      scope: 'object',
      field: ['spec', 'externalTrafficPolicy'],
      forbidden: { equals: 'Local' },
      severity: 'warn',
      message: `externalTrafficPolicy Local: ${mayNotWork}`,
      workaround: 'leave it Cluster',
    },
    {
      scope: 'object',
      field: ['spec', 'internalTrafficPolicy'],
      forbidden: { equals: 'Local' },
      severity: 'warn',
      message: `internalTrafficPolicy Local: ${mayNotWork}`,
      workaround: 'leave it Cluster',
    },
  ],
});
