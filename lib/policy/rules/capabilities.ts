import { podFieldRule, type FieldCheck } from '../field-rule.js';

/** Capabilities ECI lets a container add; NET_RAW only once Alibaba Cloud support enabled it. */
const allowed = ['NET_ADMIN'];
const onRequest = ['NET_RAW'];
const add: Pick<FieldCheck, 'scope' | 'field' | 'each'> = { scope: 'containers', field: ['securityContext', 'capabilities', 'add'], each: true };

export const capabilities = podFieldRule({
  id: 'capabilities',
  message: 'ECI lets a container add only NET_ADMIN and NET_RAW',
  workaround: 'drop the capability, or ask Alibaba Cloud support to enable it',
  fields: [
    { ...add, forbidden: { capabilityNotIn: [...allowed, ...onRequest] }, message: 'capability {value} cannot be added on ECI (only NET_ADMIN and NET_RAW)' },
    {
      ...add,
      forbidden: { capabilityIn: onRequest },
      severity: 'warn',
      message: '{value} works on ECI only once Alibaba Cloud support enabled it',
      workaround: 'ask Alibaba Cloud support, or drop it',
    },
  ],
});
