import { podFieldRule } from '../field-rule.js';

export const reservedPort = podFieldRule({
  id: 'reserved-port',
  summary: '`containerPort` 111, 10250 or 10255 (used by the ECI sandbox)',
  message: 'ECI reserves container ports 111, 10250 and 10255',
  workaround: 'listen on another port',
  // Ports the ECI sandbox itself listens on (rpcbind and the kubelet API).
  fields: [{ scope: 'ports', field: ['containerPort'], forbidden: { oneOf: [111, 10250, 10255] } }],
});
