// The AdmissionReview v1 wire types (admission.k8s.io/v1). @kubernetes/client-node does not model
// them, so they live here, typed against its KubernetesObject.
import type { KubernetesObject } from '@kubernetes/client-node';

export const admissionApiVersion = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

interface UserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
}

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly operation: Operation;
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly userInfo?: UserInfo;
  readonly object?: KubernetesObject | null;
  readonly oldObject?: KubernetesObject | null;
  readonly dryRun?: boolean;
}

interface AdmissionStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionStatus;
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
  readonly warnings?: readonly string[];
}

export interface AdmissionReview {
  readonly apiVersion: typeof admissionApiVersion;
  readonly kind: 'AdmissionReview';
  readonly request?: AdmissionRequest;
  readonly response?: AdmissionResponse;
}
