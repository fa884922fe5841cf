import { podFieldRule } from '../field-rule.js';

export const privileged = podFieldRule({
  id: 'privileged',
  summary: '`securityContext.privileged` in containers, init and ephemeral containers',
  message: 'privileged containers are not supported on ECI (a preview enabled only through Alibaba Cloud support)',
  workaround: 'add only the capabilities needed with securityContext.capabilities.add',
  fields: [{ scope: 'containers', field: ['securityContext', 'privileged'], forbidden: { equals: true } }],
});
