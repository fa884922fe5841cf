import { recordOrEmpty } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const acsLabels: PodRule = {
  id: 'acs-labels',
  summary: 'ACS compute labels and annotations outside `schemas/acs-labels.schema.json`',
  target: 'pod',
  message: 'ACS does not accept this compute label or annotation',
  workaround: 'fix or remove it (docs/reference.md: ACS labels and annotations)',
  // Labels and annotations together: some rules tie an annotation to a label.
  check: ({ pod }, context) =>
    context.schemas.acsLabels(
      { labels: recordOrEmpty(pod.metadata.labels), annotations: recordOrEmpty(pod.metadata.annotations) },
      pod.metadataPath,
    ),
};
