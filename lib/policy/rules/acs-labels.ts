import { recordOrEmpty } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

export const acsLabels: PodRule = {
  id: 'acs-labels',
  summary: 'ACS compute labels and annotations with a value ACS does not accept',
  target: 'pod',
  message: 'ACS does not accept this compute label or annotation',
  workaround: 'fix or remove it as the finding says',
  // Labels and annotations together: some rules tie an annotation to a label.
  check: ({ pod }, context) =>
    context.schemas.acsLabels(
      { labels: recordOrEmpty(pod.metadata.labels), annotations: recordOrEmpty(pod.metadata.annotations) },
      pod.metadataPath,
    ),
};
