import { recordOrEmpty } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const eciAnnotations: PodRule = {
  id: 'eci-annotations',
  summary: 'ECI annotations outside `schemas/eci-annotations.schema.json` (see the tables below)',
  target: 'pod',
  message: 'ECI does not accept this annotation value',
  workaround:
    'fix or remove the annotation; ECI reads it only when the pod is created (docs/reference.md: ECI pod annotations)',
  // Anything that is not a map has no ECI annotations to judge.
  check: ({ pod }, context) =>
    context.schemas.eciAnnotations(recordOrEmpty(pod.metadata.annotations), `${pod.metadataPath}.annotations`),
};
