// The Kubernetes objects the policies are written as: every one carries the same labels, so
// `kubectl get validatingadmissionpolicy -l app.kubernetes.io/name=eci-admission` finds them all.
import { projectName } from '../facts.js';

const labels = { 'app.kubernetes.io/name': projectName, 'app.kubernetes.io/component': 'admission-policy' };

export function admissionObject(apiVersion: string, kind: string, name: string, spec: object): object {
  return { apiVersion, kind, metadata: { name, labels }, spec };
}
