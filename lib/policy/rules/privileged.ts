import { containersOf } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const privileged: PodRule = {
  id: 'privileged',
  summary: '`securityContext.privileged` in containers, init and ephemeral containers',
  target: 'pod',
  message: 'privileged containers are not supported on ECI (a preview enabled only through Alibaba Cloud support)',
  workaround: 'add only the capabilities needed with securityContext.capabilities.add',
  check: (pod) =>
    containersOf(pod).flatMap(({ container, path, name }) =>
      container?.securityContext?.privileged === true
        ? [{ path: `${path}.securityContext.privileged`, subject: name }]
        : [],
    ),
};
