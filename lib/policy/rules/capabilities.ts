import { capabilityName, capabilityVerdicts } from '../../eci/capabilities.js';
import { containersOf, listOf } from '../../workload/pod-template.js';
import type { PodRule, Violation } from '../rule.js';

type Judgement = Omit<Violation, 'path' | 'subject'> | undefined;

/** What a capability's verdict (lib/eci/capabilities.ts) means for the container adding it. */
function judge(capability: string): Judgement {
  switch (capabilityVerdicts[capability]) {
    case 'default':
    case 'allowed':
      return undefined;
    case 'on-request':
      return { severity: 'warn', message: `${capability} works on ECI only once Alibaba Cloud support enabled it`, workaround: 'ask Alibaba Cloud support, or drop it' };
    case 'unsupported':
      return { message: `capability ${capability} cannot be added on ECI` };
    case undefined:
      return { severity: 'warn', message: `ECI does not document capability ${capability}; it may be refused when the pod starts`, workaround: 'drop it unless the pod was tried on ECI' };
  }
}

export const capabilities: PodRule = {
  id: 'capabilities',
  summary: '`capabilities.add` of `ALL`, `SYS_ADMIN`, `SYS_MODULE`; warns on `NET_RAW` (needs Alibaba Cloud support) and capabilities ECI does not document; runtime defaults (`NET_BIND_SERVICE`, `CHOWN`, `SETUID`, `KILL`, ...) and `NET_ADMIN` pass (`lib/eci/capabilities.ts`)',
  target: 'pod',
  message: 'ECI lets a container add only the runtime defaults, NET_ADMIN and (on request) NET_RAW',
  workaround: 'drop the capability, or ask Alibaba Cloud support to enable it',
  check: (pod) =>
    containersOf(pod).flatMap(({ container, path, name }) =>
      listOf(container?.securityContext?.capabilities?.add).flatMap((raw, index): Violation[] => {
        const judgement = judge(capabilityName(raw));
        return judgement ? [{ path: `${path}.securityContext.capabilities.add[${index}]`, subject: name, ...judgement }] : [];
      }),
    ),
};
