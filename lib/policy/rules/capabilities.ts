import { containersOf, listOf } from '../../workload/pod-template.js';
import type { PodRule, Violation } from '../rule.js';

/** Capabilities ECI lets a container add; NET_RAW only once Alibaba Cloud support enabled it. */
const allowed = new Set(['NET_ADMIN']);
const onRequest = new Set(['NET_RAW']);

export const capabilities: PodRule = {
  id: 'capabilities',
  target: 'pod',
  message: 'ECI lets a container add only NET_ADMIN and NET_RAW',
  workaround: 'drop the capability, or ask Alibaba Cloud support to enable it',
  check: (pod) =>
    containersOf(pod).flatMap(({ container, path, name }) =>
      listOf(container?.securityContext?.capabilities?.add).flatMap((raw, index): Violation[] => {
        // The runtime accepts names with or without the CAP_ prefix, in any case.
        const capability = String(raw).toUpperCase().replace(/^CAP_/, '');
        const at = { path: `${path}.securityContext.capabilities.add[${index}]`, subject: name };
        if (allowed.has(capability)) return [];
        if (onRequest.has(capability)) {
          return [{ ...at, severity: 'warn', message: `${capability} works on ECI only once Alibaba Cloud support enabled it`, workaround: 'ask Alibaba Cloud support, or drop it' }];
        }
        return [{ ...at, message: `capability ${capability} cannot be added on ECI (only NET_ADMIN and NET_RAW)` }];
      }),
    ),
};
