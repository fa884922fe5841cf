// ECI reads its annotations from each pod, so on a workload they belong in the pod template's
// metadata. Put on the workload's own metadata (or a CronJob's jobTemplate.metadata) they never
// reach a pod: ECI ignores them silently, an easy and costly mistake (a spot strategy that
// never applies). A warning, since the object is valid and runs, only not as intended.
import type { KubernetesObject } from '@kubernetes/client-node';
import { podTemplateKinds, podTemplateLocation } from '../../workload/kinds.js';
import { recordOrEmpty } from '../../workload/pod-template.js';
import type { ObjectRule, Violation } from '../rule.js';

/** Kinds whose pods come from a template inside them. */
const workloadKinds = podTemplateKinds().flatMap(([kind, location]) => (location.length > 0 ? [kind] : []));

export const annotationPlacement: ObjectRule = {
  id: 'annotation-placement',
  summary: "nothing: warns about ECI annotations on a workload's own metadata, which never reach its pods",
  target: 'object',
  kinds: workloadKinds,
  message: 'ECI reads annotations from pods only; here it never sees this one',
  workaround: "move it to the pod template's annotations",
  check: ({ kind, object }, context) => {
    const location = podTemplateLocation(kind) ?? [];
    const target = `${location.join('.')}.metadata.annotations`;
    return metadataHolders(location).flatMap((holder) =>
      misplaced(object, holder, target, context.schemas.isEciAnnotation),
    );
  },
};

/** The objects between the root and the pod template that carry metadata: the root, a CronJob's jobTemplate. */
function metadataHolders(location: readonly string[]): Array<readonly string[]> {
  const nested = location.flatMap((field, index) => (field === 'spec' && index > 0 ? [location.slice(0, index)] : []));
  return [[], ...nested];
}

function misplaced(
  object: KubernetesObject,
  holder: readonly string[],
  target: string,
  isEci: (key: string) => boolean,
): Violation[] {
  const node = holder.reduce<unknown>((value, field) => recordOrEmpty(value)[field], object);
  const annotations = recordOrEmpty(recordOrEmpty(recordOrEmpty(node).metadata).annotations);
  const prefix = holder.map((field) => `${field}.`).join('');
  return Object.keys(annotations)
    .filter(isEci)
    .map((key) => ({
      path: `${prefix}metadata.annotations[${JSON.stringify(key)}]`,
      severity: 'warn' as const,
      workaround: `move it to ${target}["${key}"]`,
    }));
}
