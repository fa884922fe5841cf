// Which object kinds eci-admission understands, and where each keeps its pod template.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GroupVersionKind } from '../admission/review.js';

/**
 * `pod`: has a pod template, judged when its pods go to ECI. `routed`: no pod, but decides where
 * pods run (judged when ECI-bound). `config`: ECI's own configuration (the profile ConfigMaps,
 * ResourcePolicies, which decide what overflows to ECI), judged in every cluster mode.
 */
type Handling = 'pod' | 'routed' | 'config';

export interface HandledKind {
  readonly group: string;
  readonly kind: string;
  /** The version current Kubernetes serves it at (and `scan` lists it at). */
  readonly version: string;
  /** The resource the API server serves it as: what deploy/webhook-configurations.yaml names. */
  readonly resource: string;
  readonly handling: Handling;
  /** Field names from the object root to the pod template (the object holding metadata and spec). */
  readonly podTemplate?: readonly string[];
}

/** Every kind eci-admission judges: the one table the code, the webhook configurations' test and the README follow. */
export const handledKinds = [
  { group: '', kind: 'Pod', version: 'v1', resource: 'pods', handling: 'pod', podTemplate: [] },
  {
    group: '',
    kind: 'PodTemplate',
    version: 'v1',
    resource: 'podtemplates',
    handling: 'pod',
    podTemplate: ['template'],
  },
  {
    group: '',
    kind: 'ReplicationController',
    version: 'v1',
    resource: 'replicationcontrollers',
    handling: 'pod',
    podTemplate: ['spec', 'template'],
  },
  {
    group: 'apps',
    kind: 'Deployment',
    version: 'v1',
    resource: 'deployments',
    handling: 'pod',
    podTemplate: ['spec', 'template'],
  },
  {
    group: 'apps',
    kind: 'ReplicaSet',
    version: 'v1',
    resource: 'replicasets',
    handling: 'pod',
    podTemplate: ['spec', 'template'],
  },
  {
    group: 'apps',
    kind: 'StatefulSet',
    version: 'v1',
    resource: 'statefulsets',
    handling: 'pod',
    podTemplate: ['spec', 'template'],
  },
  {
    group: 'apps',
    kind: 'DaemonSet',
    version: 'v1',
    resource: 'daemonsets',
    handling: 'pod',
    podTemplate: ['spec', 'template'],
  },
  { group: 'batch', kind: 'Job', version: 'v1', resource: 'jobs', handling: 'pod', podTemplate: ['spec', 'template'] },
  {
    group: 'batch',
    kind: 'CronJob',
    version: 'v1',
    resource: 'cronjobs',
    handling: 'pod',
    podTemplate: ['spec', 'jobTemplate', 'spec', 'template'],
  },
  { group: '', kind: 'Service', version: 'v1', resource: 'services', handling: 'routed' },
  { group: '', kind: 'ConfigMap', version: 'v1', resource: 'configmaps', handling: 'config' },
  {
    group: 'scheduling.alibabacloud.com',
    kind: 'ResourcePolicy',
    version: 'v1alpha1',
    resource: 'resourcepolicies',
    handling: 'config',
  },
] as const satisfies readonly HandledKind[];

type Handled = (typeof handledKinds)[number];

/** `group/Kind`, or `Kind` for the core group, of a kind in the table: a typo does not compile. */
export type KindKey = Handled extends infer K
  ? K extends { group: infer G extends string; kind: infer N extends string }
    ? G extends ''
      ? N
      : `${G}/${N}`
    : never
  : never;

/** The key of a kind of the table (kindKey builds it; the table's types say which it is). */
export const handledKey = (handled: Handled): KindKey => kindKey(handled) as KindKey;

const byKey: ReadonlyMap<string, HandledKind> = new Map(handledKinds.map((handled) => [kindKey(handled), handled]));

/** The resource a kind of that group is served as; undefined for kinds not handled. */
export function resourceOf(group: string, kind: string): string | undefined {
  return byKey.get(kindKey({ group, kind }))?.resource;
}

/**
 * Versions of handled kinds that current Kubernetes no longer serves, and the version the API
 * server converts them to under the webhooks' `matchPolicy: Equivalent`. A manifest written in
 * one is judged as the current kind (`check`), with a warning. Removals: Kubernetes deprecated
 * API migration guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/).
 */
const retiredVersions: ReadonlyArray<{
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  readonly current: string;
  readonly removedIn: string;
}> = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['DaemonSet', 'Deployment', 'ReplicaSet'],
    current: 'apps/v1',
    removedIn: '1.16',
  },
  { apiVersion: 'apps/v1beta1', kinds: ['Deployment', 'StatefulSet'], current: 'apps/v1', removedIn: '1.16' },
  {
    apiVersion: 'apps/v1beta2',
    kinds: ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
    current: 'apps/v1',
    removedIn: '1.16',
  },
  { apiVersion: 'batch/v2alpha1', kinds: ['CronJob'], current: 'batch/v1', removedIn: '1.21' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], current: 'batch/v1', removedIn: '1.25' },
];

/** The current version of a kind written in a retired one, and when that one stopped being served. */
export function currentVersionOf(
  apiVersion: string,
  kind: string,
): { readonly current: string; readonly removedIn: string } | undefined {
  return retiredVersions.find((retired) => retired.apiVersion === apiVersion && retired.kinds.includes(kind));
}

/** `group/Kind`, or `Kind` for the core group, of any kind: the version does not move any field we read. */
export function kindKey(kind: Pick<GroupVersionKind, 'group' | 'kind'>): string {
  return kind.group === '' ? kind.kind : `${kind.group}/${kind.kind}`;
}

export function podTemplateLocation(kind: string): readonly string[] | undefined {
  return byKey.get(kind)?.podTemplate;
}

/** Every kind with a pod template, and where it keeps it. */
export function podTemplateKinds(): ReadonlyArray<readonly [KindKey, readonly string[]]> {
  return handledKinds.flatMap((handled) =>
    'podTemplate' in handled ? [[handledKey(handled), handled.podTemplate] as const] : [],
  );
}

export function isHandledKind(kind: string): kind is KindKey {
  return byKey.has(kind);
}

/** Kinds whose objects are judged only when they go to ECI (hybrid clusters). */
export function isRoutedKind(kind: string): boolean {
  const handling = byKey.get(kind)?.handling;
  return handling === 'pod' || handling === 'routed';
}

/** The group, version and kind an object declares (`apps/v1` Deployment, `v1` Pod). */
export function groupVersionKindOf(object: KubernetesObject): GroupVersionKind {
  // Objects from files, tests or a fuzzer need not match their type: a non-string reads as none.
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: apiVersion.slice(slash + 1),
    kind: typeof object.kind === 'string' ? object.kind : '',
  };
}
