import { capabilityVerdicts, type CapabilityVerdict } from '../../eci/capabilities.js';
import { podFieldRule, type FieldCheck } from '../field-rule.js';

/** The capabilities lib/eci/capabilities.ts gives this verdict. */
const named = (verdict: CapabilityVerdict) =>
  Object.keys(capabilityVerdicts).filter((name) => capabilityVerdicts[name] === verdict);
const add: Pick<FieldCheck, 'scope' | 'field' | 'each'> = {
  scope: 'containers',
  field: ['securityContext', 'capabilities', 'add'],
  each: true,
};

// Runtime defaults and NET_ADMIN pass; the other verdicts are the checks below, in that order.
export const capabilities = podFieldRule({
  id: 'capabilities',
  summary:
    '`capabilities.add` of `ALL`, `SYS_ADMIN`, `SYS_MODULE`; warns on `NET_RAW` (needs Alibaba Cloud support)' +
    ' and capabilities ECI does not document; ' +
    'runtime defaults (`NET_BIND_SERVICE`, `CHOWN`, `SETUID`, `KILL`, ...) and `NET_ADMIN` pass',
  message: 'ECI lets a container add only the runtime defaults, NET_ADMIN and (on request) NET_RAW',
  workaround: 'drop the capability, or ask Alibaba Cloud support to enable it',
  fields: [
    { ...add, forbidden: { capabilityIn: named('unsupported') }, message: 'capability {value} cannot be added on ECI' },
    {
      ...add,
      forbidden: { capabilityIn: named('on-request') },
      severity: 'warn',
      message: '{value} works on ECI only once Alibaba Cloud support enabled it',
      workaround: 'ask Alibaba Cloud support, or drop it',
    },
    {
      ...add,
      forbidden: { capabilityNotIn: Object.keys(capabilityVerdicts) },
      severity: 'warn',
      message: 'ECI does not document capability {value}; it may be refused when the pod starts',
      workaround: 'drop it unless the pod was tried on ECI',
    },
  ],
});
