// A cluster of thousands of objects in the list stand-in, as a scan meets one: Deployments, each
// with the ReplicaSet and Pods it owns (judged through the Deployment), and bare Pods; one
// Deployment in ten mounts a hostPath, which the webhook denies. The scan test and the scan
// benchmark fill it alike, so the benchmark's memory figure is of the case the test checks.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ListApi } from './list-api.js';

export interface LargeCluster {
  readonly objects: number;
  /** The objects judged on their own: Deployments and bare Pods; the rest is owned by them. */
  readonly judged: number;
  readonly denied: number;
}

const namespaces = 50;
/** Each Deployment comes with one ReplicaSet and two Pods: 4 objects. */
const perDeployment = 4;

function owner(kind: string, name: string, apiVersion = 'apps/v1') {
  return { apiVersion, kind, name, uid: `uid-${kind}-${name}`, controller: true };
}

function podSpec(hostPath: boolean) {
  return {
    containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
    ...(hostPath ? { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] } : {}),
  };
}

/** `deployments` Deployments with what they own, and bare Pods up to `objects` in all. */
export function fillLargeCluster(api: ListApi, objects: number): LargeCluster {
  const deployments = Math.floor((objects * 0.8) / perDeployment);
  const barePods = objects - deployments * perDeployment;
  const namespaceOf = (i: number) => `team-${i % namespaces}`;
  for (let i = 0; i < namespaces; i++) api.namespace(`team-${i}`);
  let denied = 0;
  for (let i = 0; i < deployments; i++) {
    const hostPath = i % 10 === 0;
    if (hostPath) denied++;
    const name = `web-${i}`;
    const metadata = (ownName: string, ownedBy?: ReturnType<typeof owner>) => ({
      name: ownName,
      namespace: namespaceOf(i),
      uid: `uid-${ownName}`,
      labels: { app: name },
      ...(ownedBy ? { ownerReferences: [ownedBy] } : {}),
    });
    const template = { metadata: { labels: { app: name } }, spec: podSpec(hostPath) };
    const selector = { matchLabels: { app: name } };
    api.add('/apis/apps/v1', 'deployments', {
      metadata: metadata(name),
      spec: { selector, template },
    } as KubernetesObject);
    const replicaSet = `${name}-5d8f`;
    api.add('/apis/apps/v1', 'replicasets', {
      metadata: metadata(replicaSet, owner('Deployment', name)),
      spec: { selector, template },
    } as KubernetesObject);
    for (const suffix of ['a', 'b']) {
      const pod = {
        metadata: metadata(`${replicaSet}-${suffix}`, owner('ReplicaSet', replicaSet)),
        spec: podSpec(hostPath),
      };
      api.add('/api/v1', 'pods', pod as KubernetesObject);
    }
  }
  for (let i = 0; i < barePods; i++) {
    const pod = {
      metadata: { name: `job-${i}`, namespace: namespaceOf(i), uid: `uid-job-${i}` },
      spec: podSpec(false),
    };
    api.add('/api/v1', 'pods', pod as KubernetesObject);
  }
  return { objects: deployments * perDeployment + barePods, judged: deployments + barePods, denied };
}
