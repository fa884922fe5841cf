// ECI creates, and bills, an instance of the next specification up from what the pod asks for
// (lib/eci/specs.ts, lib/eci/billed-spec.ts). Nothing tells the user: a pod asking 7 vCPU and
// 13 GiB pays for 8 vCPU and 14 GiB. A warning, only when the billed spec exceeds what was asked.
// A pod that asks for nothing gets ECI's default (2 vCPU, 4 GiB): explain says so, the webhook
// does not, since it would warn on every such apply and teach users to skip warnings.
import { billedSpecOf, formatSpec, sameSpec, useSpecsAnnotation, type BilledSpec } from '../../eci/billed-spec.js';
import { someRegions, type Spec } from '../../eci/specs.js';
import type { PodTemplate } from '../../workload/pod-template.js';
import type { PodRule } from '../rule.js';

const regions = `the ${someRegions.size} regions with more specifications (cn-hangzhou among them)`;

export const billedSpec: PodRule = {
  id: 'billed-spec',
  summary:
    'nothing: warns when ECI would bill the pod as a larger specification' +
    ' than its containers (or `k8s.aliyun.com/eci-use-specs`) ask for',
  target: 'pod',
  message: 'ECI bills the pod as a larger specification than it asks for',
  // The finding names the specification billed: one ECI offers.
  workaround: 'ask for the specification it is billed as, or accept the rounding',
  check: ({ pod }) => {
    const spec = billedSpecOf(pod);
    const message = spec && messageOf(spec);
    return message ? [{ path: pathOf(pod, spec), message, severity: 'warn' }] : [];
  },
};

function pathOf(pod: PodTemplate, spec: BilledSpec): string {
  return spec.source === 'eci-use-specs'
    ? `${pod.metadataPath}.annotations[${JSON.stringify(useSpecsAnnotation)}]`
    : `${pod.specPath}.containers`;
}

/** undefined when the pod fits a spec exactly everywhere, or fits none (instance-limits says so). */
function messageOf({ source, asked, everyRegion, someRegions: inSome }: BilledSpec): string | undefined {
  if (!everyRegion || !inSome || source === 'default') return undefined;
  const billed = (spec: Spec) => `billed as ${formatSpec(spec)} (asked ${formatSpec(asked)})`;
  const exceeds = (spec: Spec) => !sameSpec(spec, asked);
  if (!exceeds(everyRegion)) return undefined;
  if (sameSpec(inSome, everyRegion)) return billed(everyRegion);
  if (!exceeds(inSome)) return `${billed(everyRegion)} outside ${regions}, and for spot instances`;
  return `${billed(inSome)} in ${regions}; ${formatSpec(everyRegion)} elsewhere and for spot instances`;
}

/** For explain: the spec, whether or not it exceeds the ask. */
export function billedSpecLine(pod: PodTemplate): string | undefined {
  const spec = billedSpecOf(pod);
  if (!spec?.everyRegion || !spec.someRegions) return undefined;
  if (spec.source === 'default')
    return `billed as ${formatSpec(spec.everyRegion)}, ECI's default: no container asks for CPU or memory`;
  return messageOf(spec) ?? `billed as ${formatSpec(spec.everyRegion)}, as asked`;
}
