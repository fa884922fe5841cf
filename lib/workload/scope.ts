// Which kinds live outside any namespace. The API server ignores the metadata.namespace of such an
// object and sends its reviews without one; check reports it without one, and its policy report
// results go in the ClusterPolicyReport.
import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The built-in kinds served cluster-wide (`kubectl api-resources --namespaced=false`) and the
 * ClusterPolicyReport. Any other kind is taken as namespaced: check has no API server to ask.
 */
const clusterScopedKinds: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ComponentStatus',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ClusterPolicyReport',
]);

export function isClusterScoped(object: KubernetesObject): boolean {
  return clusterScopedKinds.has(object.kind ?? '');
}
