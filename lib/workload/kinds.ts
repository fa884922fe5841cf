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

/**
 * Versions of handled kinds that current Kubernetes no longer serves, and the version the API
 * server converts them to under the webhooks' `matchPolicy: Equivalent`. A manifest written in
 * one is judged as the current kind (`check`), with a warning. Removals: Kubernetes deprecated
 * API migration guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).
 */
const retiredVersions: ReadonlyArray<{ readonly apiVersion: string; readonly kinds: readonly string[]; readonly current: string; readonly removedIn: string }> = [
  { apiVersion: 'extensions/v1beta1', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet'], current: 'apps/v1', removedIn: '1.16' },
  { apiVersion: 'apps/v1beta1', kinds: ['Deployment', 'StatefulSet'], current: 'apps/v1', removedIn: '1.16' },
  { apiVersion: 'apps/v1beta2', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'], current: 'apps/v1', removedIn: '1.16' },
  { apiVersion: 'batch/v2alpha1', kinds: ['CronJob'], current: 'batch/v1', removedIn: '1.21' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], current: 'batch/v1', removedIn: '1.25' },
];

/** The current version of a kind written in a retired one, and when that one stopped being served. */
export function currentVersionOf(apiVersion: string, kind: string): { readonly current: string; readonly removedIn: string } | undefined {
  return retiredVersions.find((retired) => retired.apiVersion === apiVersion && retired.kinds.includes(kind));
}

/** `group/Kind`, or `Kind` for the core group: the version does not move any field we read. */
export type KindKey = string;

export function kindKey(kind: GroupVersionKind): KindKey {
  return kind.group === '' ? kind.kind : `${kind.group}/${kind.kind}`;
}

export function podTemplateLocation(kind: KindKey): readonly string[] | undefined {
  return podTemplateLocations.get(kind);
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
