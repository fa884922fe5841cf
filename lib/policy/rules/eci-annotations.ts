import { checkAnnotations } from '../annotations.js';
import type { PodRule } from '../rule.js';

export const eciAnnotations: PodRule = {
  id: 'eci-annotations',
  target: 'pod',
  message: 'ECI does not accept this annotation value',
  workaround: 'fix or remove the annotation; ECI reads it only when the pod is created (README: ECI annotations)',
  check: (pod, context) => checkAnnotations(pod.metadata.annotations, `${pod.metadataPath}.annotations`, context),
};
