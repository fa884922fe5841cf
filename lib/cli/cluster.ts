// The cluster of the commands that use one: found through the service account or KUBECONFIG
// (serve and register), or as kubectl finds it (scan); one message when there is none.
import { findKubeConfig } from '../cluster/kubeconfig.js';
import { UsageError } from './usage.js';

export async function optionalCluster() {
  const cluster = await findKubeConfig();
  return cluster ? { cluster } : {};
}

export async function requiredCluster(what: string) {
  const { cluster } = await optionalCluster();
  if (!cluster) throw noCluster(what, 'set KUBECONFIG');
  return cluster;
}

/** `where`: how this command could be given a kubeconfig. */
export function noCluster(what: string, where: string): UsageError {
  return new UsageError(`${what} needs a cluster: ${where}, or run in a pod with a service account`);
}
