import { recordOrEmpty } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const eciAnnotations: PodRule = {
  id: 'eci-annotations',
  summary: 'ECI annotations with a value ECI does not accept, or a combination it refuses',
  target: 'pod',
  message: 'ECI does not accept this annotation value',
  // The finding names the value and what is allowed: the workaround need not point elsewhere.
  workaround: 'fix or remove the annotation; ECI reads it only when the pod is created',
  // Anything that is not a map has no ECI annotations to judge.
  check: ({ pod }, context) =>
    context.schemas.eciAnnotations(recordOrEmpty(pod.metadata.annotations), `${pod.metadataPath}.annotations`),
};
