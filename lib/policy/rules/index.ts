// The rule registry: every rule once, by stable id, in the order findings are reported.
import type { Rule } from '../rule.js';
import { capabilities } from './capabilities.js';
import { daemonset } from './daemonset.js';
import { eciProfile } from './eci-profile.js';
import { hostIpc, hostNetwork, hostPid } from './host-namespaces.js';
import { hostPath } from './host-path.js';
import { hostPort } from './host-port.js';
import { nodePort } from './node-port.js';
import { privileged } from './privileged.js';
import { reservedPort } from './reserved-port.js';
import { sessionAffinity } from './session-affinity.js';

export const rules: readonly Rule[] = [
  daemonset,
  hostPath,
  hostNetwork,
  hostPid,
  hostIpc,
  hostPort,
  privileged,
  capabilities,
  reservedPort,
  nodePort,
  sessionAffinity,
  eciProfile,
];
