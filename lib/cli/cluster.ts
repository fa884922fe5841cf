// The cluster of the commands that use one: found through the service account or KUBECONFIG.
import { findKubeConfig } from '../cluster/kubeconfig.js';
import { UsageError } from './usage.js';

export async function optionalCluster() {
  const cluster = await findKubeConfig();
  return cluster ? { cluster } : {};
}

export async function requiredCluster(what: string) {
  const { cluster } = await optionalCluster();
  if (!cluster) throw new UsageError(`${what} needs a cluster: set KUBECONFIG, or run in a pod with a service account`);
  return cluster;
}
