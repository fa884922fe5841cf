// What a scan lists: every kind the webhook judges, at the version current Kubernetes serves it,
// except ConfigMaps, of which only the profile ConfigMaps matter, and those the scan reads as
// the context (lib/profile/locations.ts). An object a scanned controller owns is judged through
// its owner: a Deployment's ReplicaSets and their pods, a CronJob's Jobs would repeat its findings.
import type { KubernetesObject } from '@kubernetes/client-node';
import { handledKinds, kindKey, type HandledKind } from '../workload/kinds.js';

export interface ScanTarget {
  readonly apiVersion: string;
  readonly kind: string;
  /** `deployments.apps`, as kubectl and RBAC messages name a resource. */
  readonly resource: string;
  /** The API path its objects are listed at, before `namespaces/NS/`: `/apis/apps/v1`. */
  readonly groupVersionPath: string;
  /** The plural in the path: `deployments`. */
  readonly plural: string;
  /** A custom resource: when its CRD is not installed there is nothing to list. */
  readonly optional: boolean;
}

const builtInGroups: ReadonlySet<string> = new Set(['', 'apps', 'batch']);

function targetOf(handled: HandledKind): ScanTarget {
  const apiVersion = handled.group === '' ? handled.version : `${handled.group}/${handled.version}`;
  return {
    apiVersion,
    kind: handled.kind,
    resource: handled.group === '' ? handled.resource : `${handled.resource}.${handled.group}`,
    groupVersionPath: handled.group === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`,
    plural: handled.resource,
    optional: !builtInGroups.has(handled.group),
  };
}

export const scanTargets: readonly ScanTarget[] = handledKinds
  .filter((handled) => handled.kind !== 'ConfigMap')
  .map(targetOf);

const scannedKinds: ReadonlySet<string> = new Set(
  handledKinds.filter((handled) => handled.kind !== 'ConfigMap').map(kindKey),
);

/** Whether a scanned kind controls the object, so that its owner's result already covers it. */
export function ownedByScannedKind(object: KubernetesObject): boolean {
  return (object.metadata?.ownerReferences ?? []).some((owner) => {
    if (owner.controller !== true) return false;
    const slash = owner.apiVersion.indexOf('/');
    return scannedKinds.has(kindKey({ group: slash < 0 ? '' : owner.apiVersion.slice(0, slash), kind: owner.kind }));
  });
}

/** Where an object of the target lives in the API: the location a report names for it. */
export function objectPath(target: ScanTarget, namespace: string | undefined, name: string): string {
  return `${target.groupVersionPath}/${namespace ? `namespaces/${namespace}/` : ''}${target.plural}/${name}`;
}
