// The rule registry: every rule once, by stable id, in the order findings are reported.
import type { Rule } from '../rule.js';
import { acsLabels } from './acs-labels.js';
import { acsService } from './acs-service.js';
import { annotationPlacement } from './annotation-placement.js';
import { billedSpec } from './billed-spec.js';
import { capabilities } from './capabilities.js';
import { daemonset } from './daemonset.js';
import { downwardApi } from './downward-api.js';
import { eciAnnotations } from './eci-annotations.js';
import { eciProfile } from './eci-profile.js';
import { hostIpc, hostNetwork, hostPid } from './host-namespaces.js';
import { hostPath } from './host-path.js';
import { hostPort } from './host-port.js';
import { instanceLimitsRule } from './instance-limits.js';
import { nodePort } from './node-port.js';
import { privileged } from './privileged.js';
import { reservedPort } from './reserved-port.js';
import { resourcePolicy } from './resource-policy.js';
import { securityContext } from './security-context.js';
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
  instanceLimitsRule,
  billedSpec,
  securityContext,
  downwardApi,
  nodePort,
  sessionAffinity,
  acsService,
  eciAnnotations,
  annotationPlacement,
  acsLabels,
  resourcePolicy,
  eciProfile,
];
