// Which object kinds eci-admission understands, and where each keeps its pod template.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GroupVersionKind } from '../admission/review.js';

/** Field names from the object root to the pod template (the object holding metadata and spec). */
const podTemplateLocations: ReadonlyMap<string, readonly string[]> = new Map([
  ['Pod', []],
  ['PodTemplate', ['template']],
  ['ReplicationController', ['spec', 'template']],
  ['apps/Deployment', ['spec', 'template']],
  ['apps/ReplicaSet', ['spec', 'template']],
  ['apps/StatefulSet', ['spec', 'template']],
  ['apps/DaemonSet', ['spec', 'template']],
  ['batch/Job', ['spec', 'template']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

/** Objects without a pod that still decide where pods run: judged only when ECI-bound. */
const routedObjectKinds: ReadonlySet<string> = new Set(['Service']);

/**
 * Configuration of ECI itself, judged in every cluster mode: the eci-profile ConfigMap, and
 * ResourcePolicies, which decide what overflows to ECI from any namespace.
 */
const configKinds: ReadonlySet<string> = new Set(['ConfigMap', 'scheduling.alibabacloud.com/ResourcePolicy']);

/** `group/Kind`, or `Kind` for the core group: the version does not move any field we read. */
export type KindKey = string;

export function kindKey(kind: GroupVersionKind): KindKey {
  return kind.group === '' ? kind.kind : `${kind.group}/${kind.kind}`;
}

export function podTemplateLocation(kind: KindKey): readonly string[] | undefined {
  return podTemplateLocations.get(kind);
}

/** Every kind with a pod template, and where it keeps it. */
export function podTemplateKinds(): ReadonlyArray<readonly [KindKey, readonly string[]]> {
  return [...podTemplateLocations];
}

export function isHandledKind(kind: KindKey): boolean {
  return isRoutedKind(kind) || configKinds.has(kind);
}

/** Kinds whose objects are judged only when they go to ECI (hybrid clusters). */
export function isRoutedKind(kind: KindKey): boolean {
  return podTemplateLocations.has(kind) || routedObjectKinds.has(kind);
}

/** The group, version and kind an object declares (`apps/v1` Deployment, `v1` Pod). */
export function groupVersionKindOf(object: KubernetesObject): GroupVersionKind {
  const apiVersion = object.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: apiVersion.slice(slash + 1),
    kind: object.kind ?? '',
  };
}
