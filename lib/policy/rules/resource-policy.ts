import type { ObjectRule } from '../rule.js';

export const resourcePolicy: ObjectRule = {
  id: 'resource-policy',
  summary: 'ResourcePolicies with a field or value ack-co-scheduler does not accept',
  target: 'object',
  kinds: ['scheduling.alibabacloud.com/ResourcePolicy'],
  message: 'ack-co-scheduler does not accept this ResourcePolicy',
  workaround: 'fix the field as the finding says',
  check: ({ object }, context) => context.schemas.resourcePolicy(object, ''),
};
