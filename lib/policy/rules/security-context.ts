// ECI applies only some securityContext fields (lib/eci/pod-fields.ts): the others, a pod's
// fsGroup (which charts set for volume permissions) among them, are set in vain. Sysctls outside
// ECI's list need a support ticket and another field. Warnings: the pod starts, not as written.
// The messages are exported for the policies' CEL (lib/native-policies/pod-fields-cel.ts), which
// writes the same findings.
import type { V1PodSecurityContext, V1SecurityContext, V1Sysctl } from '@kubernetes/client-node';
import { hostSysctlsAnnotation, isPodSysctl, securityContextFields } from '../../eci/pod-fields.js';
import { containersOf, listOf, recordOrEmpty, type PodTemplate } from '../../workload/pod-template.js';
import type { PodRule, Violation } from '../rule.js';

export type Level = keyof typeof securityContextFields;

/** The finding about the fields ECI ignores at a level, `names` those fields joined. */
export function ignoredMessage(names: string, level: Level): string {
  const applied = securityContextFields[level].join(', ');
  return `ECI does not apply ${names} in a ${level} securityContext (it applies ${applied})`;
}

export const sysctlMessage = (name: string): string => `ECI does not let a pod set ${name}`;
export const sysctlWorkaround =
  `ask Alibaba Cloud support to enable it` + `, then set it with the ${hostSysctlsAnnotation} annotation instead`;

function ignoredFields(
  path: string,
  context: V1PodSecurityContext | V1SecurityContext | undefined,
  level: Level,
): Violation[] {
  const applied: readonly string[] = securityContextFields[level];
  const ignored = Object.entries(recordOrEmpty(context)).filter(
    ([field, value]) => value !== undefined && value !== null && !applied.includes(field),
  );
  if (ignored.length === 0) return [];
  // Sorted: the order of a manifest's keys is not the API server's, and the CEL's map order is none.
  const names = ignored
    .map(([field]) => field)
    .sort()
    .join(', ');
  return [{ path, message: ignoredMessage(names, level), severity: 'warn' }];
}

function sysctlViolations(pod: PodTemplate): Violation[] {
  return listOf<V1Sysctl>(pod.spec.securityContext?.sysctls).flatMap((sysctl, index) =>
    typeof sysctl?.name !== 'string' || isPodSysctl(sysctl.name)
      ? []
      : [
          {
            path: `${pod.specPath}.securityContext.sysctls[${index}].name`,
            message: sysctlMessage(sysctl.name),
            workaround: sysctlWorkaround,
            severity: 'warn' as const,
          },
        ],
  );
}

export const securityContext: PodRule = {
  id: 'security-context',
  summary:
    'nothing: warns about securityContext fields ECI does not apply' +
    " (a pod's `fsGroup`, a container's `readOnlyRootFilesystem`, ...) and sysctls it does not let a pod set",
  target: 'pod',
  message: 'ECI does not apply this securityContext field',
  workaround:
    'remove it, or get the effect another way (fsGroup: an init container that changes the owner of the volume)',
  check: ({ pod }) => [
    ...ignoredFields(`${pod.specPath}.securityContext`, pod.spec.securityContext, 'pod'),
    ...containersOf(pod).flatMap(({ container, path }) =>
      ignoredFields(`${path}.securityContext`, container?.securityContext, 'container'),
    ),
    ...sysctlViolations(pod),
  ],
};
