import type { ObjectRule } from '../rule.js';

export const resourcePolicy: ObjectRule = {
  id: 'resource-policy',
  summary: 'ResourcePolicies outside `schemas/resource-policy.schema.json`',
  target: 'object',
  kinds: ['scheduling.alibabacloud.com/ResourcePolicy'],
  message: 'ack-co-scheduler does not accept this ResourcePolicy',
  workaround: 'fix the field (docs/reference.md: ResourcePolicy)',
  check: ({ object }, context) => context.schemas.resourcePolicy(object, ''),
};
