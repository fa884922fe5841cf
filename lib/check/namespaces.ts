// The namespace an object is judged in, as `kubectl apply -f` decides it: its own, else the one
// -n names, else `default`; none for a cluster-scoped kind.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isClusterScoped } from '../workload/scope.js';
import type { InputError, Inputs, Manifest } from './inputs.js';

/** kubectl's default when neither the manifest nor -n names a namespace. */
const defaultNamespace = 'default';

/** The namespace of a namespaced object. */
export function namespaceOf(object: KubernetesObject): string {
  return object.metadata?.namespace || defaultNamespace;
}

/** Where an object is judged: its namespace, none for a cluster-scoped kind. */
export function judgedNamespace(object: KubernetesObject): string | undefined {
  return isClusterScoped(object) ? undefined : namespaceOf(object);
}

/** `Deployment/shop/web`, and `Namespace/shop` for what is in no namespace, as kubectl names objects. */
export function qualifiedName(kind: string | undefined, namespace: string | undefined, name: string): string {
  return [kind, ...(namespace === undefined ? [] : [namespace]), name].join('/');
}

/**
 * With -n NS, as `kubectl apply -n NS`: an object that names no namespace is in NS, and one that
 * names another is refused, as kubectl refuses it ("the namespace from the provided object ...
 * does not match"). Without -n, each object is in its own namespace, else `default`.
 */
export function inNamespace(inputs: Inputs, namespace: string | undefined): Inputs {
  if (namespace === undefined) return inputs;
  const manifests: Manifest[] = [];
  const errors: InputError[] = [...inputs.errors];
  for (const manifest of inputs.manifests) {
    const own = manifest.object.metadata?.namespace;
    if (isClusterScoped(manifest.object) || own === namespace) manifests.push(manifest);
    else if (!own) manifests.push(placed(manifest, namespace));
    else errors.push({ file: manifest.file, line: manifest.line, message: mismatch(own, namespace) });
  }
  return { manifests, errors };
}

function placed(manifest: Manifest, namespace: string): Manifest {
  const { object } = manifest;
  return { ...manifest, object: { ...object, metadata: { ...object.metadata, namespace } } };
}

function mismatch(own: string, namespace: string): string {
  return `the object's namespace ${own} is not -n ${namespace}; kubectl refuses it so (give -n ${own}, or no -n)`;
}
