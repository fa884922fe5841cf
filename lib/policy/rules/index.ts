// The rule registry: every id a finding can carry, once: the rules, in the order findings are
// reported, then the findings no rule module makes (the mutation's, decide's guard's, check's
// reading of a file).
import { maxObjectDepth } from '../../json/bounded.js';
import { registered, type Rule, type RuleInfo } from '../rule.js';
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

export const rules: readonly Rule[] = registered([
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
]);

/** /mutate's warnings about how a pod is sent to a virtual node. */
export const routingFindings: RuleInfo = {
  id: 'eci-routing',
  summary:
    'nothing: warns when a legacy label sends a pod to ECI, or its nodeSelector keeps it from the virtual node ' +
    '/mutate routes it to',
  message: 'the pod may not reach a virtual node',
  workaround: 'label the pod or namespace alibabacloud.com/eci: "true"; remove a conflicting nodeSelector key',
};

/** decide's guard: the denial of a request it cannot read, whatever throws while judging it. */
export const unreadableFindings: RuleInfo = {
  id: 'malformed',
  summary: `a request it cannot read: nested deeper than ${maxObjectDepth} levels, or failing while it is judged`,
  message: 'cannot be read',
  workaround: 'send the object as the API server stores it',
};

/** What `check` finds reading a file that the API server would decode silently. */
export const readingFindings: RuleInfo = {
  id: 'manifest',
  summary: '`check` only, nothing: warns about a key written twice and a retired apiVersion',
  message: 'is read differently by the API server',
  workaround: 'remove the earlier key; write the current apiVersion',
};

/** Every id, checked together: none of the others may take a rule's. */
export const registry: readonly RuleInfo[] = registered([
  ...rules,
  routingFindings,
  unreadableFindings,
  readingFindings,
]);

/** The ids --disable-rule and --warn-rule take: the guard and check's reading are not switches. */
export const switchableIds: readonly string[] = [...rules, routingFindings].map(({ id }) => id);
