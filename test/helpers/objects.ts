// Kubernetes objects for tests: real ones from kubectl's client-side dry run, and hand-made pods.
import { execFileSync } from 'node:child_process';
import type { KubernetesObject, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { AdmissionRequest, AdmissionReview, Operation } from '../../lib/admission/review.js';
import { groupVersionKindOf } from '../../lib/workload/kinds.js';

/** `kubectl create <args> --dry-run=client -o json`: the object exactly as kubectl would send it. */
export function kubectlCreate(...args: string[]): KubernetesObject {
  const json = execFileSync('kubectl', ['create', ...args, '--dry-run=client', '-o', 'json'], { encoding: 'utf8' });
  return JSON.parse(json) as KubernetesObject;
}

export function pod(
  spec: Partial<V1PodSpec>,
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', labels, ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

/** A workload of `kind` wrapping the pod spec at its template. */
export function daemonSet(spec: Partial<V1PodSpec> = {}): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: pod(spec).spec },
    },
  } as KubernetesObject;
}

/** A ResourcePolicy (scheduling.alibabacloud.com/v1alpha1) with the given spec. */
export function resourcePolicy(spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'scheduling.alibabacloud.com/v1alpha1',
    kind: 'ResourcePolicy',
    metadata: { name: 'burst', namespace: 'default' },
    spec,
  } as KubernetesObject;
}

export interface RequestOptions {
  readonly operation?: Operation;
  readonly namespace?: string;
  readonly oldObject?: KubernetesObject;
  readonly subResource?: string;
  readonly uid?: string;
}

export function requestFor(object: KubernetesObject | null, options: RequestOptions = {}): AdmissionRequest {
  const source = object ?? options.oldObject;
  return {
    uid: options.uid ?? 'a1b2c3',
    kind: groupVersionKindOf(source ?? { apiVersion: 'v1', kind: 'Pod' }),
    operation: options.operation ?? 'CREATE',
    namespace: options.namespace ?? source?.metadata?.namespace ?? 'default',
    ...(source?.metadata?.name ? { name: source.metadata.name } : {}),
    ...(options.subResource ? { subResource: options.subResource } : {}),
    object,
    oldObject: options.oldObject ?? null,
    userInfo: { username: 'alice' },
  };
}

export function reviewFor(object: KubernetesObject | null, options: RequestOptions = {}): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: requestFor(object, options) };
}
