// What a request is about, normalized once by decide and read by every rule: the kind, the
// object as it will be stored (after our own mutation), its pod template, its namespace and
// where its pods run. Rules never re-derive any of it from the request.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KindKey } from '../workload/kinds.js';
import type { PodTemplate } from '../workload/pod-template.js';
import type { Placement } from './placement.js';

export interface Subject {
  readonly kind: KindKey;
  readonly object: KubernetesObject;
  /** The pod template's view, for the kinds that have one (a Pod is its own). */
  readonly pod: PodTemplate | undefined;
  readonly namespace: string | undefined;
  /** Where its pods run, for the kinds judged only on ECI. */
  readonly placement: Placement | undefined;
}

/** A subject with a pod template: what a pod rule reads. */
export interface PodSubject extends Subject {
  readonly pod: PodTemplate;
}

export function hasPod(subject: Subject): subject is PodSubject {
  return subject.pod !== undefined;
}
