import { podFieldRule } from '../field-rule.js';

export const hostPath = podFieldRule({
  id: 'host-path',
  summary: '`hostPath` volumes',
  message: 'hostPath volumes are not supported on ECI',
  workaround: 'use an emptyDir, a PVC (cloud disk or NAS), a ConfigMap or a Secret instead',
  fields: [{ scope: 'volumes', field: ['hostPath'], forbidden: { set: true } }],
});
